package api

import (
	"net/http"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/internal/httpx"
	"github.com/chatops/gateway/internal/ratelimit"
)

// throttled serves h, a test or replay of the webhook in the path, through
// throttle. Only a caller who may see the subscription is counted: others
// get its 404 or 403 without using anyone's allowance.
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
		return s.throttle(w, id, throttleText{
			busy:    "a test or replay of webhook " + key + " is running; try again when it ends",
			tooMany: "too many tests and replays of webhook " + key,
		}, func() error { return h(w, r) })
	}
}

// throttleText is what a refused test, replay or resend says: busy while
// another of the same subscription runs (409), tooMany over the allowance
// (429; the wait follows it). The API's words name the webhook; the
// console's are sentences for its page.
type throttleText struct{ busy, tooMany string }

// consoleThrottle is throttleText of the console's buttons.
var consoleThrottle = throttleText{
	busy:    "A test, replay or resend of this webhook is running; try again when it ends.",
	tooMany: "Too many tests, replays and resends of this webhook",
}

// throttle runs fn, a test, replay or resend of subscription id, one at a
// time per subscription (409 while one runs) and at most as often as
// Options.WebhookActions allows (429 with Retry-After, set on w); the API
// and the console share both. The caller must have checked that the actor
// may see the subscription.
func (s *Server) throttle(w http.ResponseWriter, id core.ID, text throttleText, fn func() error) error {
	key := id.String()
	release, ok := s.running.TryAcquire(key)
	if !ok {
		return httpx.Errorf(http.StatusConflict, core.ECONFLICT, "%s", text.busy)
	}
	defer release()
	if ok, wait := s.opts.WebhookActions.Allow(key); !ok {
		return ratelimit.TooMany(w, wait, text.tooMany)
	}
	return fn()
}
