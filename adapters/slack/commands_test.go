package slack_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chatops/gateway/adapters/slack"
	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/store/sqlite"
)

const secret = "8f742231b10e8888abcd99yyyzzz85a5"

type env struct {
	t     *testing.T
	store core.Store
	srv   *httptest.Server
}

func newEnv(t *testing.T) *env {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "slack.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	h, err := slack.NewHandler(core.NewService(st, core.Options{}), slack.Options{SigningSecret: secret})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(h.ServeCommands))
	t.Cleanup(srv.Close)
	return &env{t: t, store: st, srv: srv}
}

// form is a slash command as Slack sends it.
func form(command, text, trigger string) url.Values {
	return url.Values{
		"token": {"gIkuvaNzQIHg97ATvDxqgjtO"}, "team_id": {"T0001"}, "team_domain": {"example"},
		"channel_id": {"C2147483705"}, "channel_name": {"test"}, "user_id": {"U2147483697"},
		"user_name": {"Steve"}, "command": {command}, "text": {text},
		"response_url": {"https://hooks.slack.com/commands/1234/5678"}, "trigger_id": {trigger},
		"api_app_id": {"A123456"},
	}
}

func (e *env) post(body string, sign func(h http.Header, body []byte)) (int, map[string]any) {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.srv.URL, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	sign(req.Header, []byte(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		e.t.Fatalf("reply is not JSON: %q", b)
	}
	return resp.StatusCode, m
}

func signed(h http.Header, body []byte) { slack.Sign(h, secret, body, time.Now()) }

func (e *env) command(command, text, trigger string) map[string]any {
	e.t.Helper()
	status, m := e.post(form(command, text, trigger).Encode(), signed)
	if status != http.StatusOK {
		e.t.Fatalf("status %d: %v", status, m)
	}
	return m
}

func (e *env) eventCount() int {
	e.t.Helper()
	var n int
	err := e.store.View(context.Background(), func(tx core.Tx) error {
		evs, err := tx.Events(0, 10000)
		n = len(evs)
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

func TestTrackAndStopAnswerInChannel(t *testing.T) {
	e := newEnv(t)
	m := e.command("/track", "Fix login in Website", "t1")
	if m["response_type"] != "in_channel" || !strings.Contains(m["text"].(string), "*Fix login* in *Website*") {
		t.Fatalf("reply = %v", m)
	}
	if blocks, _ := m["blocks"].([]any); len(blocks) == 0 {
		t.Fatalf("reply has no blocks: %v", m)
	}
	m = e.command("/tt", "stop", "t2")
	if m["response_type"] != "in_channel" || !strings.Contains(m["text"].(string), "stopped *Fix login* in *Website*") {
		t.Fatalf("reply = %v", m)
	}
	m = e.command("/track", "report", "t3")
	if m["response_type"] != "ephemeral" || !strings.Contains(m["text"].(string), "Website") {
		t.Fatalf("report reply = %v", m)
	}
}

func TestSameTriggerAppliesOnce(t *testing.T) {
	e := newEnv(t)
	e.command("/tt", "log 1h on Specs in Web yesterday", "same")
	n := e.eventCount()
	m := e.command("/tt", "log 1h on Specs in Web yesterday", "same")
	if !strings.Contains(m["text"].(string), "already handled") || e.eventCount() != n {
		t.Fatalf("replayed command: %v, events %d → %d", m, n, e.eventCount())
	}
}

func TestRejectsBadRequestsAndStoresNothing(t *testing.T) {
	e := newEnv(t)
	body := form("/tt", "track Fix in Web", "x").Encode()
	cases := []struct {
		name   string
		body   string
		sign   func(http.Header, []byte)
		status int
	}{
		{"unsigned", body, func(http.Header, []byte) {}, 401},
		{"wrong secret", body, func(h http.Header, b []byte) { slack.Sign(h, "other", b, time.Now()) }, 401},
		{"stale", body, func(h http.Header, b []byte) { slack.Sign(h, secret, b, time.Now().Add(-6*time.Minute)) }, 401},
		{"future", body, func(h http.Header, b []byte) { slack.Sign(h, secret, b, time.Now().Add(6*time.Minute)) }, 401},
		{"tampered", body, func(h http.Header, b []byte) {
			slack.Sign(h, secret, []byte(strings.Replace(string(b), "Fix", "Fax", 1)), time.Now())
		}, 401},
		{"too large", body + "&pad=" + strings.Repeat("a", 1<<20), signed, 413},
		{"no user", url.Values{"team_id": {"T1"}, "text": {"stop"}}.Encode(), signed, 400},
		{"not a form", "%zz%", signed, 400},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, m := e.post(c.body, c.sign)
			errObj, _ := m["error"].(map[string]any)
			if status != c.status || errObj["message"] == "" {
				t.Fatalf("status %d %v, want %d with a reason", status, m, c.status)
			}
		})
	}
	if n := e.eventCount(); n != 0 {
		t.Fatalf("%d events stored for rejected requests", n)
	}
}

func TestParseErrorsAnswerEphemeralWithColumnAndExample(t *testing.T) {
	e := newEnv(t)
	for _, text := range []string{"track in Web", "log 2 on X", "log on X", "delete entry abc", "report fortnight"} {
		m := e.command("/tt", text, "")
		s, _ := json.Marshal(m)
		if m["response_type"] != "ephemeral" || !strings.Contains(m["text"].(string), "column") || !strings.Contains(string(s), "`") {
			t.Errorf("%q: reply = %s", text, s)
		}
	}
	// The hint follows the message as in the CLI's "gateway parse": "; ".
	if m := e.command("/tt", "log 2 on X", ""); !strings.Contains(m["text"].(string), `"2" has no unit; did you mean 2h or 2m?`) {
		t.Errorf("ambiguity hint missing or joined unlike the CLI: %v", m)
	}
	if n := e.eventCount(); n != 0 {
		t.Fatalf("%d events stored for parse errors", n)
	}
}

func TestDomainErrorsAnswerEphemeral(t *testing.T) {
	e := newEnv(t)
	m := e.command("/tt", "stop", "")
	if m["response_type"] != "ephemeral" || !strings.Contains(m["text"].(string), "no timer is running") {
		t.Fatalf("reply = %v", m)
	}
}

func TestImpliedVerb(t *testing.T) {
	e := newEnv(t)
	m := e.command("/track", "Write docs in Web", "a")
	if !strings.Contains(m["text"].(string), "started *Write docs*") {
		t.Fatalf("/track with a task: %v", m)
	}
	m = e.command("/track", "stop", "b") // a verb wins
	if !strings.Contains(m["text"].(string), "stopped") {
		t.Fatalf("/track stop: %v", m)
	}
}

func FuzzDecodeCommand(f *testing.F) {
	f.Add([]byte(form("/tt", "track Fix in Web", "x").Encode()))
	f.Add([]byte("team_id=T&user_id=U&text=%E2%80%9Chi%E2%80%9D"))
	f.Add([]byte("%zz"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, body []byte) {
		sc, err := slack.DecodeCommand(body)
		if err == nil && (sc.TeamID == "" || sc.UserID == "") {
			t.Fatalf("accepted a command without a user: %+v", sc)
		}
	})
}

// A request whose client hung up is not applied, and is not logged as an
// error of the gateway.
func TestCanceledRequestIsNotAnError(t *testing.T) {
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "slack.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	var logs strings.Builder
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h, err := slack.NewHandler(core.NewService(st, core.Options{}), slack.Options{SigningSecret: secret, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	body := form("/track", "log 1h on Specs in Website yesterday", "trig-canceled").Encode()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/slack/commands", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	signed(req.Header, []byte(body))
	h.ServeCommands(httptest.NewRecorder(), req)

	if !strings.Contains(logs.String(), "the request was canceled") || strings.Contains(logs.String(), `"level":"ERROR"`) {
		t.Fatalf("logs:\n%s", logs.String())
	}
	e := &env{t: t, store: st}
	if n := e.eventCount(); n != 0 {
		t.Fatalf("%d events stored for a canceled request", n)
	}
}
