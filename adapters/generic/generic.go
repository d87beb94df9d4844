package generic

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/internal/httpx"
	"github.com/chatops/gateway/parser"
	"github.com/chatops/gateway/reply"
)

// MaxBodyBytes is the largest body a hook reads (413 beyond).
const MaxBodyBytes = 1 << 20

// maxIdempotencyKey bounds the Idempotency-Key header.
const maxIdempotencyKey = 200

// Options configure a Handler. The zero value is useful.
type Options struct {
	// Logger receives a line for each refused call; nil discards.
	Logger *slog.Logger
}

// Handler serves POST /hooks/{token}.
type Handler struct {
	svc *core.Service
	log *slog.Logger
}

// NewHandler returns a Handler that runs hook calls through svc.
func NewHandler(svc *core.Service, opts Options) *Handler {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Handler{svc: svc, log: opts.Logger}
}

// answer is a successful call's body.
type answer struct {
	OK        bool    `json:"ok"`
	Duplicate bool    `json:"duplicate,omitempty"`
	Result    *result `json:"result"`
}

// result is a command's core.Result as an answer shows it: its fields, with
// the answer a person reads (package reply) as "text" after "command". The
// Command declared here hides the embedded one, which puts "text" second.
type result struct {
	Command string `json:"command"`
	Text    string `json:"text"`
	*core.Result
}

// resultOf returns the answer's form of res, nil for nil.
func resultOf(res *core.Result) *result {
	if res == nil {
		return nil
	}
	return &result{Command: res.Command, Text: reply.Text(res), Result: res}
}

// tokenOf returns the token of a request's path: its last segment.
func tokenOf(r *http.Request) string {
	p := strings.TrimSuffix(r.URL.Path, "/")
	return p[strings.LastIndex(p, "/")+1:]
}

// ServeHTTP runs one hook call.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	res, dup, err := h.serve(w, r)
	if err != nil {
		status, detail := h.classify(r.Context(), err)
		h.log.InfoContext(r.Context(), "incoming hook call refused", "status", status, "code", detail.Code,
			"reason", detail.Message, "remote", r.RemoteAddr)
		_ = httpx.AdapterJSON.Write(w, status, httpx.ErrorBody{Error: detail})
		return
	}
	_ = httpx.AdapterJSON.Write(w, http.StatusOK, answer{OK: true, Duplicate: dup, Result: resultOf(res)})
}

// classify returns the status and error body for err: a core error's code
// maps to its status as everywhere (httpx.StatusOf), except that a thing
// named in the body that does not exist is the request's fault (422), not
// its URL's: only an unknown token is 404.
func (h *Handler) classify(ctx context.Context, err error) (int, httpx.ErrorDetail) {
	var he *Error
	if errors.As(err, &he) {
		code := core.EINVALID
		if he.Status == http.StatusNotFound {
			code = core.ENOTFOUND
		} else if he.Status == http.StatusRequestEntityTooLarge {
			code = core.ELIMIT
		}
		return he.Status, httpx.ErrorDetail{Code: code, Message: he.Message, Field: he.Field}
	}
	var pe *parser.Error
	if errors.As(err, &pe) {
		return http.StatusUnprocessableEntity, httpx.ErrorDetail{Code: core.EINVALID, Message: pe.Error(), Field: "text"}
	}
	code := core.ErrorCode(err)
	status := httpx.StatusOf(code)
	if code == core.ENOTFOUND {
		status = http.StatusUnprocessableEntity
	}
	if status >= 500 {
		h.log.ErrorContext(ctx, "incoming hook call failed", "err", err)
	}
	return status, httpx.ErrorDetail{Code: code, Message: core.ErrorMessage(err)}
}

func (h *Handler) serve(w http.ResponseWriter, r *http.Request) (*core.Result, bool, error) {
	if r.Method != http.MethodPost {
		return nil, false, &Error{Status: http.StatusMethodNotAllowed, Message: "use POST"}
	}
	ctx := r.Context()
	hook, owner, err := h.svc.ResolveIncomingHook(ctx, tokenOf(r))
	if core.ErrorCode(err) == core.ENOTFOUND {
		return nil, false, &Error{Status: http.StatusNotFound, Message: "no such incoming hook"}
	}
	if err != nil {
		return nil, false, err
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return nil, false, &Error{Status: http.StatusRequestEntityTooLarge, Message: fmt.Sprintf("request body is larger than %d bytes", MaxBodyBytes)}
		}
		return nil, false, malformed("cannot read request body")
	}
	if !utf8.Valid(body) {
		return nil, false, malformed("request body is not valid UTF-8")
	}
	req, err := Decode(r.Header.Get("Content-Type"), body)
	if err != nil {
		return nil, false, err
	}
	if max := h.svc.Limits().ChatText; utf8.RuneCountInString(req.Text) > max {
		return nil, false, fieldError("text", "text is longer than %d characters", max)
	}
	cmd, err := req.Command()
	if err != nil {
		return nil, false, err
	}
	user, err := h.svc.HookUser(ctx, owner, req.User)
	if err != nil {
		if core.ErrorCode(err) == core.EINVALID {
			return nil, false, fieldError("user", "%s", core.ErrorMessage(err))
		}
		return nil, false, err
	}
	actor := core.Actor{User: user, Source: "generic"}
	if key := strings.TrimSpace(r.Header.Get("Idempotency-Key")); key != "" {
		if len(key) > maxIdempotencyKey {
			return nil, false, malformed("Idempotency-Key is longer than %d characters", maxIdempotencyKey)
		}
		actor.DedupeKey = fmt.Sprintf("generic:%d:%s", hook.ID, key) // forgotten after a week: core.TransientKeyPrefixes
	}
	res, err := h.svc.Execute(ctx, actor, cmd)
	if errors.Is(err, core.ErrDuplicate) {
		return nil, true, nil
	}
	if err != nil {
		return nil, false, err
	}
	return res, false, nil
}
