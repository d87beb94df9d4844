package slack_test

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

const chromium = "/usr/bin/chromium"

// screenshotPath is the picture of a scheduled report that the README and
// docs/REMINDERS.md show; -update rewrites it.
var screenshotPath = filepath.Join("..", "..", "docs", "screenshots", "report-message.png")

var (
	mrkBold = regexp.MustCompile(`\*([^*\n]+)\*`)
	mrkCode = regexp.MustCompile("`([^`\n]+)`")
	mrkItal = regexp.MustCompile(`(^|\s)_([^_\n]+)_`)
)

// mrkdwnHTML draws Slack mrkdwn as HTML: bold, code, italics and line
// breaks. The text is already escaped for Slack (&lt; &gt; &amp;), which
// HTML reads alike; anything else is escaped here.
func mrkdwnHTML(s string) string {
	s = html.EscapeString(html.UnescapeString(s))
	s = mrkCode.ReplaceAllString(s, "<code>$1</code>")
	s = mrkBold.ReplaceAllString(s, "<b>$1</b>")
	s = mrkItal.ReplaceAllString(s, "$1<i>$2</i>")
	return strings.ReplaceAll(s, "\n", "<br>")
}

// blockKitHTML draws the blocks of a Slack message roughly as Slack does:
// enough to see a message, not a copy of Slack's client.
func blockKitHTML(t *testing.T, msg []byte) string {
	t.Helper()
	var m struct {
		Blocks []struct {
			Type string `json:"type"`
			Text *struct {
				Type string `json:"type"`
				Text string `json:"text"`
			} `json:"text"`
			Fields []struct {
				Text string `json:"text"`
			} `json:"fields"`
			Elements []struct {
				Text any `json:"text"`
			} `json:"elements"`
		} `json:"blocks"`
	}
	if err := json.Unmarshal(msg, &m); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString(`<!doctype html><meta charset="utf-8"><style>
body{margin:0;background:#fff;font:15px/1.46 -apple-system,"Segoe UI",Lato,"Noto Sans",Arial,sans-serif;color:#1d1c1d}
#msg{display:flex;gap:8px;padding:16px 20px;width:560px}
.avatar{width:36px;height:36px;border-radius:6px;background:#4a154b;color:#fff;font-weight:700;display:flex;align-items:center;justify-content:center}
.who{font-weight:900}.who span{font-weight:400;color:#616061;font-size:12px;margin-left:6px}
.app{background:#e8e8e8;color:#616061;font-size:10px;font-weight:700;padding:1px 3px;border-radius:2px;margin-left:4px}
.header{font-size:18px;font-weight:900;margin:4px 0}
.context{font-size:12px;color:#616061;margin:4px 0}
.section{margin:8px 0}
.fields{display:grid;grid-template-columns:1fr 1fr;gap:4px 16px;margin-top:4px}
.divider{border-top:1px solid #ddd;margin:10px 0}
.chart{display:inline-flex;align-items:flex-end;gap:2px;height:16px;margin-right:6px}.chart i{width:4px;background:#2eb886}
code{font:12px Menlo,Monaco,"Noto Mono",monospace;color:#e01e5a;background:#f6f6f6;border:1px solid #e1e1e1;border-radius:3px;padding:0 3px}
</style><div id="msg"><div class="avatar">TG</div><div><div class="who">Time Gateway<span class="app">APP</span><span>5:00 PM</span></div>`)
	for _, bl := range m.Blocks {
		switch bl.Type {
		case "header":
			// The machine may have no emoji font: the chart is drawn.
			b.WriteString(`<div class="header">` + strings.ReplaceAll(html.EscapeString(bl.Text.Text), "📊",
				`<span class="chart"><i style="height:40%"></i><i style="height:100%"></i><i style="height:65%"></i></span>`) + `</div>`)
		case "context":
			b.WriteString(`<div class="context">`)
			for _, e := range bl.Elements {
				if s, ok := e.Text.(string); ok {
					b.WriteString(mrkdwnHTML(s))
				}
			}
			b.WriteString(`</div>`)
		case "divider":
			b.WriteString(`<div class="divider"></div>`)
		case "section":
			b.WriteString(`<div class="section">`)
			if bl.Text != nil {
				b.WriteString(mrkdwnHTML(bl.Text.Text))
			}
			if len(bl.Fields) > 0 {
				b.WriteString(`<div class="fields">`)
				for _, f := range bl.Fields {
					b.WriteString(`<div>` + mrkdwnHTML(f.Text) + `</div>`)
				}
				b.WriteString(`</div>`)
			}
			b.WriteString(`</div>`)
		}
	}
	b.WriteString(`</div></div>`)
	return b.String()
}

// TestReportScreenshot draws the golden Block Kit report
// (testdata/scheduled.report.scheduled.json) in headless Chromium and
// takes its picture; with -update it writes docs/screenshots/report-message.png.
func TestReportScreenshot(t *testing.T) {
	msg, err := os.ReadFile(filepath.Join("testdata", "scheduled.report.scheduled.json"))
	if err != nil {
		t.Fatal(err)
	}
	page := blockKitHTML(t, msg)
	for _, want := range []string{"<b>Ana</b> — 16h 30m", "<b>Bob &lt;!channel&gt;</b>", "<code>12h</code>", "Team report · This week"} {
		if !strings.Contains(page, want) {
			t.Fatalf("the page lacks %q:\n%s", want, page)
		}
	}
	if _, err := os.Stat(chromium); err != nil {
		t.Skipf("%s is not installed; the picture needs it", chromium)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(page))
	}))
	defer srv.Close()
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck)
	defer cancelAlloc()
	tab, cancelTab := chromedp.NewContext(allocCtx)
	defer cancelTab()
	if err := chromedp.Do(tab); err != nil {
		t.Fatalf("start %s: %v", chromium, err)
	}
	ctx, cancel := context.WithTimeout(tab, time.Minute)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(640, 800), chromedp.Navigate(srv.URL), chromedp.WaitVisible(chromedp.ID("msg"))); err != nil {
		t.Fatal(err)
	}
	shot, err := chromedp.Run(ctx, chromedp.ScreenshotScale(chromedp.ID("msg"), 2))
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() < 600 || b.Dy() < 400 {
		t.Fatalf("picture is %v, too small for the report", b)
	}
	if *update {
		if err := os.WriteFile(screenshotPath, shot, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(screenshotPath); err != nil {
		t.Errorf("%v (run go test -run TestReportScreenshot -update to draw it)", err)
	}
}
