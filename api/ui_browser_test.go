package api_test

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/chromedp"

	"github.com/chatops/gateway/core"
)

// chromium is the browser the browser test drives.
const chromium = "/usr/bin/chromium"

// TestUIInBrowser drives headless Chromium through the admin web page of a
// real server on a temp SQLite store: log in with the admin token, see the
// webhook, disable it, open its delivery log. The page has no script, so
// this is what a person does; the test also fails on anything the browser
// logs as an error (a Content-Security-Policy violation, a missing file).
//
// Without Chromium it skips, except under CI (CI set), where it fails:
// .ci/run installs Chromium.
func TestUIInBrowser(t *testing.T) {
	if _, err := os.Stat(chromium); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI is set but %s is missing (.ci/run installs it): %v", chromium, err)
		}
		t.Skipf("%s is not installed (apt-get install -y chromium); the browser test needs it", chromium)
	}
	e := newUIEnv(t, uiEnvOptions{})
	e.rc.setReply(echoCode)
	id := e.hook(e.admin, "Billing")
	e.pump() // the receiver answers the ping: active, one attempt in the log
	row := "#webhook-" + id

	// The allocator makes a temporary user-data-dir and removes it when the
	// browser has stopped.
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
	)
	defer cancelAlloc()
	tab, cancelTab := chromedp.NewContext(allocCtx)
	defer cancelTab()
	// Start the browser on the tab's own context: a deadline on the context
	// that starts it would end the browser with it.
	if err := chromedp.Do(tab); err != nil {
		t.Fatalf("start %s: %v", chromium, err)
	}
	var mu sync.Mutex
	var problems []string
	if err := chromedp.Listen(tab, func(ev any) {
		if ev, ok := ev.(*cdplog.EventEntryAdded); ok && ev.Entry.Level == cdplog.EntryLevelError {
			mu.Lock()
			problems = append(problems, ev.Entry.Text+" "+ev.Entry.URL)
			mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(tab, time.Minute)
	defer cancel()

	step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return strings.TrimSpace(s)
	}

	step("open the login page",
		chromedp.Navigate(e.srv.URL+"/ui/"),
		chromedp.WaitVisible(chromedp.ID("token")))
	step("log in",
		chromedp.SendKeys(chromedp.ID("token"), e.admin),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.CSS(row)))
	if got := text("#me-name"); got != "admin" {
		t.Errorf("logged in as %q, want admin", got)
	}
	if got := text(row + " .name"); got != "Billing" {
		t.Errorf("webhook row name %q", got)
	}
	if got := text(row + " .status"); got != core.SubActive {
		t.Errorf("status before disabling %q, want active", got)
	}

	step("disable the webhook",
		chromedp.Click(chromedp.CSS(row+" button.disable")),
		chromedp.WaitVisible(chromedp.CSS(row+`[data-status="disabled"]`)),
		chromedp.WaitVisible(chromedp.ID("notice")))
	if got := text(row + " .status"); got != core.SubDisabled {
		t.Errorf("status after disabling %q, want disabled", got)
	}
	if s := e.sub(id); s.Enabled || s.Status != core.SubDisabled {
		t.Errorf("the store has enabled %v, status %s after the click", s.Enabled, s.Status)
	}

	step("open the delivery log",
		chromedp.Click(chromedp.CSS(row+" a.log")),
		chromedp.WaitVisible(chromedp.ID("attempts")))
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(loc, "/ui/webhooks/"+id) {
		t.Errorf("delivery log at %s", loc)
	}
	if got := text("#attempts tbody"); !strings.Contains(got, "webhook.ping") || !strings.Contains(got, "200") {
		t.Errorf("delivery log rows %q, want the ping answered 200", got)
	}

	mu.Lock()
	defer mu.Unlock()
	for _, p := range problems {
		t.Errorf("the browser logged an error: %s", p)
	}
}
