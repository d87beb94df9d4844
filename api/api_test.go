package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/mux"

	"github.com/chatops/gateway/api"
	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/store/sqlite"
)

// env is the real API on a temp SQLite store, with an admin and a member
// token.
type env struct {
	t       *testing.T
	ctx     context.Context
	store   *sqlite.Store
	svc     *core.Service
	srv     *httptest.Server
	handler http.Handler
	logs    *syncBuffer
	admin   string // tokens
	member  string
	boss    core.User // the admin
	mia     core.User // the member
	seen    int64
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func newEnv(t testing.TB) *env { return newEnvWith(t, sqlite.Options{}) }

func newEnvWith(t testing.TB, opts sqlite.Options) *env {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "t.db"), opts)
	if err != nil {
		t.Fatal(err)
	}
	svc := core.NewService(st, core.Options{})
	logs := &syncBuffer{}
	r := mux.NewRouter()
	api.New(svc, api.Options{Logger: slog.New(slog.NewJSONHandler(logs, nil)), Version: "test"}).Register(r)
	srv := httptest.NewServer(r)
	t.Cleanup(func() {
		srv.Close()
		st.Close()
	})
	admin, err := svc.BootstrapAdmin(ctx, "")
	if err != nil || admin == "" {
		t.Fatalf("bootstrap admin: %q, %v", admin, err)
	}
	au, err := svc.Authenticate(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	member, mia, err := svc.IssueToken(ctx, core.Actor{User: au, Source: "test"}, core.TokenRequest{User: "Mia"})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{ctx: ctx, store: st, svc: svc, srv: srv, handler: r, logs: logs, admin: admin, member: member, boss: au, mia: mia}
	if tt, ok := t.(*testing.T); ok {
		e.t = tt
		e.events()
	}
	return e
}

// call sends a request and returns the status and the body.
func (e *env) call(method, path, token, body string) (int, []byte) {
	e.t.Helper()
	status, b, _ := e.callHeader(method, path, token, body)
	return status, b
}

func (e *env) callHeader(method, path, token, body string) (int, []byte, http.Header) {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return res.StatusCode, b, res.Header
}

// events returns the types of the events written since the last call.
func (e *env) events() []string {
	e.t.Helper()
	var types []string
	err := e.store.View(e.ctx, func(tx core.Tx) error {
		evs, err := tx.Events(e.seen, 1000)
		for _, ev := range evs {
			types = append(types, ev.Type)
			e.seen = ev.Seq
		}
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return types
}

// write sends a request that must answer status and append exactly the
// event typ (none when typ is ""); it returns the decoded body.
func (e *env) write(method, path, token, body string, status int, typ string) map[string]any {
	e.t.Helper()
	got, b := e.call(method, path, token, body)
	if got != status {
		e.t.Fatalf("%s %s %s: status %d, want %d: %s", method, path, body, got, status, b)
	}
	var want []string
	if typ != "" {
		want = []string{typ}
	}
	if evs := e.events(); !slices.Equal(evs, want) {
		e.t.Fatalf("%s %s: events %v, want %v", method, path, evs, want)
	}
	return decodeMap(e.t, b)
}

// fail sends a request that must fail with status and error code and
// write nothing.
func (e *env) fail(method, path, token, body string, status int, code string) string {
	e.t.Helper()
	got, b := e.call(method, path, token, body)
	if got != status {
		e.t.Fatalf("%s %s %.80s: status %d, want %d: %s", method, path, body, got, status, b)
	}
	var eb struct {
		Error struct{ Code, Message string }
	}
	if err := json.Unmarshal(b, &eb); err != nil || eb.Error.Code != code || eb.Error.Message == "" {
		e.t.Fatalf("%s %s: body %s, want error code %q", method, path, b, code)
	}
	if evs := e.events(); len(evs) != 0 {
		e.t.Fatalf("%s %s failed but wrote events %v", method, path, evs)
	}
	return eb.Error.Message
}

func decodeMap(t *testing.T, b []byte) map[string]any {
	t.Helper()
	if len(b) == 0 {
		return nil
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("body %s: %v", b, err)
	}
	return m
}

func id(m map[string]any) string {
	s, _ := m["id"].(string)
	return s
}

func TestHealthAndReady(t *testing.T) {
	e := newEnv(t)
	status, b := e.call("GET", "/healthz", "", "")
	if m := decodeMap(t, b); status != 200 || m["status"] != "ok" {
		t.Fatalf("healthz: %d %s", status, b)
	}
	if status, b := e.call("GET", "/readyz", "", ""); status != 200 {
		t.Fatalf("readyz: %d %s", status, b)
	}
	e.store.Close()
	if status, b := e.call("GET", "/readyz", "", ""); status != 503 {
		t.Fatalf("readyz on a closed store: %d %s", status, b)
	}
	// A store failure is a 500 that shows nothing of it, and is logged.
	before := strings.Count(e.logs.String(), "\n")
	status, b = e.call("GET", "/api/v1/clients", e.admin, "")
	if status != 500 || !strings.Contains(string(b), `"message":"internal error"`) {
		t.Fatalf("closed store: %d %s", status, b)
	}
	logs := e.logs.String()
	if n := strings.Count(logs, "\n") - before; n != 1 || !strings.Contains(logs, `"status":500`) {
		t.Fatalf("logged %d lines for one failure:\n%s", n, logs)
	}
}

func TestAuthentication(t *testing.T) {
	e := newEnv(t)
	e.fail("GET", "/api/v1/projects", "", "", 401, core.EUNAUTHORIZED)
	e.fail("GET", "/api/v1/projects", "gw_wrong", "", 401, core.EUNAUTHORIZED)
	e.fail("POST", "/api/v1/projects", "", `{"name":"X"}`, 401, core.EUNAUTHORIZED)
	status, _, h := e.callHeader("GET", "/api/v1/users", "", "")
	if status != 401 || !strings.HasPrefix(h.Get("WWW-Authenticate"), "Bearer") {
		t.Fatalf("status %d, WWW-Authenticate %q", status, h.Get("WWW-Authenticate"))
	}
	req, _ := http.NewRequest("GET", e.srv.URL+"/api/v1/users", nil)
	req.Header.Set("Authorization", "Basic "+e.admin)
	res, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 401 {
		t.Fatalf("Basic scheme: %d", res.StatusCode)
	}
	if status, b := e.call("GET", "/api/v1/users", e.member, ""); status != 200 {
		t.Fatalf("member lists users: %d %s", status, b)
	}
}

func TestTokens(t *testing.T) {
	e := newEnv(t)
	e.fail("POST", "/api/v1/tokens", e.member, `{"user":"Zed"}`, 403, core.EFORBIDDEN)
	e.fail("POST", "/api/v1/tokens", e.admin, `{"user":"Zed","role":"owner"}`, 422, core.EINVALID)
	e.fail("POST", "/api/v1/tokens", e.admin, `{}`, 422, core.EINVALID)
	e.fail("POST", "/api/v1/tokens", e.admin, `{"user_id":"999"}`, 404, core.ENOTFOUND)

	// An unknown name makes that user, with the role.
	m := e.write("POST", "/api/v1/tokens", e.admin, `{"user":"Zed","role":"admin"}`, 201, core.EventWorkspaceUserCreated)
	token, _ := m["token"].(string)
	user, _ := m["user"].(map[string]any)
	if token == "" || user["name"] != "Zed" || user["role"] != "admin" {
		t.Fatalf("token answer = %v", m)
	}
	if status, b := e.call("POST", "/api/v1/tokens", token, `{"user_id":"`+e.mia.ID.String()+`"}`); status != 201 {
		t.Fatalf("new admin token cannot issue tokens: %d %s", status, b)
	}
	e.events() // a token for an existing user is no domain event
	if got := e.write("GET", "/api/v1/users/"+id(user), token, "", 200, ""); got["name"] != "Zed" {
		t.Fatalf("user = %v", got)
	}
}

func TestStatusCodes(t *testing.T) {
	e := newEnv(t)
	a, mem := e.admin, e.member
	p := e.write("POST", "/api/v1/projects", mem, `{"name":"Website"}`, 201, core.EventProjectCreated)
	pid := id(p)

	// 404: unknown and malformed ids alike.
	for _, path := range []string{"/api/v1/projects/999", "/api/v1/projects/abc", "/api/v1/projects/-1", "/api/v1/projects/0",
		"/api/v1/users/999", "/api/v1/time-entries/12x", "/api/v1/tags/999", "/api/v1/clients/1.5", "/api/v1/tasks/999"} {
		e.fail("GET", path, a, "", 404, core.ENOTFOUND)
	}
	e.fail("PATCH", "/api/v1/projects/999", a, `{"name":"X"}`, 404, core.ENOTFOUND)
	e.fail("DELETE", "/api/v1/projects/abc", a, "", 404, core.ENOTFOUND)

	// 409: names are unique ignoring case.
	e.fail("POST", "/api/v1/projects", mem, `{"name":"  WEBSITE "}`, 409, core.ECONFLICT)
	e.write("POST", "/api/v1/tags", mem, `{"name":"Urgent"}`, 201, core.EventTagCreated)
	e.fail("POST", "/api/v1/tags", mem, `{"name":"urgent"}`, 409, core.ECONFLICT)
	e.write("POST", "/api/v1/users", a, `{"name":"Bo"}`, 201, core.EventWorkspaceUserCreated)
	e.fail("POST", "/api/v1/users", a, `{"name":"bo"}`, 409, core.ECONFLICT)

	// 422: a broken rule.
	e.fail("POST", "/api/v1/projects", mem, `{"name":"   "}`, 422, core.EINVALID)
	e.fail("POST", "/api/v1/projects", mem, `{"name":"X","client_id":"999"}`, 422, core.EINVALID)
	e.fail("PATCH", "/api/v1/projects/"+pid, mem, `{"status":"done"}`, 422, core.EINVALID)
	e.fail("POST", "/api/v1/tasks", mem, `{"name":"T"}`, 422, core.EINVALID)
	e.fail("POST", "/api/v1/time-entries", mem, `{"start":"2020-01-01T00:00:00Z","end":"2020-01-03T00:00:00Z"}`, 422, core.EINVALID)
	e.fail("PATCH", "/api/v1/users/"+e.mia.ID.String(), mem, `{"time_zone":"Nowhere/Special"}`, 422, core.EINVALID)

	// 400: malformed bodies and queries.
	for _, body := range []string{``, `{`, `{"name":}`, `[]`, `"x"`, `{"name":1}`, `{"name":"X"} {"name":"Y"}`, `{"name":"X"}garbage`,
		`{"nam":"X"}`, `{"name":"X","client_id":"abc"}`, `{"name":"X","client_id":true}`} {
		e.fail("POST", "/api/v1/projects", mem, body, 400, core.EINVALID)
	}
	e.fail("POST", "/api/v1/time-entries", mem, `{"start":"yesterday"}`, 400, core.EINVALID)
	e.fail("GET", "/api/v1/projects?limit=ten", mem, "", 400, core.EINVALID)
	e.fail("GET", "/api/v1/projects?limit=-1", mem, "", 400, core.EINVALID)
	e.fail("GET", "/api/v1/projects?cursor=abc", mem, "", 400, core.EINVALID)
	e.fail("GET", "/api/v1/tasks?project_id=abc", mem, "", 400, core.EINVALID)
	e.fail("GET", "/api/v1/time-entries?from=monday", mem, "", 400, core.EINVALID)

	// 413: a body over 1 MiB.
	big := `{"name":"` + strings.Repeat("x", api.MaxBodyBytes) + `"}`
	e.fail("POST", "/api/v1/projects", mem, big, 413, core.ELIMIT)

	// 403: a member on admin routes.
	e.fail("POST", "/api/v1/users", mem, `{"name":"Eve"}`, 403, core.EFORBIDDEN)
	e.fail("DELETE", "/api/v1/users/"+e.mia.ID.String(), mem, "", 403, core.EFORBIDDEN)
	e.fail("PATCH", "/api/v1/users/"+e.mia.ID.String(), mem, `{"role":"admin"}`, 403, core.EFORBIDDEN)
	e.fail("POST", "/api/v1/users/"+e.mia.ID.String()+"/identities", mem, `{"provider":"github","subject":"mia"}`, 403, core.EFORBIDDEN)
	e.fail("DELETE", "/api/v1/projects/"+pid, mem, "", 403, core.EFORBIDDEN)

	// 405: a known path with the wrong method.
	e.fail("PUT", "/api/v1/projects/"+pid, a, `{"name":"X"}`, 405, core.EINVALID)

	// 201 and 204.
	e.write("DELETE", "/api/v1/projects/"+pid, a, "", 204, core.EventProjectDeleted)
	e.fail("GET", "/api/v1/projects/"+pid, a, "", 404, core.ENOTFOUND)
}

func TestEveryWriteEmitsOneEvent(t *testing.T) {
	e := newEnv(t)
	a, mem := e.admin, e.member
	now := time.Now().UTC().Truncate(time.Second)
	at := func(d time.Duration) string { return now.Add(d).Format(time.RFC3339) }

	c := e.write("POST", "/api/v1/clients", mem, `{"name":"Acme"}`, 201, core.EventClientCreated)
	e.write("PATCH", "/api/v1/clients/"+id(c), mem, `{"name":"Acme Corp"}`, 200, core.EventClientUpdated)
	p := e.write("POST", "/api/v1/projects", mem, `{"name":"Website","client_id":"`+id(c)+`"}`, 201, core.EventProjectCreated)
	if p["client_id"] != id(c) || p["status"] != "open" {
		t.Fatalf("project = %v", p)
	}
	p = e.write("PATCH", "/api/v1/projects/"+id(p), mem, `{"client_id":null}`, 200, core.EventProjectUpdated)
	if p["client_id"] != nil {
		t.Fatalf("client_id null did not remove the client: %v", p)
	}
	task := e.write("POST", "/api/v1/tasks", mem, `{"name":"Login","project_id":"`+id(p)+`"}`, 201, core.EventTaskCreated)
	if task["project_id"] != id(p) {
		t.Fatalf("task = %v", task)
	}
	e.write("PATCH", "/api/v1/tasks/"+id(task), mem, `{"name":"Login page"}`, 200, core.EventTaskUpdated)
	tg := e.write("POST", "/api/v1/tags", mem, `{"name":"urgent"}`, 201, core.EventTagCreated)
	e.write("PATCH", "/api/v1/tags/"+id(tg), mem, `{"name":"Urgent"}`, 200, core.EventTagUpdated)

	// A timer: started, stopped by setting its end.
	run := e.write("POST", "/api/v1/time-entries", mem, `{"task_id":"`+id(task)+`","start":"`+at(-time.Hour)+`","tags":["urgent"]}`, 201, core.EventTrackerStarted)
	if run["end"] != nil || run["project_id"] != id(p) || run["user_id"] != e.mia.ID.String() || run["source"] != "api" {
		t.Fatalf("running entry = %v", run)
	}
	for _, k := range []string{"id", "user_id", "task_id", "project_id", "start", "end", "duration_seconds", "note", "billable", "tags", "source"} {
		if _, ok := run[k]; !ok {
			t.Errorf("time entry has no %q: %v", k, run)
		}
	}
	stopped := e.write("PATCH", "/api/v1/time-entries/"+id(run), mem, `{"end":"`+at(-30*time.Minute)+`"}`, 200, core.EventTrackerStopped)
	if stopped["duration_seconds"] != 1800.0 || stopped["end"] != at(-30*time.Minute) {
		t.Fatalf("stopped entry = %v", stopped)
	}
	e.fail("PATCH", "/api/v1/time-entries/"+id(run), mem, `{"end":null}`, 422, core.EINVALID)
	e.write("PATCH", "/api/v1/time-entries/"+id(run), mem, `{"note":"done","billable":true}`, 200, core.EventTimeEntryUpdated)
	// Starting a timer while one runs stops the first, as track does in chat:
	// two events.
	first := e.write("POST", "/api/v1/time-entries", mem, `{"start":"`+at(-20*time.Minute)+`"}`, 201, core.EventTrackerStarted)
	if got, b := e.call("POST", "/api/v1/time-entries", mem, `{"start":"`+at(-10*time.Minute)+`"}`); got != 201 {
		t.Fatalf("second timer: status %d: %s", got, b)
	} else {
		if evs := e.events(); !slices.Equal(evs, []string{core.EventTrackerStopped, core.EventTrackerStarted}) {
			t.Fatalf("second timer: events %v", evs)
		}
		e.write("DELETE", "/api/v1/time-entries/"+id(decodeMap(t, b)), mem, "", 204, core.EventTimeEntryDeleted)
	}
	if _, b := e.call("GET", "/api/v1/time-entries/"+id(first), mem, ""); decodeMap(t, b)["end"] != at(-10*time.Minute) {
		t.Fatalf("first timer not stopped where the second starts: %s", b)
	}
	e.write("DELETE", "/api/v1/time-entries/"+id(first), mem, "", 204, core.EventTimeEntryDeleted)
	done := e.write("POST", "/api/v1/time-entries", mem, `{"project_id":"`+id(p)+`","start":"`+at(-3*time.Hour)+`","end":"`+at(-2*time.Hour)+`"}`, 201, core.EventTimeEntryCreated)
	e.write("DELETE", "/api/v1/time-entries/"+id(done), mem, "", 204, core.EventTimeEntryDeleted)

	// Closing.
	e.write("PATCH", "/api/v1/tasks/"+id(task), mem, `{"status":"closed"}`, 200, core.EventTaskClosed)
	e.write("PATCH", "/api/v1/projects/"+id(p), mem, `{"status":"closed"}`, 200, core.EventProjectClosed)
	e.write("PATCH", "/api/v1/projects/"+id(p), mem, `{"status":"open"}`, 200, core.EventProjectUpdated)

	// Users and identities.
	bo := e.write("POST", "/api/v1/users", a, `{"name":"Bo","role":"member"}`, 201, core.EventWorkspaceUserCreated)
	if bo["role"] != "member" || bo["identities"] == nil {
		t.Fatalf("user = %v", bo)
	}
	e.write("PATCH", "/api/v1/users/"+id(bo), a, `{"role":"admin"}`, 200, core.EventWorkspaceUserUpdated)
	u := e.write("POST", "/api/v1/users/"+id(bo)+"/identities", a, `{"provider":"github","subject":"bo-dev"}`, 201, core.EventWorkspaceUserUpdated)
	if ids, _ := u["identities"].([]any); len(ids) != 1 {
		t.Fatalf("identities = %v", u["identities"])
	}
	e.fail("POST", "/api/v1/users/"+e.mia.ID.String()+"/identities", a, `{"provider":"github","subject":"bo-dev"}`, 409, core.ECONFLICT)
	e.fail("POST", "/api/v1/users/"+id(bo)+"/identities", a, `{"provider":"icq","subject":"1"}`, 422, core.EINVALID)
	e.write("PATCH", "/api/v1/users/"+e.mia.ID.String(), mem, `{"time_zone":"Europe/Berlin"}`, 200, core.EventWorkspaceUserUpdated)
	e.write("DELETE", "/api/v1/users/"+id(bo), a, "", 204, core.EventWorkspaceUserDeleted)

	// Deleting: what is in use stays.
	e.fail("DELETE", "/api/v1/tasks/"+id(task), a, "", 409, core.ECONFLICT)
	e.write("DELETE", "/api/v1/time-entries/"+id(run), mem, "", 204, core.EventTimeEntryDeleted)
	e.write("DELETE", "/api/v1/tasks/"+id(task), a, "", 204, core.EventTaskDeleted)
	e.write("DELETE", "/api/v1/projects/"+id(p), a, "", 204, core.EventProjectDeleted)
	e.write("DELETE", "/api/v1/clients/"+id(c), a, "", 204, core.EventClientDeleted)
	e.write("DELETE", "/api/v1/tags/"+id(tg), a, "", 204, core.EventTagDeleted)
}

// listPage is a decoded list answer.
type listPage struct {
	Data       []map[string]any `json:"data"`
	NextCursor *string          `json:"next_cursor"`
}

func (e *env) list(path, token string) listPage {
	e.t.Helper()
	status, b := e.call("GET", path, token, "")
	if status != 200 {
		e.t.Fatalf("GET %s: %d %s", path, status, b)
	}
	var p listPage
	if err := json.Unmarshal(b, &p); err != nil || p.Data == nil {
		e.t.Fatalf("GET %s: %s (%v)", path, b, err)
	}
	return p
}

func TestPaging(t *testing.T) {
	e := newEnv(t)
	var want []string
	for _, n := range []string{"a", "b", "c", "d", "e"} {
		want = append(want, id(e.write("POST", "/api/v1/clients", e.member, `{"name":"`+n+`"}`, 201, core.EventClientCreated)))
	}
	var got []string
	path := "/api/v1/clients?limit=2"
	for pages := 1; ; pages++ {
		p := e.list(path, e.member)
		for _, c := range p.Data {
			got = append(got, id(c))
		}
		if p.NextCursor == nil {
			if pages != 3 {
				t.Fatalf("%d pages, want 3", pages)
			}
			break
		}
		if *p.NextCursor != got[len(got)-1] {
			t.Fatalf("next_cursor %s is not the last id %s", *p.NextCursor, got[len(got)-1])
		}
		path = "/api/v1/clients?limit=2&cursor=" + *p.NextCursor
	}
	if !slices.Equal(got, want) {
		t.Fatalf("paged ids %v, want %v", got, want)
	}
	if p := e.list("/api/v1/clients?limit=5000", e.member); len(p.Data) != 5 || p.NextCursor != nil {
		t.Fatalf("limit over 1000: %d items, next %v", len(p.Data), p.NextCursor)
	}
	if p := e.list("/api/v1/clients", e.member); len(p.Data) != 5 || p.NextCursor != nil {
		t.Fatalf("default limit: %d items", len(p.Data))
	}
	if p := e.list("/api/v1/clients?cursor="+want[4], e.member); len(p.Data) != 0 || p.NextCursor != nil {
		t.Fatalf("past the end: %v", p)
	}
	status, b := e.call("GET", "/api/v1/tags", e.member, "")
	if status != 200 || strings.TrimSpace(string(b)) != `{"data":[],"next_cursor":null}` {
		t.Fatalf("empty list: %d %s", status, b)
	}
}

func TestMembersSeeOnlyTheirEntries(t *testing.T) {
	e := newEnv(t)
	a, mem := e.admin, e.member
	now := time.Now().UTC().Truncate(time.Second)
	at := func(d time.Duration) string { return now.Add(d).Format(time.RFC3339) }
	p := e.write("POST", "/api/v1/projects", a, `{"name":"Ops"}`, 201, core.EventProjectCreated)
	q := e.write("POST", "/api/v1/projects", a, `{"name":"Web"}`, 201, core.EventProjectCreated)
	entry := func(token, project string, from, to time.Duration) string {
		return id(e.write("POST", "/api/v1/time-entries", token,
			`{"project_id":"`+project+`","start":"`+at(from)+`","end":"`+at(to)+`"}`, 201, core.EventTimeEntryCreated))
	}
	mine1 := entry(mem, id(p), -5*time.Hour, -4*time.Hour)
	mine2 := entry(mem, id(q), -3*time.Hour, -2*time.Hour)
	theirs := entry(a, id(p), -5*time.Hour, -4*time.Hour)

	ids := func(p listPage) []string {
		var out []string
		for _, m := range p.Data {
			out = append(out, id(m))
		}
		return out
	}
	if got := ids(e.list("/api/v1/time-entries", mem)); !slices.Equal(got, []string{mine1, mine2}) {
		t.Fatalf("member sees %v, want %v", got, []string{mine1, mine2})
	}
	if got := ids(e.list("/api/v1/time-entries", a)); !slices.Equal(got, []string{mine1, mine2, theirs}) {
		t.Fatalf("admin sees %v", got)
	}
	if got := ids(e.list("/api/v1/time-entries?user_id="+e.mia.ID.String(), a)); !slices.Equal(got, []string{mine1, mine2}) {
		t.Fatalf("admin filtered by user sees %v", got)
	}
	if got := ids(e.list("/api/v1/time-entries?project_id="+id(p), mem)); !slices.Equal(got, []string{mine1}) {
		t.Fatalf("member by project sees %v", got)
	}
	// '+' of an offset arrives as a space when not escaped.
	from := now.Add(-150 * time.Minute).In(time.FixedZone("", 2*3600)).Format(time.RFC3339)
	if got := ids(e.list("/api/v1/time-entries?from="+from, mem)); !slices.Equal(got, []string{mine2}) {
		t.Fatalf("member from %s sees %v", from, got)
	}
	if got := ids(e.list("/api/v1/time-entries?to="+at(-4*time.Hour-30*time.Minute), a)); !slices.Equal(got, []string{mine1, theirs}) {
		t.Fatalf("admin to sees %v", got)
	}
	e.fail("GET", "/api/v1/time-entries?from="+at(0)+"&to="+at(-time.Hour), a, "", 400, core.EINVALID)

	// Someone else's entry does not exist for a member.
	e.fail("GET", "/api/v1/time-entries/"+theirs, mem, "", 404, core.ENOTFOUND)
	e.fail("PATCH", "/api/v1/time-entries/"+theirs, mem, `{"note":"x"}`, 404, core.ENOTFOUND)
	e.fail("DELETE", "/api/v1/time-entries/"+theirs, mem, "", 404, core.ENOTFOUND)
	if got := e.list("/api/v1/time-entries?user_id="+e.boss.ID.String(), mem); len(got.Data) != 0 {
		t.Fatalf("member sees another user's entries: %v", got.Data)
	}
	// Only admins name another user.
	e.fail("POST", "/api/v1/time-entries", mem, `{"user_id":"`+e.boss.ID.String()+`","start":"`+at(-time.Hour)+`","end":"`+at(0)+`"}`, 403, core.EFORBIDDEN)
	made := e.write("POST", "/api/v1/time-entries", a, `{"user_id":"`+e.mia.ID.String()+`","start":"`+at(-time.Hour)+`","end":"`+at(0)+`"}`, 201, core.EventTimeEntryCreated)
	if made["user_id"] != e.mia.ID.String() {
		t.Fatalf("entry for another user = %v", made)
	}
	if got := e.write("GET", "/api/v1/time-entries/"+id(made), mem, "", 200, ""); got["id"] != id(made) {
		t.Fatalf("member cannot read an entry an admin made for them: %v", got)
	}
}

func TestUnknownPathAndMethod(t *testing.T) {
	e := newEnv(t)
	e.fail("GET", "/api/v1/nothing", e.admin, "", 404, core.ENOTFOUND)
	e.fail("DELETE", "/api/v1/clients", e.admin, "", 405, core.EINVALID)
	e.fail("POST", "/api/v1/time-entries/1", e.admin, "{}", 405, core.EINVALID)
}

func TestErrorsAreLoggedOnce(t *testing.T) {
	e := newEnv(t)
	before := strings.Count(e.logs.String(), "\n")
	e.fail("POST", "/api/v1/projects", e.member, `{`, 400, core.EINVALID)
	e.fail("GET", "/api/v1/projects/9", e.member, "", 404, core.ENOTFOUND)
	e.write("GET", "/api/v1/projects", e.member, "", 200, "")
	lines := strings.Split(strings.TrimSpace(e.logs.String()), "\n")[before:]
	if len(lines) != 2 || !strings.Contains(lines[0], `"status":400`) || !strings.Contains(lines[1], `"status":404`) {
		t.Fatalf("log lines:\n%s", strings.Join(lines, "\n"))
	}
}

// Tokens can be listed (never their secrets) and revoked: an admin any, a
// member their own; a revoked token is refused at once.
func TestRevokeTokens(t *testing.T) {
	e := newEnv(t)
	m := e.write("POST", "/api/v1/tokens", e.admin, `{"user_id":"`+e.mia.ID.String()+`"}`, 201, "")
	second, _ := m["token"].(string)
	secondID, _ := m["id"].(string)
	if second == "" || secondID == "" {
		t.Fatalf("token answer without token or id: %v", m)
	}
	list := func(token string) []map[string]any {
		t.Helper()
		status, b := e.call("GET", "/api/v1/tokens", token, "")
		if status != 200 {
			t.Fatalf("list tokens: %d %s", status, b)
		}
		if strings.Contains(string(b), second) || strings.Contains(string(b), "hash") {
			t.Fatalf("the token list shows a secret: %s", b)
		}
		var page struct {
			Data []map[string]any `json:"data"`
		}
		if err := json.Unmarshal(b, &page); err != nil {
			t.Fatal(err)
		}
		return page.Data
	}
	mine := list(e.member)
	if len(mine) != 2 {
		t.Fatalf("mia sees %d tokens, want her 2: %v", len(mine), mine)
	}
	for _, k := range mine {
		if k["user_id"] != e.mia.ID.String() {
			t.Fatalf("mia sees another's token %v", k)
		}
	}
	all := list(e.admin)
	if len(all) <= len(mine) {
		t.Fatalf("the admin sees %d tokens, want more than mia's %d", len(all), len(mine))
	}
	var adminTokenID string
	for _, k := range all {
		if k["user_id"] != e.mia.ID.String() {
			adminTokenID, _ = k["id"].(string)
		}
	}
	// Not hers: not found, and nothing changes.
	e.fail("DELETE", "/api/v1/tokens/"+adminTokenID, e.member, "", 404, core.ENOTFOUND)
	e.fail("DELETE", "/api/v1/tokens/abc", e.member, "", 404, core.ENOTFOUND)
	if status, _ := e.call("GET", "/api/v1/tokens", e.admin, ""); status != 200 {
		t.Fatalf("the admin's token stopped working: %d", status)
	}
	// Her own: gone at once.
	if status, b := e.call("DELETE", "/api/v1/tokens/"+secondID, e.member, ""); status != 204 {
		t.Fatalf("revoke own token: %d %s", status, b)
	}
	e.fail("GET", "/api/v1/tokens", second, "", 401, core.EUNAUTHORIZED)
	if status, _ := e.call("GET", "/api/v1/tokens", e.member, ""); status != 200 {
		t.Fatal("revoking one token ended another")
	}
	e.fail("DELETE", "/api/v1/tokens/"+secondID, e.admin, "", 404, core.ENOTFOUND)
}
