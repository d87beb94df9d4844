package main

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestEndToEndChannelNotifications runs the gateway as `serve` does, with
// a bot token and Slack's API URL pointed at a local fake: a channel
// subscribes itself with notify, a timer's message arrives through
// chat.postMessage, and its Stop button stops the timer.
func TestEndToEndChannelNotifications(t *testing.T) {
	fake := newSlackFake(t, nil)
	cfg := testConfig(t, filepath.Join(t.TempDir(), "notify.db"), fake.settings(nil))
	g := startGateway(t, cfg)

	if m := g.slash("notify tracker.*"); !strings.Contains(m["text"].(string), "This channel now gets tracker.*") {
		t.Fatalf("notify: %v", m)
	}
	var hooks struct {
		Data []struct {
			ID      string `json:"id"`
			URL     string `json:"url"`
			Format  string `json:"format"`
			Channel string `json:"channel"`
			Status  string `json:"status"`
		} `json:"data"`
	}
	if st := g.api("GET", "/api/v1/webhooks", &hooks); st != 200 || len(hooks.Data) != 1 {
		t.Fatalf("webhooks: %d %+v", st, hooks)
	}
	if h := hooks.Data[0]; h.URL != "slack:C1" || h.Format != "slack" || h.Channel != "slack:T0001:C1" || h.Status != "active" {
		t.Fatalf("channel subscription %+v", h)
	}

	g.slash("track Fix login in Website")
	started := fake.wait(t, "/api/chat.postMessage", "ana started Fix login in Website")
	if started["channel"] != "C1" {
		t.Fatalf("posted to %q", started["channel"])
	}
	value := regexp.MustCompile(`"action_id":"stop_timer","value":"(\d+)"`).FindStringSubmatch(started["blocks"])
	if value == nil {
		t.Fatalf("no Stop button in %s", started["blocks"])
	}

	press(t, g, fake.srv.URL+"/response/1", started, "timer", "stop_timer", value[1])
	if m := fake.wait(t, "/response/1", "stopped"); m["replace"] != "true" || !strings.Contains(m["blocks"], "Stopped by *ana*") {
		t.Fatalf("message update %v", m)
	}
	fake.wait(t, "/api/chat.postMessage", "ana stopped Fix login in Website")
	if m := g.slash("status"); !strings.Contains(m["text"].(string), "No timer running") {
		t.Fatalf("status after the press: %v", m["text"])
	}
}
