package api

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/internal/httpx"
	"github.com/chatops/gateway/internal/ratelimit"
	"github.com/chatops/gateway/webhooks"
)

// Options configure a Server. The zero value is useful.
type Options struct {
	// Logger receives one line per failed request; nil discards.
	Logger *slog.Logger
	// Version is the gateway's version, shown by /healthz.
	Version string
	// Webhooks serves /api/v1/webhooks and the WebWork API; nil answers
	// them with 404.
	Webhooks *webhooks.Service
	// PublicURL is the base of the incoming hook URLs the API hands out
	// (GATEWAY_PUBLIC_URL); empty: the URL the request came to.
	PublicURL string
	// WebhookActions limits tests and replays per subscription
	// (GATEWAY_RATE_WEBHOOK_TEST); nil: no rate, but still one at a time.
	WebhookActions *ratelimit.Keyed
}

// Server serves the management API on a core.Service.
type Server struct {
	svc  *core.Service
	log  *slog.Logger
	opts Options
	// running holds the subscriptions with a test or replay under way.
	running ratelimit.Gate
}

// New returns a Server for svc. Register adds its routes to a router.
func New(svc *core.Service, opts Options) *Server {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Server{svc: svc, log: log, opts: opts}
}

// handlerFunc is an HTTP handler that returns its failure instead of
// writing it; serve logs and renders the error.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// renderFunc writes a failure, classified, in one of the forms of the
// gateway's HTTP surface: renderJSON, renderWebWork, webUI.renderFailure.
type renderFunc func(w http.ResponseWriter, r *http.Request, e *httpx.Error)

// badRequest returns a 400 invalid error.
func badRequest(format string, args ...any) error {
	return httpx.Errorf(http.StatusBadRequest, core.EINVALID, format, args...)
}

// serve turns h into an http.Handler: the one place that logs a failure,
// once, and renders it with render. A panic is an internal error.
func (s *Server) serve(h handlerFunc, render renderFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		err := func() (err error) {
			defer func() {
				if v := recover(); v != nil {
					if v == http.ErrAbortHandler {
						panic(v)
					}
					err = fmt.Errorf("panic: %v", v)
				}
			}()
			return h(w, r)
		}()
		if err == nil {
			return
		}
		e := httpx.Classify(err)
		s.logFailure(r, e, err, time.Since(start))
		if !httpx.Answered(err) {
			render(w, r, e)
		}
	})
}

// logFailure logs one line about a failed request.
func (s *Server) logFailure(r *http.Request, e *httpx.Error, err error, took time.Duration) {
	level := slog.LevelInfo
	if e.Status >= 500 {
		level = slog.LevelError
	}
	s.log.LogAttrs(r.Context(), level, "request failed",
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.Int("status", e.Status),
		slog.String("code", e.Code),
		slog.String("error", err.Error()),
		slog.Duration("took", took))
}

// handle serves h for anyone, rendering a failure as the API does.
func (s *Server) handle(h handlerFunc) http.Handler {
	return s.serve(h, renderJSON)
}

// renderJSON writes a failure as the API does: {"error": {"code": …,
// "message": …}}, with a Bearer challenge for 401.
func renderJSON(w http.ResponseWriter, r *http.Request, e *httpx.Error) {
	challenge(w, e)
	_ = httpx.APIJSON.Error(w, e)
}

// challenge asks for a bearer token when e is 401.
func challenge(w http.ResponseWriter, e *httpx.Error) {
	if e.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="gateway"`)
	}
}

// list is the answer of a list: a page of data and the cursor of the next
// page (null on the last).
type list[T any] struct {
	Data       []T     `json:"data"`
	NextCursor core.ID `json:"next_cursor"`
}

// ---- authentication

type actorKey struct{}

// authed serves h only for a request with a valid bearer token; h finds
// the caller with actorOf.
func (s *Server) authed(h handlerFunc) http.Handler {
	return s.serve(s.withActor(h), renderJSON)
}

// withActor runs h for a request with a valid bearer token, with the
// caller in the request's context (actorOf).
func (s *Server) withActor(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		token, err := bearerToken(r)
		if err != nil {
			return err
		}
		u, err := s.svc.Authenticate(r.Context(), token)
		if err != nil {
			return err
		}
		actor := core.Actor{User: u, Source: "api"}
		return h(w, r.WithContext(context.WithValue(r.Context(), actorKey{}, actor)))
	}
}

// bearerToken returns the token of an "Authorization: Bearer TOKEN" header.
func bearerToken(r *http.Request) (string, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return "", core.Errorf(core.EUNAUTHORIZED, "missing Authorization: Bearer token")
	}
	scheme, token, ok := strings.Cut(h, " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return "", core.Errorf(core.EUNAUTHORIZED, "the Authorization header must be \"Bearer TOKEN\"")
	}
	return token, nil
}

// actorOf returns the authenticated caller of a request that went through
// authed.
func actorOf(r *http.Request) core.Actor {
	a, _ := r.Context().Value(actorKey{}).(core.Actor)
	return a
}

// ---- operators

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	body := map[string]string{"status": "ok"}
	if s.opts.Version != "" {
		body["version"] = s.opts.Version
	}
	return httpx.APIJSON.Write(w, http.StatusOK, body)
}

// readyz answers 200 when the store answers a read, 503 otherwise.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	err := s.ping(ctx)
	if err != nil {
		s.log.LogAttrs(ctx, slog.LevelWarn, "not ready", slog.String("error", err.Error()))
		return httpx.APIJSON.Write(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
	}
	return httpx.APIJSON.Write(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) ping(ctx context.Context) error {
	ws, err := s.svc.Workspace(ctx)
	if err != nil {
		return err
	}
	return s.svc.Store().View(ctx, func(tx core.Tx) error {
		_, err := tx.ListUsers(ws.ID, core.Page{Limit: 1})
		return err
	})
}

// notFound answers a path no route takes: the router's NotFoundHandler
// unless it had one (Register).
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) error {
	return core.Errorf(core.ENOTFOUND, "no such route: %s %s", r.Method, r.URL.Path)
}

// methodNotAllowed answers a path's route with a wrong method: the
// router's MethodNotAllowedHandler unless it had one (Register).
func (s *Server) methodNotAllowed(w http.ResponseWriter, r *http.Request) error {
	return httpx.Errorf(http.StatusMethodNotAllowed, core.EINVALID, "method %s not allowed on %s", r.Method, r.URL.Path)
}
