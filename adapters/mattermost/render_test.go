package mattermost_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chatops/gateway/adapters/mattermost"
	"github.com/chatops/gateway/core"
)

var update = flag.Bool("update", false, "rewrite the golden messages in testdata/ from the renderer's output")

// sampleEvents reads the sample event of every type that the Slack
// renderer's tests use too, so that both formats tell the same events.
func sampleEvents(t testing.TB) map[string]core.Event {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "slack", "testdata", "events.json"))
	if err != nil {
		t.Fatal(err)
	}
	var evs []core.Event
	if err := json.Unmarshal(b, &evs); err != nil {
		t.Fatal(err)
	}
	out := map[string]core.Event{}
	for _, ev := range evs {
		out[ev.Type] = ev
	}
	for _, et := range core.EventTypes() {
		if _, ok := out[et.Name]; !ok {
			t.Fatalf("events.json has no %s event", et.Name)
		}
	}
	return out
}

type mmPost struct {
	Text        string `json:"text"`
	Attachments []struct {
		Fallback string `json:"fallback"`
		Color    string `json:"color"`
		Text     string `json:"text"`
		Fields   []struct {
			Title string `json:"title"`
			Value string `json:"value"`
		} `json:"fields"`
	} `json:"attachments"`
}

func (p mmPost) all() string {
	parts := []string{p.Text}
	for _, a := range p.Attachments {
		parts = append(parts, a.Fallback, a.Text)
		for _, f := range a.Fields {
			parts = append(parts, f.Title+": "+f.Value)
		}
	}
	return strings.Join(parts, "\n")
}

func renderPost(t *testing.T, ev core.Event) (mmPost, []byte) {
	t.Helper()
	b, err := mattermost.RenderEvent(ev, core.Subscription{ID: 9, Format: core.FormatMattermost}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var p mmPost
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	return p, b
}

// TestRenderGolden renders the sample event of every type and compares it
// with testdata/TYPE.json; -update rewrites them.
func TestRenderGolden(t *testing.T) {
	evs := sampleEvents(t)
	for _, et := range core.EventTypes() {
		t.Run(et.Name, func(t *testing.T) {
			p, got := renderPost(t, evs[et.Name])
			if p.Text == "" {
				t.Fatalf("no text: %s", got)
			}
			var b bytes.Buffer
			if err := json.Indent(&b, got, "", "  "); err != nil {
				t.Fatal(err)
			}
			b.WriteByte('\n')
			path := filepath.Join("testdata", et.Name+".json")
			if *update {
				if err := os.MkdirAll("testdata", 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -run TestRenderGolden -update to create it)", err)
			}
			if !bytes.Equal(b.Bytes(), want) {
				t.Errorf("%s differs (run go test -run TestRenderGolden -update and review the diff):\n got: %s\nwant: %s", path, b.Bytes(), want)
			}
		})
	}
}

func TestRenderMarkdown(t *testing.T) {
	evs := sampleEvents(t)
	for typ, want := range map[string][]string{
		"tracker.started":    {"⏱ **Ana** started **Fix login** in **Website**", "since 2026-11-23 09:00 UTC", "#frontend", "entry `#12`"},
		"tracker.stopped":    {"⏹ **Ana** stopped **Fix login** in **Website** after **1h 30m**", "2026-11-23 09:00 UTC – 10:30 UTC"},
		"time_entry.created": {"📝 **Ana** logged **45m** on **Fix login** in **Website**", "billable"},
		"task.updated":       {`**Fix login & signup \<b\>**`},
		"project.created":    {"**Ana** added project **Website** for **Acme Corp**"},
		"webhook.failing":    {"Webhook **Billing** (`#5`) is failing", "Last error: `answered 500`", "`POST /api/v1/webhooks/5/enable`"},
		"webhook.disabled":   {"was disabled", "Why: 3 consecutive failed attempts", "To enable it again: `POST /api/v1/webhooks/5/enable`"},
		"webhook.enabled":    {"was enabled again by **Ana**"},
	} {
		p, _ := renderPost(t, evs[typ])
		all := p.all()
		for _, w := range want {
			if !strings.Contains(all, w) {
				t.Errorf("%s lacks %q:\n%s", typ, w, all)
			}
		}
		if strings.Contains(all, "s3cret") {
			t.Errorf("%s shows the webhook URL's token:\n%s", typ, all)
		}
	}
	for typ, color := range map[string]string{"webhook.failing": "#e8a317", "webhook.disabled": "#d72b3f", "webhook.enabled": "#2eb886"} {
		if p, _ := renderPost(t, evs[typ]); len(p.Attachments) != 1 || p.Attachments[0].Color != color {
			t.Errorf("%s attachments %+v", typ, p.Attachments)
		}
	}
	if p, _ := renderPost(t, evs["task.created"]); len(p.Attachments) != 0 {
		t.Errorf("news has an attachment: %+v", p)
	}
}

func TestRenderKeepsNamesLiteral(t *testing.T) {
	ev := core.Event{Type: core.EventTaskCreated, Actor: core.EventActor{Name: "Ana"},
		Data: json.RawMessage(`{"task": {"id": "1", "name": "@channel *now* [x](http://evil)"}, "project": {"id": "2", "name": "a_b_c"}}`)}
	p, _ := renderPost(t, ev)
	for _, bad := range []string{"@channel", "*now*", "[x](", "a_b"} {
		if strings.Contains(p.Text, bad) {
			t.Errorf("text %q holds %q unescaped", p.Text, bad)
		}
	}
}
