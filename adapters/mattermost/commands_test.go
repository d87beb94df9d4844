package mattermost_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chatops/gateway/adapters/mattermost"
	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/store/sqlite"
)

const token = "xr3j5x3p4pfk7fbxg1n6wbw2nh"

type env struct {
	t     *testing.T
	store core.Store
	svc   *core.Service
	srv   *httptest.Server
}

func newEnv(t *testing.T) *env {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "mm.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	svc := core.NewService(st, core.Options{})
	h, err := mattermost.NewHandler(svc, mattermost.Options{Token: token})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &env{t: t, store: st, svc: svc, srv: srv}
}

// form is a slash command as Mattermost posts it.
func form(command, text, trigger string) url.Values {
	return url.Values{
		"channel_id": {"fukcsnbuyjbbpyxyk7jmprdbfq"}, "channel_name": {"town-square"}, "command": {command},
		"response_url": {"https://mm.example.com/hooks/commands/abc"}, "team_domain": {"acme"},
		"team_id": {"9h6q6ouxn3rmjmzj4sf1bt3d8h"}, "text": {text}, "token": {token},
		"trigger_id": {trigger}, "user_id": {"mpe58iz4s3nqfbq3jyywb9jjxa"}, "user_name": {"ana"},
	}
}

func (e *env) post(body, auth string) (int, map[string]any) {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+"/mattermost/commands", strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
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

func (e *env) command(command, text, trigger string) map[string]any {
	e.t.Helper()
	status, m := e.post(form(command, text, trigger).Encode(), "Token "+token)
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

func TestNewHandlerRefusesEmptyToken(t *testing.T) {
	if _, err := mattermost.NewHandler(nil, mattermost.Options{}); err == nil {
		t.Fatal("NewHandler accepted an empty token")
	}
}

func TestCommandsAnswerInMattermostFormat(t *testing.T) {
	e := newEnv(t)
	m := e.command("/track", "Fix login in Website", "t1")
	if text, _ := m["text"].(string); m["response_type"] != "in_channel" || !strings.HasPrefix(text, "⏱ ana started **Fix login** in **Website** (entry #1, ") || !strings.Contains(text, "\n🆕 new project") {
		t.Fatalf("track reply = %v", m)
	}
	if len(m) != 2 {
		t.Errorf("reply has more than response_type and text: %v", m)
	}
	m = e.command("/tt", "stop", "t2")
	if m["response_type"] != "in_channel" || !strings.Contains(m["text"].(string), "stopped **Fix login** in **Website**") {
		t.Fatalf("stop reply = %v", m)
	}
	m = e.command("/tt", "log 1h on Specs in Website yesterday", "t3")
	if m["response_type"] != "ephemeral" || !strings.Contains(m["text"].(string), "`delete entry #") {
		t.Fatalf("log reply = %v", m)
	}
	m = e.command("/track", "report", "t4")
	if m["response_type"] != "ephemeral" || !strings.Contains(m["text"].(string), "Website") {
		t.Fatalf("report reply = %v", m)
	}
	// The user is the mattermost identity TEAM:USER.
	u, err := e.svc.LookupIdentity(context.Background(), core.ProviderMattermost, "9h6q6ouxn3rmjmzj4sf1bt3d8h:mpe58iz4s3nqfbq3jyywb9jjxa")
	if err != nil || u.Name != "ana" || u.Role != core.RoleMember {
		t.Fatalf("user %+v, %v", u, err)
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

func TestParseAndDomainErrorsAnswerEphemeral(t *testing.T) {
	e := newEnv(t)
	m := e.command("/tt", "track in Web", "")
	text := m["text"].(string)
	if m["response_type"] != "ephemeral" || !strings.Contains(text, "column") || !strings.Contains(text, "Example: `") {
		t.Fatalf("parse error reply = %v", m)
	}
	m = e.command("/tt", "stop", "")
	if m["response_type"] != "ephemeral" || !strings.Contains(m["text"].(string), "no timer is running") {
		t.Fatalf("domain error reply = %v", m)
	}
	if n := e.eventCount(); n != 1 { // workspace_user.created of ana
		t.Fatalf("%d events", n)
	}
}

func TestRejectsWrongTokenAndBadRequests(t *testing.T) {
	e := newEnv(t)
	body := form("/tt", "track Fix in Web", "x").Encode()
	cases := []struct {
		name, body, auth string
		status           int
	}{
		{"no token", body, "", 401},
		{"wrong token", body, "Token " + strings.ToUpper(token), 401},
		{"token prefix", body, "Token " + token[:10], 401},
		{"bearer scheme", body, "Bearer " + token, 401},
		{"token only in the form", body, "", 401},
		{"too large", body + "&pad=" + strings.Repeat("a", 1<<20), "Token " + token, 413},
		{"no user", url.Values{"team_id": {"T"}, "text": {"stop"}}.Encode(), "Token " + token, 400},
		{"not a form", "%zz%", "Token " + token, 400},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, m := e.post(c.body, c.auth)
			errObj, _ := m["error"].(map[string]any)
			if status != c.status || errObj["message"] == "" {
				t.Fatalf("status %d %v, want %d with a reason", status, m, c.status)
			}
		})
	}
	if n := e.eventCount(); n != 0 {
		t.Fatalf("%d events stored for rejected requests", n)
	}
	// The scheme is case-insensitive, as HTTP's are.
	if status, _ := e.post(body, "token "+token); status != 200 {
		t.Fatalf("lower-case scheme: %d", status)
	}
}

func FuzzMattermostDecode(f *testing.F) {
	st, err := sqlite.Open(context.Background(), filepath.Join(f.TempDir(), "fuzz.db"), sqlite.Options{Synchronous: "OFF"})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { st.Close() })
	h, err := mattermost.NewHandler(core.NewService(st, core.Options{}), mattermost.Options{Token: token})
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(form("/tt", "track Fix in Web", "x").Encode()))
	f.Add([]byte(form("/track", "log 1h on \u201cA\u201d in B #t $ -- n", "").Encode()))
	f.Add([]byte("team_id=T&user_id=U&text=%E2%80%9Chi%E2%80%9D"))
	f.Add([]byte("%zz"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, body []byte) {
		c, err := mattermost.DecodeCommand(body)
		if err == nil && (strings.TrimSpace(c.TeamID) == "" || strings.TrimSpace(c.UserID) == "") {
			t.Fatalf("accepted a command without a user: %+v", c)
		}
		req := httptest.NewRequest(http.MethodPost, "/mattermost/commands", strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", "Token "+token)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%q: status %d %s", body, rec.Code, rec.Body)
		}
	})
}
