package api

import (
	"net/http"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/internal/httpx"
	"github.com/chatops/gateway/internal/ratelimit"
)

// throttled serves h, a test or replay of the webhook in the path, one at
// a time per subscription (409 while one runs) and at most as often as
// Options.WebhookActions allows (429 with Retry-After). Only a caller who
// may see the subscription is counted: others get its 404 or 403 without
// using anyone's allowance.
func (s *Server) throttled(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		wh, id, err := s.hookOf(r)
		if err != nil {
			return err
		}
		if _, err := wh.Get(r.Context(), actorOf(r), id); err != nil {
			return err
		}
		key := id.String()
		release, ok := s.running.TryAcquire(key)
		if !ok {
			return httpx.Errorf(http.StatusConflict, core.ECONFLICT, "a test or replay of webhook %s is running; try again when it ends", key)
		}
		defer release()
		if ok, wait := s.opts.WebhookActions.Allow(key); !ok {
			return ratelimit.TooMany(w, wait, "too many tests and replays of webhook "+key)
		}
		return h(w, r)
	}
}
