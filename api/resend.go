package api

import (
	"net/http"

	"github.com/chatops/gateway/internal/httpx"
)

// resendWebhook serves POST /webhooks/{id}/deliveries/{delivery_id}/resend:
// that delivery's event goes to the subscription again, with the same
// webhook-id, and the answer is {"queued": 1}. A body, if any, is ignored.
func (s *Server) resendWebhook(w http.ResponseWriter, r *http.Request) error {
	wh, id, err := s.hookOf(r)
	if err != nil {
		return err
	}
	did, err := pathVarID(r, "delivery_id", "delivery")
	if err != nil {
		return err
	}
	n, err := wh.Resend(r.Context(), actorOf(r), id, did)
	if err != nil {
		return err
	}
	return httpx.APIJSON.Write(w, http.StatusOK, map[string]any{"queued": n})
}
