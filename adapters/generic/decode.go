package generic

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"mime/multipart"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/parser"
)

// Request is one call of a hook: either Text, a command line, or Action, a
// structured action with its fields. JSON and form bodies use the same
// field names.
type Request struct {
	Text   string `json:"text,omitempty"`
	User   string `json:"user,omitempty"`
	Action string `json:"action,omitempty"`

	Project  string   `json:"project,omitempty"`
	Client   string   `json:"client,omitempty"`
	Task     string   `json:"task,omitempty"`
	Duration string   `json:"duration,omitempty"`
	Start    string   `json:"start,omitempty"`
	End      string   `json:"end,omitempty"`
	Note     string   `json:"note,omitempty"`
	Tags     []string `json:"tags,omitempty"`
	Billable bool     `json:"billable,omitempty"`
	EntryID  string   `json:"entry_id,omitempty"`
}

// Actions are the structured actions, TrackingTime's incoming events.
var Actions = []string{"project.add", "project.close", "task.add", "task.close", "task.track", "task.stop", "time_entry.add", "time_entry.delete"}

// Error is a request the hook refuses: Status 400 for a body that cannot
// be read, 422 for a missing or wrong field (Field names it) or an unknown
// action.
type Error struct {
	Status  int
	Field   string
	Message string
}

func (e *Error) Error() string { return e.Message }

func malformed(format string, args ...any) *Error {
	return &Error{Status: 400, Message: fmt.Sprintf(format, args...)}
}

func fieldError(field, format string, args ...any) *Error {
	return &Error{Status: 422, Field: field, Message: fmt.Sprintf(format, args...)}
}

// maxTextLen bounds every text field: a command line's length
// (core.MaxCommandChars code points); each field's own limit is core's.
// A lower GATEWAY_LIMIT_CHAT_TEXT is held by the handler; this stays the
// decoder's ceiling for a hook's fields.
const maxTextLen = core.MaxCommandChars

// Decode reads a hook call's body: JSON (an object) for
// application/json, a form for application/x-www-form-urlencoded and
// multipart/form-data; without a content type, a body that starts with "{"
// is JSON and any other a form. A body declared as a form that starts with
// "{" (after white space) is JSON too: curl -d '{"text": "status"}' URL sends
// one. It returns an *Error.
func Decode(contentType string, body []byte) (Request, error) {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt = ""
	}
	switch {
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		return decodeJSON(body)
	case mt == "application/x-www-form-urlencoded":
		if looksLikeJSON(body) {
			return decodeJSON(body)
		}
		return decodeForm(body)
	case mt == "multipart/form-data":
		mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
		form, err := mr.ReadForm(int64(len(body)) + 1)
		if err != nil {
			return Request{}, malformed("malformed multipart form: %v", err)
		}
		defer form.RemoveAll()
		return fromValues(form.Value)
	}
	if looksLikeJSON(body) {
		return decodeJSON(body)
	}
	return decodeForm(body)
}

// looksLikeJSON reports whether body, after leading white space, starts
// with "{", as a JSON object does and a form field does not.
func looksLikeJSON(body []byte) bool {
	t := bytes.TrimSpace(body)
	return len(t) > 0 && t[0] == '{'
}

func decodeForm(body []byte) (Request, error) {
	vals, err := url.ParseQuery(string(body))
	if err != nil {
		return Request{}, malformed("malformed form body: %v", err)
	}
	return fromValues(vals)
}

// fromValues reads form fields; tags may repeat (tags=a&tags=b, tags[]=a)
// or be a comma list.
func fromValues(vals map[string][]string) (Request, error) {
	var req Request
	one := func(name string) (string, error) {
		v := vals[name]
		if len(v) > 1 {
			return "", fieldError(name, "%s is given %d times", name, len(v))
		}
		if len(v) == 0 {
			return "", nil
		}
		if !utf8.ValidString(v[0]) {
			return "", malformed("%s is not valid UTF-8", name)
		}
		if utf8.RuneCountInString(v[0]) > maxTextLen {
			return "", fieldError(name, "%s is longer than %d characters", name, maxTextLen)
		}
		return v[0], nil
	}
	fields := []struct {
		name string
		p    *string
	}{
		{"text", &req.Text}, {"user", &req.User}, {"action", &req.Action}, {"project", &req.Project},
		{"client", &req.Client}, {"task", &req.Task}, {"duration", &req.Duration}, {"start", &req.Start},
		{"end", &req.End}, {"note", &req.Note}, {"entry_id", &req.EntryID},
	}
	for _, f := range fields {
		v, err := one(f.name)
		if err != nil {
			return Request{}, err
		}
		*f.p = v
	}
	for _, name := range []string{"tags", "tags[]"} {
		for _, v := range vals[name] {
			if !utf8.ValidString(v) {
				return Request{}, malformed("tags are not valid UTF-8")
			}
			req.Tags = append(req.Tags, splitTags(v)...)
		}
	}
	b, err := one("billable")
	if err != nil {
		return Request{}, err
	}
	if req.Billable, err = parseBool(b); err != nil {
		return Request{}, err
	}
	return req, nil
}

// decodeJSON reads a JSON object. Unknown fields are ignored, so that
// senders that add their own keep working; a known field of the wrong type
// is a 422 that names it.
func decodeJSON(body []byte) (Request, error) {
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&raw); err != nil {
		if te, ok := err.(*json.UnmarshalTypeError); ok && te.Field == "" {
			return Request{}, malformed("malformed JSON: the body must be a JSON object")
		}
		return Request{}, malformed("malformed JSON: %v", strings.TrimPrefix(err.Error(), "json: "))
	}
	if dec.More() {
		return Request{}, malformed("malformed JSON: unexpected data after the object")
	}
	if raw == nil {
		return Request{}, malformed("malformed JSON: the body must be a JSON object")
	}
	var req Request
	fields := []struct {
		name string
		p    *string
	}{
		{"text", &req.Text}, {"user", &req.User}, {"action", &req.Action}, {"project", &req.Project},
		{"client", &req.Client}, {"task", &req.Task}, {"start", &req.Start}, {"end", &req.End}, {"note", &req.Note},
	}
	for _, f := range fields {
		if err := jsonString(raw, f.name, f.p, false); err != nil {
			return Request{}, err
		}
	}
	// A number of seconds is a duration; a number is an entry id.
	if err := jsonString(raw, "duration", &req.Duration, true); err != nil {
		return Request{}, err
	}
	if err := jsonString(raw, "entry_id", &req.EntryID, true); err != nil {
		return Request{}, err
	}
	if v, ok := raw["tags"]; ok && !isNull(v) {
		var list []string
		var s string
		switch {
		case json.Unmarshal(v, &list) == nil:
			for _, t := range list {
				req.Tags = append(req.Tags, splitTags(t)...)
			}
		case json.Unmarshal(v, &s) == nil:
			req.Tags = splitTags(s)
		default:
			return Request{}, fieldError("tags", "tags must be an array of strings or a comma-separated string")
		}
	}
	if v, ok := raw["billable"]; ok && !isNull(v) {
		var b bool
		var s string
		var n float64
		var err error
		switch {
		case json.Unmarshal(v, &b) == nil:
		case json.Unmarshal(v, &s) == nil:
			b, err = parseBool(s)
		case json.Unmarshal(v, &n) == nil && (n == 0 || n == 1):
			b = n == 1
		default:
			err = fieldError("billable", "billable must be true or false")
		}
		if err != nil {
			return Request{}, err
		}
		req.Billable = b
	}
	return req, nil
}

func isNull(v json.RawMessage) bool { return string(bytes.TrimSpace(v)) == "null" }

// jsonString reads a string field; with number, a JSON number is taken as
// its decimal text.
func jsonString(raw map[string]json.RawMessage, name string, p *string, number bool) error {
	v, ok := raw[name]
	if !ok || isNull(v) {
		return nil
	}
	if err := json.Unmarshal(v, p); err != nil {
		var n json.Number
		if !number || json.Unmarshal(v, &n) != nil {
			return fieldError(name, "%s must be a string", name)
		}
		*p = n.String()
	}
	if utf8.RuneCountInString(*p) > maxTextLen {
		return fieldError(name, "%s is longer than %d characters", name, maxTextLen)
	}
	return nil
}

func splitTags(s string) []string {
	var out []string
	for _, t := range strings.Split(s, ",") {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

func parseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "false", "0", "no", "off":
		return false, nil
	case "true", "1", "yes", "on":
		return true, nil
	}
	return false, fieldError("billable", "billable must be true or false, not %q", s)
}

// Command turns the request into the command it asks for. It returns an
// *Error (422) naming a missing or wrong field or an unknown action, or a
// *parser.Error for text that cannot be read.
func (req Request) Command() (core.Command, error) {
	action := strings.TrimSpace(req.Action)
	text := strings.TrimSpace(req.Text)
	switch {
	case action == "" && text == "":
		return nil, fieldError("action", "text or action is required")
	case action != "" && text != "":
		return nil, fieldError("text", "give text or action, not both")
	case text != "":
		return parser.Parse(text)
	}
	need := func(field, value string) error {
		if strings.TrimSpace(value) == "" {
			return fieldError(field, "%s is required for %s", field, action)
		}
		return nil
	}
	switch action {
	case "project.add":
		if err := need("project", req.Project); err != nil {
			return nil, err
		}
		return core.AddProject{Project: req.Project, Client: req.Client}, nil
	case "project.close":
		if err := need("project", req.Project); err != nil {
			return nil, err
		}
		return core.CloseProject{Project: req.Project}, nil
	case "task.add":
		if err := need("task", req.Task); err != nil {
			return nil, err
		}
		if err := need("project", req.Project); err != nil {
			return nil, err
		}
		return core.AddTask{Task: req.Task, Project: req.Project}, nil
	case "task.close":
		if err := need("task", req.Task); err != nil {
			return nil, err
		}
		return core.CloseTask{Task: req.Task, Project: req.Project}, nil
	case "task.track":
		if err := need("task", req.Task); err != nil {
			return nil, err
		}
		return core.Track{Task: req.Task, Project: req.Project, Tags: req.Tags, Billable: req.Billable, Note: req.Note}, nil
	case "task.stop":
		return core.Stop{Note: req.Note}, nil
	case "time_entry.add":
		return req.logCommand()
	case "time_entry.delete":
		if err := need("entry_id", req.EntryID); err != nil {
			return nil, err
		}
		id, err := core.ParseID(strings.TrimSpace(req.EntryID))
		if err != nil {
			return nil, fieldError("entry_id", "entry_id %q is not an id", req.EntryID)
		}
		return core.DeleteEntry{ID: id}, nil
	}
	known := append([]string(nil), Actions...)
	sort.Strings(known)
	return nil, fieldError("action", "unknown action %q; use one of %s", action, strings.Join(known, ", "))
}

// logCommand reads time_entry.add: a duration (ending now, at end, or
// starting at start), or start and end.
func (req Request) logCommand() (core.Command, error) {
	cmd := core.Log{Task: req.Task, Project: req.Project, Tags: req.Tags, Billable: req.Billable, Note: req.Note}
	var d time.Duration
	if s := strings.TrimSpace(req.Duration); s != "" {
		var err error
		if d, err = ParseDuration(s); err != nil {
			return nil, fieldError("duration", "%v", err)
		}
	}
	start, err := parseTime("start", req.Start)
	if err != nil {
		return nil, err
	}
	end, err := parseTime("end", req.End)
	if err != nil {
		return nil, err
	}
	switch {
	case start != nil && end != nil:
		span := end.Sub(*start)
		if span <= 0 {
			return nil, fieldError("end", "end must be after start")
		}
		if d != 0 && d != span {
			return nil, fieldError("duration", "duration %s does not match start and end (%s apart)", d, span)
		}
		d = span
	case d == 0 && start == nil && end == nil:
		return nil, fieldError("duration", "duration (or start and end) is required for time_entry.add")
	case d == 0 && start != nil:
		return nil, fieldError("end", "end (or duration) is required with start")
	case d == 0:
		return nil, fieldError("start", "start (or duration) is required with end")
	case start != nil:
		t := start.Add(d)
		end = &t
	}
	cmd.Amount = core.Amount{Duration: d}
	cmd.End = end
	return cmd, nil
}

func parseTime(field, s string) (*time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return nil, fieldError(field, "%s %q is not an RFC 3339 time such as 2026-11-18T09:00:00Z", field, s)
	}
	t = t.UTC()
	return &t, nil
}

// ParseDuration reads a duration as the command language writes it
// ("1h30m", "1.5h", "90m", "1:30", "2 hours") or as a number of seconds
// ("5400").
func ParseDuration(s string) (time.Duration, error) {
	s = strings.ToLower(strings.Join(strings.Fields(s), ""))
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n <= 0 || n > 24*3600 {
			return 0, fmt.Errorf("duration %s seconds is not between 1 second and 24 hours", s)
		}
		return time.Duration(n) * time.Second, nil
	}
	cmd, err := parser.Parse("log " + s)
	if l, ok := cmd.(core.Log); err == nil && ok && !l.Amount.IsRange && l.Amount.Duration > 0 && l.Task == "" && l.Project == "" &&
		len(l.Tags) == 0 && l.When == (core.Day{}) && !l.Billable && l.Note == "" {
		return l.Amount.Duration, nil
	}
	return 0, fmt.Errorf("duration %q is not a duration such as 1h30m, 90m, 1:30 or a number of seconds", s)
}
