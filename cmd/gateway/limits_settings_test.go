package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chatops/gateway/core"
)

// The size limits are settings whose defaults are CONTRACT §7's.
func TestLimitSettingsParse(t *testing.T) {
	cfg := testConfig(t, "x.db", nil)
	if cfg.Limits != core.DefaultLimits() {
		t.Fatalf("defaults %+v, want %+v", cfg.Limits, core.DefaultLimits())
	}
	cfg = testConfig(t, "x.db", map[string]string{"GATEWAY_LIMIT_NAME": "10", "GATEWAY_LIMIT_NOTE": "20", "GATEWAY_LIMIT_TAGS": "2",
		"GATEWAY_LIMIT_EVENTS": "3x30", "GATEWAY_LIMIT_URL": "64", "GATEWAY_LIMIT_CHAT_TEXT": "50"})
	want := core.Limits{Name: 10, Note: 20, Tags: 2, EventFilters: 3, EventFilterChars: 30, URL: 64, ChatText: 50}
	if cfg.Limits != want {
		t.Fatalf("set %+v, want %+v", cfg.Limits, want)
	}
	for env, v := range map[string]string{"GATEWAY_LIMIT_NAME": "0", "GATEWAY_LIMIT_TAGS": "-1", "GATEWAY_LIMIT_EVENTS": "100",
		"GATEWAY_LIMIT_URL": "lots", "GATEWAY_LIMIT_CHAT_TEXT": "1e3"} {
		getenv := func(k string) string { return map[string]string{env: v}[k] }
		if _, _, err := configFor("serve", nil, getenv, io.Discard); err == nil || !strings.Contains(err.Error(), env) {
			t.Errorf("%s=%s: %v, want an error naming it", env, v, err)
		}
	}
}

// Lowered limits hold every way in: the API, hooks, Slack and
// subscriptions refuse one over and take one at the limit.
func TestLoweredLimitsAreEnforced(t *testing.T) {
	g := startGateway(t, testConfig(t, filepath.Join(t.TempDir(), "gw.db"), map[string]string{
		"GATEWAY_ADMIN_TOKEN": testAdmin, "GATEWAY_SLACK_SIGNING_SECRET": testSecret, "GATEWAY_ALLOW_PRIVATE_TARGETS": "true",
		"GATEWAY_LIMIT_NAME": "10", "GATEWAY_LIMIT_NOTE": "20", "GATEWAY_LIMIT_TAGS": "2",
		"GATEWAY_LIMIT_EVENTS": "2x16", "GATEWAY_LIMIT_URL": "40", "GATEWAY_LIMIT_CHAT_TEXT": "50"}))
	admin := "Bearer " + testAdmin
	api := func(method, path, body string, want int) answer {
		t.Helper()
		a := call(t, method, g.base+path, admin, body)
		if a.status != want {
			t.Fatalf("%s %s %s: %d, want %d: %s", method, path, body, a.status, want, a.body)
		}
		return a
	}
	api("POST", "/api/v1/clients", `{"name": "ÄÄÄÄÄÄÄÄÄÄÄ"}`, 422) // 11 characters
	api("POST", "/api/v1/clients", `{"name": "ÄÄÄÄÄÄÄÄÄÄ"}`, 201)
	var project, task struct{ ID string }
	_ = json.Unmarshal(api("POST", "/api/v1/projects", `{"name": "Website"}`, 201).body, &project)
	_ = json.Unmarshal(api("POST", "/api/v1/tasks", fmt.Sprintf(`{"name": "Specs", "project_id": %q}`, project.ID), 201).body, &task)
	for _, tag := range []string{"a", "b", "c"} {
		api("POST", "/api/v1/tags", fmt.Sprintf(`{"name": %q}`, tag), 201)
	}
	entry := func(note string, tags string) string {
		return fmt.Sprintf(`{"task_id": %q, "start": "2025-01-06T09:00:00Z", "end": "2025-01-06T10:00:00Z", "note": %q, "tags": %s}`, task.ID, note, tags)
	}
	api("POST", "/api/v1/time-entries", entry(strings.Repeat("n", 21), `[]`), 422)
	api("POST", "/api/v1/time-entries", entry("n", `["a", "b", "c"]`), 422)
	api("POST", "/api/v1/time-entries", entry(strings.Repeat("n", 20), `["a", "b"]`), 201)

	hook := func(name, url, events string) string {
		return fmt.Sprintf(`{"name": %q, "url": %q, "events": %s}`, name, url, events)
	}
	short := "http://127.0.0.1:9/h"
	api("POST", "/api/v1/webhooks", hook("n", "http://127.0.0.1:9/"+strings.Repeat("u", 22), `["*"]`), 422) // 41
	api("POST", "/api/v1/webhooks", hook("n", short, `["project.*", "task.*", "tag.*"]`), 422)
	api("POST", "/api/v1/webhooks", hook("n", short, `["time_entry.created"]`), 422) // 18 characters
	api("POST", "/api/v1/webhooks", hook("elevenchars", short, `["*"]`), 422)
	api("POST", "/api/v1/webhooks", hook("n", "http://127.0.0.1:9/"+strings.Repeat("u", 21), `["project.*", "tracker.started"]`), 201)

	var in struct{ URL string }
	_ = json.Unmarshal(api("POST", "/api/v1/incoming", `{"name": "ci"}`, 201).body, &in)
	text := "log 1h on Specs in Website 2025-01-06 -- " + strings.Repeat("x", 9) // 50
	path := g.base + in.URL[strings.Index(in.URL, "/hooks/"):]
	if a := call(t, "POST", path, "", fmt.Sprintf(`{"text": %q}`, text+"x")); a.status != 422 || !strings.Contains(string(a.body), "50") {
		t.Fatalf("hook text of 51: %d %s", a.status, a.body)
	}
	if a := call(t, "POST", path, "", fmt.Sprintf(`{"text": %q}`, text)); a.status != 200 {
		t.Fatalf("hook text of 50: %d %s", a.status, a.body)
	}

	slash := func(text string) string {
		body := url.Values{"team_id": {"T0001"}, "user_id": {"U0042"}, "user_name": {"ana"}, "command": {"/tt"}, "text": {text}}.Encode()
		status, b := signedPost(t, g.base+"/slack/commands", body)
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil || status != 200 {
			t.Fatalf("slack %q: %d %v", text, status, err)
		}
		return fmt.Sprint(m["text"])
	}
	if r := slash(text + "x"); !strings.Contains(r, "longer than 50") {
		t.Fatalf("slack text of 51: %q", r)
	}
	if r := slash("log 1h on ÄÄÄÄÄÄÄÄÄÄÄ in Website 2025-01-06"); !strings.Contains(r, "longer than 10") {
		t.Fatalf("slack task of 11: %q", r)
	}
	if r := slash(text); !strings.Contains(r, "Logged 1h") {
		t.Fatalf("slack text of 50: %q", r)
	}
}
