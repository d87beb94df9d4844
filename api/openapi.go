package api

import (
	"encoding/json"
	"net/http"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/webhooks"
)

// GET /api/v1/openapi.json: an OpenAPI 3.1 document of the JSON API
// (/api/v1, /rest-api/v1, /healthz, /readyz), made at first request from
// the operations below. Request and response schemas are read by
// reflection from the very Go types the handlers decode and answer, so a
// field added to core.TimeEntry or webhooks.View shows up here by itself;
// the few answers written as maps have their schema written out. A test
// (openapi_test.go) holds the operations and the route table to each
// other.

// apiOp is one documented operation.
type apiOp struct {
	method, path string
	summary      string
	// open: no bearer token (the route is served by s.handle).
	open bool
	// admin: members get 403.
	admin bool
	query []apiParam
	// body is the request body: a value of the Go type the handler
	// decodes, or a schema (map[string]any); required names the fields a
	// client must send.
	body     any
	required []string
	// status and resp are the success answer: a value of the Go type the
	// handler writes, or a schema; nil resp is no body (204).
	status int
	resp   any
	// list: resp is an element of a {"data": […], "next_cursor"} page.
	list bool
	// errs are the failure statuses beyond the usual ones (see errorsOf).
	errs []int
	// csv: the answer may also be text/csv (?format=csv).
	csv bool
	// webwork: failures are WebWork's {"error", "success": false}.
	webwork bool
}

type apiParam struct{ name, typ, desc string }

// pageParams are ?limit= and ?cursor= of every list.
var pageParams = []apiParam{
	{"limit", "integer", "items per page: default 100, at most 1000 (more is cut to 1000)"},
	{"cursor", "string", "the next_cursor of the previous page"},
}

// schema is a JSON Schema written out by hand.
type schema = map[string]any

func apiOps() []apiOp {
	const get, head, post, put, patch, del = "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"
	var (
		health   = schema{"type": "object", "properties": schema{"status": schema{"type": "string", "enum": []string{"ok"}}, "version": schema{"type": "string"}}, "required": []string{"status"}}
		ready    = schema{"type": "object", "properties": schema{"status": schema{"type": "string", "enum": []string{"ok", "unavailable"}}}, "required": []string{"status"}}
		queued   = schema{"type": "object", "properties": schema{"queued": schema{"type": "integer", "minimum": 0, "description": "how many events were queued again"}}, "required": []string{"queued"}}
		named    = []string{"name"}
		conflict = []int{http.StatusConflict}
	)
	ops := []apiOp{
		{method: get, path: "/healthz", summary: "liveness, with the version", open: true, status: 200, resp: health},
		{method: head, path: "/healthz", summary: "liveness, headers only", open: true, status: 200},
		{method: get, path: "/readyz", summary: "readiness: 200 when the database answers a read, else 503", open: true, status: 200, resp: ready, errs: []int{503}},
		{method: head, path: "/readyz", summary: "readiness, headers only", open: true, status: 200, errs: []int{503}},
		{method: get, path: "/api/v1/openapi.json", summary: "this document", open: true, status: 200, resp: schema{"type": "object", "description": "an OpenAPI 3.1 document"}},

		{method: post, path: "/api/v1/tokens", summary: "create an API token for {\"user_id\"} or {\"user\": NAME} (an unknown name is created with \"role\", default member); the token is shown only in this answer", admin: true,
			body: core.TokenRequest{}, status: 201, resp: tokenAnswer{}},
		{method: get, path: "/api/v1/tokens", summary: "API tokens, never their secrets: an admin sees all, a member their own", query: pageParams, status: 200, resp: core.Token{}, list: true},
		{method: del, path: "/api/v1/tokens/{id}", summary: "revoke a token: an admin any, a member their own", status: 204},

		{method: get, path: "/api/v1/users", summary: "users of the workspace, each with their reminder (null when none)", query: pageParams, status: 200, resp: userView{}, list: true},
		{method: post, path: "/api/v1/users", summary: "create a user", admin: true, body: userBody{}, required: named, status: 201, resp: core.User{}, errs: conflict},
		{method: get, path: "/api/v1/users/{id}", summary: "one user, with their reminder (null when none)", status: 200, resp: userView{}},
		{method: patch, path: "/api/v1/users/{id}", summary: "change a user; a member may change only their own time_zone (an IANA name)", body: userPatchBody{}, status: 200, resp: userView{}, errs: []int{403, 409}},
		{method: del, path: "/api/v1/users/{id}", summary: "delete a user", admin: true, status: 204},
		{method: post, path: "/api/v1/users/{id}/identities", summary: "link an identity (provider slack, github, mattermost or email) to a user", admin: true,
			body: core.Identity{}, required: []string{"provider", "subject"}, status: 201, resp: core.User{}, errs: conflict},

		{method: get, path: "/api/v1/clients", summary: "clients", query: pageParams, status: 200, resp: core.Client{}, list: true},
		{method: post, path: "/api/v1/clients", summary: "create a client (emits client.created)", body: nameBody{}, required: named, status: 201, resp: core.Client{}, errs: conflict},
		{method: get, path: "/api/v1/clients/{id}", summary: "one client", status: 200, resp: core.Client{}},
		{method: patch, path: "/api/v1/clients/{id}", summary: "rename a client (emits client.updated)", body: namePatchBody{}, status: 200, resp: core.Client{}, errs: conflict},
		{method: del, path: "/api/v1/clients/{id}", summary: "delete a client (emits client.deleted)", admin: true, status: 204},

		{method: get, path: "/api/v1/projects", summary: "projects", query: pageParams, status: 200, resp: core.Project{}, list: true},
		{method: post, path: "/api/v1/projects", summary: "create a project (emits project.created)", body: projectBody{}, required: named, status: 201, resp: core.Project{}, errs: conflict},
		{method: get, path: "/api/v1/projects/{id}", summary: "one project", status: 200, resp: core.Project{}},
		{method: patch, path: "/api/v1/projects/{id}", summary: "change a project: name, client_id (null removes the client), status open or closed", body: projectPatchBody{}, status: 200, resp: core.Project{}, errs: conflict},
		{method: del, path: "/api/v1/projects/{id}", summary: "delete a project", admin: true, status: 204},

		{method: get, path: "/api/v1/tasks", summary: "tasks, of one project with ?project_id=", query: append([]apiParam{{"project_id", "string", "only this project's tasks"}}, pageParams...), status: 200, resp: core.Task{}, list: true},
		{method: post, path: "/api/v1/tasks", summary: "create a task in a project", body: taskBody{}, required: []string{"name", "project_id"}, status: 201, resp: core.Task{}, errs: conflict},
		{method: get, path: "/api/v1/tasks/{id}", summary: "one task", status: 200, resp: core.Task{}},
		{method: patch, path: "/api/v1/tasks/{id}", summary: "change a task: name, status open or closed", body: taskPatchBody{}, status: 200, resp: core.Task{}, errs: conflict},
		{method: del, path: "/api/v1/tasks/{id}", summary: "delete a task", admin: true, status: 204},

		{method: get, path: "/api/v1/tags", summary: "tags", query: pageParams, status: 200, resp: core.Tag{}, list: true},
		{method: post, path: "/api/v1/tags", summary: "create a tag", body: nameBody{}, required: named, status: 201, resp: core.Tag{}, errs: conflict},
		{method: get, path: "/api/v1/tags/{id}", summary: "one tag", status: 200, resp: core.Tag{}},
		{method: patch, path: "/api/v1/tags/{id}", summary: "rename a tag", body: namePatchBody{}, status: 200, resp: core.Tag{}, errs: conflict},
		{method: del, path: "/api/v1/tags/{id}", summary: "delete a tag", admin: true, status: 204},

		{method: get, path: "/api/v1/time-entries", summary: "time entries overlapping [from, to); a member sees only their own; ?format=csv answers all matching rows as CSV (id,user,project,task,start,end,seconds,billable,tags,note), not paged",
			query: append([]apiParam{{"user_id", "string", "only this user's"}, {"project_id", "string", "only this project's"}, {"task_id", "string", "only this task's"},
				{"from", "string", "a date (YYYY-MM-DD, in the caller's zone) or RFC 3339 time"}, {"to", "string", "a date (YYYY-MM-DD, in the caller's zone) or RFC 3339 time, after from"}, {"format", "string", "json (default) or csv"}}, pageParams...),
			status: 200, resp: core.TimeEntry{}, list: true, csv: true},
		{method: post, path: "/api/v1/time-entries", summary: "create a time entry; without end it starts a timer", body: entryBody{}, required: []string{"start"}, status: 201, resp: core.TimeEntry{}},
		{method: get, path: "/api/v1/time-entries/{id}", summary: "one time entry", status: 200, resp: core.TimeEntry{}},
		{method: patch, path: "/api/v1/time-entries/{id}", summary: "change a time entry: absent fields stay; task_id or project_id null removes it; end stops a running timer (it cannot be removed)", body: entryPatchBody{}, status: 200, resp: core.TimeEntry{}},
		{method: del, path: "/api/v1/time-entries/{id}", summary: "delete a time entry", status: 204},

		{method: get, path: "/api/v1/reports", summary: "totals (seconds) per group for [from, to) (dates or RFC 3339; default this week in the caller's zone); a member gets their own, an admin everyone's; ?format=csv answers a header row of the group_by fields then seconds,hours, and one row per group",
			query: []apiParam{{"from", "string", "a date (YYYY-MM-DD, in the caller's zone) or RFC 3339 time"}, {"to", "string", "a date or RFC 3339 time"},
				{"group_by", "string", "comma list of user, project, task, tag, billable; default project"}, {"format", "string", "json (default) or csv"},
				{"user", "string", "signed link (report … csv in chat): the user it is for"}, {"team", "string", "signed link: everyone's (team reports)"},
				{"expires", "string", "signed link: Unix time it stops working (15 minutes after it was made)"},
				{"signature", "string", "signed link: HMAC over every other parameter; with it no token is needed, and any change answers 403"}},
			status: 200, resp: reportSchema(), csv: true, errs: []int{403, 410}},

		{method: get, path: "/api/v1/schedules", summary: "scheduled channel reports (report … every in chat): an admin sees all, a member their own", query: pageParams, status: 200, resp: core.Schedule{}, list: true},
		{method: del, path: "/api/v1/schedules/{id}", summary: "remove a scheduled report: an admin any, a member their own", status: 204},

		{method: get, path: "/api/v1/incoming", summary: "incoming hook URLs (never their tokens): an admin sees all, a member their own", query: pageParams, status: 200, resp: core.IncomingHook{}, list: true},
		{method: post, path: "/api/v1/incoming", summary: "create an incoming hook URL owned by the caller; the full URL and token are shown only in this answer; the body may be empty", body: incomingBody{}, status: 201, resp: incomingAnswer{}},
		{method: del, path: "/api/v1/incoming/{id}", summary: "delete an incoming hook URL: an admin any, a member their own", status: 204},
		{method: get, path: "/api/v1/github/repositories/{owner}/{name}", summary: "the project a GitHub repository's commits and issues go to (mapped false: the default project named like the repository)", status: 200, resp: repositoryAnswer{}},
		{method: put, path: "/api/v1/github/repositories/{owner}/{name}", summary: "map a GitHub repository to a project by name, creating the project when missing", admin: true, body: repositoryBody{}, required: []string{"project"}, status: 200, resp: repositoryAnswer{}},

		{method: get, path: "/api/v1/event-types", summary: "the event catalogue, with the aliases of each name", status: 200, resp: eventTypeView{}, list: true},
		{method: get, path: "/api/v1/webhooks", summary: "outgoing webhook subscriptions: an admin sees all, a member their own", query: pageParams, status: 200, resp: webhooks.View{}, list: true},
		{method: post, path: "/api/v1/webhooks", summary: "create a subscription; it sends a webhook.ping to validate the URL (not slack or mattermost formats); 422 over the per-user limit or for a bad URL, event or format", body: webhooks.Input{}, required: []string{"url", "events"}, status: 201, resp: webhooks.View{}, errs: conflict},
		{method: get, path: "/api/v1/webhooks/{id}", summary: "one subscription, with its secret", status: 200, resp: webhooks.View{}},
		{method: put, path: "/api/v1/webhooks/{id}", summary: "replace a subscription", body: webhooks.Input{}, required: []string{"url", "events"}, status: 200, resp: webhooks.View{}, errs: conflict},
		{method: patch, path: "/api/v1/webhooks/{id}", summary: "change some fields of a subscription", body: webhooks.Patch{}, status: 200, resp: webhooks.View{}, errs: conflict},
		{method: del, path: "/api/v1/webhooks/{id}", summary: "delete a subscription", status: 204},
		{method: post, path: "/api/v1/webhooks/{id}/test", summary: "send a webhook.ping now (one at a time per subscription: 409 while one runs)", status: 200, resp: webhooks.View{}, errs: conflict},
		{method: post, path: "/api/v1/webhooks/{id}/enable", summary: "enable; what was not delivered goes out", status: 200, resp: webhooks.View{}},
		{method: post, path: "/api/v1/webhooks/{id}/disable", summary: "disable; events stay queued", status: 200, resp: webhooks.View{}},
		{method: post, path: "/api/v1/webhooks/{id}/rotate-secret", summary: "a new secret; the old one keeps signing beside it for 24 h", status: 200, resp: webhooks.View{}},
		{method: get, path: "/api/v1/webhooks/{id}/deliveries", summary: "the delivery log: one line per attempt, newest first", query: pageParams, status: 200, resp: core.Attempt{}, list: true},
		{method: post, path: "/api/v1/webhooks/{id}/deliveries/{delivery_id}/resend", summary: "send that delivery's event again to this subscription (same webhook-id)", status: 200, resp: queued},
		{method: post, path: "/api/v1/webhooks/{id}/replay", summary: "queue again the events of [since, until) for this subscription; until defaults to now (one at a time: 409 while one runs; 422 beyond the retention)", body: replayBody{}, required: []string{"since"}, status: 200, resp: queued, errs: conflict},
		{method: get, path: "/api/v1/webhooks/{id}/validate/{code}", summary: "asynchronous validation by the subscriber: the code from the ping's validation_code_url authenticates", open: true,
			status: 200, resp: schema{"type": "object", "properties": schema{"validated": schema{"const": true}}, "required": []string{"validated"}}},
	}
	ww := schema{"$ref": "#/components/schemas/WebworkItem"}
	ok := schema{"const": true}
	wwBody := schema{"type": "object", "additionalProperties": false, "properties": schema{
		"url":    schema{"type": "string", "format": "uri"},
		"events": schema{"description": "event names: a JSON array, or in a form events[]=a&events[]=b, events=a&events=b or events=a,b", "oneOf": []any{schema{"type": "array", "items": schema{"type": "string"}}, schema{"type": "string"}}},
	}}
	return append(ops,
		apiOp{method: get, path: "/rest-api/v1/webhooks", summary: "WebWork's list of subscriptions, 50 a page", webwork: true,
			query: []apiParam{{"page", "integer", "page number, from 1"}}, status: 200,
			resp: schema{"type": "object", "required": []string{"max_rows", "current_page", "total_pages", "data"}, "properties": schema{
				"max_rows": schema{"const": 50}, "current_page": schema{"type": "integer"}, "total_pages": schema{"type": "integer"},
				"data": schema{"type": "array", "items": ww}}}},
		apiOp{method: post, path: "/rest-api/v1/webhooks", summary: "create a subscription, active at once, in the standard format; JSON or form body", webwork: true,
			body: wwBody, required: []string{"url", "events"}, status: 201, resp: schema{"type": "object", "required": []string{"success", "webhook"}, "properties": schema{"success": ok, "webhook": ww}}},
		apiOp{method: get, path: "/rest-api/v1/webhooks/{id}", summary: "one subscription", webwork: true, status: 200,
			resp: schema{"type": "object", "required": []string{"success", "data"}, "properties": schema{"success": ok, "data": ww}}},
		apiOp{method: put, path: "/rest-api/v1/webhooks/{id}", summary: "change url and events; JSON or form body", webwork: true,
			body: wwBody, status: 200, resp: schema{"type": "object", "required": []string{"success", "webhook"}, "properties": schema{"success": ok, "webhook": ww}}},
		apiOp{method: del, path: "/rest-api/v1/webhooks/{id}", summary: "delete a subscription", webwork: true, status: 200,
			resp: schema{"type": "object", "required": []string{"success"}, "properties": schema{"success": ok}}},
	)
}

// reportSchema is GET /api/v1/reports' JSON answer (CONTRACT §8).
func reportSchema() schema {
	return schema{"type": "object", "required": []string{"from", "to", "group_by", "groups", "total_seconds"}, "properties": schema{
		"from":     schema{"type": "string", "format": "date-time"},
		"to":       schema{"type": "string", "format": "date-time"},
		"group_by": schema{"type": "array", "items": schema{"type": "string", "enum": []string{"user", "project", "task", "tag", "billable"}}},
		"groups": schema{"type": "array", "description": "sorted by seconds, most first", "items": schema{
			"type": "object", "required": []string{"seconds", "share"},
			"description":          "one key per group_by field: names as strings (user: the user's name; untagged: \"\"), billable as a boolean",
			"additionalProperties": schema{"type": []string{"string", "boolean"}},
			"properties": schema{
				"seconds": schema{"type": "integer", "minimum": 0},
				"share":   schema{"type": "number", "minimum": 0, "maximum": 1},
			}}},
		"total_seconds": schema{"type": "integer", "minimum": 0},
	}}
}

var (
	openAPIOnce sync.Once
	openAPIJSON []byte
	openAPIErr  error
)

// openAPI serves the document.
func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) error {
	openAPIOnce.Do(func() { openAPIJSON, openAPIErr = json.MarshalIndent(openAPIDocument(s.opts.Version), "", "  ") })
	if openAPIErr != nil {
		return openAPIErr
	}
	w.Header().Set("Content-Type", "application/json")
	_, err := w.Write(openAPIJSON)
	return err
}

// openAPIDocument builds the document.
func openAPIDocument(version string) schema {
	if version == "" {
		version = "dev"
	}
	g := &schemaGen{components: schema{}}
	errSchema := schema{"type": "object", "required": []string{"error"}, "properties": schema{"error": schema{
		"type": "object", "required": []string{"code", "message"}, "properties": schema{
			"code":    schema{"type": "string", "description": "a machine-readable class: invalid, not_found, conflict, forbidden, unauthorized, limit, …"},
			"message": schema{"type": "string", "description": "what was wrong, for a person"},
		}}}}
	g.components["Error"] = errSchema
	g.components["WebworkError"] = schema{"type": "object", "required": []string{"error", "success"}, "properties": schema{
		"error": schema{"type": "string"}, "success": schema{"const": false}}}
	g.of(reflect.TypeFor[webworkItem](), false) // components/schemas/WebworkItem

	paths := schema{}
	for _, op := range apiOps() {
		item, _ := paths[op.path].(schema)
		if item == nil {
			item = schema{}
			paths[op.path] = item
		}
		item[strings.ToLower(op.method)] = g.operation(op)
	}
	return schema{
		"openapi": "3.1.0",
		"info": schema{
			"title":       "chat-ops gateway API",
			"version":     version,
			"description": "The management API (/api/v1, \"Authorization: Bearer TOKEN\"), the WebWork-compatible webhooks API (/rest-api/v1) and the operators' health checks. Lists answer {\"data\": […], \"next_cursor\": …}; ids are strings; times are RFC 3339. Request bodies are JSON objects; unknown fields are refused (400).",
		},
		"servers":  []any{schema{"url": "/"}},
		"security": []any{schema{"bearer": []string{}}},
		"paths":    paths,
		"components": schema{
			"schemas": g.components,
			"securitySchemes": schema{"bearer": schema{"type": "http", "scheme": "bearer",
				"description": "an API token: made by gateway token create, POST /api/v1/tokens or printed at first start"}},
		},
	}
}

// pathParams are the {names} of a path.
var pathParams = regexp.MustCompile(`\{([^}:]+)\}`)

func (g *schemaGen) operation(op apiOp) schema {
	o := schema{"summary": op.summary, "operationId": operationID(op)}
	if op.open {
		o["security"] = []any{}
	}
	if op.admin {
		o["description"] = "Admins only: a member gets 403."
	}
	var params []any
	for _, m := range pathParams.FindAllStringSubmatch(op.path, -1) {
		params = append(params, schema{"name": m[1], "in": "path", "required": true, "schema": schema{"type": "string"}})
	}
	for _, q := range op.query {
		params = append(params, schema{"name": q.name, "in": "query", "description": q.desc, "schema": schema{"type": q.typ}})
	}
	if params != nil {
		o["parameters"] = params
	}
	if op.body != nil {
		body := g.value(op.body, true)
		if len(op.required) > 0 {
			body["required"] = op.required
		}
		content := schema{"application/json": schema{"schema": body}}
		if op.webwork {
			content["application/x-www-form-urlencoded"] = schema{"schema": body}
		}
		o["requestBody"] = schema{"required": op.path != "/api/v1/incoming", "content": content}
	}
	responses := schema{}
	ok := schema{"description": http.StatusText(op.status)}
	if op.resp != nil && op.method != "HEAD" {
		s := g.value(op.resp, false)
		if op.list {
			s = schema{"type": "object", "required": []string{"data", "next_cursor"}, "properties": schema{
				"data":        schema{"type": "array", "items": s},
				"next_cursor": schema{"type": []string{"string", "null"}, "description": "the cursor of the next page; null on the last"},
			}}
		}
		content := schema{"application/json": schema{"schema": s}}
		if op.csv {
			content["text/csv"] = schema{"schema": schema{"type": "string"}}
		}
		ok["content"] = content
	}
	responses[strconv.Itoa(op.status)] = ok
	for _, st := range errorsOf(op) {
		e := schema{"description": http.StatusText(st)}
		if op.method != "HEAD" {
			ref := "#/components/schemas/Error"
			if op.webwork {
				ref = "#/components/schemas/WebworkError"
			}
			e["content"] = schema{"application/json": schema{"schema": schema{"$ref": ref}}}
		}
		if st == http.StatusTooManyRequests {
			e["headers"] = schema{"Retry-After": schema{"description": "seconds to wait", "schema": schema{"type": "integer"}}}
		}
		responses[strconv.Itoa(st)] = e
	}
	o["responses"] = responses
	return o
}

// errorsOf is the failure statuses an operation may answer: 401 and 429
// behind a token, 400 and 413 with a body (422 too: a rule broken), 404
// with an id, 403 for admins only, and the operation's own.
func errorsOf(op apiOp) []int {
	set := map[int]bool{}
	if !op.open {
		set[401], set[429] = true, true
	}
	if op.body != nil || len(op.query) > 0 {
		set[400] = true
	}
	if op.body != nil {
		set[413], set[422] = true, true
	}
	if strings.Contains(op.path, "{") {
		set[404] = true
	}
	if op.admin {
		set[403] = true
	}
	for _, st := range op.errs {
		set[st] = true
	}
	var out []int
	for st := range set {
		out = append(out, st)
	}
	sort.Ints(out)
	return out
}

// operationID is a name such as getApiV1WebhooksId.
func operationID(op apiOp) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(op.method))
	up := true
	for _, r := range op.path {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			up = true
			continue
		}
		if up {
			r = unicode.ToUpper(r)
		}
		b.WriteRune(r)
		up = false
	}
	return b.String()
}

// schemaGen makes JSON Schemas of Go types: named struct types of answers
// become components, referred to by $ref.
type schemaGen struct {
	components schema
}

// value is the schema of v: v itself when it is a schema, else its type's.
// request makes the schema of a request body: inline, with unknown fields
// refused.
func (g *schemaGen) value(v any, request bool) schema {
	if s, ok := v.(schema); ok {
		return s
	}
	return g.of(reflect.TypeOf(v), request)
}

var (
	timeType = reflect.TypeFor[time.Time]()
	idType   = reflect.TypeFor[core.ID]()
	roleType = reflect.TypeFor[core.Role]()
	rawType  = reflect.TypeFor[json.RawMessage]()
)

// eventsSchema is a subscription's events: names, wildcards and Toggl-style
// objects (CONTRACT §4).
var eventsSchema = schema{"type": "array", "maxItems": 100, "description": "event filters, stored as given: names (tracker.started), aliases (task.track), wildcards (*, project.*, *.deleted) or {\"entity\", \"action\"} objects (* allowed on either side)",
	"items": schema{"oneOf": []any{
		schema{"type": "string", "maxLength": 100},
		schema{"type": "object", "required": []string{"entity", "action"}, "properties": schema{"entity": schema{"type": "string"}, "action": schema{"type": "string"}}},
	}}}

func (g *schemaGen) of(t reflect.Type, request bool) schema {
	switch t {
	case timeType:
		return schema{"type": "string", "format": "date-time"}
	case idType:
		if request {
			return schema{"type": []string{"string", "integer", "null"}, "description": "an id, as a string or a number; null or absent for none"}
		}
		return schema{"type": []string{"string", "null"}, "pattern": "^[1-9][0-9]*$", "description": "an id; null for none"}
	case roleType:
		return schema{"type": "string", "enum": []string{string(core.RoleAdmin), string(core.RoleMember)}}
	case rawType:
		return eventsSchema
	}
	if t.Kind() == reflect.Struct && strings.HasPrefix(t.Name(), "optional[") {
		// optional[T]: present or not; null clears.
		return nullable(g.of(t.Field(1).Type, request))
	}
	switch t.Kind() {
	case reflect.Pointer:
		return nullable(g.of(t.Elem(), request))
	case reflect.String:
		return schema{"type": "string"}
	case reflect.Bool:
		return schema{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return schema{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return schema{"type": "number"}
	case reflect.Slice, reflect.Array:
		return schema{"type": "array", "items": g.of(t.Elem(), request)}
	case reflect.Map:
		return schema{"type": "object", "additionalProperties": g.of(t.Elem(), request)}
	case reflect.Struct:
		if request {
			return g.object(t, request)
		}
		name := componentName(t)
		if _, ok := g.components[name]; !ok {
			g.components[name] = schema{} // a placeholder against recursion
			g.components[name] = g.object(t, request)
		}
		return schema{"$ref": "#/components/schemas/" + name}
	}
	return schema{}
}

// object is a struct's schema, with encoding/json's rules for names, "-",
// omitempty and embedded structs. In an answer every field without
// omitempty is required (always present).
func (g *schemaGen) object(t reflect.Type, request bool) schema {
	props := schema{}
	var required []string
	var add func(t reflect.Type)
	add = func(t reflect.Type) {
		for i := range t.NumField() {
			f := t.Field(i)
			tag := f.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
				add(f.Type)
				continue
			}
			if !f.IsExported() {
				continue
			}
			if name == "" {
				name = f.Name
			}
			props[name] = g.of(f.Type, request)
			if !request && !strings.Contains(","+opts+",", ",omitempty,") {
				required = append(required, name)
			}
		}
	}
	add(t)
	s := schema{"type": "object", "properties": props}
	if request {
		s["additionalProperties"] = false
	}
	if len(required) > 0 {
		s["required"] = required
	}
	return s
}

// nullable is s that also allows null.
func nullable(s schema) schema {
	if typ, ok := s["type"].(string); ok {
		out := schema{}
		for k, v := range s {
			out[k] = v
		}
		out["type"] = []string{typ, "null"}
		return out
	}
	if typ, ok := s["type"].([]string); ok {
		for _, t := range typ {
			if t == "null" {
				return s
			}
		}
	}
	return schema{"anyOf": []any{s, schema{"type": "null"}}}
}

// componentName is a type's name in components/schemas: View is
// webhooks.View as Webhook, others their Go name with a capital.
func componentName(t reflect.Type) string {
	switch t {
	case reflect.TypeFor[webhooks.View]():
		return "Webhook"
	case reflect.TypeFor[webhooks.LastDelivery]():
		return "LastDelivery"
	case reflect.TypeFor[eventTypeView]():
		return "EventType"
	case reflect.TypeFor[core.Attempt]():
		return "DeliveryAttempt"
	}
	n := t.Name()
	return strings.ToUpper(n[:1]) + n[1:]
}
