package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatops/gateway/adapters/slack"
)

// slackFake is a local Slack Web API (chat.postMessage) and response_url.
type slackFake struct {
	srv  *httptest.Server
	mu   sync.Mutex
	msgs []map[string]string
}

func newSlackFake(t *testing.T) *slackFake {
	f := &slackFake{}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		m := map[string]string{"path": r.URL.Path}
		switch r.URL.Path {
		case "/api/chat.postMessage":
			form, _ := url.ParseQuery(string(body))
			if form.Get("token") != "xoxb-e2e" {
				_ = json.NewEncoder(w).Encode(map[string]any{"ok": false, "error": "invalid_auth"})
				return
			}
			m["channel"], m["text"], m["blocks"] = form.Get("channel"), form.Get("text"), form.Get("blocks")
			_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "channel": m["channel"], "ts": "1.2"})
		default:
			var v struct {
				Text            string          `json:"text"`
				ReplaceOriginal bool            `json:"replace_original"`
				Blocks          json.RawMessage `json:"blocks"`
			}
			_ = json.Unmarshal(body, &v)
			m["text"], m["blocks"] = v.Text, string(v.Blocks)
			if v.ReplaceOriginal {
				m["replace"] = "true"
			}
		}
		f.mu.Lock()
		f.msgs = append(f.msgs, m)
		f.mu.Unlock()
	}))
	t.Cleanup(f.srv.Close)
	return f
}

// wait returns the first message at path whose text contains want, waiting
// up to five seconds for the delivery engine.
func (f *slackFake) wait(t *testing.T, path, want string) map[string]string {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		f.mu.Lock()
		for _, m := range f.msgs {
			if m["path"] == path && strings.Contains(m["text"], want) {
				f.mu.Unlock()
				return m
			}
		}
		f.mu.Unlock()
		time.Sleep(20 * time.Millisecond)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	t.Fatalf("no message at %s with %q; got %v", path, want, f.msgs)
	return nil
}

// TestEndToEndChannelNotifications runs the gateway as `serve` does, with
// a bot token and Slack's API URL pointed at a local fake: a channel
// subscribes itself with notify, a timer's message arrives through
// chat.postMessage, and its Stop button stops the timer.
func TestEndToEndChannelNotifications(t *testing.T) {
	fake := newSlackFake(t)
	cfg := testConfig(t, filepath.Join(t.TempDir(), "notify.db"), map[string]string{
		"GATEWAY_SLACK_SIGNING_SECRET": testSecret, "GATEWAY_ADMIN_TOKEN": testAdmin,
		"GATEWAY_SLACK_BOT_TOKEN": "xoxb-e2e", "GATEWAY_SLACK_API_URL": fake.srv.URL + "/api/",
	})
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

	payload, _ := json.Marshal(map[string]any{
		"type": "block_actions", "team": map[string]string{"id": "T0001"}, "user": map[string]string{"id": "U0042"},
		"response_url": fake.srv.URL + "/response/1", "trigger_id": "press-1",
		"message": map[string]any{"text": started["text"], "blocks": json.RawMessage(started["blocks"])},
		"actions": []map[string]string{{"action_id": "stop_timer", "block_id": "timer", "value": value[1], "type": "button"}},
	})
	body := url.Values{"payload": {string(payload)}}.Encode()
	req, _ := http.NewRequest(http.MethodPost, g.base+"/slack/interactions", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	slack.Sign(req.Header, testSecret, []byte(body), time.Now())
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("press: %v %v", resp, err)
	}
	resp.Body.Close()
	if m := fake.wait(t, "/response/1", "stopped"); m["replace"] != "true" || !strings.Contains(m["blocks"], "Stopped by *ana*") {
		t.Fatalf("message update %v", m)
	}
	fake.wait(t, "/api/chat.postMessage", "ana stopped Fix login in Website")
	if m := g.slash("status"); !strings.Contains(m["text"].(string), "No timer running") {
		t.Fatalf("status after the press: %v", m["text"])
	}
}
