package slack_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chatops/gateway/adapters/slack"
	"github.com/chatops/gateway/core"
)

var update = flag.Bool("update", false, "rewrite the golden messages in testdata/ from the renderer's output")

// sampleEvents reads testdata/events.json: one event of every type of the
// catalogue, with the data core writes for it.
func sampleEvents(t testing.TB) map[string]core.Event {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "events.json"))
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
			t.Fatalf("testdata/events.json has no %s event", et.Name)
		}
	}
	return out
}

// golden compares got, indented, with testdata/name; -update rewrites it.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	var b bytes.Buffer
	if err := json.Indent(&b, got, "", "  "); err != nil {
		t.Fatalf("%s: not JSON: %v\n%s", name, err, got)
	}
	b.WriteByte('\n')
	path := filepath.Join("testdata", name)
	if *update {
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
}

// rendered is a rendered message, decoded.
type rendered struct {
	Text   string `json:"text"`
	Blocks []struct {
		Type    string `json:"type"`
		BlockID string `json:"block_id"`
		Text    *struct {
			Type string `json:"type"`
			Text string `json:"text"`
		} `json:"text"`
		Fields []struct {
			Text string `json:"text"`
		} `json:"fields"`
		Elements []struct {
			Type     string `json:"type"`
			Text     any    `json:"text"`
			ActionID string `json:"action_id"`
			Value    string `json:"value"`
			Style    string `json:"style"`
		} `json:"elements"`
	} `json:"blocks"`
}

// all is the whole text of a message: fallback, sections, fields, context.
func (r rendered) all() string {
	parts := []string{r.Text}
	for _, b := range r.Blocks {
		if b.Text != nil {
			parts = append(parts, b.Text.Text)
		}
		for _, f := range b.Fields {
			parts = append(parts, f.Text)
		}
		for _, e := range b.Elements {
			if s, ok := e.Text.(string); ok {
				parts = append(parts, s)
			}
		}
	}
	return strings.Join(parts, "\n")
}

func render(t *testing.T, ev core.Event) rendered {
	t.Helper()
	b, err := slack.RenderEvent(ev, core.Subscription{ID: 9, Format: core.FormatSlack}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var r rendered
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	return r
}

// TestRenderGolden renders the sample event of every type and compares it
// with testdata/TYPE.json.
func TestRenderGolden(t *testing.T) {
	evs := sampleEvents(t)
	for _, et := range core.EventTypes() {
		t.Run(et.Name, func(t *testing.T) {
			b, err := slack.RenderEvent(evs[et.Name], core.Subscription{ID: 9, Format: core.FormatSlack}, nil)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, et.Name+".json", b)
			r := render(t, evs[et.Name])
			if r.Text == "" || len(r.Blocks) == 0 || r.Blocks[0].Type != "section" {
				t.Fatalf("message has no text or no section: %+v", r)
			}
			if strings.ContainsAny(r.Text, "*`") {
				t.Errorf("fallback text is not plain: %q", r.Text)
			}
		})
	}
}

func TestRenderSaysWhoWhatWhere(t *testing.T) {
	evs := sampleEvents(t)
	for typ, want := range map[string][]string{
		"tracker.started":        {"⏱ *Ana* started *Fix login* in *Website*", "<!date^1795424400^{date_short_pretty} {time}|2026-11-23 09:00 UTC>", "#frontend"},
		"tracker.stopped":        {"⏹ *Ana* stopped *Fix login* in *Website* after *1h 30m*"},
		"time_entry.created":     {"📝 *Ana* logged *45m* on *Fix login* in *Website*", "billable", "“specs review”", "entry `#13`"},
		"time_entry.deleted":     {"🗑 *Ana* deleted an entry: *45m* on *Fix login* in *Website*"},
		"project.created":        {"*Ana* added project *Website* for *Acme Corp*"},
		"project.closed":         {"*Ana* closed project *Website*"},
		"task.created":           {"*Ana* added task *Fix login* in *Website*"},
		"task.updated":           {"*Fix login &amp; signup &lt;b&gt;*"},
		"workspace_user.created": {"*Mia* joined the workspace", "via mattermost, github"},
		"workspace_user.deleted": {"*Ana* removed *Mia* from the workspace"},
		"project_user.created":   {"*Ana* added *Mia* to project *Website*"},
		"project_group.deleted":  {"*Ana* removed group *Design* from project *Website*"},
		"webhook.failing":        {"Webhook *Billing* (`#5`) is failing", "answered 500", "`POST /api/v1/webhooks/5/enable`", "`https://billing.example.com/…`"},
		"webhook.disabled":       {"Webhook *Billing* (`#5`) was disabled", "3 consecutive failed attempts", "*Last error*\n`answered 500`", "*To enable it again*\n`POST /api/v1/webhooks/5/enable`"},
		"webhook.enabled":        {"Webhook *Billing* (`#5`) was enabled again by *Ana*"},
	} {
		all := render(t, evs[typ]).all()
		for _, w := range want {
			if !strings.Contains(all, w) {
				t.Errorf("%s: message lacks %q:\n%s", typ, w, all)
			}
		}
		if strings.Contains(all, "s3cret") {
			t.Errorf("%s: message shows the webhook URL's token:\n%s", typ, all)
		}
	}
}

func TestStartedMessageHasStopButton(t *testing.T) {
	evs := sampleEvents(t)
	r := render(t, evs[core.EventTrackerStarted])
	last := r.Blocks[len(r.Blocks)-1]
	if last.Type != "actions" || last.BlockID != slack.StopBlockID || len(last.Elements) != 1 {
		t.Fatalf("last block = %+v", last)
	}
	if b := last.Elements[0]; b.Type != "button" || b.ActionID != slack.StopActionID || b.Value != "12" || b.Style != "danger" {
		t.Fatalf("button = %+v", b)
	}
	for typ, ev := range evs {
		if typ == core.EventTrackerStarted {
			continue
		}
		for _, b := range render(t, ev).Blocks {
			if b.Type == "actions" {
				t.Errorf("%s has a button", typ)
			}
		}
	}
	// A started timer that is already stopped again gets no button.
	ev := evs[core.EventTrackerStarted]
	var data map[string]map[string]any
	if err := json.Unmarshal(ev.Data, &data); err != nil {
		t.Fatal(err)
	}
	data["time_entry"]["end"] = "2026-11-23T09:30:00Z"
	ev.Data, _ = json.Marshal(data)
	for _, b := range render(t, ev).Blocks {
		if b.Type == "actions" {
			t.Error("a finished entry has a Stop button")
		}
	}
}

func TestRenderUnknownAndBrokenEvents(t *testing.T) {
	for _, ev := range []core.Event{
		{Type: "invoice.sent", Actor: core.EventActor{Name: "Ana"}, Data: json.RawMessage(`{}`)},
		{Type: "tracker.started", Data: json.RawMessage(`not json`)},
		{Type: "nodot"},
		{Type: "webhook.failing", Data: json.RawMessage(`{"webhook": {"id": "1", "url": "%%%"}}`)},
	} {
		r := render(t, ev)
		if r.Text == "" || len(r.Blocks) == 0 {
			t.Errorf("%s: %+v", ev.Type, r)
		}
	}
	if all := render(t, core.Event{Type: "invoice.sent", Actor: core.EventActor{Name: "Ana"}}).all(); !strings.Contains(all, "*Ana* sent invoice") {
		t.Errorf("unknown event: %s", all)
	}
}

func TestRenderKeepsExtraFieldsAtTopLevel(t *testing.T) {
	b, err := slack.RenderEvent(core.Event{Type: core.EventWebhookPing, Data: json.RawMessage(`{"webhook":{"id":"5","name":"x"}}`)},
		core.Subscription{}, map[string]any{"validation_code": "abc"})
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil || m["validation_code"] != "abc" || m["text"] == "" || m["blocks"] == nil {
		t.Fatalf("%s %v", b, err)
	}
}
