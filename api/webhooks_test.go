package api_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/mux"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/chatops/gateway/api"
	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/delivery"
	"github.com/chatops/gateway/store/sqlite"
	"github.com/chatops/gateway/webhooks"
)

// The outgoing webhooks through the real router: /api/v1/webhooks,
// /api/v1/event-types and the asynchronous validation URL, on a temp SQLite
// store, with real receivers. The engine is driven by hand (pump) on a fake
// clock, so nothing sleeps.

// hookClock is a clock that moves only when told.
type hookClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *hookClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *hookClock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// hookEnv is the API with outgoing webhooks enabled: an admin (boss) and
// two members (mia, bob), each with a token.
type hookEnv struct {
	t       testing.TB
	ctx     context.Context
	store   *sqlite.Store
	svc     *core.Service
	wh      *webhooks.Service
	engine  *delivery.Engine
	srv     *httptest.Server
	handler http.Handler
	clock   *hookClock
	metrics *prometheus.Registry

	admin, member, other string // tokens of boss, mia, bob
	boss, mia, bob       core.User
}

// newHookEnv builds the env; AllowPrivateTargets is on (the receivers are
// on loopback) unless a tweak turns it off.
func newHookEnv(t testing.TB, tweak ...func(*webhooks.Options, *delivery.Options)) *hookEnv {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "hooks.db"), sqlite.Options{Synchronous: "OFF"})
	if err != nil {
		t.Fatal(err)
	}
	clock := &hookClock{t: time.Now().UTC().Truncate(time.Second)}
	svc := core.NewService(st, core.Options{Now: clock.Now})
	r := mux.NewRouter()
	srv := httptest.NewServer(r)
	t.Cleanup(func() {
		srv.Close()
		st.Close()
	})
	opts := webhooks.Options{Now: clock.Now, AllowPrivateTargets: true, PublicURL: srv.URL}
	dopts := delivery.Options{Now: clock.Now, AllowPrivateTargets: true, Version: "test",
		RetrySchedule: []time.Duration{0, time.Minute, time.Minute, time.Minute, time.Minute}, DisableAfter: 3, Timeout: 5 * time.Second}
	for _, f := range tweak {
		f(&opts, &dopts)
	}
	wh := webhooks.New(svc, opts)
	engine := delivery.New(st, wh, dopts)
	api.New(svc, api.Options{Version: "test", Webhooks: wh}).Register(r)
	reg := prometheus.NewRegistry()
	reg.MustRegister(engine.Collectors()...)
	r.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{})).Methods(http.MethodGet)

	e := &hookEnv{t: t, ctx: ctx, store: st, svc: svc, wh: wh, engine: engine, srv: srv, handler: r, clock: clock, metrics: reg}
	if e.admin, err = svc.BootstrapAdmin(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if e.boss, err = svc.Authenticate(ctx, e.admin); err != nil {
		t.Fatal(err)
	}
	boss := core.Actor{User: e.boss, Source: "test"}
	if e.member, e.mia, err = svc.IssueToken(ctx, boss, core.TokenRequest{User: "Mia"}); err != nil {
		t.Fatal(err)
	}
	if e.other, e.bob, err = svc.IssueToken(ctx, boss, core.TokenRequest{User: "Bob"}); err != nil {
		t.Fatal(err)
	}
	// Subscriptions made from now on come after the users' events.
	clock.Add(time.Millisecond)
	return e
}

// send makes a request with a content type and returns status, body and
// headers.
func (e *hookEnv) send(method, path, token, contentType, body string) (int, []byte, http.Header) {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	target := path
	if !strings.HasPrefix(path, "http") {
		target = e.srv.URL + path
	}
	req, err := http.NewRequest(method, target, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
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

// ok sends a JSON request that must answer status; it returns the body.
func (e *hookEnv) ok(method, path, token, body string, status int) map[string]any {
	e.t.Helper()
	got, b, _ := e.send(method, path, token, "application/json", body)
	if got != status {
		e.t.Fatalf("%s %s %s: status %d, want %d: %s", method, path, body, got, status, b)
	}
	return hookJSON(e.t, b)
}

// outbox counts the events written so far.
func (e *hookEnv) outbox() int {
	e.t.Helper()
	n := 0
	err := e.store.View(e.ctx, func(tx core.Tx) error {
		evs, err := tx.Events(0, 100000)
		n = len(evs)
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// refuse sends a request that must fail with status and code, answer the
// error shape with a message, and write no event.
func (e *hookEnv) refuse(method, path, token, body string, status int, code string) string {
	e.t.Helper()
	before := e.outbox()
	got, b, _ := e.send(method, path, token, "application/json", body)
	if got != status {
		e.t.Fatalf("%s %s %.120s: status %d, want %d: %s", method, path, body, got, status, b)
	}
	var eb struct {
		Error struct{ Code, Message string }
	}
	if err := json.Unmarshal(b, &eb); err != nil || eb.Error.Code != code || eb.Error.Message == "" {
		e.t.Fatalf("%s %s %.120s: body %s, want error code %q", method, path, body, b, code)
	}
	if n := e.outbox() - before; n != 0 {
		e.t.Fatalf("%s %s failed but wrote %d events", method, path, n)
	}
	return eb.Error.Message
}

// pump dispatches and delivers until both have nothing to do.
func (e *hookEnv) pump() {
	e.t.Helper()
	for range 100 {
		n, err := e.engine.DispatchOnce(e.ctx)
		if err != nil {
			e.t.Fatal(err)
		}
		m, err := e.engine.DeliverOnce(e.ctx)
		if err != nil {
			e.t.Fatal(err)
		}
		if n == 0 && m == 0 {
			return
		}
	}
	e.t.Fatal("the engine did not settle")
}

// do runs a command as a user.
func (e *hookEnv) do(u core.User, cmd core.Command) {
	e.t.Helper()
	if _, err := e.svc.Execute(e.ctx, core.Actor{User: u, Source: "slack"}, cmd); err != nil {
		e.t.Fatal(err)
	}
}

func hookJSON(t testing.TB, b []byte) map[string]any {
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

func hookStr(m map[string]any, key string) string { s, _ := m[key].(string); return s }

// hookList decodes a list answer's data.
func hookList(t testing.TB, m map[string]any) []map[string]any {
	t.Helper()
	raw, ok := m["data"].([]any)
	if !ok {
		t.Fatalf("not a list: %v", m)
	}
	if _, ok := m["next_cursor"]; !ok {
		t.Fatalf("list without next_cursor: %v", m)
	}
	out := make([]map[string]any, len(raw))
	for i, v := range raw {
		out[i], _ = v.(map[string]any)
	}
	return out
}

func hookIDs(items []map[string]any) []string {
	var out []string
	for _, m := range items {
		out = append(out, hookStr(m, "id"))
	}
	return out
}

// delivered is one request a receiver got.
type delivered struct {
	header http.Header
	body   []byte
	msg    map[string]any
}

func (d delivered) typ() string { return hookStr(d.msg, "type") }

// hookReceiver is a real HTTP server that records what it gets and answers
// with reply.
type hookReceiver struct {
	srv   *httptest.Server
	mu    sync.Mutex
	got   []delivered
	reply func(w http.ResponseWriter, d delivered)
}

func newHookReceiver(t testing.TB) *hookReceiver {
	rc := &hookReceiver{reply: func(w http.ResponseWriter, d delivered) { w.WriteHeader(http.StatusOK) }}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		d := delivered{header: r.Header.Clone(), body: body}
		_ = json.Unmarshal(body, &d.msg)
		rc.mu.Lock()
		rc.got = append(rc.got, d)
		reply := rc.reply
		rc.mu.Unlock()
		reply(w, d)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *hookReceiver) URL() string { return rc.srv.URL }

func (rc *hookReceiver) setReply(f func(w http.ResponseWriter, d delivered)) {
	rc.mu.Lock()
	rc.reply = f
	rc.mu.Unlock()
}

// take returns and forgets what the receiver got, sorted by type (the
// engine sends concurrently).
func (rc *hookReceiver) take() []delivered {
	rc.mu.Lock()
	got := rc.got
	rc.got = nil
	rc.mu.Unlock()
	slices.SortStableFunc(got, func(a, b delivered) int { return strings.Compare(a.typ(), b.typ()) })
	return got
}

func hookTypes(ds []delivered) []string {
	out := []string{}
	for _, d := range ds {
		out = append(out, d.typ())
	}
	return out
}

// echoCode validates synchronously: it answers a ping with its code.
func echoCode(w http.ResponseWriter, d delivered) {
	if code, ok := d.msg["validation_code"].(string); ok {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"validation_code": code})
		return
	}
	w.WriteHeader(http.StatusOK)
}

// verifySigned checks a delivery with the Standard Webhooks library and the
// Toggl header.
func verifySigned(t testing.TB, d delivered, secret, togglSecret string) {
	t.Helper()
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	if err := wh.Verify(d.body, d.header); err != nil {
		t.Errorf("standard webhooks signature of %s: %v", d.typ(), err)
	}
	if got, want := d.header.Get("X-Webhook-Signature-256"), webhooks.TogglSignature(togglSecret, d.body); got != want {
		t.Errorf("X-Webhook-Signature-256 of %s = %q, want %q", d.typ(), got, want)
	}
	if d.header.Get("Content-Type") != "application/json" || d.header.Get("User-Agent") != "gateway/test" {
		t.Errorf("headers %v", d.header)
	}
	if d.header.Get("webhook-id") == "" || d.header.Get("webhook-id") != hookStr(d.msg, "id") {
		t.Errorf("webhook-id %q is not the event id %q", d.header.Get("webhook-id"), hookStr(d.msg, "id"))
	}
}

func TestWebhooksAPILifecycle(t *testing.T) {
	e := newHookEnv(t)
	rc := newHookReceiver(t)
	rc.setReply(echoCode)
	a := e.admin

	// Create: 201, a generated whsec_ secret, not_validated, defaults.
	events := `["tracker.*",{"entity":"project","action":"*"},"task.track"]`
	sub := e.ok("POST", "/api/v1/webhooks", a, `{"name":"Billing","url":"`+rc.URL()+`","events":`+events+`}`, 201)
	hid := hookStr(sub, "id")
	secret := hookStr(sub, "secret")
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if hid == "" || !strings.HasPrefix(secret, "whsec_") || err != nil || len(key) != 32 {
		t.Fatalf("created %v (key %d bytes, %v)", sub, len(key), err)
	}
	if sub["status"] != "not_validated" || sub["format"] != "standard" || sub["scope"] != "workspace" || sub["enabled"] != true ||
		sub["owner"] != e.boss.ID.String() || sub["validated_at"] != nil || sub["last_delivery"] != nil || sub["name"] != "Billing" {
		t.Fatalf("created %v", sub)
	}
	if _, b, _ := e.send("GET", "/api/v1/webhooks/"+hid, a, "", ""); !strings.Contains(string(b), `"events":`+events) {
		t.Fatalf("events are not shown as given (%s): %s", events, b)
	}
	for _, k := range []string{"created_at", "updated_at"} {
		if _, err := time.Parse(time.RFC3339, hookStr(sub, k)); err != nil {
			t.Errorf("%s = %v", k, sub[k])
		}
	}

	// The ping validates it synchronously.
	e.pump()
	got := rc.take()
	if len(got) != 1 || got[0].typ() != core.EventWebhookPing || hookStr(got[0].msg, "validation_code") == "" ||
		!strings.HasPrefix(hookStr(got[0].msg, "validation_code_url"), e.srv.URL+"/api/v1/webhooks/"+hid+"/validate/") {
		t.Fatalf("pings %v: %s", hookTypes(got), got[0].body)
	}
	verifySigned(t, got[0], secret, secret)
	sub = e.ok("GET", "/api/v1/webhooks/"+hid, a, "", 200)
	ld, _ := sub["last_delivery"].(map[string]any)
	if sub["status"] != "active" || sub["validated_at"] == nil || ld["status_code"] != 200.0 || sub["secret"] != secret {
		t.Fatalf("after the echo: %v", sub)
	}

	// List, change, replace.
	if items := hookList(t, e.ok("GET", "/api/v1/webhooks", a, "", 200)); !slices.Equal(hookIDs(items), []string{hid}) {
		t.Fatalf("list %v", items)
	}
	sub = e.ok("PATCH", "/api/v1/webhooks/"+hid, a, `{"name":"  Billing   2 "}`, 200)
	if sub["name"] != "Billing 2" || sub["status"] != "active" {
		t.Fatalf("patched name %v", sub)
	}
	sub = e.ok("PATCH", "/api/v1/webhooks/"+hid, a, `{"events":["project.created"]}`, 200)
	if got, _ := json.Marshal(sub["events"]); string(got) != `["project.created"]` || sub["name"] != "Billing 2" {
		t.Fatalf("patched events %v", sub)
	}
	sub = e.ok("PUT", "/api/v1/webhooks/"+hid, a, `{"name":"Billing 3","url":"`+rc.URL()+`","events":["*"],"format":"toggl"}`, 200)
	if got, _ := json.Marshal(sub["events"]); string(got) != `["*"]` || sub["name"] != "Billing 3" || sub["format"] != "toggl" ||
		sub["secret"] != secret || sub["status"] != "active" {
		t.Fatalf("replaced %v", sub)
	}
	sub = e.ok("PUT", "/api/v1/webhooks/"+hid, a, `{"name":"Billing","url":"`+rc.URL()+`","events":["project.*","tracker.*"]}`, 200)
	if sub["format"] != "standard" || sub["scope"] != "workspace" || sub["status"] != "active" {
		t.Fatalf("replaced back %v", sub)
	}
	if got := rc.take(); len(got) != 0 {
		t.Fatalf("changes without a new URL sent %v", hookTypes(got))
	}

	// Test: a ping now, without a validation code (validated already).
	sub = e.ok("POST", "/api/v1/webhooks/"+hid+"/test", a, "", 200)
	if hookStr(sub, "id") != hid {
		t.Fatalf("test answered %v", sub)
	}
	e.pump()
	got = rc.take()
	if len(got) != 1 || got[0].typ() != core.EventWebhookPing || got[0].msg["validation_code"] != nil {
		t.Fatalf("test sent %v: %s", hookTypes(got), got[0].body)
	}
	verifySigned(t, got[0], secret, secret)

	// Disable keeps events; enable sends them.
	sub = e.ok("POST", "/api/v1/webhooks/"+hid+"/disable", a, "", 200)
	if sub["status"] != "disabled" || sub["enabled"] != false {
		t.Fatalf("disabled %v", sub)
	}
	e.do(e.boss, core.AddProject{Project: "Kept"})
	e.pump()
	if got := rc.take(); len(got) != 0 {
		t.Fatalf("a disabled webhook received %v", hookTypes(got))
	}
	sub = e.ok("POST", "/api/v1/webhooks/"+hid+"/enable", a, "", 200)
	if sub["status"] != "active" || sub["enabled"] != true {
		t.Fatalf("enabled %v", sub)
	}
	e.pump()
	got = rc.take()
	if len(got) != 1 || got[0].typ() != "project.created" || !strings.Contains(string(got[0].body), `"Kept"`) {
		t.Fatalf("after enable %v", hookTypes(got))
	}
	verifySigned(t, got[0], secret, secret)

	// Rotate: a new secret; the next delivery is signed with both.
	sub = e.ok("POST", "/api/v1/webhooks/"+hid+"/rotate-secret", a, "", 200)
	rotated := hookStr(sub, "secret")
	if !strings.HasPrefix(rotated, "whsec_") || rotated == secret {
		t.Fatalf("rotated %v", sub)
	}
	e.do(e.boss, core.AddProject{Project: "Rotated"})
	e.pump()
	got = rc.take()
	if len(got) != 1 {
		t.Fatalf("after rotation %v", hookTypes(got))
	}
	sigs := strings.Fields(got[0].header.Get("webhook-signature"))
	if len(sigs) != 2 || !strings.HasPrefix(sigs[0], "v1,") || !strings.HasPrefix(sigs[1], "v1,") {
		t.Fatalf("webhook-signature %q", got[0].header.Get("webhook-signature"))
	}
	verifySigned(t, got[0], rotated, rotated) // the new secret, and Toggl's header with it
	verifySigned(t, got[0], secret, rotated)  // the old one still verifies

	// A failing attempt: pending, logged with its status, latency, error and
	// response; the retry delivers it.
	rc.setReply(func(w http.ResponseWriter, d delivered) { http.Error(w, "boom", http.StatusInternalServerError) })
	e.do(e.boss, core.AddProject{Project: "Flaky"})
	e.pump()
	failed := rc.take()
	if len(failed) != 1 {
		t.Fatalf("failing attempt %v", hookTypes(failed))
	}
	sub = e.ok("GET", "/api/v1/webhooks/"+hid, a, "", 200)
	ld, _ = sub["last_delivery"].(map[string]any)
	if sub["status"] != "pending" || ld["status_code"] != 500.0 || ld["error"] != "answered 500" {
		t.Fatalf("after a failure %v", sub)
	}
	rc.setReply(echoCode)
	e.clock.Add(70 * time.Second)
	e.pump()
	retried := rc.take()
	if len(retried) != 1 || retried[0].header.Get("webhook-id") != failed[0].header.Get("webhook-id") {
		t.Fatalf("retry %v", hookTypes(retried))
	}
	if sub = e.ok("GET", "/api/v1/webhooks/"+hid, a, "", 200); sub["status"] != "active" {
		t.Fatalf("after the retry %v", sub)
	}
	log := hookList(t, e.ok("GET", "/api/v1/webhooks/"+hid+"/deliveries", a, "", 200))
	if len(log) != 6 { // ping, test ping, Kept, Rotated, Flaky twice
		t.Fatalf("delivery log has %d attempts: %v", len(log), log)
	}
	newest, fail := log[0], log[1]
	if newest["status_code"] != 200.0 || newest["event_type"] != "project.created" || newest["attempt"] != 2.0 || newest["error"] != "" {
		t.Fatalf("newest attempt %v", newest)
	}
	// Every attempt lists every field, a successful one with empty strings.
	for _, key := range []string{"at", "event_type", "status_code", "latency_ms", "error_class", "error", "response"} {
		if _, ok := newest[key]; !ok {
			t.Errorf("successful attempt has no %q: %v", key, newest)
		}
	}
	if newest["error_class"] != "" {
		t.Errorf("successful attempt's error_class %v", newest["error_class"])
	}
	if fail["status_code"] != 500.0 || fail["error"] != "answered 500" || fail["error_class"] != "http_status" ||
		fail["response"] != "boom\n" || fail["event_id"] != failed[0].header.Get("webhook-id") || fail["attempt"] != 1.0 {
		t.Fatalf("failed attempt %v", fail)
	}
	for _, at := range log {
		if ms, ok := at["latency_ms"].(float64); !ok || ms < 0 {
			t.Errorf("latency %v", at)
		}
		if _, err := time.Parse(time.RFC3339, hookStr(at, "at")); err != nil || hookStr(at, "id") == "" {
			t.Errorf("attempt %v", at)
		}
	}
	page := e.ok("GET", "/api/v1/webhooks/"+hid+"/deliveries?limit=2", a, "", 200)
	if items := hookList(t, page); len(items) != 2 || page["next_cursor"] != hookStr(items[1], "id") {
		t.Fatalf("first page of the log %v", page)
	}
	page = e.ok("GET", "/api/v1/webhooks/"+hid+"/deliveries?limit=2&cursor="+hookStr(page, "next_cursor"), a, "", 200)
	if items := hookList(t, page); len(items) != 2 || hookStr(items[0], "id") != hookStr(log[2], "id") {
		t.Fatalf("second page of the log %v", page)
	}

	// Delete: 204, then gone.
	status, b, _ := e.send("DELETE", "/api/v1/webhooks/"+hid, a, "", "")
	if status != 204 || len(b) != 0 {
		t.Fatalf("delete: %d %s", status, b)
	}
	e.refuse("GET", "/api/v1/webhooks/"+hid, a, "", 404, core.ENOTFOUND)
	e.refuse("GET", "/api/v1/webhooks/"+hid+"/deliveries", a, "", 404, core.ENOTFOUND)
	if items := hookList(t, e.ok("GET", "/api/v1/webhooks", a, "", 200)); len(items) != 0 {
		t.Fatalf("list after delete %v", items)
	}
	e.do(e.boss, core.AddProject{Project: "After"})
	e.pump()
	if got := rc.take(); len(got) != 0 {
		t.Fatalf("a deleted webhook received %v", hookTypes(got))
	}
}

func TestWebhooksAPIReplay(t *testing.T) {
	e := newHookEnv(t)
	rc := newHookReceiver(t)
	rc.setReply(echoCode)
	hid := hookStr(e.ok("POST", "/api/v1/webhooks", e.member, `{"url":"`+rc.URL()+`","events":["project.created"]}`, 201), "id")
	e.pump()
	rc.take() // the ping

	e.clock.Add(time.Minute)
	since := e.clock.Now()
	e.do(e.mia, core.AddProject{Project: "A"})
	e.do(e.mia, core.AddProject{Project: "B"})
	e.clock.Add(time.Minute)
	until := e.clock.Now().Add(-time.Second)
	e.do(e.mia, core.AddProject{Project: "C"}) // outside the window
	e.pump()
	first := rc.take()
	if len(first) != 3 {
		t.Fatalf("first delivery %v", hookTypes(first))
	}
	want := map[string]string{} // webhook-id → project, of the window
	for _, d := range first {
		if !strings.Contains(string(d.body), `"C"`) {
			want[d.header.Get("webhook-id")] = string(d.body)
		}
	}

	body := `{"since":"` + since.Format(time.RFC3339Nano) + `","until":"` + until.Format(time.RFC3339Nano) + `"}`
	m := e.ok("POST", "/api/v1/webhooks/"+hid+"/replay", e.member, body, 200)
	if len(m) != 1 || m["queued"] != 2.0 {
		t.Fatalf("replay answered %v", m)
	}
	e.pump()
	again := rc.take()
	if len(again) != 2 {
		t.Fatalf("replayed %v", hookTypes(again))
	}
	for _, d := range again {
		if _, ok := want[d.header.Get("webhook-id")]; !ok {
			t.Errorf("replayed webhook-id %q is not one of the window's %v", d.header.Get("webhook-id"), want)
		}
		delete(want, d.header.Get("webhook-id"))
	}
	// until defaults to now.
	m = e.ok("POST", "/api/v1/webhooks/"+hid+"/replay", e.member, `{"since":"`+since.Format(time.RFC3339Nano)+`"}`, 200)
	if m["queued"] != 3.0 {
		t.Fatalf("replay without until answered %v", m)
	}
	e.pump()
	if got := rc.take(); len(got) != 3 {
		t.Fatalf("replayed %v", hookTypes(got))
	}

	e.refuse("POST", "/api/v1/webhooks/"+hid+"/replay", e.member, `{}`, 422, core.EINVALID)
	e.refuse("POST", "/api/v1/webhooks/"+hid+"/replay", e.member, `{"since":"`+until.Format(time.RFC3339)+`","until":"`+since.Format(time.RFC3339)+`"}`, 422, core.EINVALID)
	e.refuse("POST", "/api/v1/webhooks/"+hid+"/replay", e.member, `{"since":"yesterday"}`, 400, core.EINVALID)
	e.refuse("POST", "/api/v1/webhooks/"+hid+"/replay", e.member, `{"from":"`+since.Format(time.RFC3339)+`"}`, 400, core.EINVALID)
	e.refuse("POST", "/api/v1/webhooks/999/replay", e.member, body, 404, core.ENOTFOUND)
	e.refuse("POST", "/api/v1/webhooks/"+hid+"/replay", e.other, body, 404, core.ENOTFOUND)
	// Replay reaches back as far as the retention (30 days by default).
	edge := e.clock.Now().Add(-core.DefaultRetention)
	e.ok("POST", "/api/v1/webhooks/"+hid+"/replay", e.member, `{"since":"`+edge.Format(time.RFC3339Nano)+`"}`, 200)
	e.refuse("POST", "/api/v1/webhooks/"+hid+"/replay", e.member, `{"since":"`+edge.Add(-time.Second).Format(time.RFC3339Nano)+`"}`, 422, core.EINVALID)
}

func TestWebhooksAPIAsyncValidation(t *testing.T) {
	e := newHookEnv(t)
	rc := newHookReceiver(t) // answers 200 without the code
	sub := e.ok("POST", "/api/v1/webhooks", e.member, `{"url":"`+rc.URL()+`","events":["*"]}`, 201)
	hid := hookStr(sub, "id")
	if sub["status"] != "not_validated" || !strings.HasPrefix(hookStr(sub, "name"), "127.0.0.1:") {
		t.Fatalf("created %v", sub)
	}
	e.pump()
	pings := rc.take()
	if len(pings) != 1 || pings[0].typ() != core.EventWebhookPing {
		t.Fatalf("pings %v", hookTypes(pings))
	}
	verifySigned(t, pings[0], hookStr(sub, "secret"), hookStr(sub, "secret"))
	code := hookStr(pings[0].msg, "validation_code")
	link := hookStr(pings[0].msg, "validation_code_url")
	if code == "" || link != e.srv.URL+"/api/v1/webhooks/"+hid+"/validate/"+code {
		t.Fatalf("validation_code %q, validation_code_url %q", code, link)
	}
	if got := e.ok("GET", "/api/v1/webhooks/"+hid, e.member, "", 200); got["status"] != "not_validated" {
		t.Fatalf("a plain 200 validated it: %v", got)
	}

	// Nothing but pings until validated; what matches meanwhile is kept.
	e.do(e.mia, core.Track{Task: "Fix", Project: "Web"})
	e.pump()
	if got := rc.take(); len(got) != 0 {
		t.Fatalf("a not validated webhook received %v", hookTypes(got))
	}
	e.ok("POST", "/api/v1/webhooks/"+hid+"/test", e.member, "", 200)
	e.pump()
	if got := rc.take(); len(got) != 1 || got[0].typ() != core.EventWebhookPing || hookStr(got[0].msg, "validation_code") != code {
		t.Fatalf("test of a not validated webhook sent %v", hookTypes(got))
	}

	// A wrong code or id is not found; the GET needs no token.
	e.refuse("GET", "/api/v1/webhooks/"+hid+"/validate/wrong", "", "", 404, core.ENOTFOUND)
	e.refuse("GET", "/api/v1/webhooks/999/validate/"+code, "", "", 404, core.ENOTFOUND)
	e.refuse("GET", "/api/v1/webhooks/abc/validate/"+code, "", "", 404, core.ENOTFOUND)
	if got := e.ok("GET", link, "", "", 200); got["validated"] != true {
		t.Fatalf("validate answered %v", got)
	}
	sub = e.ok("GET", "/api/v1/webhooks/"+hid, e.member, "", 200)
	if sub["status"] != "active" || sub["validated_at"] == nil {
		t.Fatalf("after validation %v", sub)
	}
	e.pump()
	got := rc.take()
	if want := []string{"project.created", "task.created", "tracker.started"}; !slices.Equal(hookTypes(got), want) {
		t.Fatalf("after validation received %v, want %v", hookTypes(got), want)
	}
	for _, d := range got {
		verifySigned(t, d, hookStr(sub, "secret"), hookStr(sub, "secret"))
	}
	// Validating again changes nothing.
	e.ok("GET", link, "", "", 200)
}

func TestWebhooksAPIEventTypes(t *testing.T) {
	e := newHookEnv(t)
	e.refuse("GET", "/api/v1/event-types", "", "", 401, core.EUNAUTHORIZED)
	items := hookList(t, e.ok("GET", "/api/v1/event-types", e.member, "", 200))
	byName := map[string]map[string]any{}
	for _, it := range items {
		byName[hookStr(it, "name")] = it
	}
	for _, et := range core.EventTypes() {
		it, ok := byName[et.Name]
		if !ok || it["entity"] != et.Entity || it["action"] != et.Action || hookStr(it, "description") == "" {
			t.Errorf("catalogue entry %s = %v", et.Name, it)
		}
	}
	if len(items) != len(core.EventTypes()) {
		t.Errorf("%d entries, want %d", len(items), len(core.EventTypes()))
	}
	for _, name := range []string{"tracker.started", "tracker.stopped", "time_entry.created", "project.closed", "webhook.ping", "webhook.disabled"} {
		if byName[name] == nil {
			t.Errorf("%s is missing", name)
		}
	}
	for alias, canon := range webhooks.Aliases() {
		as, _ := byName[canon]["aliases"].([]any)
		if !slices.Contains(as, any(alias)) {
			t.Errorf("%s does not list its alias %s: %v", canon, alias, byName[canon])
		}
	}
}

func TestWebhooksAPIErrors(t *testing.T) {
	e := newHookEnv(t)
	rc := newHookReceiver(t)
	a, mem := e.admin, e.member
	good := func(name string) string {
		return `{"name":"` + name + `","url":"` + rc.URL() + `","events":["tracker.started"]}`
	}

	// 401 without a valid token, with the Bearer challenge.
	e.refuse("GET", "/api/v1/webhooks", "", "", 401, core.EUNAUTHORIZED)
	e.refuse("POST", "/api/v1/webhooks", "", good("x"), 401, core.EUNAUTHORIZED)
	e.refuse("POST", "/api/v1/webhooks", "gw_wrong", good("x"), 401, core.EUNAUTHORIZED)
	e.refuse("DELETE", "/api/v1/webhooks/1", "", "", 401, core.EUNAUTHORIZED)
	e.refuse("POST", "/api/v1/webhooks/1/rotate-secret", "", "", 401, core.EUNAUTHORIZED)
	if status, _, h := e.send("GET", "/api/v1/webhooks", "", "", ""); status != 401 || !strings.HasPrefix(h.Get("WWW-Authenticate"), "Bearer") {
		t.Fatalf("401 challenge %q", h.Get("WWW-Authenticate"))
	}

	// 400: malformed bodies.
	for _, body := range []string{``, `{`, `{"url":}`, `[]`, `"x"`, `{"url":1,"events":["*"]}`, `{"url":"` + rc.URL() + `","events":["*"]} {}`,
		`{"url":"` + rc.URL() + `","events":["*"],"colour":"red"}`, `{"url":"` + rc.URL() + `","events":["*"],"enabled":"yes"}`} {
		e.refuse("POST", "/api/v1/webhooks", mem, body, 400, core.EINVALID)
	}

	// 422: a bad URL, event, format, secret or scope.
	for _, body := range []string{
		`{"url":"ftp://example.com/","events":["*"]}`,
		`{"url":"not a url","events":["*"]}`,
		`{"url":"","events":["*"]}`,
		`{"events":["*"]}`,
		`{"url":"https://user:pw@example.com/","events":["*"]}`,
		`{"url":"` + rc.URL() + `"}`,
		`{"url":"` + rc.URL() + `","events":[]}`,
		`{"url":"` + rc.URL() + `","events":null}`,
		`{"url":"` + rc.URL() + `","events":["tracker.exploded"]}`,
		`{"url":"` + rc.URL() + `","events":["tracker"]}`,
		`{"url":"` + rc.URL() + `","events":[{"entity":"project"}]}`,
		`{"url":"` + rc.URL() + `","events":[{"entity":"nothing","action":"*"}]}`,
		`{"url":"` + rc.URL() + `","events":"tracker.started"}`,
		`{"url":"` + rc.URL() + `","events":[42]}`,
		`{"url":"` + rc.URL() + `","events":["*"],"format":"xml"}`,
		`{"url":"` + rc.URL() + `","events":["*"],"format":"slack"}`,
		`{"url":"` + rc.URL() + `","events":["*"],"secret":"hunter2"}`,
		`{"url":"` + rc.URL() + `","events":["*"],"secret":"whsec_c2hvcnQ="}`,
		`{"url":"` + rc.URL() + `","events":["*"],"scope":"galaxy"}`,
		`{"name":"` + strings.Repeat("n", 201) + `","url":"` + rc.URL() + `","events":["*"]}`,
	} {
		e.refuse("POST", "/api/v1/webhooks", mem, body, 422, core.EINVALID)
	}
	if msg := e.refuse("POST", "/api/v1/webhooks", mem, `{"url":"`+rc.URL()+`","events":["tracker.exploded"]}`, 422, core.EINVALID); !strings.Contains(msg, "tracker.exploded") {
		t.Errorf("unknown event message %q", msg)
	}

	// A given secret is used as it is.
	secret := webhooks.NewSecret()
	if got := e.ok("POST", "/api/v1/webhooks", mem, `{"name":"Own","url":"`+rc.URL()+`","events":["*"],"secret":"`+secret+`"}`, 201); got["secret"] != secret {
		t.Fatalf("given secret replaced: %v", got)
	}

	// 409: names are unique in the workspace, ignoring case.
	hid := hookStr(e.ok("POST", "/api/v1/webhooks", mem, good("Billing"), 201), "id")
	e.refuse("POST", "/api/v1/webhooks", mem, good("billing"), 409, core.ECONFLICT)
	e.refuse("POST", "/api/v1/webhooks", a, good(" BILLING "), 409, core.ECONFLICT)
	e.refuse("PATCH", "/api/v1/webhooks/"+hid, mem, `{"name":"own"}`, 409, core.ECONFLICT)

	// Changes are checked as creation is.
	e.refuse("PATCH", "/api/v1/webhooks/"+hid, mem, `{"url":"gopher://x"}`, 422, core.EINVALID)
	e.refuse("PATCH", "/api/v1/webhooks/"+hid, mem, `{"events":[]}`, 422, core.EINVALID)
	e.refuse("PATCH", "/api/v1/webhooks/"+hid, mem, `{"events":["nope.nope"]}`, 422, core.EINVALID)
	e.refuse("PATCH", "/api/v1/webhooks/"+hid, mem, `{"format":"csv"}`, 422, core.EINVALID)
	e.refuse("PATCH", "/api/v1/webhooks/"+hid, mem, `{"secret":"plain"}`, 422, core.EINVALID)
	e.refuse("PATCH", "/api/v1/webhooks/"+hid, mem, `{"colour":"red"}`, 400, core.EINVALID)
	e.refuse("PUT", "/api/v1/webhooks/"+hid, mem, `{"url":"`+rc.URL()+`"}`, 422, core.EINVALID)
	e.refuse("PUT", "/api/v1/webhooks/"+hid, mem, `{"url":"`+rc.URL()+`","events":["*"],"format":"xml"}`, 422, core.EINVALID)
	e.refuse("PUT", "/api/v1/webhooks/"+hid, mem, `{`, 400, core.EINVALID)

	// 404: unknown and malformed ids, on every route.
	for _, id := range []string{"999", "abc", "0", "-1"} {
		base := "/api/v1/webhooks/" + id
		e.refuse("GET", base, mem, "", 404, core.ENOTFOUND)
		e.refuse("PUT", base, mem, good("x"), 404, core.ENOTFOUND)
		e.refuse("PATCH", base, mem, `{"name":"x"}`, 404, core.ENOTFOUND)
		e.refuse("DELETE", base, mem, "", 404, core.ENOTFOUND)
		for _, action := range []string{"test", "enable", "disable", "rotate-secret"} {
			e.refuse("POST", base+"/"+action, mem, "", 404, core.ENOTFOUND)
		}
		e.refuse("GET", base+"/deliveries", mem, "", 404, core.ENOTFOUND)
	}
	// 405: a known path with the wrong method.
	e.refuse("DELETE", "/api/v1/webhooks", a, "", 405, core.EINVALID)
	e.refuse("GET", "/api/v1/webhooks/"+hid+"/test", a, "", 405, core.EINVALID)

	// The per-user limit (5), admins included: 422 with a reason.
	for i := range 3 {
		e.ok("POST", "/api/v1/webhooks", mem, good("mia "+string(rune('a'+i))), 201)
	}
	msg := e.refuse("POST", "/api/v1/webhooks", mem, good("sixth"), 422, core.ELIMIT)
	if !strings.Contains(msg, "Mia already has 5 webhooks") {
		t.Fatalf("limit message %q", msg)
	}
	for i := range 5 {
		e.ok("POST", "/api/v1/webhooks", a, good("boss "+string(rune('a'+i))), 201)
	}
	e.refuse("POST", "/api/v1/webhooks", a, good("boss sixth"), 422, core.ELIMIT)
	// Another user has a limit of their own; a deletion makes room.
	e.ok("POST", "/api/v1/webhooks", e.other, good("bob"), 201)
	if status, b, _ := e.send("DELETE", "/api/v1/webhooks/"+hid, mem, "", ""); status != 204 {
		t.Fatalf("delete: %d %s", status, b)
	}
	e.ok("POST", "/api/v1/webhooks", mem, good("sixth"), 201)
}

func TestWebhooksAPIPrivateTargetsRefused(t *testing.T) {
	e := newHookEnv(t, func(o *webhooks.Options, _ *delivery.Options) { o.AllowPrivateTargets = false })
	rc := newHookReceiver(t) // on 127.0.0.1
	for _, target := range []string{rc.URL(), "http://127.0.0.1:9/x", "http://localhost/x", "http://app.localhost/", "http://10.1.2.3/",
		"http://192.168.0.10/", "http://172.16.0.1/", "http://169.254.169.254/latest/meta-data", "http://[::1]/", "http://[fe80::1]/",
		"http://0.0.0.0/", "http://100.64.0.1/", "http://[::ffff:127.0.0.1]/"} {
		msg := e.refuse("POST", "/api/v1/webhooks", e.member, `{"url":"`+target+`","events":["*"]}`, 422, core.EINVALID)
		if !strings.Contains(msg, "GATEWAY_ALLOW_PRIVATE_TARGETS") {
			t.Errorf("%s: message %q", target, msg)
		}
	}
	// A public address is accepted (no DNS: an IP literal); it cannot be
	// moved to a private one.
	hid := hookStr(e.ok("POST", "/api/v1/webhooks", e.member, `{"url":"http://203.0.113.10/hook","events":["*"]}`, 201), "id")
	e.refuse("PATCH", "/api/v1/webhooks/"+hid, e.member, `{"url":"http://127.0.0.1/"}`, 422, core.EINVALID)
	e.refuse("PUT", "/api/v1/webhooks/"+hid, e.member, `{"url":"http://10.0.0.1/","events":["*"]}`, 422, core.EINVALID)
	// Nor through the WebWork API.
	status, b, _ := e.send("POST", "/rest-api/v1/webhooks", e.member, "application/x-www-form-urlencoded",
		"url="+url.QueryEscape(rc.URL())+"&events[]=tracker.started")
	if m := hookJSON(t, b); status != 422 || m["success"] != false || !strings.Contains(hookStr(m, "error"), "GATEWAY_ALLOW_PRIVATE_TARGETS") {
		t.Fatalf("webwork private target: %d %s", status, b)
	}
	if got := rc.take(); len(got) != 0 {
		t.Fatalf("the private receiver got %d requests", len(got))
	}
}

func TestWebhooksAPIMembersSeeOnlyTheirOwn(t *testing.T) {
	e := newHookEnv(t)
	miaRC, bobRC, bossRC := newHookReceiver(t), newHookReceiver(t), newHookReceiver(t)
	for _, rc := range []*hookReceiver{miaRC, bobRC, bossRC} {
		rc.setReply(echoCode)
	}
	mia := hookStr(e.ok("POST", "/api/v1/webhooks", e.member, `{"name":"mia","url":"`+miaRC.URL()+`","events":["*"]}`, 201), "id")
	bob := hookStr(e.ok("POST", "/api/v1/webhooks", e.other, `{"name":"bob","url":"`+bobRC.URL()+`","events":["*"]}`, 201), "id")
	boss := hookStr(e.ok("POST", "/api/v1/webhooks", e.admin, `{"name":"boss","url":"`+bossRC.URL()+`","events":["tracker.*"]}`, 201), "id")

	// Bob cannot see or touch Mia's subscription: it does not exist for him.
	base := "/api/v1/webhooks/" + mia
	e.refuse("GET", base, e.other, "", 404, core.ENOTFOUND)
	e.refuse("PUT", base, e.other, `{"url":"`+bobRC.URL()+`","events":["*"]}`, 404, core.ENOTFOUND)
	e.refuse("PATCH", base, e.other, `{"url":"`+bobRC.URL()+`"}`, 404, core.ENOTFOUND)
	e.refuse("DELETE", base, e.other, "", 404, core.ENOTFOUND)
	for _, action := range []string{"test", "enable", "disable", "rotate-secret"} {
		e.refuse("POST", base+"/"+action, e.other, "", 404, core.ENOTFOUND)
	}
	e.refuse("GET", base+"/deliveries", e.other, "", 404, core.ENOTFOUND)
	e.refuse("GET", "/api/v1/webhooks/"+boss, e.member, "", 404, core.ENOTFOUND)

	// Lists: members their own, the admin all.
	for token, want := range map[string][]string{e.member: {mia}, e.other: {bob}, e.admin: {mia, bob, boss}} {
		if got := hookIDs(hookList(t, e.ok("GET", "/api/v1/webhooks", token, "", 200))); !slices.Equal(got, want) {
			t.Errorf("list %v, want %v", got, want)
		}
	}
	if got := e.ok("GET", base, e.admin, "", 200); got["owner"] != e.mia.ID.String() {
		t.Fatalf("admin reads mia's: %v", got)
	}
	e.ok("POST", base+"/disable", e.admin, "", 200)
	e.ok("POST", base+"/enable", e.admin, "", 200)

	// And Mia receives only what she may see.
	e.pump()
	for _, rc := range []*hookReceiver{miaRC, bobRC, bossRC} {
		rc.take()
	}
	e.do(e.bob, core.Track{Task: "Secret", Project: "Bobs"})
	e.do(e.mia, core.Track{Task: "Mine", Project: "Mias"})
	e.pump()
	miaGot := miaRC.take()
	for _, d := range miaGot {
		if strings.Contains(string(d.body), "Bobs") || strings.Contains(string(d.body), "Secret") {
			t.Errorf("mia received bob's %s", d.typ())
		}
	}
	if want := []string{"project.created", "task.created", "tracker.started"}; !slices.Equal(hookTypes(miaGot), want) {
		t.Errorf("mia received %v, want %v", hookTypes(miaGot), want)
	}
	if got := hookTypes(bossRC.take()); !slices.Equal(got, []string{"tracker.started", "tracker.started"}) {
		t.Errorf("the admin received %v", got)
	}
}

func TestWebhooksMetrics(t *testing.T) {
	e := newHookEnv(t)
	rc := newHookReceiver(t)
	rc.setReply(echoCode)
	e.ok("POST", "/api/v1/webhooks", e.member, `{"url":"`+rc.URL()+`","events":["*"]}`, 201)
	e.pump()
	e.do(e.mia, core.AddProject{Project: "Metered"})
	e.pump()
	if n := len(rc.take()); n != 2 {
		t.Fatalf("received %d", n)
	}
	status, b, _ := e.send("GET", "/metrics", "", "", "")
	text := string(b)
	if status != 200 {
		t.Fatalf("/metrics: %d %s", status, b)
	}
	for _, want := range []string{
		`gateway_webhook_deliveries_total{outcome="delivered"} 2`,
		`gateway_webhook_dispatched_total 2`,
		`gateway_webhook_queue_depth 0`,
		`gateway_webhook_attempt_duration_seconds_count 2`,
		`gateway_webhook_event_to_delivery_seconds_count 2`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %q:\n%s", want, text)
		}
	}
}

// A success ends a failure streak even when it was sent in the same batch as
// the failure: "consecutive failed attempts" must not count across it.
func TestWebhooksSuccessAfterFailureInOneBatchEndsTheStreak(t *testing.T) {
	e := newHookEnv(t)
	rc := newHookReceiver(t)
	rc.setReply(echoCode)
	hid := hookStr(e.ok("POST", "/api/v1/webhooks", e.member, `{"url":"`+rc.URL()+`","events":["project.created"]}`, 201), "id")
	e.pump()
	rc.take()

	// Both deliveries are claimed together; the success answers only once
	// the failure is recorded, so it is the newer outcome.
	status := func() string {
		sub, err := e.wh.Get(e.ctx, core.Actor{User: e.mia}, mustID(t, hid))
		if err != nil {
			t.Error(err)
		}
		return sub.Status
	}
	rc.setReply(func(w http.ResponseWriter, d delivered) {
		if strings.Contains(string(d.body), `"Fails"`) {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		for deadline := time.Now().Add(5 * time.Second); status() != core.SubPending && time.Now().Before(deadline); {
			time.Sleep(time.Millisecond)
		}
		w.WriteHeader(http.StatusOK)
	})
	e.do(e.mia, core.AddProject{Project: "Fails"})
	e.do(e.mia, core.AddProject{Project: "Works"})
	e.pump()
	if got := rc.take(); len(got) != 2 {
		t.Fatalf("received %v", hookTypes(got))
	}
	if s := status(); s != core.SubActive {
		t.Fatal("regression: the fast path of delivery.Decide (delivery/policy.go, `o.OK() && !o.Validated && sub.Status == " +
			"core.SubActive && sub.Failures == 0`) trusts the subscription as it was at claim time, so a success recorded " +
			"after a failure of the same batch neither resets Failures nor turns pending back to active (and two later " +
			"failures then disable it, counted as three): status " + s)
	}
	// Two more failures (the retry of "Fails", then a new event) are two
	// consecutive ones, not three: pending, not disabled.
	rc.setReply(func(w http.ResponseWriter, d delivered) { w.WriteHeader(http.StatusInternalServerError) })
	e.clock.Add(70 * time.Second)
	e.pump()
	e.do(e.mia, core.AddProject{Project: "Again"})
	e.pump()
	if got := hookTypes(rc.take()); len(got) != 2 {
		t.Fatalf("received %v", got)
	}
	if s := status(); s != core.SubPending {
		t.Fatalf("after two consecutive failures: %s", s)
	}
}

func mustID(t testing.TB, s string) core.ID {
	t.Helper()
	id, err := core.ParseID(s)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// A delivery whose last scheduled attempt fails is given up: the metric
// counts it as failed, not as a retry.
func TestWebhooksMetricsCountGivingUp(t *testing.T) {
	e := newHookEnv(t, func(_ *webhooks.Options, o *delivery.Options) {
		o.RetrySchedule = []time.Duration{0, time.Minute}
		o.DisableAfter = 10
	})
	rc := newHookReceiver(t)
	rc.setReply(echoCode)
	hid := hookStr(e.ok("POST", "/api/v1/webhooks", e.member, `{"url":"`+rc.URL()+`","events":["project.created"]}`, 201), "id")
	e.pump()
	rc.setReply(func(w http.ResponseWriter, d delivered) { w.WriteHeader(http.StatusBadGateway) })
	e.do(e.mia, core.AddProject{Project: "Doomed"})
	e.pump()
	e.clock.Add(70 * time.Second)
	e.pump()
	e.clock.Add(time.Hour)
	e.pump()
	if got := rc.take(); len(got) != 3 { // the ping, two attempts
		t.Fatalf("received %v", hookTypes(got))
	}
	if log := hookList(t, e.ok("GET", "/api/v1/webhooks/"+hid+"/deliveries", e.member, "", 200)); len(log) != 3 || log[0]["attempt"] != 2.0 {
		t.Fatalf("log %v", log)
	}
	_, b, _ := e.send("GET", "/metrics", "", "", "")
	if !strings.Contains(string(b), `gateway_webhook_queue_depth 0`) {
		t.Fatalf("the given-up delivery is still queued:\n%s", b)
	}
	if !strings.Contains(string(b), `gateway_webhook_deliveries_total{outcome="failed"} 1`) {
		t.Fatal("regression: delivery.Engine.record (delivery/deliver.go, the metrics switch at its end) counts outcome=\"failed\" " +
			"only for permanent errors; an attempt that uses up GATEWAY_RETRY_SCHEDULE marks the delivery failed but is " +
			"counted as outcome=\"retry\"")
	}
	if !strings.Contains(string(b), `gateway_webhook_deliveries_total{outcome="retry"} 1`) {
		t.Fatalf("retry count:\n%s", b)
	}
}
