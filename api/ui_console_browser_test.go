package api_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/chatops/gateway/core"
)

// The console in a real browser: headless Chromium drives the whole flow of
// a new admin, at desktop width and again at 390 px, then a member's view.
// With UPDATE_SCREENSHOTS=1 it writes screenshots of the main pages to
// docs/screenshots/.

// browser is one Chromium tab at a width, failing the test on anything the
// browser logs as an error (a CSP violation, a missing file).
type browser struct {
	t        *testing.T
	ctx      context.Context
	width    int64
	mu       sync.Mutex
	problems []string
	// expected are URLs whose 404 the test asks for.
	expected map[string]bool
}

func newBrowser(t *testing.T, width, height int64) *browser {
	t.Helper()
	if _, err := os.Stat(chromium); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI is set but %s is missing (.ci/run installs it): %v", chromium, err)
		}
		t.Skipf("%s is not installed (apt-get install -y chromium); the browser test needs it", chromium)
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("hide-scrollbars", true), chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck)
	t.Cleanup(cancelAlloc)
	tab, cancelTab := chromedp.NewContext(allocCtx)
	t.Cleanup(cancelTab)
	if err := chromedp.Do(tab); err != nil {
		t.Fatalf("start %s: %v", chromium, err)
	}
	b := &browser{t: t, width: width, expected: map[string]bool{}}
	if err := chromedp.Listen(tab, func(ev any) {
		if ev, ok := ev.(*cdplog.EventEntryAdded); ok && ev.Entry.Level == cdplog.EntryLevelError {
			b.mu.Lock()
			b.problems = append(b.problems, ev.Entry.Text+" "+ev.Entry.URL)
			b.mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(tab, 2*time.Minute)
	t.Cleanup(cancel)
	b.ctx = ctx
	b.do("set the viewport", chromedp.EmulateViewport(width, height))
	t.Cleanup(func() {
		b.mu.Lock()
		defer b.mu.Unlock()
	next:
		for _, p := range b.problems {
			for u := range b.expected {
				if strings.HasSuffix(p, " "+u) && strings.Contains(p, "404") {
					continue next
				}
			}
			t.Errorf("the browser logged an error: %s", p)
		}
	})
	return b
}

func (b *browser) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// setField sets the value of the input with that id in the page as it is
// now, by script: a node query can hold a node of the page before the last
// navigation ("could not set value on node" under load).
func (b *browser) setField(id, value string) {
	b.t.Helper()
	js := fmt.Sprintf(`(() => { const el = document.getElementById(%q); if (!el) { return "(no such field)" } el.value = %q; return el.value })()`, id, value)
	got, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](js))
	if err != nil || got != value {
		b.t.Fatalf("setting #%s to %q: got %q, %v", id, value, got, err)
	}
}

// submit runs actions that load a page (a click on a button or link) and
// waits for it; it returns the page's HTTP status.
func (b *browser) submit(what string, actions ...chromedp.Action[chromedp.Void]) int64 {
	b.t.Helper()
	res, err := chromedp.RunResponse(b.ctx, actions...)
	if err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
	return res.Status
}

// open loads a page and returns its status.
func (b *browser) open(url string) int64 {
	b.t.Helper()
	return b.submit("open "+url, chromedp.Navigate(url))
}

func (b *browser) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

func (b *browser) value(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Value(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("value of %s: %v", sel, err)
	}
	return s
}

// has reports whether the page has an element now (no waiting).
func (b *browser) has(sel string) bool {
	b.t.Helper()
	n, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](fmt.Sprintf("document.querySelector(%q) !== null", sel)))
	if err != nil {
		b.t.Fatalf("look for %s: %v", sel, err)
	}
	return n
}

// download fetches the href of the link sel with the browser's cookies,
// as the browser would download it: it must be a CSV attachment; it
// returns the file's first line.
func (b *browser) download(sel string) string {
	b.t.Helper()
	href, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](fmt.Sprintf("document.querySelector(%q).href", sel)))
	if err != nil {
		b.t.Fatalf("the href of %s: %v", sel, err)
	}
	cookies, err := chromedp.Run(b.ctx, func(ctx context.Context, t *chromedp.Target) ([]*network.Cookie, error) {
		res, err := cdp.Call(ctx, t, network.GetCookies, network.GetCookiesParams{URLs: []string{href}})
		return res.Cookies, err
	})
	if err != nil {
		b.t.Fatalf("the browser's cookies: %v", err)
	}
	req, err := http.NewRequestWithContext(b.ctx, http.MethodGet, href, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	for _, c := range cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		b.t.Fatalf("download %s: %v", href, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") ||
		!strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment;") {
		b.t.Fatalf("download %s: %d %q %q: %.200s", href, res.StatusCode, res.Header.Get("Content-Type"),
			res.Header.Get("Content-Disposition"), body)
	}
	first, _, _ := strings.Cut(string(body), "\n")
	return strings.TrimSuffix(first, "\r")
}

// fits fails when the page scrolls sideways: everything must fit the width.
func (b *browser) fits(what string) {
	b.t.Helper()
	w, err := chromedp.Run(b.ctx, chromedp.Evaluate[int64]("document.documentElement.scrollWidth"))
	if err != nil {
		b.t.Fatal(err)
	}
	if w > b.width {
		b.t.Errorf("%s at %d px: the page is %d px wide and scrolls sideways", what, b.width, w)
	}
}

// shot writes a screenshot of the viewport (with full, of the whole page)
// to docs/screenshots/NAME-KIND.png when UPDATE_SCREENSHOTS is set.
func (b *browser) shot(name, kind string, full ...bool) {
	b.t.Helper()
	if os.Getenv("UPDATE_SCREENSHOTS") == "" {
		return
	}
	capture := chromedp.CaptureScreenshot()
	if len(full) > 0 && full[0] {
		capture = chromedp.FullScreenshot(100)
	}
	png, err := chromedp.Run(b.ctx, capture)
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join("..", "docs", "screenshots", name+"-"+kind+".png")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		b.t.Fatal(err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

func TestUIConsoleInBrowser(t *testing.T) {
	for _, size := range []struct {
		kind          string
		width, height int64
	}{{"desktop", 1280, 860}, {"phone", 390, 844}} {
		t.Run(size.kind, func(t *testing.T) {
			consoleFlow(t, newBrowser(t, size.width, size.height), size.kind)
		})
	}
}

// consoleFlow is what a new admin does, then what a member may not.
func consoleFlow(t *testing.T, b *browser, kind string) {
	e := newUIEnv(t, uiEnvOptions{})
	e.rc.setReply(echoCode)
	base := e.srv.URL
	// Things of others: Mia's webhook and an entry, for the dashboard.
	e.hook(e.member, "Mia's timesheet")
	e.pump()
	task := e.task("Website", "Fix login")
	e.entry(e.mia, task, 2*time.Hour, "pairing with Bob")
	e.entry(e.boss, task, 3*time.Hour, "review")

	// Sign in with the keyboard alone: type the token, press Enter.
	if st := b.open(base + "/ui/"); st != http.StatusOK {
		t.Fatalf("login page: %d", st)
	}
	b.shot("login", kind)
	b.submit("sign in", chromedp.SendKeys(chromedp.ID("token"), e.admin+"\r"))
	if got := b.text("#me-name"); got != "admin" {
		t.Fatalf("signed in as %q", got)
	}
	b.fits("dashboard")

	// Create a webhook to the local receiver: the form's defaults tick
	// tracker.* and time_entry.*; add project.*.
	b.submit("open the new webhook form", chromedp.Click(chromedp.ID("new-webhook")))
	b.fits("webhook form")
	b.shot("webhook-form", kind)
	b.do("fill the form",
		chromedp.SendKeys(chromedp.ID("name"), "Billing"),
		chromedp.SendKeys(chromedp.ID("url"), e.rc.URL()+"/billing"),
		chromedp.Click(chromedp.ID("ev-project-all")))
	if st := b.submit("create the webhook", chromedp.Click(chromedp.ID("save"))); st != http.StatusOK {
		t.Fatalf("create: %d", st)
	}
	loc, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	id := strings.TrimPrefix(strings.TrimSuffix(loc, "?done=created"), base+"/ui/webhooks/")
	sub := e.sub(id)
	if sub.Name != "Billing" || eventsOf(sub) != "project.*, time_entry.*, tracker.*" || sub.Status != core.SubNotValidated {
		t.Fatalf("created %+v with events %s", sub, eventsOf(sub))
	}
	if got := b.text("#status"); got != core.SubNotValidated {
		t.Errorf("status before the ping is answered: %q", got)
	}

	// The receiver answers the ping: validated.
	e.pump()
	b.open(base + "/ui/webhooks/" + id)
	if got := b.text("#status"); got != core.SubActive {
		t.Errorf("status after the ping: %q, want active", got)
	}
	if got := b.text("#validated"); !strings.Contains(got, ":") {
		t.Errorf("validated at %q", got)
	}
	b.fits("webhook page")

	// Reveal the secret, from the keyboard: focus the button, press Enter.
	if b.has("#secret") {
		t.Error("the secret shows before it is revealed")
	}
	b.submit("reveal the secret", chromedp.Focus(chromedp.ID("reveal")), chromedp.KeyEvent("\r"))
	if got := b.text("#secret"); got != e.sub(id).Secret || !strings.HasPrefix(got, "whsec_") {
		t.Errorf("revealed secret %q, want the webhook's", got)
	}

	// Test: a ping goes out.
	e.rc.take()
	b.submit("test", chromedp.Click(chromedp.CSS("#webhook button.test")))
	if !strings.Contains(b.text("#notice"), "test ping is queued") {
		t.Errorf("notice after test: %q", b.text("#notice"))
	}
	e.pump()
	if got := hookTypes(e.rc.take()); strings.Join(got, ",") != "webhook.ping" {
		t.Errorf("the test sent %v", got)
	}

	// Disable and enable.
	b.submit("disable", chromedp.Click(chromedp.CSS("#webhook button.disable")))
	if got := b.text("#status"); got != core.SubDisabled || e.sub(id).Enabled {
		t.Errorf("after disable: page %q, enabled %v", got, e.sub(id).Enabled)
	}
	b.submit("enable", chromedp.Click(chromedp.CSS("#webhook button.enable")))
	if got := b.text("#status"); got != core.SubActive || !e.sub(id).Enabled {
		t.Errorf("after enable: page %q, enabled %v", got, e.sub(id).Enabled)
	}

	// An event, then the delivery log: resend it, same webhook-id.
	e.clock.Add(5 * time.Second)
	replayFrom := e.clock.Now().Truncate(time.Second)
	e.do(e.boss, core.AddProject{Project: "Payroll"})
	e.pump()
	got := e.rc.take()
	if len(got) != 1 || got[0].typ() != core.EventProjectCreated {
		t.Fatalf("delivered %v, want project.created", hookTypes(got))
	}
	eventID := got[0].header.Get("webhook-id")
	b.open(base + "/ui/webhooks/" + id)
	row := fmt.Sprintf(`#attempts tr[data-event-id=%q]`, eventID)
	if !b.has(row) {
		t.Fatalf("the log has no row of %s", eventID)
	}
	if got := b.text(row + " time"); len(got) < len("2006-01-02 15:04:05") || strings.Count(got, ":") != 2 {
		t.Errorf("attempt time %q is not to the second", got)
	}
	b.shot("webhook", kind, true)
	b.submit("resend", chromedp.Click(chromedp.CSS(row+" button.resend")))
	if !strings.Contains(b.text("#notice"), "same webhook-id") {
		t.Errorf("notice after resend: %q", b.text("#notice"))
	}
	e.pump()
	again := e.rc.take()
	if len(again) != 1 || again[0].header.Get("webhook-id") != eventID {
		t.Errorf("resend delivered %v, want %s again", hookTypes(again), eventID)
	}

	// Replay from just before the event until now (the end left empty):
	// the project event goes out again with its id.
	b.setField("since", replayFrom.Format("2006-01-02T15:04:05"))
	b.submit("replay", chromedp.Click(chromedp.ID("replay-submit")))
	if !strings.Contains(b.text("#notice"), "1 event of the window") {
		t.Errorf("notice after replay: %q", b.text("#notice"))
	}
	e.pump()
	if replayed := e.rc.take(); len(replayed) != 1 || replayed[0].header.Get("webhook-id") != eventID {
		t.Errorf("replay delivered %v", hookTypes(replayed))
	}

	// Dashboard figures.
	b.open(base + "/ui/")
	if n := b.text("#fig-delivered"); n == "0" {
		t.Errorf("delivered in the last 24 h: %s", n)
	}
	b.fits("dashboard with webhooks")
	b.shot("dashboard", kind)

	// An incoming URL: shown once, then deleted.
	b.submit("incoming page", chromedp.Click(chromedp.ID("nav-incoming")))
	b.do("name it", chromedp.SendKeys(chromedp.ID("incoming-name"), "CI pipeline"))
	b.submit("make the URL", chromedp.Click(chromedp.ID("incoming-submit")))
	hookURL := b.value("#new-url")
	if !strings.HasPrefix(hookURL, base+"/hooks/") {
		t.Fatalf("new incoming URL %q", hookURL)
	}
	b.fits("incoming URLs")
	b.shot("incoming", kind)
	b.open(base + "/ui/incoming")
	if b.has("#new-url") || strings.Contains(b.text("main"), hookURL) {
		t.Error("the incoming URL shows again")
	}
	b.submit("delete the URL", chromedp.Click(chromedp.CSS(`#incoming tr:last-child button`)))
	if strings.Contains(b.text("main"), "CI pipeline") {
		t.Error("the deleted incoming URL is still listed")
	}
	if _, _, err := e.svc.ResolveIncomingHook(e.ctx, strings.TrimPrefix(hookURL, base+"/hooks/")); core.ErrorCode(err) != core.ENOTFOUND {
		t.Errorf("the deleted URL still resolves: %v", err)
	}

	// A token: shown once, works, then revoked.
	b.submit("tokens page", chromedp.Click(chromedp.ID("nav-tokens")))
	b.do("for whom", chromedp.SendKeys(chromedp.ID("token-user"), "Neo"))
	b.submit("make the token", chromedp.Click(chromedp.ID("token-submit")))
	token := b.value("#new-token-value")
	if _, err := e.svc.Authenticate(e.ctx, token); err != nil {
		t.Fatalf("the new token does not work: %v", err)
	}
	b.fits("tokens")
	b.open(base + "/ui/tokens")
	if b.has("#new-token-value") {
		t.Error("the token shows again")
	}
	b.shot("tokens", kind)
	b.submit("revoke", chromedp.Click(chromedp.CSS(`#tokens tr:last-child button`)))
	if _, err := e.svc.Authenticate(e.ctx, token); core.ErrorCode(err) != core.EUNAUTHORIZED {
		t.Errorf("the revoked token still works: %v", err)
	}

	// Mia's time zone, typed as a city.
	mia := e.mia.ID.String()
	b.submit("users page", chromedp.Click(chromedp.ID("nav-users")))
	b.do("type the zone", chromedp.Clear(chromedp.ID("zone-"+mia)), chromedp.SendKeys(chromedp.ID("zone-"+mia), "Berlin"))
	b.submit("save Mia", chromedp.Click(chromedp.ID("save-"+mia)))
	if u, err := e.svc.GetUser(e.ctx, core.Actor{User: e.boss}, e.mia.ID); err != nil || u.TimeZone != "Europe/Berlin" {
		t.Errorf("Mia's zone %q, %v; want Europe/Berlin", u.TimeZone, err)
	}
	if got := b.value("#zone-" + mia); got != "Europe/Berlin" {
		t.Errorf("the page shows Mia's zone %q", got)
	}
	b.fits("users")
	b.shot("users", kind)
	b.submit("reports page", chromedp.Click(chromedp.ID("nav-reports")))
	if !b.has("#report-form") {
		t.Error("no report form")
	}
	b.fits("reports")
	b.shot("reports", kind)
	// Download a report CSV: the page's own link, fetched with the
	// browser's session cookie.
	if got := b.download("#report-csv"); got != "project,seconds,hours" {
		t.Errorf("the report CSV starts %q, want its header row", got)
	}
	b.submit("schedules page", chromedp.Click(chromedp.ID("nav-schedules")))
	if !b.has("#no-schedules") || !b.has("#no-reminder") {
		t.Error("the schedules page lacks its empty list or reminder")
	}
	b.fits("schedules")
	b.shot("schedules", kind)

	// Delete the webhook, confirming.
	b.open(base + "/ui/webhooks/" + id)
	b.submit("ask to delete", chromedp.Click(chromedp.ID("delete")))
	if !strings.Contains(b.text("h1"), "Delete the webhook") {
		t.Errorf("confirmation page: %q", b.text("h1"))
	}
	b.submit("confirm", chromedp.Click(chromedp.ID("confirm-submit")))
	if b.has("#webhook-"+id) || !strings.Contains(b.text("#notice"), "deleted") {
		t.Error("the deleted webhook is still listed")
	}
	if _, err := e.wh.Get(e.ctx, core.Actor{User: e.boss}, mustID(t, id)); core.ErrorCode(err) != core.ENOTFOUND {
		t.Errorf("the webhook still exists: %v", err)
	}

	// A member sees and touches only their own things.
	adminHook := e.hook(e.admin, "Boss ledger")
	b.submit("log out", chromedp.Click(chromedp.CSS("header.top button.link")))
	b.submit("sign in as Mia", chromedp.SendKeys(chromedp.ID("token"), e.member+"\r"))
	if got := b.text("#me-name"); got != "Mia" {
		t.Fatalf("signed in as %q", got)
	}
	if b.has("#webhook-"+adminHook) || strings.Contains(b.text("main"), "Boss ledger") {
		t.Error("Mia sees the admin's webhook")
	}
	for _, path := range []string{"/ui/webhooks/" + adminHook, "/ui/webhooks/" + adminHook + "/edit", "/ui/webhooks/" + adminHook + "/delete"} {
		b.mu.Lock()
		b.expected[base+path] = true
		b.mu.Unlock()
		if st := b.open(base + path); st != http.StatusNotFound {
			t.Errorf("Mia opens %s: %d, want 404", path, st)
		}
	}
	b.open(base + "/ui/tokens")
	if b.has("#token-form") || strings.Contains(b.text("#tokens"), "admin") {
		t.Error("Mia may make tokens or sees the admin's")
	}
	b.open(base + "/ui/users")
	if b.has("#user-form") || b.has("#zone-"+e.boss.ID.String()) || !b.has("#zone-"+mia) {
		t.Error("Mia may change others than herself")
	}
	if e.sub(adminHook).Status == "" {
		t.Error("the admin's webhook is gone")
	}
}

func eventsOf(sub core.Subscription) string { return eventsTextOf(string(sub.Events)) }

// eventsTextOf lists a JSON array of names as "a, b".
func eventsTextOf(raw string) string {
	raw = strings.Trim(raw, "[]")
	parts := strings.Split(raw, ",")
	for i, p := range parts {
		parts[i] = strings.Trim(strings.TrimSpace(p), `"`)
	}
	return strings.Join(parts, ", ")
}
