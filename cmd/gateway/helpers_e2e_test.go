package main

import (
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatops/gateway/adapters/slack"
)

// What the end-to-end tests share: a fake Slack, and signed Slack forms
// (slash commands and button presses) sent to a gateway.

// e2eBotToken is the bot token of a gateway that talks to the fake Slack;
// the fake refuses any other.
const e2eBotToken = "xoxb-e2e-bot-token"

// slackFake is a local Slack: its Web API under /api/ (users.info answers
// the zones it was given, chat.postMessage is recorded; both want
// e2eBotToken) and response URLs under /response/, recorded.
type slackFake struct {
	t     *testing.T
	srv   *httptest.Server
	zones map[string]string // Slack user id → tz

	mu        sync.Mutex
	infoCalls map[string]int
	msgs      []map[string]string // every post: path, channel, text, blocks, and replace "true"
	responses []slackAnswer       // the response_url posts answers has not returned yet
}

// slackAnswer is what the gateway posted to a response_url.
type slackAnswer struct {
	Text            string          `json:"text"`
	ResponseType    string          `json:"response_type"`
	ReplaceOriginal bool            `json:"replace_original"`
	DeleteOriginal  bool            `json:"delete_original"`
	Blocks          json.RawMessage `json:"blocks"`
}

// newSlackFake starts a fake Slack whose users.info knows zones (Slack
// user id → tz); it knows nobody when zones is nil.
func newSlackFake(t *testing.T, zones map[string]string) *slackFake {
	f := &slackFake{t: t, zones: zones, infoCalls: map[string]int{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// settings is the configuration of a gateway with the Slack adapter (the
// signing secret testSecret), the admin token testAdmin and a bot token
// that talks to f, and more.
func (f *slackFake) settings(more map[string]string) map[string]string {
	env := map[string]string{
		"GATEWAY_SLACK_SIGNING_SECRET": testSecret, "GATEWAY_ADMIN_TOKEN": testAdmin,
		"GATEWAY_SLACK_BOT_TOKEN": e2eBotToken, "GATEWAY_SLACK_API_URL": f.srv.URL + "/api/",
	}
	maps.Copy(env, more)
	return env
}

func (f *slackFake) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	form, _ := url.ParseQuery(string(body))
	if strings.HasPrefix(r.URL.Path, "/api/") && form.Get("token") != e2eBotToken && r.Header.Get("Authorization") != "Bearer "+e2eBotToken {
		_ = json.NewEncoder(w).Encode(map[string]any{"ok": false, "error": "invalid_auth"})
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case r.URL.Path == "/api/users.info":
		id := form.Get("user")
		f.infoCalls[id]++
		tz, ok := f.zones[id]
		if !ok {
			_ = json.NewEncoder(w).Encode(map[string]any{"ok": false, "error": "user_not_found"})
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "user": map[string]any{"id": id, "name": strings.ToLower(id), "tz": tz}})
	case r.URL.Path == "/api/chat.postMessage":
		m := map[string]string{"path": r.URL.Path, "channel": form.Get("channel"), "text": form.Get("text"), "blocks": form.Get("blocks")}
		f.msgs = append(f.msgs, m)
		_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "channel": m["channel"], "ts": "1.2"})
	case strings.HasPrefix(r.URL.Path, "/response/"):
		var a slackAnswer
		if err := json.Unmarshal(body, &a); err != nil {
			f.t.Errorf("response_url body is not JSON: %s", body)
		}
		m := map[string]string{"path": r.URL.Path, "text": a.Text, "blocks": string(a.Blocks)}
		if a.ReplaceOriginal {
			m["replace"] = "true"
		}
		f.msgs = append(f.msgs, m)
		f.responses = append(f.responses, a)
		_, _ = w.Write([]byte("ok"))
	default:
		http.NotFound(w, r)
	}
}

// answers returns and forgets what was posted to response URLs.
func (f *slackFake) answers() []slackAnswer {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.responses
	f.responses = nil
	return out
}

// calls is how many times users.info was asked about user.
func (f *slackFake) calls(user string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.infoCalls[user]
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

// count is how many messages the fake got at path for channel.
func (f *slackFake) count(path, channel string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, m := range f.msgs {
		if m["path"] == path && m["channel"] == channel {
			n++
		}
	}
	return n
}

// signedPost posts form to url as Slack does, signed with testSecret, and
// returns the answer's status and body.
func signedPost(t *testing.T, url, form string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(form))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	slack.Sign(req.Header, testSecret, []byte(form), time.Now())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

// slashForm is the form of a slash command (such as /tt) that a Slack user
// (id and name) of team T0001 types in channel C1.
func slashForm(user, name, command, text, trigger string) url.Values {
	return url.Values{"team_id": {"T0001"}, "user_id": {user}, "user_name": {name}, "command": {command},
		"text": {text}, "channel_id": {"C1"}, "trigger_id": {trigger}}
}

// interactionForm is the form Slack posts to /slack/interactions for
// payload (a block_actions press).
func interactionForm(payload any) string {
	b, _ := json.Marshal(payload)
	return url.Values{"payload": {string(b)}}.Encode()
}

// slashFrom sends a signed /tt command as a Slack user (id and name) and
// returns the reply, errors included.
func (g *gateway) slashFrom(user, name, text string) map[string]any {
	g.t.Helper()
	status, b := signedPost(g.t, g.base+"/slack/commands", slashForm(user, name, "/tt", text, "trig-"+user+text+time.Now().String()).Encode())
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil || status != 200 {
		g.t.Fatalf("%q: status %d, %v", text, status, err)
	}
	return m
}

// slash sends a signed slash command as ana and returns the reply; a
// warning fails the test.
func (g *gateway) slash(text string) map[string]any {
	g.t.Helper()
	m := g.slashFrom("U0042", "ana", text)
	if strings.HasPrefix(m["text"].(string), ":warning:") {
		g.t.Fatalf("%q failed: %s", text, m["text"])
	}
	return m
}

// slashAs sends a signed slash command as another Slack user and returns
// the reply's text, errors included.
func (g *gateway) slashAs(user, name, text string) string {
	g.t.Helper()
	return g.slashFrom(user, name, text)["text"].(string)
}

// press sends a signed press of a button (in block) of msg, as ana,
// answered at responseURL.
func press(t *testing.T, g *gateway, responseURL string, msg map[string]string, block, action, value string) {
	t.Helper()
	form := interactionForm(map[string]any{
		"type": "block_actions", "team": map[string]string{"id": "T0001"}, "user": map[string]string{"id": "U0042"},
		"response_url": responseURL, "trigger_id": "press-" + action,
		"message": map[string]any{"text": msg["text"], "blocks": json.RawMessage(msg["blocks"])},
		"actions": []map[string]string{{"action_id": action, "block_id": block, "value": value, "type": "button"}},
	})
	if status, b := signedPost(t, g.base+"/slack/interactions", form); status != 200 {
		t.Fatalf("press %s: status %d %s", action, status, b)
	}
}
