package api

import (
	"encoding/json"
	"errors"
	"io"
	"math"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/internal/httpx"
	"github.com/chatops/gateway/webhooks"
)

// The WebWork-compatible webhooks API (/rest-api/v1/webhooks): JSON or form
// bodies with url and events, answers of the shape {"success", "webhook"},
// errors {"success": false, "error"}. Subscriptions made here are active at
// once (WebWork has no validation) and use the standard format.

// webworkHandle serves h like authed, when outgoing webhooks are on, and
// renders a failure the WebWork way.
func (s *Server) webworkHandle(h handlerFunc) http.Handler {
	return s.serve(s.withActor(func(w http.ResponseWriter, r *http.Request) error {
		if _, err := s.hooks(); err != nil {
			return err
		}
		return h(w, r)
	}), renderWebWork)
}

// webworkError is a failure as WebWork answers it.
type webworkError struct {
	Error   string `json:"error"`
	Success bool   `json:"success"`
}

// renderWebWork writes a failure the WebWork way:
// {"error": MESSAGE, "success": false}, with a Bearer challenge for 401.
func renderWebWork(w http.ResponseWriter, r *http.Request, e *httpx.Error) {
	challenge(w, e)
	_ = httpx.APIJSON.Write(w, e.Status, webworkError{Error: e.Message})
}

// webworkItem is a subscription as WebWork shows it.
type webworkItem struct {
	ID     core.ID         `json:"id"`
	URL    string          `json:"url"`
	Events json.RawMessage `json:"events"`
	Token  string          `json:"token"`
}

func webworkOf(sub core.Subscription) webworkItem {
	return webworkItem{ID: sub.ID, URL: sub.URL, Events: sub.Events, Token: sub.Secret}
}

// webworkBody is what a WebWork client sends.
type webworkBody struct {
	URL    string
	Events []string
	// HasEvents tells an update that events were given.
	HasEvents bool
}

// decodeWebwork reads a JSON or form body with url and events
// (events[]=a&events[]=b, events=a&events=b, events=a,b or a JSON array).
func decodeWebwork(w http.ResponseWriter, r *http.Request) (webworkBody, error) {
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return webworkBody{}, httpx.Errorf(http.StatusRequestEntityTooLarge, core.ELIMIT, "request body is larger than 1 MiB")
		}
		return webworkBody{}, badRequest("cannot read request body")
	}
	if !utf8.Valid(raw) {
		return webworkBody{}, badRequest("request body is not valid UTF-8")
	}
	return parseWebwork(r.Header.Get("Content-Type"), raw)
}

func parseWebwork(contentType string, raw []byte) (webworkBody, error) {
	mt, _, _ := mime.ParseMediaType(contentType)
	var b webworkBody
	if mt == "application/x-www-form-urlencoded" {
		form, err := url.ParseQuery(string(raw))
		if err != nil || !validForm(form) {
			return b, badRequest("malformed form body")
		}
		b.URL = form.Get("url")
		for _, key := range []string{"events[]", "events"} {
			for _, v := range form[key] {
				b.HasEvents = true
				for _, e := range strings.Split(v, ",") {
					if e = strings.TrimSpace(e); e != "" {
						b.Events = append(b.Events, e)
					}
				}
			}
		}
		return b, nil
	}
	var body struct {
		URL    string          `json:"url"`
		Events json.RawMessage `json:"events"`
	}
	if len(strings.TrimSpace(string(raw))) == 0 {
		return b, badRequest("request body is empty; send url and events")
	}
	if err := json.Unmarshal(raw, &body); err != nil {
		return b, badRequest("malformed JSON: %s", jsonProblem(err))
	}
	b.URL = body.URL
	if len(body.Events) > 0 && string(body.Events) != "null" {
		b.HasEvents = true
		if err := json.Unmarshal(body.Events, &b.Events); err != nil {
			var one string
			if json.Unmarshal(body.Events, &one) != nil {
				return b, badRequest("events must be an array of event names")
			}
			b.Events = strings.FieldsFunc(one, func(r rune) bool { return strings.ContainsRune(", \t\r\n", r) })
		}
	}
	return b, nil
}

func (s *Server) webworkCreate(w http.ResponseWriter, r *http.Request) error {
	b, err := decodeWebwork(w, r)
	if err != nil {
		return err
	}
	if b.URL == "" {
		return core.Errorf(core.EINVALID, "url is required")
	}
	if len(b.Events) == 0 {
		return core.Errorf(core.EINVALID, "events is required, e.g. events[]=tracker.started&events[]=tracker.stopped")
	}
	sub, err := s.opts.Webhooks.Create(r.Context(), actorOf(r), webhooks.Input{URL: b.URL, Events: webhooks.EventNames(b.Events), Validated: true})
	if err != nil {
		return err
	}
	return httpx.APIJSON.Write(w, http.StatusCreated, map[string]any{"success": true, "webhook": webworkOf(sub)})
}

func (s *Server) webworkUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "webhook")
	if err != nil {
		return err
	}
	b, err := decodeWebwork(w, r)
	if err != nil {
		return err
	}
	p := webhooks.Patch{Validated: true} // WebWork has no validation
	if b.URL != "" {
		p.URL = &b.URL
	}
	if b.HasEvents {
		if len(b.Events) == 0 {
			return core.Errorf(core.EINVALID, "events must name at least one event")
		}
		p.Events = webhooks.EventNames(b.Events)
	}
	if p.URL == nil && p.Events == nil {
		return core.Errorf(core.EINVALID, "url is required")
	}
	sub, err := s.opts.Webhooks.Update(r.Context(), actorOf(r), id, p)
	if err != nil {
		return err
	}
	return httpx.APIJSON.Write(w, http.StatusOK, map[string]any{"success": true, "webhook": webworkOf(sub)})
}

func (s *Server) webworkDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "webhook")
	if err != nil {
		return err
	}
	if err := s.opts.Webhooks.Delete(r.Context(), actorOf(r), id); err != nil {
		return err
	}
	return httpx.APIJSON.Write(w, http.StatusOK, map[string]any{"success": true})
}

func (s *Server) webworkGet(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "webhook")
	if err != nil {
		return err
	}
	sub, err := s.opts.Webhooks.Get(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	return httpx.APIJSON.Write(w, http.StatusOK, map[string]any{"success": true, "data": webworkOf(sub)})
}

// webworkPageSize is WebWork's max_rows.
const webworkPageSize = 50

// webworkList answers WebWork's list shape, ?page=N from 1.
func (s *Server) webworkList(w http.ResponseWriter, r *http.Request) error {
	pageNo := 1
	if v := r.URL.Query().Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if ne, ok := errors.AsType[*strconv.NumError](err); ok && ne.Err == strconv.ErrRange && !strings.HasPrefix(v, "-") {
			n, err = math.MaxInt, nil // a page past any last one
		}
		if err != nil || n < 1 {
			return badRequest("page must be a positive integer, not %q", v)
		}
		pageNo = n
	}
	var all []core.Subscription
	p := core.Page{Limit: core.MaxPageLimit}
	for {
		subs, next, err := s.opts.Webhooks.List(r.Context(), actorOf(r), p)
		if err != nil {
			return err
		}
		all = append(all, subs...)
		if next == 0 {
			break
		}
		p.After = next
	}
	total := (len(all) + webworkPageSize - 1) / webworkPageSize
	items := []webworkItem{}
	if pageNo <= total { // else a page past the last: empty (and no overflow below)
		for i := (pageNo - 1) * webworkPageSize; i < len(all) && i < pageNo*webworkPageSize; i++ {
			items = append(items, webworkOf(all[i]))
		}
	}
	return httpx.APIJSON.Write(w, http.StatusOK, map[string]any{"max_rows": webworkPageSize, "current_page": pageNo, "total_pages": total, "data": items})
}

// validForm reports whether every name and value of a form is UTF-8
// (percent-escapes can carry any byte).
func validForm(form url.Values) bool {
	for k, vs := range form {
		if !utf8.ValidString(k) {
			return false
		}
		for _, v := range vs {
			if !utf8.ValidString(v) {
				return false
			}
		}
	}
	return true
}
