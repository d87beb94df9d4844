package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gorilla/mux"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/internal/httpx"
)

// MaxBodyBytes is the largest request body the API reads (413 beyond).
const MaxBodyBytes = 1 << 20

// decode reads r's body as exactly one JSON value into v. Unknown fields,
// trailing data and an empty body are 400; a body over MaxBodyBytes is 413.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	return decodeJSON(body, v)
}

// readBody reads r's body: 413 over MaxBodyBytes, 400 when it cannot be
// read.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		if mbe, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return nil, httpx.Errorf(http.StatusRequestEntityTooLarge, core.ELIMIT, "request body is larger than %d bytes", mbe.Limit)
		}
		return nil, &httpx.Error{Status: http.StatusBadRequest, Code: core.EINVALID, Message: "cannot read request body", Err: err}
	}
	if !utf8.Valid(body) {
		return nil, badRequest("request body is not valid UTF-8")
	}
	return body, nil
}

// decodeJSON decodes body strictly into v.
func decodeJSON(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return badRequest("request body is empty; send a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return &httpx.Error{Status: http.StatusBadRequest, Code: core.EINVALID, Message: "malformed JSON: " + jsonProblem(err), Err: err}
	}
	if _, err := dec.Token(); err != io.EOF {
		return badRequest("malformed JSON: unexpected data after the object")
	}
	return nil
}

// jsonProblem describes a decoding error for a person.
func jsonProblem(err error) string {
	if te, ok := errors.AsType[*json.UnmarshalTypeError](err); ok && te.Field != "" {
		return te.Field + " must be " + jsonKind(te.Type.String())
	}
	if se, ok := errors.AsType[*json.SyntaxError](err); ok {
		return se.Error() + " at offset " + strconv.FormatInt(se.Offset, 10)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return "unexpected end of input"
	}
	if core.ErrorCode(err) != core.EINTERNAL {
		return core.ErrorMessage(err)
	}
	if pe, ok := errors.AsType[*time.ParseError](err); ok {
		return "time " + strconv.Quote(pe.Value) + " is not RFC 3339"
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

func jsonKind(goType string) string {
	switch {
	case goType == "string", strings.HasSuffix(goType, "Role"):
		return "a string"
	case goType == "bool":
		return "true or false"
	case strings.HasPrefix(goType, "[]"):
		return "an array"
	case strings.HasSuffix(goType, "ID"):
		return "an id string"
	case strings.Contains(goType, "Time"):
		return "an RFC 3339 time"
	}
	return "a " + goType
}

// optional is a JSON field that tells "absent" from null: Set is true when
// the field was present, V its value (the zero value for null).
type optional[T any] struct {
	Set bool
	V   T
}

// UnmarshalJSON records that the field was present.
func (o *optional[T]) UnmarshalJSON(b []byte) error {
	o.Set = true
	if string(b) == "null" {
		var zero T
		o.V = zero
		return nil
	}
	return json.Unmarshal(b, &o.V)
}

// ptr returns nil when the field was absent, else a pointer to its value.
func (o optional[T]) ptr() *T {
	if !o.Set {
		return nil
	}
	v := o.V
	return &v
}

// pathID returns the {id} of the request's path; an id that is not one is
// not_found, as an unknown id is.
func pathID(r *http.Request, kind string) (core.ID, error) { return pathVarID(r, "id", kind) }

// pathVarID is pathID for the path variable name.
func pathVarID(r *http.Request, name, kind string) (core.ID, error) {
	raw := mux.Vars(r)[name]
	id, err := core.ParseID(raw)
	if err != nil || strings.HasPrefix(raw, "#") || strings.HasPrefix(raw, "+") {
		return 0, core.Errorf(core.ENOTFOUND, "%s %q not found", kind, raw)
	}
	return id, nil
}

// page reads ?limit= (default 100, at most 1000) and ?cursor= (the last id
// of the previous page).
func page(r *http.Request) (core.Page, error) {
	q := r.URL.Query()
	var p core.Page
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			return p, badRequest("limit must be a positive integer, not %q", s)
		}
		p.Limit = min(n, core.MaxPageLimit)
	}
	if s := q.Get("cursor"); s != "" {
		id, err := core.ParseID(s)
		if err != nil {
			return p, badRequest("cursor %q is not a cursor from next_cursor", s)
		}
		p.After = id
	}
	return p.Normalize(), nil
}

// queryID reads an optional id query parameter.
func queryID(r *http.Request, name string) (core.ID, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return 0, nil
	}
	id, err := core.ParseID(s)
	if err != nil {
		return 0, badRequest("%s %q is not an id", name, s)
	}
	return id, nil
}

// queryTime reads an optional time query parameter: an RFC 3339 time, or a
// date (YYYY-MM-DD) read as its midnight in the caller's zone
// (core.ParseInstant). A '+' of the zone offset that arrived unescaped (as
// a space) is put back.
func queryTime(r *http.Request, name string) (time.Time, error) {
	t, err := core.ParseInstant(r.URL.Query(), name, actorOf(r).User.Location())
	return t, malformed(err)
}
