package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/chatops/gateway/core"
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
}

// Server serves the management API on a core.Service.
type Server struct {
	svc  *core.Service
	log  *slog.Logger
	opts Options
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
// writing it; handle renders the error.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// httpError is a failure of the HTTP layer itself (a malformed or oversized
// body, a bad query parameter) that has a status of its own.
type httpError struct {
	Status  int
	Code    string
	Message string
	Err     error
}

func (e *httpError) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *httpError) Unwrap() error { return e.Err }

// badRequest returns a 400 invalid error.
func badRequest(format string, args ...any) error {
	return &httpError{Status: http.StatusBadRequest, Code: core.EINVALID, Message: fmt.Sprintf(format, args...)}
}

// statusOf maps core error codes to HTTP statuses: the one table.
var statusOf = map[string]int{
	core.EINVALID:      http.StatusUnprocessableEntity, // a rule is broken
	core.ENOTFOUND:     http.StatusNotFound,
	core.ECONFLICT:     http.StatusConflict,
	core.EFORBIDDEN:    http.StatusForbidden,
	core.EUNAUTHORIZED: http.StatusUnauthorized,
	core.ELIMIT:        http.StatusUnprocessableEntity,
	core.EINTERNAL:     http.StatusInternalServerError,
}

// errorBody is what a failed request answers.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// handle turns h into an http.Handler: the one place that renders and logs
// errors (and panics, as internal errors).
func (s *Server) handle(h handlerFunc) http.Handler {
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
		if err != nil {
			s.fail(w, r, err, time.Since(start))
		}
	})
}

// fail writes err as {"error": …} and logs it.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error, took time.Duration) {
	status, code, msg := s.logFailure(r, err, took)
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="gateway"`)
	}
	_ = writeJSON(w, status, errorBody{errorDetail{Code: code, Message: msg}})
}

// classify returns the status, code and message a person sees for err.
func classify(err error) (status int, code, msg string) {
	status, code, msg = http.StatusInternalServerError, core.EINTERNAL, "internal error"
	var he *httpError
	if errors.As(err, &he) {
		status, code, msg = he.Status, he.Code, he.Message
	} else if c := core.ErrorCode(err); c != core.EINTERNAL {
		status, code, msg = statusOf[c], c, core.ErrorMessage(err)
		if status == 0 {
			status = http.StatusInternalServerError
		}
	}
	return status, code, msg
}

// logFailure classifies err and logs one line about the failed request.
func (s *Server) logFailure(r *http.Request, err error, took time.Duration) (status int, code, msg string) {
	status, code, msg = classify(err)
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	s.log.LogAttrs(r.Context(), level, "request failed",
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.Int("status", status),
		slog.String("code", code),
		slog.String("error", err.Error()),
		slog.Duration("took", took))
	return status, code, msg
}

// writeJSON answers v as JSON with the status.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		return fmt.Errorf("encode response: %w", err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// list is the answer of a list: a page of data and the cursor of the next
// page (null on the last).
type list[T any] struct {
	Data       []T     `json:"data"`
	NextCursor core.ID `json:"next_cursor"`
}

// ---- authentication

type actorKey struct{}

// authed wraps h so that it runs only for a request with a valid bearer
// token; h finds the caller with actorOf.
func (s *Server) authed(h handlerFunc) http.Handler {
	return s.handle(func(w http.ResponseWriter, r *http.Request) error {
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
	})
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
	return writeJSON(w, http.StatusOK, body)
}

// readyz answers 200 when the store answers a read, 503 otherwise.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	err := s.ping(ctx)
	if err != nil {
		s.log.LogAttrs(ctx, slog.LevelWarn, "not ready", slog.String("error", err.Error()))
		return writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
	}
	return writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
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

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) error {
	return core.Errorf(core.ENOTFOUND, "no such path: %s", r.URL.Path)
}

func (s *Server) methodNotAllowed(w http.ResponseWriter, r *http.Request) error {
	return &httpError{Status: http.StatusMethodNotAllowed, Code: core.EINVALID, Message: r.Method + " is not allowed here"}
}
