package api

import (
	"context"
	"net/http"
	"time"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/internal/httpx"
	"github.com/chatops/gateway/webhooks"
	"github.com/gorilla/mux"
)

// The outgoing webhooks: /api/v1/webhooks (Toggl-like) and the event
// catalogue. Each handler calls one webhooks.Service method.

func (s *Server) hooks() (*webhooks.Service, error) {
	if s.opts.Webhooks == nil {
		return nil, core.Errorf(core.ENOTFOUND, "outgoing webhooks are not enabled on this gateway")
	}
	return s.opts.Webhooks, nil
}

// hookOf returns the webhooks.Service and the subscription id of the
// request's path.
func (s *Server) hookOf(r *http.Request) (*webhooks.Service, core.ID, error) {
	wh, err := s.hooks()
	if err != nil {
		return nil, 0, err
	}
	id, err := pathID(r, "webhook")
	return wh, id, err
}

// views maps subscriptions to their API form.
func views(subs []core.Subscription) []webhooks.View {
	out := make([]webhooks.View, len(subs))
	for i, sub := range subs {
		out[i] = webhooks.ViewOf(sub)
	}
	return out
}

func (s *Server) listWebhooks(w http.ResponseWriter, r *http.Request) error {
	wh, err := s.hooks()
	if err != nil {
		return err
	}
	return listOf(w, r, func(ctx context.Context, a core.Actor, p core.Page) ([]webhooks.View, core.ID, error) {
		subs, next, err := wh.List(ctx, a, p)
		return views(subs), next, err
	})
}

func (s *Server) createWebhook(w http.ResponseWriter, r *http.Request) error {
	wh, err := s.hooks()
	if err != nil {
		return err
	}
	return createOne(w, r, func(ctx context.Context, a core.Actor, in webhooks.Input) (webhooks.View, error) {
		if len(in.Events) == 0 {
			return webhooks.View{}, core.Errorf(core.EINVALID, "events is required: a list such as [\"tracker.started\", \"project.*\"]")
		}
		sub, err := wh.Create(ctx, a, in)
		return webhooks.ViewOf(sub), err
	})
}

// subAction is a webhooks.Service method on one subscription, as a method
// expression: (*webhooks.Service).Test.
type subAction = func(*webhooks.Service, context.Context, core.Actor, core.ID) (core.Subscription, error)

// subscriptionAction serves a webhooks.Service method on the subscription
// of the path's id.
func (s *Server) subscriptionAction(fn subAction) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		wh, err := s.hooks()
		if err != nil {
			return err
		}
		return getOne(w, r, "webhook", func(ctx context.Context, a core.Actor, id core.ID) (webhooks.View, error) {
			sub, err := fn(wh, ctx, a, id)
			return webhooks.ViewOf(sub), err
		})
	}
}

func (s *Server) replaceWebhook(w http.ResponseWriter, r *http.Request) error {
	wh, err := s.hooks()
	if err != nil {
		return err
	}
	return updateOne(w, r, "webhook", func(ctx context.Context, a core.Actor, id core.ID, in webhooks.Input) (webhooks.View, error) {
		sub, err := wh.Replace(ctx, a, id, in)
		return webhooks.ViewOf(sub), err
	})
}

func (s *Server) patchWebhook(w http.ResponseWriter, r *http.Request) error {
	wh, err := s.hooks()
	if err != nil {
		return err
	}
	return updateOne(w, r, "webhook", func(ctx context.Context, a core.Actor, id core.ID, p webhooks.Patch) (webhooks.View, error) {
		sub, err := wh.Update(ctx, a, id, p)
		return webhooks.ViewOf(sub), err
	})
}

func (s *Server) deleteWebhook(w http.ResponseWriter, r *http.Request) error {
	wh, err := s.hooks()
	if err != nil {
		return err
	}
	return deleteOne(w, r, "webhook", wh.Delete)
}

func (s *Server) webhookDeliveries(w http.ResponseWriter, r *http.Request) error {
	wh, id, err := s.hookOf(r)
	if err != nil {
		return err
	}
	p, err := page(r)
	if err != nil {
		return err
	}
	attempts, next, err := wh.Deliveries(r.Context(), actorOf(r), id, p)
	if err != nil {
		return err
	}
	return writeList(w, attempts, next)
}

type replayBody struct {
	Since time.Time `json:"since"`
	Until time.Time `json:"until"`
}

func (s *Server) replayWebhook(w http.ResponseWriter, r *http.Request) error {
	wh, id, err := s.hookOf(r)
	if err != nil {
		return err
	}
	var body replayBody
	if err := decode(w, r, &body); err != nil {
		return err
	}
	n, err := wh.Replay(r.Context(), actorOf(r), id, body.Since, body.Until)
	if err != nil {
		return err
	}
	return httpx.APIJSON.Write(w, http.StatusOK, map[string]any{"queued": n})
}

// validateWebhook is the asynchronous validation: a GET by the subscriber,
// authenticated by the code alone.
func (s *Server) validateWebhook(w http.ResponseWriter, r *http.Request) error {
	wh, id, err := s.hookOf(r)
	if err != nil {
		return err
	}
	if err := wh.Validate(r.Context(), id, mux.Vars(r)["code"]); err != nil {
		return err
	}
	return httpx.APIJSON.Write(w, http.StatusOK, map[string]any{"validated": true})
}

type eventTypeView struct {
	core.EventType
	Aliases []string `json:"aliases,omitempty"`
}

func (s *Server) eventTypes(w http.ResponseWriter, r *http.Request) error {
	alias := map[string][]string{}
	for a, canon := range webhooks.Aliases() {
		alias[canon] = append(alias[canon], a)
	}
	var out []eventTypeView
	for _, t := range core.EventTypes() {
		out = append(out, eventTypeView{t, alias[t.Name]})
	}
	return httpx.APIJSON.Write(w, http.StatusOK, map[string]any{"data": out, "next_cursor": nil})
}
