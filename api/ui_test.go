package api_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/mux"

	"github.com/chatops/gateway/api"
	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/delivery"
	"github.com/chatops/gateway/internal/ratelimit"
	"github.com/chatops/gateway/store/sqlite"
	"github.com/chatops/gateway/webhooks"
)

// The admin web page (/ui/) through the real router on a temp SQLite store,
// as a browser without script would use it: plain GETs and form POSTs, no
// redirects followed, cookies handled by hand.

// uiEnv is hookEnv (boss the admin, members mia and bob) with the API's log
// kept, a public URL, and a receiver for webhooks.
type uiEnv struct {
	*hookEnv
	logs *syncBuffer
	rc   *hookReceiver
}

type uiEnvOptions struct {
	publicURL string // default: the test server's URL
	tls       bool   // serve over TLS
	noHooks   bool   // no webhooks.Service
	// actions limits tests, replays and resends (nil: no rate)
	actions *ratelimit.Keyed
	// wrap, when set, wraps the store the services use (the env's store
	// field stays the bare one, for setting up).
	wrap func(core.Store) core.Store
}

func newUIEnv(t testing.TB, o uiEnvOptions) *uiEnv {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "ui.db"), sqlite.Options{Synchronous: "OFF"})
	if err != nil {
		t.Fatal(err)
	}
	clock := &hookClock{t: time.Now().UTC().Truncate(time.Second)}
	var used core.Store = st
	if o.wrap != nil {
		used = o.wrap(st)
	}
	svc := core.NewService(used, core.Options{Now: clock.Now})
	r := mux.NewRouter()
	srv := httptest.NewUnstartedServer(r)
	if o.tls {
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(func() {
		srv.Close()
		st.Close()
	})
	if o.publicURL == "" {
		o.publicURL = srv.URL
	}
	var wh *webhooks.Service
	var engine *delivery.Engine
	if !o.noHooks {
		wh = webhooks.New(svc, webhooks.Options{Now: clock.Now, AllowPrivateTargets: true, PublicURL: o.publicURL})
		engine = delivery.New(st, wh, delivery.Options{Now: clock.Now, AllowPrivateTargets: true,
			Version: "test", RetrySchedule: []time.Duration{0, time.Minute}, DisableAfter: 3, Timeout: 5 * time.Second})
	}
	logs := &syncBuffer{}
	api.New(svc, api.Options{Logger: slog.New(slog.NewJSONHandler(logs, nil)), Version: "test", Webhooks: wh,
		PublicURL: o.publicURL, WebhookActions: o.actions}).Register(r)
	e := &hookEnv{t: t, ctx: ctx, store: st, svc: svc, wh: wh, engine: engine, srv: srv, handler: r, clock: clock}
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
	clock.Add(time.Millisecond)
	return &uiEnv{hookEnv: e, logs: logs, rc: newHookReceiver(t)}
}

// page is one answer of the web page.
type page struct {
	status int
	body   string
	header http.Header
	res    *http.Response
}

// request sends a request with an optional session cookie and form; it
// never follows redirects.
func (e *uiEnv) request(method, path string, cookie *http.Cookie, form url.Values, header map[string]string) page {
	e.t.Helper()
	var rd io.Reader
	if form != nil {
		rd = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if cookie != nil {
		req.AddCookie(cookie)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	client := *e.srv.Client()
	client.Jar = nil
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := client.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return page{status: res.StatusCode, body: string(b), header: res.Header, res: res}
}

func (e *uiEnv) get(path string, cookie *http.Cookie) page {
	e.t.Helper()
	return e.request(http.MethodGet, path, cookie, nil, nil)
}

func (e *uiEnv) post(path string, cookie *http.Cookie, form url.Values) page {
	e.t.Helper()
	return e.request(http.MethodPost, path, cookie, form, nil)
}

// login logs in with a token and returns the session cookie.
func (e *uiEnv) login(token string) *http.Cookie {
	e.t.Helper()
	p := e.post("/ui/login", nil, url.Values{"token": {token}})
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/ui/" {
		e.t.Fatalf("login: status %d, Location %q: %s", p.status, p.header.Get("Location"), p.body)
	}
	for _, c := range p.res.Cookies() {
		if c.Name == "gateway_session" {
			return c
		}
	}
	e.t.Fatalf("login set no session cookie: %v", p.header["Set-Cookie"])
	return nil
}

var csrfField = regexp.MustCompile(`name="csrf" value="([0-9a-f]{64})"`)

// csrf returns the CSRF token of the session's dashboard forms.
func (e *uiEnv) csrf(cookie *http.Cookie) string {
	e.t.Helper()
	p := e.get("/ui/", cookie)
	m := csrfField.FindStringSubmatch(p.body)
	if p.status != http.StatusOK || m == nil {
		e.t.Fatalf("dashboard: status %d, no CSRF field: %s", p.status, p.body)
	}
	return m[1]
}

// hook creates a webhook as the token's user, to the receiver under a
// secret path, and returns its id.
func (e *uiEnv) hook(token, name string) string {
	e.t.Helper()
	body := fmt.Sprintf(`{"name": %q, "url": %q, "events": ["tracker.*", {"entity": "project", "action": "*"}]}`,
		name, e.rc.URL()+"/secret-path-s3cr3t?key=k3y")
	return hookStr(e.ok("POST", "/api/v1/webhooks", token, body, http.StatusCreated), "id")
}

func (e *uiEnv) sub(id string) core.Subscription {
	e.t.Helper()
	sid, err := core.ParseID(id)
	if err != nil {
		e.t.Fatal(err)
	}
	sub, err := e.wh.Get(e.ctx, core.Actor{User: e.boss}, sid)
	if err != nil {
		e.t.Fatal(err)
	}
	return sub
}

// entry adds a finished 30-minute entry for u that started ago before now.
func (e *uiEnv) entry(u core.User, task core.Task, ago time.Duration, note string) {
	e.t.Helper()
	start := e.clock.Now().Add(-ago)
	end := start.Add(30 * time.Minute)
	if _, err := e.svc.CreateEntry(e.ctx, core.Actor{User: u, Source: "test"},
		core.NewEntry{TaskID: task.ID, Start: start, End: &end, Note: note}); err != nil {
		e.t.Fatal(err)
	}
}

func (e *uiEnv) task(project, name string) core.Task {
	e.t.Helper()
	boss := core.Actor{User: e.boss, Source: "test"}
	p, err := e.svc.CreateProject(e.ctx, boss, core.NewProject{Name: project})
	if err != nil {
		e.t.Fatal(err)
	}
	task, err := e.svc.CreateTask(e.ctx, boss, core.NewTask{Name: name, ProjectID: p.ID})
	if err != nil {
		e.t.Fatal(err)
	}
	return task
}

func contains(t *testing.T, what, body string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("%s does not contain %q:\n%s", what, w, body)
		}
	}
}

func lacks(t *testing.T, what, body string, unwanted ...string) {
	t.Helper()
	for _, w := range unwanted {
		if strings.Contains(body, w) {
			t.Errorf("%s contains %q:\n%s", what, w, body)
		}
	}
}

// checkSecurityHeaders asserts the headers every answer of the page has.
func checkSecurityHeaders(t *testing.T, what string, h http.Header) {
	t.Helper()
	want := map[string]string{
		"X-Frame-Options":        "DENY",
		"Referrer-Policy":        "no-referrer",
		"Cache-Control":          "no-store",
		"X-Content-Type-Options": "nosniff",
	}
	for k, v := range want {
		if got := h.Get(k); got != v {
			t.Errorf("%s: %s = %q, want %q", what, k, got, v)
		}
	}
	csp := h.Get("Content-Security-Policy")
	// Nothing but the page's own stylesheet, images and forms: default-src
	// 'none' forbids script of any origin.
	for _, d := range []string{"default-src 'none'", "style-src 'self'", "frame-ancestors 'none'", "form-action 'self'"} {
		if !strings.Contains(csp, d) {
			t.Errorf("%s: Content-Security-Policy %q lacks %q", what, csp, d)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || (strings.Contains(csp, "script-src") && !strings.Contains(csp, "script-src 'none'")) {
		t.Errorf("%s: Content-Security-Policy %q allows script or inline style", what, csp)
	}
}

func TestUILoginPage(t *testing.T) {
	e := newUIEnv(t, uiEnvOptions{})
	p := e.get("/ui/", nil)
	if p.status != http.StatusOK {
		t.Fatalf("GET /ui/ without a session: %d", p.status)
	}
	if ct := p.header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	contains(t, "login page", p.body, `<form method="post" action="/ui/login"`, `type="password" id="token" name="token"`,
		`<link rel="stylesheet" href="/ui/static/ui.css">`)
	lacks(t, "login page", p.body, "<script", "Log out")
	checkSecurityHeaders(t, "login page", p.header)

	if p := e.get("/ui", nil); p.status != http.StatusMovedPermanently || p.header.Get("Location") != "/ui/" {
		t.Errorf("GET /ui: %d to %q, want 301 to /ui/", p.status, p.header.Get("Location"))
	}
	if p := e.get("/ui/login", nil); p.status != http.StatusSeeOther || p.header.Get("Location") != "/ui/" {
		t.Errorf("GET /ui/login: %d to %q, want 303 to /ui/", p.status, p.header.Get("Location"))
	}
	// Any other page without a session is the login form, 401.
	p = e.get("/ui/webhooks/1", nil)
	if p.status != http.StatusUnauthorized || !strings.Contains(p.body, `action="/ui/login"`) {
		t.Errorf("GET /ui/webhooks/1 without a session: %d: %s", p.status, p.body)
	}
}

func TestUILoginWrongToken(t *testing.T) {
	e := newUIEnv(t, uiEnvOptions{})
	for _, token := range []string{"gw_not-a-token", ""} {
		p := e.post("/ui/login", nil, url.Values{"token": {token}})
		if p.status != http.StatusUnauthorized {
			t.Fatalf("login with %q: %d, want 401", token, p.status)
		}
		if len(p.res.Cookies()) != 0 {
			t.Errorf("a failed login set cookies: %v", p.header["Set-Cookie"])
		}
		contains(t, "failed login", p.body, `id="message"`, `action="/ui/login"`)
		checkSecurityHeaders(t, "failed login", p.header)
	}
	contains(t, "failed login", e.post("/ui/login", nil, url.Values{"token": {"gw_not-a-token"}}).body, "That token is not valid")
	lacks(t, "the log", e.logs.String(), "gw_not-a-token")
}

func TestUILoginSetsCookie(t *testing.T) {
	e := newUIEnv(t, uiEnvOptions{})
	c := e.login(e.admin)
	if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/ui/" || c.Secure {
		t.Errorf("cookie %+v: want HttpOnly, SameSite=Strict, Path=/ui/, not Secure over http", c)
	}
	// A random session id, nothing of the token; each login a new session
	// with its own CSRF token.
	if strings.Contains(c.Value, e.admin) || strings.Contains(e.admin, c.Value) ||
		strings.Contains(c.Value, base64.RawURLEncoding.EncodeToString([]byte(e.admin))) {
		t.Errorf("cookie value %q holds the token", c.Value)
	}
	csrf := e.csrf(c)
	if strings.Contains(c.Value, csrf) {
		t.Errorf("the cookie %q holds the CSRF token %q", c.Value, csrf)
	}
	if again := e.login(e.admin); again.Value == c.Value || e.csrf(again) == csrf {
		t.Errorf("a second login kept the session %q or its CSRF token %q", c.Value, csrf)
	}
	p := e.get("/ui/", c)
	if p.status != http.StatusOK {
		t.Fatalf("dashboard: %d", p.status)
	}
	contains(t, "dashboard", p.body, `id="me-name">admin<`, `id="me-role">admin<`, `action="/ui/logout"`)
	lacks(t, "the log", e.logs.String(), e.admin)

	// Secure when the public URL is https (a proxy terminates TLS) or the
	// request came over TLS.
	for _, o := range []uiEnvOptions{{publicURL: "https://gateway.example.com"}, {tls: true}} {
		e := newUIEnv(t, o)
		if c := e.login(e.member); !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/ui/" {
			t.Errorf("%+v: cookie %+v, want Secure too", o, c)
		}
	}
}

func TestUIDashboardAdminAndMember(t *testing.T) {
	e := newUIEnv(t, uiEnvOptions{})
	e.rc.setReply(echoCode)
	bossHook, miaHook, bobHook := e.hook(e.admin, "Boss billing"), e.hook(e.member, "Mia sheet"), e.hook(e.other, "Bob board")
	e.pump() // pings answered: the hooks are active and have a last delivery
	task := e.task("Website", "Fix login")
	e.entry(e.mia, task, 3*time.Hour, "mia-note")
	e.entry(e.bob, task, 2*time.Hour, "bob-note")
	host := strings.TrimPrefix(e.rc.URL(), "http://")

	p := e.get("/ui/", e.login(e.admin))
	if p.status != http.StatusOK {
		t.Fatalf("admin dashboard: %d", p.status)
	}
	contains(t, "admin dashboard", p.body, `id="me-role">admin<`,
		`id="webhook-`+bossHook+`"`, `id="webhook-`+miaHook+`"`, `id="webhook-`+bobHook+`"`,
		"Boss billing", "Mia sheet", "Bob board", host, "tracker.*, project.*", "standard",
		`<span class="status status-active">active</span>`, `<span class="code">200</span>`,
		`href="/ui/webhooks/`+bobHook+`"`, `action="/ui/webhooks/`+bobHook+`/disable"`, `action="/ui/webhooks/`+bobHook+`/test"`,
		`<th scope="col">Owner</th>`, "mia-note", "bob-note", "Fix login", "Website", "30m")
	lacks(t, "admin dashboard", p.body, "secret-path-s3cr3t", "k3y", "whsec_")

	p = e.get("/ui/", e.login(e.member))
	contains(t, "member dashboard", p.body, `id="me-name">Mia<`, `id="me-role">member<`, "Mia sheet",
		`id="webhook-`+miaHook+`"`, "mia-note", "Your recent time entries")
	lacks(t, "member dashboard", p.body, "Boss billing", "Bob board", `webhook-`+bobHook+`"`, "bob-note",
		"secret-path-s3cr3t", `<th scope="col">Owner</th>`)

	// Without outgoing webhooks the page says so.
	n := newUIEnv(t, uiEnvOptions{noHooks: true})
	contains(t, "dashboard without webhooks", n.get("/ui/", n.login(n.admin)).body, "Outgoing webhooks are not enabled")
}

func TestUIRecentEntries(t *testing.T) {
	e := newUIEnv(t, uiEnvOptions{})
	task := e.task("Ops", "Triage")
	// 5 entries in the last week and 20 older ones, added oldest last, so
	// the store's id order is not the order of their starts.
	for i := range 5 {
		e.entry(e.mia, task, time.Duration(i+1)*time.Hour, fmt.Sprintf("recent-%d", i))
	}
	for i := range 20 {
		e.entry(e.mia, task, time.Duration(10+i)*24*time.Hour, fmt.Sprintf("old-%02d", i))
	}
	e.entry(e.mia, task, 2*time.Hour+30*time.Minute, "late-log") // added last, started between recent-1 and recent-2

	p := e.get("/ui/", e.login(e.member))
	notes := regexp.MustCompile(`<td class="note" data-label="Note">([^<]*)</td>`).FindAllStringSubmatch(p.body, -1)
	var got []string
	for _, m := range notes {
		got = append(got, m[1])
	}
	want := []string{"recent-0", "recent-1", "late-log", "recent-2", "recent-3", "recent-4"}
	for i := range 14 {
		want = append(want, fmt.Sprintf("old-%02d", i))
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("entries shown:\n %v\nwant the 20 newest by start:\n %v", got, want)
	}
}

func TestUIWebhookButtons(t *testing.T) {
	e := newUIEnv(t, uiEnvOptions{})
	id := e.hook(e.member, "Mia sheet")
	bobs := e.hook(e.other, "Bob board")
	c := e.login(e.member)
	tok := e.csrf(c)

	p := e.post("/ui/webhooks/"+id+"/disable", c, url.Values{"csrf": {tok}})
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/ui/?done=disable" {
		t.Fatalf("disable: %d to %q: %s", p.status, p.header.Get("Location"), p.body)
	}
	if s := e.sub(id); s.Enabled || s.Status != core.SubDisabled {
		t.Errorf("after disable: enabled %v, status %s", s.Enabled, s.Status)
	}
	d := e.get("/ui/?done=disable", c)
	contains(t, "dashboard after disable", d.body, `id="notice"`, `data-status="disabled"`, `action="/ui/webhooks/`+id+`/enable"`)

	if p := e.post("/ui/webhooks/"+id+"/enable", c, url.Values{"csrf": {tok}}); p.status != http.StatusSeeOther {
		t.Fatalf("enable: %d: %s", p.status, p.body)
	}
	if s := e.sub(id); !s.Enabled || s.Status == core.SubDisabled {
		t.Errorf("after enable: enabled %v, status %s", s.Enabled, s.Status)
	}

	before := e.outbox()
	p = e.post("/ui/webhooks/"+id+"/test", c, url.Values{"csrf": {tok}, "back": {"log"}})
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/ui/webhooks/"+id+"?done=test" {
		t.Fatalf("test: %d to %q", p.status, p.header.Get("Location"))
	}
	if n := e.outbox() - before; n != 1 {
		t.Errorf("test wrote %d events, want one webhook.ping", n)
	}
	e.pump()
	if got := hookTypes(e.rc.take()); strings.Join(got, ",") != "webhook.ping,webhook.ping,webhook.ping" {
		t.Errorf("receiver got %v, want the two creation pings and the test ping", got)
	}

	// Another member's webhook is not found, and stays as it was.
	p = e.post("/ui/webhooks/"+bobs+"/disable", c, url.Values{"csrf": {tok}})
	if p.status != http.StatusNotFound || !strings.Contains(p.body, "not found") {
		t.Errorf("disable Bob's webhook as Mia: %d: %s", p.status, p.body)
	}
	if s := e.sub(bobs); !s.Enabled {
		t.Error("Mia disabled Bob's webhook")
	}
	// An admin may.
	a := e.login(e.admin)
	if p := e.post("/ui/webhooks/"+bobs+"/disable", a, url.Values{"csrf": {e.csrf(a)}}); p.status != http.StatusSeeOther {
		t.Errorf("admin disables Bob's webhook: %d", p.status)
	}
	if p := e.post("/ui/webhooks/999/test", a, url.Values{"csrf": {e.csrf(a)}}); p.status != http.StatusNotFound {
		t.Errorf("test of an unknown webhook: %d, want 404", p.status)
	}
}

func TestUIRefusesFormsWithoutCSRF(t *testing.T) {
	e := newUIEnv(t, uiEnvOptions{})
	id := e.hook(e.member, "Mia sheet")
	c := e.login(e.member)
	bobsCSRF := e.csrf(e.login(e.other))
	before := e.outbox()
	for name, form := range map[string]url.Values{
		"no token":             {},
		"wrong token":          {"csrf": {strings.Repeat("0", 64)}},
		"another user's token": {"csrf": {bobsCSRF}},
	} {
		for _, action := range []string{"disable", "test"} {
			p := e.post("/ui/webhooks/"+id+"/"+action, c, form)
			if p.status != http.StatusForbidden {
				t.Errorf("%s with %s: %d, want 403", action, name, p.status)
			}
			contains(t, action+" with "+name, p.body, "This form has expired")
			checkSecurityHeaders(t, "403 page", p.header)
		}
		// Logout needs it too.
		if p := e.post("/ui/logout", c, form); p.status != http.StatusForbidden || len(p.res.Cookies()) != 0 {
			t.Errorf("logout with %s: %d, cookies %v", name, p.status, p.res.Cookies())
		}
	}
	if s := e.sub(id); !s.Enabled {
		t.Error("a refused form disabled the webhook")
	}
	if n := e.outbox() - before; n != 0 {
		t.Errorf("refused forms wrote %d events", n)
	}
}

func TestUIRefusesCrossSiteForms(t *testing.T) {
	e := newUIEnv(t, uiEnvOptions{publicURL: "https://gateway.example.com"})
	id := e.hook(e.member, "Mia sheet")
	c := e.login(e.member)
	form := url.Values{"csrf": {e.csrf(c)}}
	for _, h := range []map[string]string{
		{"Origin": "https://evil.example"},
		{"Origin": "null"},
		{"Sec-Fetch-Site": "cross-site"},
		{"Sec-Fetch-Site": "same-site", "Origin": "https://ui.gateway.example.com"},
	} {
		p := e.request(http.MethodPost, "/ui/webhooks/"+id+"/disable", c, form, h)
		if p.status != http.StatusForbidden || !strings.Contains(p.body, "another site") {
			t.Errorf("disable with %v: %d: %s", h, p.status, p.body)
		}
		p = e.request(http.MethodPost, "/ui/login", nil, url.Values{"token": {e.member}}, h)
		if p.status != http.StatusForbidden || len(p.res.Cookies()) != 0 {
			t.Errorf("login with %v: %d, cookies %v", h, p.status, p.res.Cookies())
		}
	}
	if s := e.sub(id); !s.Enabled {
		t.Error("a cross-site form disabled the webhook")
	}
	// The page's own origin, and the public URL's, are fine.
	for _, origin := range []string{e.srv.URL, "https://gateway.example.com"} {
		p := e.request(http.MethodPost, "/ui/webhooks/"+id+"/test", c, form, map[string]string{"Origin": origin})
		if p.status != http.StatusSeeOther {
			t.Errorf("test with Origin %s: %d: %s", origin, p.status, p.body)
		}
	}
	p := e.request(http.MethodPost, "/ui/webhooks/"+id+"/test", c, form, map[string]string{"Sec-Fetch-Site": "same-origin"})
	if p.status != http.StatusSeeOther {
		t.Errorf("test with Sec-Fetch-Site same-origin: %d", p.status)
	}
}

func TestUIEscapes(t *testing.T) {
	e := newUIEnv(t, uiEnvOptions{})
	const xss = `<script>alert(1)</script>`
	id := e.hook(e.member, xss)
	e.rc.setReply(func(w http.ResponseWriter, d delivered) {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, `<img src=x onerror=alert(2)>`)
	})
	e.pump()
	e.entry(e.mia, e.task("P", "T"), time.Hour, `"><b>bold</b>`)
	c := e.login(e.member)
	for _, path := range []string{"/ui/", "/ui/webhooks/" + id} {
		p := e.get(path, c)
		if p.status != http.StatusOK {
			t.Fatalf("%s: %d", path, p.status)
		}
		lacks(t, path, p.body, "<script", "<img", "<b>bold")
		contains(t, path, p.body, "&lt;script&gt;alert(1)&lt;/script&gt;")
	}
	contains(t, "log page", e.get("/ui/webhooks/"+id, c).body, "&lt;img src=x onerror=alert(2)&gt;")
	contains(t, "dashboard", e.get("/ui/", c).body, "&#34;&gt;&lt;b&gt;bold&lt;/b&gt;")
}

func TestUIDeliveryLog(t *testing.T) {
	e := newUIEnv(t, uiEnvOptions{})
	id := e.hook(e.member, "Mia sheet")
	bobs := e.hook(e.other, "Bob board")
	e.rc.setReply(func(w http.ResponseWriter, d delivered) {
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = io.WriteString(w, "receiver says no "+strings.Repeat("x", 300))
	})
	e.pump()
	e.clock.Add(2 * time.Minute) // the retry is due
	e.pump()

	c := e.login(e.member)
	p := e.get("/ui/webhooks/"+id, c)
	if p.status != http.StatusOK {
		t.Fatalf("log: %d: %s", p.status, p.body)
	}
	contains(t, "log page", p.body, "<h1>Mia sheet</h1>", `id="attempts"`, "webhook.ping",
		`<td class="num code" data-label="Status">500</td>`, `<td class="num" data-label="Attempt">1</td>`, `<td class="num" data-label="Attempt">2</td>`, " ms</td>",
		"http_status", "receiver says no", "<details>", `action="/ui/webhooks/`+id+`/test"`,
		`<input type="hidden" name="back" value="log">`)
	lacks(t, "log page", p.body, "secret-path-s3cr3t")
	if n := strings.Count(p.body, `<tr class="failed"`); n != 2 {
		t.Errorf("log shows %d failed attempts, want 2", n)
	}
	checkSecurityHeaders(t, "log page", p.header)

	for _, path := range []string{"/ui/webhooks/" + bobs, "/ui/webhooks/999", "/ui/webhooks/abc", "/ui/nothing-here"} {
		p := e.get(path, c)
		if p.status != http.StatusNotFound || !strings.Contains(p.body, "404 Not Found") {
			t.Errorf("GET %s as Mia: %d: %s", path, p.status, p.body)
		}
		lacks(t, path, p.body, "Bob board")
		checkSecurityHeaders(t, "404 page", p.header)
	}
	if p := e.get("/ui/webhooks/"+bobs, e.login(e.admin)); p.status != http.StatusOK || !strings.Contains(p.body, "Bob board") {
		t.Errorf("admin reads Bob's log: %d", p.status)
	}
}

func TestUILogout(t *testing.T) {
	e := newUIEnv(t, uiEnvOptions{})
	c := e.login(e.member)
	p := e.post("/ui/logout", c, url.Values{"csrf": {e.csrf(c)}})
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/ui/" {
		t.Fatalf("logout: %d to %q", p.status, p.header.Get("Location"))
	}
	cs := p.res.Cookies()
	if len(cs) != 1 || cs[0].Name != "gateway_session" || cs[0].MaxAge >= 0 || cs[0].Value != "" || cs[0].Path != "/ui/" {
		t.Errorf("logout cookies %v, want gateway_session cleared", p.header["Set-Cookie"])
	}
	contains(t, "after logout", e.get("/ui/", nil).body, `action="/ui/login"`)
}

func TestUIEndedSession(t *testing.T) {
	e := newUIEnv(t, uiEnvOptions{})
	token, zed, err := e.svc.IssueToken(e.ctx, core.Actor{User: e.boss, Source: "test"}, core.TokenRequest{User: "Zed"})
	if err != nil {
		t.Fatal(err)
	}
	c := e.login(token)
	if p := e.get("/ui/", c); p.status != http.StatusOK {
		t.Fatalf("dashboard: %d", p.status)
	}
	e.ok("DELETE", "/api/v1/users/"+zed.ID.String(), e.admin, "", http.StatusNoContent)
	for _, req := range []func() page{
		func() page { return e.get("/ui/", c) },
		func() page { return e.get("/ui/webhooks/1", c) },
		func() page { return e.post("/ui/logout", c, url.Values{"csrf": {"x"}}) },
	} {
		p := req()
		if p.status != http.StatusUnauthorized {
			t.Errorf("ended session: %d, want 401", p.status)
		}
		contains(t, "ended session", p.body, `action="/ui/login"`, "Your session has ended")
		if cs := p.res.Cookies(); len(cs) != 1 || cs[0].MaxAge >= 0 {
			t.Errorf("ended session: cookie not cleared: %v", p.header["Set-Cookie"])
		}
	}
	// A cookie that is not one of ours is the same.
	p := e.get("/ui/", &http.Cookie{Name: "gateway_session", Value: "%%%"})
	if p.status != http.StatusUnauthorized || !strings.Contains(p.body, `action="/ui/login"`) {
		t.Errorf("malformed cookie: %d", p.status)
	}
}

func TestUISecurityHeaders(t *testing.T) {
	e := newUIEnv(t, uiEnvOptions{})
	id := e.hook(e.member, "Mia sheet")
	c := e.login(e.member)
	for _, tc := range []struct {
		method, path string
		cookie       *http.Cookie
		form         url.Values
		status       int
	}{
		{"GET", "/ui/", nil, nil, 200},
		{"GET", "/ui/", c, nil, 200},
		{"HEAD", "/ui/", c, nil, 200},
		{"GET", "/ui/webhooks/" + id, c, nil, 200},
		{"GET", "/ui/webhooks/999", c, nil, 404},
		{"GET", "/ui/static/ui.css", nil, nil, 200},
		{"GET", "/ui/static/nope.css", nil, nil, 404},
		{"POST", "/ui/login", nil, url.Values{"token": {"bad"}}, 401},
		{"POST", "/ui/login", nil, url.Values{"token": {e.member}}, 303},
		{"POST", "/ui/webhooks/" + id + "/disable", c, url.Values{}, 403},
		{"POST", "/ui/webhooks/" + id + "/disable", c, url.Values{"csrf": {e.csrf(c)}}, 303},
		{"POST", "/ui/", c, url.Values{"csrf": {e.csrf(c)}}, 405},
		{"DELETE", "/ui/webhooks/" + id, c, nil, 405},
		{"GET", "/ui/no/such/page", c, nil, 404},
	} {
		p := e.request(tc.method, tc.path, tc.cookie, tc.form, nil)
		what := tc.method + " " + tc.path
		if p.status != tc.status {
			t.Errorf("%s: %d, want %d", what, p.status, tc.status)
		}
		checkSecurityHeaders(t, what, p.header)
	}
	p := e.get("/ui/static/ui.css", nil)
	if ct := p.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/css") || !strings.Contains(p.body, "font") {
		t.Errorf("stylesheet: Content-Type %q, body %.40q", ct, p.body)
	}
	// A form too large is refused before anything reads it.
	big := url.Values{"csrf": {strings.Repeat("a", 70<<10)}}
	if p := e.post("/ui/webhooks/"+id+"/test", c, big); p.status != http.StatusRequestEntityTooLarge {
		t.Errorf("large form: %d, want 413", p.status)
	}
}
