package main

// The bad-input matrix (CONTRACT §7, issue 13): every route of the route
// table × every kind of bad input gets a 4xx with a reason (a chat way in:
// its 200 error reply), never a 5xx, and changes nothing: every table of a
// real SQLite file holds as many rows after each request as before.
//
// The routes come from walking the server's own router, so a new route
// without a line in matrixSpecs fails the test by name.

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/mux"

	"github.com/chatops/gateway/adapters/slack"
	"github.com/chatops/gateway/core"
)

const (
	mxMattermost = "mm-matrix-token-0123456789"
	mxGitHub     = "gh-matrix-secret-0123456789"
	mxMetrics    = "metrics-matrix-token-0123456789"
	mxSlackTeam  = "T0001"
)

// How a route authenticates its caller.
type mxAuth int

const (
	authNone    mxAuth = iota // anyone
	authAPI                   // Authorization: Bearer API token
	authSession               // the web page's session cookie (and CSRF token on a POST)
	authSlack                 // X-Slack-Signature
	authMM                    // Authorization: Token (Mattermost)
	authGitHub                // X-Hub-Signature-256
	authHook                  // the token in the path
	authMetrics               // Authorization: Bearer GATEWAY_METRICS_TOKEN
	authCode                  // the validation code in the path
)

// Whose thing a route acts on, which says what another member gets.
type mxOwner int

const (
	ownNone   mxOwner = iota // not a person's thing (health, static files, adapters)
	ownOwner                 // the caller's own (entries, hooks, subscriptions, tokens): another member gets 404
	ownAdmin                 // admins only: a member gets 403
	ownShared                // the workspace's (clients, projects, tasks, tags, lists): members may
)

// mxSpec is what the matrix needs to know of one route.
type mxSpec struct {
	auth mxAuth
	own  mxOwner
	// form: the body is a form (else JSON; none when fields is nil).
	form bool
	// fields is a good body, which each kind spoils; nil for no body.
	fields map[string]any
	// read: the route changes nothing even when the request is good, so
	// a body or query it ignores may answer 200 (or redirect).
	read bool
	// anyType: the route takes JSON and forms alike (WebWork, hooks).
	anyType bool
	// sizeFields: the fields the oversize kind spoils; nil: every one.
	sizeFields []string
}

func (sp mxSpec) chat() bool { return sp.auth == authSlack || sp.auth == authMM }

// mxFix holds the fixtures: three people, their credentials and things.
type mxFix struct {
	base                         string
	admin, mia, olaf             string // API tokens: an admin, two members
	revoked                      string // olaf's revoked token
	olafID, olafTokenID          string
	client, project, task, tag   string
	entry, webhook, incoming     string
	delivery, schedule           string // a delivery of olaf's webhook, olaf's scheduled report
	hookToken, deadHook          string // olaf's incoming hook token, a deleted one's
	olafSession, miaSession, old string // session ids; old was logged out
	adminSession                 string
	receiver                     string     // a webhook receiver answering 204
	reportLink                   url.Values // olaf's signed report link (report … csv)
}

// matrixSpecs: one line per route of the table, keyed "METHODS TEMPLATE"
// (a prefix route: "* TEMPLATE prefix").
func matrixSpecs(f *mxFix) map[string]mxSpec {
	name := map[string]any{"name": "Matrix"}
	api := func(own mxOwner, fields map[string]any) mxSpec {
		return mxSpec{auth: authAPI, own: own, fields: fields}
	}
	get := func(own mxOwner) mxSpec { return mxSpec{auth: authAPI, own: own, read: true} }
	hook := map[string]any{"name": "Matrix", "url": "https://example.com/matrix", "events": []string{"time_entry.*"}}
	entry := map[string]any{"task_id": f.task, "start": "2025-01-06T09:00:00Z", "end": "2025-01-06T10:00:00Z", "note": "n", "tags": []string{"review"}}
	slash := map[string]any{"team_id": mxSlackTeam, "user_id": "U0042", "user_name": "olaf", "command": "/tt", "text": "status", "channel_id": "C1", "trigger_id": "trig"}
	payload, _ := json.Marshal(map[string]any{"type": "block_actions", "team": map[string]string{"id": mxSlackTeam},
		"user": map[string]string{"id": "U0042"}, "actions": []map[string]string{{"action_id": slack.StopActionID, "value": "1"}}})
	mm := map[string]any{"team_id": "team-a", "user_id": "u42", "user_name": "olaf", "command": "/tt", "text": "status", "channel_id": "c1"}
	push := map[string]any{"ref": "refs/heads/main", "repository": map[string]any{"full_name": "acme/site"},
		"commits": []map[string]any{{"id": "abc", "message": "fix\n/log 1h on Job in Website", "author": map[string]string{"username": "nobody"}}}}
	csrf := map[string]any{"csrf": core.HashToken("csrf:" + f.olafSession)}
	return map[string]mxSpec{
		"GET,HEAD /healthz": {read: true},
		"GET,HEAD /readyz":  {read: true},

		"POST /api/v1/tokens":        api(ownAdmin, map[string]any{"user": "matrix", "role": "member"}),
		"GET /api/v1/tokens":         get(ownShared),
		"DELETE /api/v1/tokens/{id}": api(ownOwner, nil),
		"GET /api/v1/users":          get(ownShared),
		"POST /api/v1/users":         api(ownAdmin, map[string]any{"name": "matrix", "role": "member"}),
		"GET /api/v1/users/{id}":     get(ownShared),
		// Members see every user, so another one's is 403, not 404.
		"PATCH /api/v1/users/{id}":                                   api(ownAdmin, map[string]any{"time_zone": "Europe/Berlin"}),
		"DELETE /api/v1/users/{id}":                                  api(ownAdmin, nil),
		"POST /api/v1/users/{id}/identities":                         api(ownAdmin, map[string]any{"provider": "email", "subject": "olaf@example.com"}),
		"GET /api/v1/clients":                                        get(ownShared),
		"POST /api/v1/clients":                                       api(ownShared, name),
		"GET /api/v1/clients/{id}":                                   get(ownShared),
		"PATCH /api/v1/clients/{id}":                                 api(ownShared, name),
		"DELETE /api/v1/clients/{id}":                                api(ownAdmin, nil),
		"GET /api/v1/projects":                                       get(ownShared),
		"POST /api/v1/projects":                                      api(ownShared, map[string]any{"name": "Matrix", "client_id": f.client}),
		"GET /api/v1/projects/{id}":                                  get(ownShared),
		"PATCH /api/v1/projects/{id}":                                api(ownShared, name),
		"DELETE /api/v1/projects/{id}":                               api(ownAdmin, nil),
		"GET /api/v1/tasks":                                          get(ownShared),
		"POST /api/v1/tasks":                                         api(ownShared, map[string]any{"name": "Matrix", "project_id": f.project}),
		"GET /api/v1/tasks/{id}":                                     get(ownShared),
		"PATCH /api/v1/tasks/{id}":                                   api(ownShared, name),
		"DELETE /api/v1/tasks/{id}":                                  api(ownAdmin, nil),
		"GET /api/v1/tags":                                           get(ownShared),
		"POST /api/v1/tags":                                          api(ownShared, name),
		"GET /api/v1/tags/{id}":                                      get(ownShared),
		"PATCH /api/v1/tags/{id}":                                    api(ownShared, name),
		"DELETE /api/v1/tags/{id}":                                   api(ownAdmin, nil),
		"GET /api/v1/time-entries":                                   get(ownShared),
		"POST /api/v1/time-entries":                                  api(ownShared, entry),
		"GET /api/v1/time-entries/{id}":                              get(ownOwner),
		"PATCH /api/v1/time-entries/{id}":                            api(ownOwner, map[string]any{"note": "n", "tags": []string{"review"}, "start": "2025-01-06T09:00:00Z", "end": "2025-01-06T10:00:00Z"}),
		"DELETE /api/v1/time-entries/{id}":                           api(ownOwner, nil),
		"GET /api/v1/incoming":                                       get(ownShared),
		"POST /api/v1/incoming":                                      api(ownShared, name),
		"DELETE /api/v1/incoming/{id}":                               api(ownOwner, nil),
		"GET /api/v1/github/repositories/{owner}/{name}":             get(ownShared),
		"PUT /api/v1/github/repositories/{owner}/{name}":             api(ownAdmin, map[string]any{"project": "Website"}),
		"GET /api/v1/event-types":                                    get(ownShared),
		"GET /api/v1/webhooks":                                       get(ownShared),
		"POST /api/v1/webhooks":                                      api(ownShared, hook),
		"GET /api/v1/webhooks/{id}":                                  get(ownOwner),
		"PUT /api/v1/webhooks/{id}":                                  api(ownOwner, hook),
		"PATCH /api/v1/webhooks/{id}":                                api(ownOwner, name),
		"DELETE /api/v1/webhooks/{id}":                               api(ownOwner, nil),
		"POST /api/v1/webhooks/{id}/test":                            api(ownOwner, nil),
		"POST /api/v1/webhooks/{id}/enable":                          api(ownOwner, nil),
		"POST /api/v1/webhooks/{id}/disable":                         api(ownOwner, nil),
		"POST /api/v1/webhooks/{id}/rotate-secret":                   api(ownOwner, nil),
		"GET /api/v1/webhooks/{id}/deliveries":                       get(ownOwner),
		"POST /api/v1/webhooks/{id}/replay":                          api(ownOwner, map[string]any{"since": "2025-01-06T09:00:00Z", "until": "2025-01-06T10:00:00Z"}),
		"GET /api/v1/webhooks/{id}/validate/{code}":                  {auth: authCode, read: true},
		"POST /api/v1/webhooks/{id}/deliveries/{delivery_id}/resend": api(ownOwner, nil),
		// Members list their own schedules, admins all: no one's is refused.
		"GET /api/v1/schedules":         get(ownShared),
		"DELETE /api/v1/schedules/{id}": api(ownOwner, nil),
		// A member's report is their own time; the signed-link way in
		// (?signature=) has probes of its own (linkProbes).
		"GET /api/v1/reports":      get(ownShared),
		"GET /api/v1/openapi.json": {read: true},

		"GET,HEAD /ui":               {read: true},
		"GET,HEAD /ui/":              {auth: authSession, own: ownShared, read: true},
		"GET,HEAD /ui/login":         {read: true},
		"POST /ui/login":             {form: true, fields: map[string]any{"token": f.olaf}},
		"POST /ui/logout":            {auth: authSession, own: ownShared, form: true, fields: csrf},
		"GET,HEAD /ui/webhooks/{id}": {auth: authSession, own: ownOwner, read: true},
		"POST /ui/webhooks/{id}/{action:test|enable|disable}": {auth: authSession, own: ownOwner, form: true, fields: csrf},
		"GET,HEAD /ui/static/{file}":                          {read: true},
		"* /ui/ prefix":                                       {read: true},

		"GET /rest-api/v1/webhooks":         get(ownShared),
		"POST /rest-api/v1/webhooks":        anyType(api(ownShared, map[string]any{"url": "https://example.com/ww", "events": []string{"time_entry.created"}})),
		"GET /rest-api/v1/webhooks/{id}":    get(ownOwner),
		"PUT /rest-api/v1/webhooks/{id}":    anyType(api(ownOwner, map[string]any{"url": "https://example.com/ww", "events": []string{"time_entry.created"}})),
		"DELETE /rest-api/v1/webhooks/{id}": api(ownOwner, nil),

		"GET /metrics":              {auth: authMetrics, read: true},
		"POST /slack/commands":      {auth: authSlack, form: true, fields: slash},
		"POST /slack/interactions":  {auth: authSlack, form: true, fields: map[string]any{"payload": string(payload)}},
		"POST /mattermost/commands": {auth: authMM, form: true, fields: mm},
		// A push has no field with a size limit of its own (the commands in
		// its commits have theirs): the oversize kind sends a long
		// X-GitHub-Delivery instead.
		"POST /github/webhook": {auth: authGitHub, fields: push, sizeFields: []string{}},
		"POST /hooks/{token}": {auth: authHook, anyType: true, fields: map[string]any{"action": "time_entry.add", "project": "Website", "task": "Job",
			"duration": "1h", "start": "2025-01-06T09:00:00Z", "note": "n", "tags": []string{"a"}}},
	}
}

func anyType(sp mxSpec) mxSpec { sp.anyType = true; return sp }

// uiFields are the good fields of the console's forms (besides the CSRF
// token), by path template; a form not named here posts the token alone
// (a button).
func uiFields() map[string]map[string]any {
	hook := map[string]any{"name": "Matrix", "url": "https://example.com/matrix", "events": []string{"time_entry.*"}}
	return map[string]map[string]any{
		"/ui/webhooks":              hook,
		"/ui/webhooks/{id}/edit":    hook,
		"/ui/webhooks/{id}/replay":  {"since": "2025-01-06T09:00", "until": "2025-01-06T10:00"},
		"/ui/incoming":              {"name": "Matrix"},
		"/ui/tokens":                {"user": "matrix", "role": "member"},
		"/ui/users":                 {"name": "matrix", "role": "member"},
		"/ui/users/{id}":            {"time_zone": "Europe/Berlin"},
		"/ui/users/{id}/identities": {"provider": "email", "subject": "olaf@example.com"},
		"/ui/repositories":          {"repo": "acme/site", "project": "Website"},
	}
}

// uiAdminOnly are the console's routes for admins (routes.go says so):
// their probes log in as the admin, so that a member's 403 does not stand
// in for what the bad input gets; a member is the other user.
var uiAdminOnly = map[string]bool{
	"POST /ui/tokens": true, "POST /ui/users": true, "POST /ui/users/{id}/identities": true,
	"GET,HEAD /ui/users/{id}/delete": true, "POST /ui/users/{id}/delete": true, "POST /ui/repositories": true,
}

// uiSpec is the generic case of a console route without a line in
// matrixSpecs: every /ui/ page is a logged-in one (session cookie), a GET
// shows a page and changes nothing, a POST is a form carrying the CSRF
// token. A route with an {id} acts on a thing of the caller's (olaf's
// webhook, hook, token, user): another member gets 403 or 404.
func uiSpec(key string, f *mxFix) (mxSpec, bool) {
	methods, tpl, _ := strings.Cut(key, " ")
	if !strings.HasPrefix(tpl, "/ui/") || strings.HasSuffix(tpl, " prefix") {
		return mxSpec{}, false
	}
	own, session := ownShared, f.olafSession
	if strings.Contains(tpl, "{id}") {
		own = ownOwner
	}
	if uiAdminOnly[key] {
		own, session = ownAdmin, f.adminSession
	}
	switch strings.Split(methods, ",")[0] {
	case http.MethodGet:
		return mxSpec{auth: authSession, own: own, read: true}, true
	case http.MethodPost:
		fields := maps.Clone(uiFields()[tpl])
		if fields == nil {
			fields = map[string]any{}
		}
		fields["csrf"] = core.HashToken("csrf:" + session)
		return mxSpec{auth: authSession, own: own, form: true, fields: fields}, true
	}
	return mxSpec{}, false
}

// mxRoute is one route of the walked table.
type mxRoute struct {
	key, template, method string
	vars                  []string
}

func walkRoutes(t *testing.T, r *mux.Router) []mxRoute {
	t.Helper()
	var out []mxRoute
	err := r.Walk(func(rt *mux.Route, _ *mux.Router, _ []*mux.Route) error {
		tpl, err := rt.GetPathTemplate()
		if err != nil {
			t.Errorf("a route without a path template: %v; the matrix cannot reach it", err)
			return nil
		}
		re, _ := rt.GetPathRegexp()
		methods, _ := rt.GetMethods()
		key := strings.Join(methods, ",") + " " + tpl
		method := http.MethodGet
		if len(methods) == 0 {
			if strings.HasSuffix(re, "$") {
				key = "* " + tpl
			} else {
				key = "* " + tpl + " prefix"
			}
		} else {
			method = methods[0]
		}
		var vars []string
		for _, part := range strings.Split(tpl, "/") {
			if strings.HasPrefix(part, "{") {
				v, _, _ := strings.Cut(strings.Trim(part, "{}"), ":")
				vars = append(vars, v)
			}
		}
		out = append(out, mxRoute{key: key, template: tpl, method: method, vars: vars})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// matrixGateway starts a gateway with every way in on, rate limits off,
// and the fixtures made through its own API.
func matrixGateway(t *testing.T) (*gateway, *mxFix, string) {
	t.Helper()
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) }))
	t.Cleanup(receiver.Close)
	db := filepath.Join(t.TempDir(), "matrix.db")
	env := map[string]string{"GATEWAY_ADMIN_TOKEN": testAdmin, "GATEWAY_SLACK_SIGNING_SECRET": testSecret,
		"GATEWAY_SLACK_TEAM_IDS": mxSlackTeam, "GATEWAY_MATTERMOST_TOKEN": mxMattermost, "GATEWAY_MATTERMOST_TEAM_IDS": "team-a",
		"GATEWAY_GITHUB_WEBHOOK_SECRET": mxGitHub, "GATEWAY_METRICS_TOKEN": mxMetrics, "GATEWAY_ALLOW_PRIVATE_TARGETS": "true",
		"GATEWAY_MAX_WEBHOOKS_PER_USER": "100000", "GATEWAY_SQLITE_SYNCHRONOUS": "NORMAL",
		"GATEWAY_SLACK_BOT_TOKEN": "xoxb-matrix", "GATEWAY_SLACK_API_URL": receiver.URL + "/api/",
		"GATEWAY_RATE_API": "off", "GATEWAY_RATE_HOOK": "off", "GATEWAY_RATE_AUTH_FAILURES": "off", "GATEWAY_RATE_WEBHOOK_TEST": "off"}
	g := startGateway(t, testConfig(t, db, env))
	f := &mxFix{base: g.base, admin: testAdmin}
	do := func(token, method, path string, body any, want int) map[string]any {
		t.Helper()
		b, _ := json.Marshal(body)
		a := call(t, method, g.base+path, "Bearer "+token, string(b))
		if a.status != want {
			t.Fatalf("fixture %s %s: %d %s", method, path, a.status, a.body)
		}
		var m map[string]any
		_ = json.Unmarshal(a.body, &m)
		return m
	}
	str := func(v any) string { return fmt.Sprint(v) }
	mia := do(testAdmin, "POST", "/api/v1/tokens", map[string]string{"user": "mia"}, 201)
	olaf := do(testAdmin, "POST", "/api/v1/tokens", map[string]string{"user": "olaf"}, 201)
	f.mia, f.olaf, f.olafTokenID = str(mia["token"]), str(olaf["token"]), str(olaf["id"])
	f.olafID = str(olaf["user"].(map[string]any)["id"])
	old := do(testAdmin, "POST", "/api/v1/tokens", map[string]string{"user": "olaf"}, 201)
	f.revoked = str(old["token"])
	do(testAdmin, "DELETE", "/api/v1/tokens/"+str(old["id"]), nil, 204)
	do(testAdmin, "POST", "/api/v1/users/"+f.olafID+"/identities", map[string]string{"provider": "slack", "subject": mxSlackTeam + ":U0042"}, 201)
	do(testAdmin, "POST", "/api/v1/users/"+f.olafID+"/identities", map[string]string{"provider": "mattermost", "subject": "team-a:u42"}, 201)
	f.client = str(do(testAdmin, "POST", "/api/v1/clients", map[string]string{"name": "Acme"}, 201)["id"])
	f.project = str(do(testAdmin, "POST", "/api/v1/projects", map[string]string{"name": "Website", "client_id": f.client}, 201)["id"])
	f.task = str(do(testAdmin, "POST", "/api/v1/tasks", map[string]string{"name": "Job", "project_id": f.project}, 201)["id"])
	f.tag = str(do(testAdmin, "POST", "/api/v1/tags", map[string]string{"name": "review"}, 201)["id"])
	for i := range core.MaxEntryTags + 1 { // so that too many tags are refused for their number
		do(testAdmin, "POST", "/api/v1/tags", map[string]string{"name": fmt.Sprintf("t%d", i)}, 201)
	}
	f.entry = str(do(f.olaf, "POST", "/api/v1/time-entries", map[string]any{"task_id": f.task,
		"start": "2025-01-06T09:00:00Z", "end": "2025-01-06T10:00:00Z"}, 201)["id"])
	in := do(f.olaf, "POST", "/api/v1/incoming", map[string]string{"name": "ci"}, 201)
	f.incoming, f.hookToken = str(in["id"]), lastSegment(str(in["url"]))
	dead := do(f.olaf, "POST", "/api/v1/incoming", map[string]string{"name": "gone"}, 201)
	f.deadHook = lastSegment(str(dead["url"]))
	do(f.olaf, "DELETE", "/api/v1/incoming/"+str(dead["id"]), nil, 204)
	f.webhook = str(do(f.olaf, "POST", "/api/v1/webhooks", map[string]any{"name": "olaf's", "url": receiver.URL,
		"events": []string{"time_entry.*"}}, 201)["id"])
	// A delivery of olaf's webhook (its ping), for the resend routes: wait
	// until the engine is done with it, so that the tables hold still.
	do(f.olaf, "POST", "/api/v1/webhooks/"+f.webhook+"/test", nil, 200)
	for deadline := time.Now().Add(10 * time.Second); ; {
		m := do(f.olaf, "GET", "/api/v1/webhooks/"+f.webhook+"/deliveries", nil, 200)
		if list, _ := m["data"].([]any); len(list) > 0 {
			f.delivery = str(list[0].(map[string]any)["delivery_id"])
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("fixture: the ping of olaf's webhook was not delivered in 10s")
		}
		time.Sleep(10 * time.Millisecond) // polling, with a deadline
	}
	f.receiver = receiver.URL
	slashOlaf := func(text string) string { t.Helper(); return mxSlashOlaf(t, g.base, text) }
	// Olaf's scheduled report, for the schedule routes.
	slashOlaf("report week every fri 17:00")
	// Olaf's signed report link, for the link way into GET /api/v1/reports
	// (its key is stored on first use: before the matrix counts rows).
	link := csvLink.FindStringSubmatch(slashOlaf("report week csv"))
	if link == nil {
		t.Fatal("fixture: report week csv gave no link")
	}
	lu, err := url.Parse(html.UnescapeString(link[1]))
	if err != nil {
		t.Fatal(err)
	}
	f.reportLink = lu.Query()
	scheds := do(f.olaf, "GET", "/api/v1/schedules", nil, 200)
	if list, _ := scheds["data"].([]any); len(list) == 1 {
		f.schedule = str(list[0].(map[string]any)["id"])
	} else {
		t.Fatalf("fixture: olaf's schedules: %v", scheds)
	}
	// Disabled: the engine then leaves the tables alone (events stay queued).
	do(f.olaf, "POST", "/api/v1/webhooks/"+f.webhook+"/disable", nil, 200)
	f.olafSession, f.miaSession, f.old = login(t, g.base, f.olaf), login(t, g.base, f.mia), login(t, g.base, f.olaf)
	f.adminSession = login(t, g.base, f.admin)
	req, _ := http.NewRequest("POST", g.base+"/ui/logout", strings.NewReader("csrf="+core.HashToken("csrf:"+f.old)))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Cookie", "gateway_session="+f.old)
	resp, err := noRedirect.Do(req)
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %v %v", resp, err)
	}
	resp.Body.Close()
	return g, f, db
}

// mxSlashOlaf sends a signed slash command as olaf and returns the reply's
// text.
func mxSlashOlaf(t *testing.T, base, text string) string {
	t.Helper()
	body := url.Values{"team_id": {mxSlackTeam}, "user_id": {"U0042"}, "user_name": {"olaf"}, "command": {"/tt"},
		"text": {text}, "channel_id": {"C1"}, "trigger_id": {"trig-" + text}}.Encode()
	status, b := signedPost(t, base+"/slack/commands", body)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil || status != 200 {
		t.Fatalf("fixture %q: %d %v", text, status, err)
	}
	return fmt.Sprint(m["text"])
}

func lastSegment(u string) string { return u[strings.LastIndex(u, "/")+1:] }

// login logs in on the web page with token and returns the session id.
func login(t *testing.T, base, token string) string {
	t.Helper()
	req, _ := http.NewRequest("POST", base+"/ui/login", strings.NewReader(url.Values{"token": {token}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for _, c := range resp.Cookies() {
		if c.Name == "gateway_session" && c.Value != "" {
			return c.Value
		}
	}
	t.Fatalf("login: %d, no session cookie", resp.StatusCode)
	return ""
}

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// tableCounts counts the rows of every table of the SQLite file.
func tableCounts(t *testing.T, db *sql.DB) map[string]int {
	t.Helper()
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	rows.Close()
	counts := map[string]int{}
	for _, n := range names {
		var c int
		if err := db.QueryRow(`SELECT count(*) FROM "` + n + `"`).Scan(&c); err != nil {
			t.Fatal(err)
		}
		counts[n] = c
	}
	return counts
}

// mxProbe is one request of the matrix and the statuses it may get.
type mxProbe struct {
	kind, detail string
	method, path string
	header       http.Header
	body         []byte
	want         []int
	// chatReply: a 200 with an ephemeral error reply is also right (chat
	// answers bad input in chat).
	chatReply bool
}

const (
	metaChars = `1' OR '1'='1'; DROP TABLE users; -- {{.Secret}} ${7*7} <%= 1 %>`
	hugeNum   = `123456789012345678901234567890123456789`
	// badUTF8 stands for bytes that are no UTF-8 in an encoded body (JSON
	// and form encoders would mend them).
	badUTF8 = "BAD-UTF8-BYTES"
)

// hugePath is a number too big for any id, and longer than any name.
var hugePath = strings.Repeat("9", 300)

var traversals = []string{"..%2F..%2F..%2Fetc%2Fpasswd", "..%5C..%5Cwindows%5Cwin.ini", "%2e%2e%2f%2e%2e%2fgo.mod"}

// probes builds every kind of bad input for one route.
func probes(rt mxRoute, sp mxSpec, f *mxFix) []mxProbe {
	good := goodVars(rt, sp, f)
	missingVars := maps.Clone(good)
	for _, v := range rt.vars {
		if v == "id" {
			missingVars[v] = "999999"
		}
	}
	// Bad bodies go to the route's own thing when it reads a body, else
	// to a thing that does not exist: a route without a body would act.
	bodyVars := good
	if sp.fields == nil && !sp.read {
		bodyVars = missingVars
	}
	// A console form keeps its CSRF token in the bodies the kinds below
	// spoil where the spoiling alone makes them bad (invalid UTF-8,
	// oversize and missing fields, an end before its start), so that the
	// handler's own checks answer, not the CSRF check. A button (a form of
	// the token alone) then goes to a thing that does not exist, as a
	// bodiless API route does; one without an id (logout) keeps the
	// spoilt token: a good one would act.
	csrf := ""
	if c, ok := sp.fields["csrf"].(string); ok && sp.auth == authSession && sp.form {
		switch {
		case len(sp.fields) > 1:
			csrf = c
		case slices.Contains(rt.vars, "id"):
			csrf, bodyVars = c, missingVars
		}
	}
	cred := credOf(sp, f, false)
	bad := []int{400, 404, 409, 413, 415, 422}
	if sp.read {
		bad = append(bad, 200, 301, 303)
	}
	if sp.chat() {
		bad = append(bad, 403) // a spoilt team_id is another team
	}
	if sp.auth == authSession && sp.fields != nil {
		bad = append(bad, 403) // a spoilt form loses its CSRF token
	}
	if rt.key == "POST /ui/login" {
		bad = append(bad, 401) // a spoilt token is a wrong one
	}
	if rt.key == "POST /github/webhook" {
		bad = append(bad, 202) // an event it does not take is acknowledged and ignored
	}
	// kept is what a body with its token gets: the CSRF check's 403 no more.
	kept := bad
	if csrf != "" {
		kept = slices.DeleteFunc(slices.Clone(bad), func(c int) bool { return c == 403 })
	}
	withCSRF := func(m map[string]any) map[string]any {
		if csrf == "" {
			return m
		}
		m = maps.Clone(m)
		m["csrf"] = csrf
		return m
	}
	var out []mxProbe
	add := func(kind, detail string, vars map[string]string, query string, ctype string, body []byte, c mxCred, want []int) {
		p := mxProbe{kind: kind, detail: detail, method: rt.method, want: want, chatReply: sp.chat(), header: http.Header{}}
		p.path = fillPath(rt.template, vars) + query
		if body != nil {
			p.body = body
			p.header.Set("Content-Type", ctype)
		}
		c.apply(&p)
		out = append(out, p)
	}
	enc := func(fields map[string]any) (string, []byte) {
		if sp.form {
			return "application/x-www-form-urlencoded", []byte(formOf(fields).Encode())
		}
		b, _ := json.Marshal(fields)
		return "application/json", b
	}
	fields := sp.fields
	if fields == nil {
		fields = map[string]any{"name": "Matrix"}
	}
	keys := slices.Sorted(maps.Keys(fields))
	// goodBody is the route's good body, for probes whose path is bad.
	goodBody := func() (string, []byte) {
		if sp.fields == nil {
			return "", nil
		}
		return enc(sp.fields)
	}
	// A bad id is no such thing (404), or a bad name (owner/name: 422);
	// a {action} that is none falls to the page's catch-all (405).
	pathBad := []int{404, 405, 422}
	if sp.chat() {
		pathBad = append(pathBad, 403)
	}

	// malformed JSON
	malformed := []byte(`{"` + keys[0] + `": "x",`)
	if sp.form {
		js := keys[0]
		for _, k := range keys {
			if k == "payload" {
				js = k
			}
		}
		malformed = []byte(url.Values{js: {`{"type": "block_actions",`}}.Encode() + "&%zz")
		add("malformed JSON", "a form with a broken value", bodyVars, "", "application/x-www-form-urlencoded", malformed, cred, bad)
	} else {
		add("malformed JSON", "truncated object", bodyVars, "", "application/json", malformed, cred, bad)
	}
	// wrong content type
	if sp.form {
		b, _ := json.Marshal(fields)
		add("wrong content type", "JSON to a form route", bodyVars, "", "application/json", b, cred, bad)
	} else {
		if !sp.anyType {
			add("wrong content type", "a form to a JSON route", bodyVars, "", "application/x-www-form-urlencoded", []byte(formOf(fields).Encode()), cred, bad)
		}
		add("wrong content type", "XML", bodyVars, "", "text/xml", []byte(`<?xml version="1.0"?><name>Matrix</name>`), cred, bad)
	}
	// invalid UTF-8
	{
		spoilt := mapStrings(fields, func(string, string) any { return "ok" + badUTF8 })
		ct, b := enc(withCSRF(spoilt))
		b = bytes.ReplaceAll(b, []byte(badUTF8), []byte("\xff\xfe"))
		add("invalid UTF-8", "every string field", bodyVars, "", ct, b, cred, kept)
		// A form's fields one at a time: a refusal of one must not hide
		// another taken (a console form has no decoder that refuses it all).
		for _, k := range keys {
			if csrf == "" || k == "csrf" || len(sp.fields) < 3 {
				continue
			}
			spoilt := maps.Clone(fields)
			spoilt[k] = mapStrings(map[string]any{k: fields[k]}, func(string, string) any { return "ok" + badUTF8 })[k]
			ct, b := enc(withCSRF(spoilt))
			b = bytes.ReplaceAll(b, []byte(badUTF8), []byte("\xff\xfe"))
			add("invalid UTF-8", k, bodyVars, "", ct, b, cred, kept)
		}
	}
	// oversize body
	{
		ct, b := enc(map[string]any{keys[0]: strings.Repeat("x", 1<<20+100)})
		want := []int{413}
		if sp.fields == nil {
			want = bad // a route without a body does not read it
		}
		add("oversize body", "1 MiB + 100 bytes", bodyVars, "", ct, b, cred, want)
	}
	// oversize fields, one at a time
	sizeKeys := keys
	if sp.sizeFields != nil {
		sizeKeys = sp.sizeFields
	}
	for _, k := range sizeKeys {
		if csrf != "" && k == "csrf" {
			continue // it would be mended: the token's own size is the CSRF check's
		}
		spoilt := maps.Clone(fields)
		spoilt[k] = oversize(k, fields[k])
		ct, b := enc(withCSRF(spoilt))
		add("oversize fields", k, bodyVars, "", ct, b, cred, kept)
	}
	if rt.key == "POST /github/webhook" {
		ct, b := enc(fields)
		add("oversize fields", "X-GitHub-Delivery", bodyVars, "", ct, b, cred, []int{400})
		out[len(out)-1].header.Set("X-GitHub-Delivery", strings.Repeat("d", 201))
	}
	// huge numbers: in the body, the query and the ids
	{
		spoilt := map[string]any{}
		for _, k := range keys {
			spoilt[k] = json.RawMessage(hugeNum)
		}
		ct, b := enc(spoilt)
		if sp.form {
			ct, b = "application/x-www-form-urlencoded", []byte(formOf(mapStrings(fields, func(string, string) any { return hugeNum })).Encode())
		}
		add("huge numbers", "every field", bodyVars, "?limit="+hugeNum+"&page="+hugeNum+"&cursor="+hugeNum, ct, b, cred, bad)
		if len(rt.vars) > 0 {
			ct, b := goodBody()
			add("huge numbers", "in the path", allVars(rt, hugePath), "", ct, b, cred, pathBad)
		}
	}
	// negative durations
	{
		spoilt := negative(fields)
		// A form's -1 in a text field is good text: only a spoilt span
		// (or a button's missing thing) keeps the token.
		want := bad
		if len(sp.fields) == 1 || slices.ContainsFunc(keys, func(k string) bool { return k == "duration" || k == "end" || k == "until" || k == "text" }) {
			spoilt, want = withCSRF(spoilt), kept
		}
		ct, b := enc(spoilt)
		add("negative durations", "", bodyVars, "?limit=-1&page=-1&from=2025-01-06T10:00:00Z&to=2025-01-06T09:00:00Z", ct, b, cred, want)
	}
	// SQL and template metacharacters: in ids, the query, field names
	{
		spoilt := map[string]any{metaChars: "x"}
		for _, k := range keys {
			if k == "text" || k == "payload" || k == "token" || k == "url" {
				spoilt[k] = metaChars
			}
		}
		want := bad
		if len(sp.fields) == 1 {
			spoilt, want = withCSRF(spoilt), kept // a button: to a missing thing (a form's missing fields may be optional)
		}
		ct, b := enc(spoilt)
		q := url.Values{"user_id": {metaChars}, "project_id": {metaChars}, "task_id": {metaChars}, "from": {metaChars}, "cursor": {metaChars}, "page": {metaChars}}
		add("SQL and template metacharacters", "field names and values, query", bodyVars, "?"+q.Encode(), ct, b, cred, want)
		if len(rt.vars) > 0 {
			ct, b := goodBody()
			add("SQL and template metacharacters", "in the path", allVars(rt, url.PathEscape(metaChars)), "", ct, b, cred, pathBad)
		}
	}
	// path traversal in ids: mux answers a path it cleans with a redirect
	for _, tr := range traversals {
		vars := allVars(rt, tr)
		if len(rt.vars) == 0 {
			want := []int{301, 404, 405}
			if sp.auth == authSession && sp.form {
				want = append(want, 403) // a form route beside it: no CSRF token
			}
			add("path traversal", tr, good, "", "", nil, cred, want)
			out[len(out)-1].path = strings.TrimSuffix(out[len(out)-1].path, "/") + "/" + tr
			continue
		}
		ct, b := goodBody()
		add("path traversal", tr, vars, "", ct, b, cred, append([]int{301}, pathBad...))
	}
	// credentials
	ct, b := enc(fields)
	if sp.fields == nil {
		ct, b = "", nil
	}
	switch sp.auth {
	case authNone:
		// No credentials to take away: the good request itself must change
		// nothing, which only a read does.
		if sp.read {
			add("missing credentials", "none needed", good, "", ct, b, cred, []int{200, 301, 303, 404, 405})
		}
	case authHook:
		add("missing credentials", "no token", map[string]string{"token": ""}, "", ct, b, cred, []int{404, 405})
		add("expired credentials", "a deleted hook's token", map[string]string{"token": f.deadHook}, "", ct, b, cred, []int{404})
		// Olaf's hook acting for another user: only an admin's hook may.
		other := maps.Clone(fields)
		other["user"] = "mia"
		ct2, b2 := enc(other)
		add("other-user credentials", "a member's hook acting as mia", good, "", ct2, b2, cred, []int{403, 422})
	case authCode:
		add("missing credentials", "no code", map[string]string{"id": f.webhook, "code": ""}, "", "", nil, cred, []int{404})
		add("expired credentials", "a wrong code", map[string]string{"id": f.webhook, "code": "expired-code-0123456789"}, "", "", nil, cred, []int{404})
		add("other-user credentials", "another subscription", map[string]string{"id": "999999", "code": "x"}, "", "", nil, cred, []int{404})
	default:
		missing := []int{401}
		if rt.key == "GET,HEAD /ui/" {
			missing = []int{200} // the login form
		}
		add("missing credentials", "", good, "", ct, b, mxCred{auth: sp.auth, missing: true}, missing)
		add("expired credentials", "", good, "", ct, b, credOf(sp, f, true), []int{401})
		other, want := otherOf(sp, f)
		if want == nil {
			break // the workspace's thing: members may (the member/admin walk checks roles)
		}
		add("other-user credentials", "", good, "", ct, b, other, want)
	}
	if rt.key == "GET /api/v1/reports" {
		out = append(out, linkProbes(rt, f)...)
	}
	return out
}

// linkProbes spoil olaf's signed report link, sent without a token: a link
// that is not the one signed is refused (403), one past its time gone (410).
func linkProbes(rt mxRoute, f *mxFix) []mxProbe {
	var out []mxProbe
	add := func(kind, detail string, change func(q url.Values), want []int) {
		q := maps.Clone(f.reportLink)
		change(q)
		out = append(out, mxProbe{kind: kind, detail: detail, method: rt.method, path: rt.template + "?" + q.Encode(),
			header: http.Header{}, want: want})
	}
	add("missing credentials", "a link without its signature", func(q url.Values) { q.Set("signature", "") }, []int{400, 403})
	add("expired credentials", "a link with its expiry moved back", func(q url.Values) { q.Set("expires", "946684800") }, []int{403, 410})
	add("other-user credentials", "olaf's link with mia's user", func(q url.Values) { q.Set("user", "1") }, []int{403})
	add("other-user credentials", "olaf's link widened to everyone", func(q url.Values) { q.Set("team", "true") }, []int{403})
	add("SQL and template metacharacters", "in the signature", func(q url.Values) { q.Set("signature", metaChars) }, []int{400, 403})
	add("huge numbers", "in expires and user", func(q url.Values) { q.Set("expires", hugeNum); q.Set("user", hugeNum) }, []int{400, 403})
	add("negative durations", "to before from", func(q url.Values) { q["from"], q["to"] = q["to"], q["from"] }, []int{400, 403})
	return out
}

// goodVars fills a route's path variables with the fixtures'.
func goodVars(rt mxRoute, sp mxSpec, f *mxFix) map[string]string {
	vars := map[string]string{}
	for _, v := range rt.vars {
		switch v {
		case "token":
			vars[v] = f.hookToken
		case "owner":
			vars[v] = "acme"
		case "name":
			vars[v] = "site"
		case "code":
			vars[v] = "wrong-code"
		case "file":
			vars[v] = "ui.css"
		case "action":
			vars[v] = "test"
		case "delivery_id":
			vars[v] = f.delivery
		case "id":
			switch {
			case strings.Contains(rt.template, "/tokens/"):
				vars[v] = f.olafTokenID
			case strings.Contains(rt.template, "/users/"):
				vars[v] = f.olafID
			case strings.Contains(rt.template, "/clients/"):
				vars[v] = f.client
			case strings.Contains(rt.template, "/projects/"):
				vars[v] = f.project
			case strings.Contains(rt.template, "/tasks/"):
				vars[v] = f.task
			case strings.Contains(rt.template, "/tags/"):
				vars[v] = f.tag
			case strings.Contains(rt.template, "/time-entries/"):
				vars[v] = f.entry
			case strings.Contains(rt.template, "/schedules/"):
				vars[v] = f.schedule
			case strings.Contains(rt.template, "/incoming/"):
				vars[v] = f.incoming
			case strings.Contains(rt.template, "webhooks/"):
				vars[v] = f.webhook
			}
		}
	}
	return vars
}

func allVars(rt mxRoute, value string) map[string]string {
	vars := map[string]string{}
	for _, v := range rt.vars {
		vars[v] = value
	}
	return vars
}

// fillPath puts vars (already escaped) into a template.
func fillPath(tpl string, vars map[string]string) string {
	parts := strings.Split(tpl, "/")
	for i, p := range parts {
		if strings.HasPrefix(p, "{") {
			v, _, _ := strings.Cut(strings.Trim(p, "{}"), ":")
			parts[i] = vars[v]
		}
	}
	return strings.Join(parts, "/")
}

func formOf(fields map[string]any) url.Values {
	v := url.Values{}
	for k, x := range fields {
		switch x := x.(type) {
		case []string:
			v[k] = x
		case string:
			v.Set(k, x)
		default:
			b, _ := json.Marshal(x)
			v.Set(k, string(b))
		}
	}
	return v
}

// mapStrings replaces every string value (and every string of a list).
func mapStrings(fields map[string]any, fn func(k, v string) any) map[string]any {
	out := map[string]any{}
	for k, x := range fields {
		switch x := x.(type) {
		case string:
			out[k] = fn(k, x)
		case []string:
			l := make([]any, len(x))
			for i, s := range x {
				l[i] = fn(k, s)
			}
			out[k] = l
		default:
			out[k] = fn(k, "")
		}
	}
	return out
}

// oversize is a value of field k just over its limit (CONTRACT §7).
func oversize(k string, v any) any {
	if _, ok := v.([]string); ok {
		n := core.MaxEntryTags + 1
		if k == "events" {
			n = core.MaxEventFilters + 1
		}
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("t%d", i)
			if k == "events" {
				out[i] = "time_entry.created"
			}
		}
		return out
	}
	n := core.MaxNameChars + 1
	switch k {
	case "note":
		n = core.MaxNoteChars + 1
	case "text", "payload":
		n = core.MaxCommandChars + 1
	case "url":
		return "https://example.com/" + strings.Repeat("x", core.MaxURLChars)
	}
	return strings.Repeat("ü", n)
}

// negative makes a body's durations negative: an end before its start,
// "-1h", and -1 where a number goes.
func negative(fields map[string]any) map[string]any {
	out := maps.Clone(fields)
	touched := false
	for k := range fields {
		switch k {
		case "duration":
			out[k], touched = "-1h", true
		case "end", "until":
			out[k], touched = "2025-01-06T08:00:00Z", true
		case "text":
			out[k], touched = "log -1h on Job in Website", true
		}
	}
	if !touched {
		for k := range fields {
			out[k] = -1
		}
	}
	return out
}

// mxCred is a caller's credentials for one kind of authentication.
type mxCred struct {
	auth    mxAuth
	token   string // API or metrics token, Mattermost token
	session string
	secret  string // Slack or GitHub
	stale   bool   // a Slack signature ten minutes old
	missing bool
	team    string // a Slack/Mattermost team other than the pinned one
}

func credOf(sp mxSpec, f *mxFix, expired bool) mxCred {
	c := mxCred{auth: sp.auth}
	switch sp.auth {
	case authAPI:
		c.token = f.admin
		if sp.own == ownOwner {
			c.token = f.olaf
		}
		if expired {
			c.token = f.revoked
		}
	case authMetrics:
		c.token = mxMetrics
		if expired {
			c.token = "metrics-token-of-yesterday-0123456789"
		}
	case authSession:
		c.session = f.olafSession
		if sp.own == ownAdmin {
			c.session = f.adminSession
		}
		if expired {
			c.session = f.old
		}
	case authSlack:
		c.secret, c.stale = testSecret, expired
	case authMM:
		c.token = mxMattermost
		if expired {
			c.token = "mm-token-before-rotation-0123456789"
		}
	case authGitHub:
		c.secret = mxGitHub
		if expired {
			c.secret = "gh-secret-before-rotation-0123456789"
		}
	}
	return c
}

// otherOf is another person's credentials for a route and what they get;
// nil when the route's thing is the workspace's.
func otherOf(sp mxSpec, f *mxFix) (mxCred, []int) {
	c := mxCred{auth: sp.auth}
	switch sp.auth {
	case authAPI:
		c.token = f.mia
		switch sp.own {
		case ownOwner:
			return c, []int{404}
		case ownAdmin:
			return c, []int{403}
		}
		return c, nil
	case authSession:
		c.session = f.miaSession
		if sp.own == ownOwner || sp.own == ownAdmin {
			return c, []int{403, 404} // a POST carries olaf's CSRF token, refused first
		}
		return c, nil
	case authSlack:
		c.secret, c.team = testSecret, "T9999"
		return c, []int{403}
	case authMM:
		c.token, c.team = mxMattermost, "team-b"
		return c, []int{403}
	case authGitHub:
		// One secret per gateway: another sender's is a wrong one.
		c.secret = "another-repository-secret-0123456789"
		return c, []int{401}
	case authMetrics:
		c.token = f.admin // an API token is not the metrics token
		return c, []int{401}
	}
	return c, nil
}

var deliveryN int

// apply puts the credentials on a probe (signing its final body).
func (c mxCred) apply(p *mxProbe) {
	if c.missing {
		return
	}
	if c.team != "" {
		p.body = []byte(strings.NewReplacer("team_id="+mxSlackTeam, "team_id="+c.team, "%22id%22%3A%22"+mxSlackTeam, "%22id%22%3A%22"+c.team,
			"team_id=team-a", "team_id="+c.team).Replace(string(p.body)))
	}
	switch c.auth {
	case authAPI, authMetrics:
		p.header.Set("Authorization", "Bearer "+c.token)
	case authMM:
		p.header.Set("Authorization", "Token "+c.token)
	case authSession:
		p.header.Set("Cookie", "gateway_session="+c.session)
	case authSlack:
		at := time.Now()
		if c.stale {
			at = at.Add(-10 * time.Minute)
		}
		slack.Sign(p.header, c.secret, p.body, at)
	case authGitHub:
		mac := hmac.New(sha256.New, []byte(c.secret))
		mac.Write(p.body)
		p.header.Set("X-Hub-Signature-256", "sha256="+hex.EncodeToString(mac.Sum(nil)))
		p.header.Set("X-GitHub-Event", "push")
		deliveryN++
		p.header.Set("X-GitHub-Delivery", fmt.Sprintf("matrix-%d", deliveryN))
	}
}

func TestBadInputMatrix(t *testing.T) {
	g, f, dbPath := matrixGateway(t)
	db, err := sql.Open("sqlite", "file:"+dbPath+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	r, err := g.srv.router()
	if err != nil {
		t.Fatal(err)
	}
	specs := matrixSpecs(f)
	routes := walkRoutes(t, r)
	seen := map[string]bool{}
	total := 0
	kinds := map[string]int{}
	for _, rt := range routes {
		sp, ok := specs[rt.key]
		if !ok {
			sp, ok = uiSpec(rt.key, f)
		}
		if !ok {
			t.Errorf("route %q has no case in matrixSpecs: add one saying how it authenticates and what body it takes", rt.key)
			continue
		}
		seen[rt.key] = true
		before := tableCounts(t, db)
		for _, p := range probes(rt, sp, f) {
			total++
			kinds[p.kind]++
			req, _ := http.NewRequest(p.method, g.base+p.path, bytes.NewReader(p.body))
			req.Header = p.header
			if p.body == nil {
				req.Body, req.ContentLength = http.NoBody, 0
			}
			resp, err := noRedirect.Do(req)
			if err != nil {
				t.Errorf("%s %s [%s %s]: %v", p.method, p.path, p.kind, p.detail, err)
				continue
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			ok := slices.Contains(p.want, resp.StatusCode)
			if !ok && p.chatReply && resp.StatusCode == 200 {
				var m map[string]any
				ok = json.Unmarshal(body, &m) == nil && m["response_type"] == "ephemeral"
			}
			if resp.StatusCode == 301 && !strings.HasPrefix(resp.Header.Get("Location"), "/") {
				ok = false
			}
			if !ok || resp.StatusCode >= 500 {
				t.Errorf("%s [%s: %s]: %s %s: got %d, want one of %v: %.300s", rt.key, p.kind, p.detail, p.method, truncate(p.path), resp.StatusCode, p.want, body)
			}
			if after := tableCounts(t, db); !maps.Equal(before, after) {
				t.Errorf("%s [%s: %s] changed the store: %s", rt.key, p.kind, p.detail, diffCounts(before, after))
				before = after
			}
		}
	}
	// Controls: the good requests the probes spoil are taken, so the 4xx
	// above come from the spoiling, not from a broken base.
	for _, key := range []string{"POST /api/v1/time-entries", "PATCH /api/v1/time-entries/{id}", "POST /rest-api/v1/webhooks",
		"POST /slack/commands", "POST /mattermost/commands", "POST /github/webhook", "POST /hooks/{token}",
		"POST /ui/incoming", "POST /ui/users/{id}", "POST /ui/tokens", "POST /ui/webhooks/{id}/reveal", "GET,HEAD /ui/reports",
		"GET,HEAD /ui/users/{id}/delete", "DELETE /api/v1/schedules/{id}", "POST /api/v1/webhooks/{id}/deliveries/{delivery_id}/resend",
		"POST /ui/logout"} { // last: it ends olaf's session
		sp, found := specs[key]
		if !found {
			sp, _ = uiSpec(key, f)
		}
		var rt mxRoute
		for _, x := range routes {
			if x.key == key {
				rt = x
			}
		}
		p := mxProbe{method: rt.method, path: fillPath(rt.template, goodVars(rt, sp, f)), header: http.Header{}}
		if sp.form {
			p.body = []byte(formOf(sp.fields).Encode())
			p.header.Set("Content-Type", "application/x-www-form-urlencoded")
		} else {
			p.body, _ = json.Marshal(sp.fields)
			p.header.Set("Content-Type", "application/json")
		}
		credOf(sp, f, false).apply(&p)
		req, _ := http.NewRequest(p.method, g.base+p.path, bytes.NewReader(p.body))
		req.Header = p.header
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var m map[string]any
		_ = json.Unmarshal(body, &m)
		if resp.StatusCode >= 400 || strings.HasPrefix(fmt.Sprint(m["text"]), ":warning:") {
			t.Errorf("control %s: the good request got %d %.300s", key, resp.StatusCode, body)
		}
	}
	// The signed link itself is taken without a token.
	if a := call(t, "GET", g.base+"/api/v1/reports?"+f.reportLink.Encode(), "", ""); a.status != 200 {
		t.Errorf("control: olaf's report link got %d %.300s", a.status, a.body)
	}
	for k := range specs {
		if !seen[k] {
			t.Errorf("matrixSpecs has %q, which is no route (any more)", k)
		}
	}
	t.Logf("%d routes, %d requests: %v", len(routes), total, kinds)
}

func truncate(s string) string {
	if len(s) > 120 {
		return s[:120] + "…"
	}
	return s
}

func diffCounts(before, after map[string]int) string {
	var d []string
	for k := range after {
		if before[k] != after[k] {
			d = append(d, fmt.Sprintf("%s %d→%d", k, before[k], after[k]))
		}
	}
	sort.Strings(d)
	return strings.Join(d, ", ")
}
