package webhooks_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/delivery/deliverytest"
	"github.com/chatops/gateway/webhooks"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// fixedEvent is an event of type typ with fixed ids and times, whose data
// holds its entity as the core service writes it.
func fixedEvent(typ string) core.Event {
	at := time.Date(2026, 11, 23, 20, 2, 14, 1e6, time.UTC)
	entity, _ := core.SplitEventType(typ)
	var data map[string]any
	switch entity {
	case "tracker", "time_entry":
		end := any(nil)
		if typ != core.EventTrackerStarted {
			end = at.Add(time.Hour)
		}
		data = map[string]any{
			"time_entry": map[string]any{"id": "11", "workspace_id": "1", "user_id": "2", "task_id": "3", "project_id": "4",
				"start": at, "end": end, "duration_seconds": 0, "note": "", "billable": false, "tags": []string{}, "source": "slack"},
			"task":    map[string]any{"id": "3", "project_id": "4", "name": "Fix login", "status": "open"},
			"project": map[string]any{"id": "4", "name": "Website", "status": "open"},
		}
	case "webhook":
		data = map[string]any{"webhook": map[string]any{"id": "5", "name": "Billing", "url": "https://billing.example.com/hooks",
			"events": []string{"*"}, "format": "toggl", "enabled": true, "status": "not_validated", "scope": "workspace", "owner": "2"}}
		switch typ {
		case core.EventWebhookPing:
			data["subscription_id"] = "5"
			data["validation_code"] = "3afd9fb1ac85e04a445e4f7563760559"
			data["validation_code_url"] = "http://gw.test/api/v1/webhooks/5/validate/3afd9fb1ac85e04a445e4f7563760559"
		case core.EventWebhookFailing, core.EventWebhookDisabled:
			data["reason"], data["last_error"] = "503 Service Unavailable", "503 Service Unavailable"
		}
	case "workspace_user":
		data = map[string]any{"user": map[string]any{"id": "6", "name": "Mia", "role": "member"}}
	default:
		data = map[string]any{entity: map[string]any{"id": "7", "name": "Acme"}}
	}
	b, _ := json.Marshal(data)
	return core.Event{Seq: 1, ID: "evt_01a20a007eb20d310bbe2573", Type: typ, Timestamp: at, WorkspaceID: 1,
		Actor: core.EventActor{ID: 2, Name: "Mia", Source: "slack"}, Data: b}
}

// The toggl body of every event type of the catalogue, as golden files.
func TestTogglGolden(t *testing.T) {
	e := deliverytest.New(t)
	sub := core.Subscription{ID: 5, WorkspaceID: 1, URL: "https://billing.example.com/hooks", Format: core.FormatToggl}
	for _, et := range core.EventTypes() {
		t.Run(et.Name, func(t *testing.T) {
			body, _, err := e.Hooks.Render(fixedEvent(et.Name), sub)
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			if err := json.Indent(&out, body, "", "  "); err != nil {
				t.Fatal(err)
			}
			out.WriteByte('\n')
			path := filepath.Join("testdata", "toggl", et.Name+".json")
			if *update {
				if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to write it)", err)
			}
			if !bytes.Equal(out.Bytes(), want) {
				t.Errorf("toggl body of %s differs from %s (run with -update if the change is meant):\n%s", et.Name, path, out.Bytes())
			}
		})
	}
}

// keys returns the sorted keys of a JSON object and of its "metadata".
func keys(t *testing.T, body []byte) (top, metadata []string) {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	var md map[string]json.RawMessage
	_ = json.Unmarshal(m["metadata"], &md)
	return slices.Sorted(maps.Keys(m)), slices.Sorted(maps.Keys(md))
}

// Our toggl bodies carry the keys Toggl's documented examples carry
// (testdata/README.md says where they come from).
func TestTogglEnvelopeHasTogglsKeys(t *testing.T) {
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	envelope, pingMetadata := keys(t, read("toggl-docs-ping.json"))
	_, eventMetadata := keys(t, read("toggl-docs-event.json"))
	validation := []string{"validation_code", "validation_code_url"}
	for _, et := range core.EventTypes() {
		body := read(filepath.Join("toggl", et.Name+".json"))
		top, md := keys(t, body)
		wantTop, wantMD := envelope, eventMetadata
		if et.Name == core.EventWebhookPing {
			// A ping to a subscription that awaits validation carries the
			// code at the top level, as Toggl's does.
			wantTop, wantMD = slices.Sorted(slices.Values(append(slices.Clone(envelope), validation...))), pingMetadata
		}
		// Toggl names the entity's id after the model: project_id in the
		// example, time_entry_id for a time entry.
		var m struct {
			Metadata struct {
				Model string `json:"model"`
			} `json:"metadata"`
		}
		_ = json.Unmarshal(body, &m)
		// The gateway's API has no path for some models (a project's groups
		// and users, the workspace): their metadata has no path.
		noPath := map[string]bool{"project_group": true, "project_user": true, "workspace": true}
		var renamed []string
		for _, k := range wantMD {
			switch {
			case k == "project_id" && m.Metadata.Model != "":
				k = m.Metadata.Model + "_id"
			case k == "path" && noPath[m.Metadata.Model]:
				continue
			}
			renamed = append(renamed, k)
		}
		slices.Sort(renamed)
		wantMD = slices.Compact(renamed) // workspace_id is the workspace's id
		if !slices.Equal(top, wantTop) {
			t.Errorf("%s: top-level keys %v, Toggl's %v", et.Name, top, wantTop)
		}
		if !slices.Equal(md, wantMD) {
			t.Errorf("%s: metadata keys %v, Toggl's %v", et.Name, md, wantMD)
		}
	}
	// And the documented event's metadata values, for a project created.
	body, _, err := deliverytest.New(t).Hooks.Render(fixedEvent(core.EventProjectCreated),
		core.Subscription{ID: 5, URL: "https://x.example", Format: core.FormatToggl})
	if err != nil {
		t.Fatal(err)
	}
	var got struct{ Metadata map[string]any }
	_ = json.Unmarshal(body, &got)
	want := map[string]any{"action": "created", "model": "project", "project_id": "7", "request_type": "POST",
		"path": "/api/v1/projects", "workspace_id": "1", "event_user_id": "2"}
	if !maps.Equal(got.Metadata, want) {
		t.Errorf("project.created metadata %v, want %v", got.Metadata, want)
	}
	if strings.Contains(string(body), "secret") {
		t.Errorf("a toggl body mentions a secret: %s", body)
	}
}

// A ping (and every webhook.* event) describes the subscription without
// its secret: the key is left out, not sent empty.
func TestPingCarriesNoSecret(t *testing.T) {
	e := deliverytest.New(t)
	rc := deliverytest.NewReceiver(t)
	sub := e.Create(e.Admin, webhooks.Input{URL: rc.URL(), Events: deliverytest.Events("*")})
	e.Clock.Add(time.Minute) // past any delay of the first ping
	e.Pump()
	got := rc.Take()
	if len(got) != 1 || got[0].Type() != core.EventWebhookPing {
		t.Fatalf("got %v", deliverytest.Types(got))
	}
	webhook, _ := got[0].Msg["data"].(map[string]any)["webhook"].(map[string]any)
	if _, ok := webhook["secret"]; ok || webhook["id"] != sub.ID.String() || strings.Contains(string(got[0].Body), sub.Secret) {
		t.Errorf("ping data.webhook = %v", webhook)
	}
}
