package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
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
	"github.com/chatops/gateway/core"
)

// startLogged starts a gateway as `serve` does, its logger (at debug, the
// most it ever says) writing to logs.
func startLogged(t *testing.T, cfg *Config, logs io.Writer) *gateway {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var stdout bytes.Buffer
	srv, err := startServer(ctx, cfg, &stdout, newLogger(cfg, logs))
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	g := &gateway{t: t, srv: srv, base: "http://" + srv.Addr(), cancel: cancel, done: make(chan error, 1), stdout: &stdout}
	go func() { g.done <- srv.wait(ctx) }()
	t.Cleanup(g.stop)
	return g
}

// A full run through every way in, with every secret the gateway knows of
// in use, right and wrong: no secret, token, session id or key appears in
// a line of the log.
func TestSecretsNeverLogged(t *testing.T) {
	const (
		mmToken      = "mm-secret-token-7f3a9c1e5b2d4f6a8c0e"
		githubSecret = "gh-secret-9d8c7b6a5f4e3d2c1b0a"
		metricsToken = "metrics-secret-4e5f6a7b8c9d0e1f2a3b"
	)
	key := base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789ABCDEF"))
	fake := newSlackFake(t, nil) // it wants the bot token e2eBotToken
	var (
		recvMu  sync.Mutex
		signed  []string
		receive = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			recvMu.Lock()
			signed = append(signed, r.Header.Get("X-Webhook-Signature")+r.Header.Get("Webhook-Signature"))
			recvMu.Unlock()
			w.WriteHeader(204)
		}))
	)
	t.Cleanup(receive.Close)
	var logs syncBuffer
	cfg := testConfig(t, filepath.Join(t.TempDir(), "gw.db"), fake.settings(map[string]string{
		"GATEWAY_MATTERMOST_TOKEN": mmToken, "GATEWAY_GITHUB_WEBHOOK_SECRET": githubSecret,
		"GATEWAY_METRICS_TOKEN": metricsToken, "GATEWAY_ENCRYPTION_KEY": key,
		"GATEWAY_ALLOW_PRIVATE_TARGETS": "true", "GATEWAY_LOG_LEVEL": "debug",
	}))
	g := startLogged(t, cfg, &logs)
	secrets := map[string]string{
		"admin token": testAdmin, "Slack signing secret": testSecret, "Slack bot token": e2eBotToken,
		"Mattermost token": mmToken, "GitHub secret": githubSecret, "metrics token": metricsToken, "encryption key": key,
	}
	admin := "Bearer " + testAdmin
	expect := func(a answer, status int, what string) answer {
		t.Helper()
		if a.status != status {
			t.Fatalf("%s: %d, want %d: %s", what, a.status, status, a.body)
		}
		return a
	}
	field := func(a answer, k string) string {
		var m map[string]any
		_ = json.Unmarshal(a.body, &m)
		return fmt.Sprint(m[k])
	}

	// API tokens: a member's, used; a revoked one, tried.
	member := expect(call(t, "POST", g.base+"/api/v1/tokens", admin, `{"user": "ana", "role": "member"}`), 201, "member token")
	memberToken := field(member, "token")
	spare := expect(call(t, "POST", g.base+"/api/v1/tokens", admin, `{"user": "ana"}`), 201, "spare token")
	expect(call(t, "DELETE", g.base+"/api/v1/tokens/"+field(spare, "id"), admin, ""), 204, "revoke")
	secrets["member token"], secrets["revoked token"] = memberToken, field(spare, "token")
	expect(call(t, "GET", g.base+"/api/v1/clients", "Bearer "+field(spare, "token"), ""), 401, "revoked token")
	expect(call(t, "GET", g.base+"/api/v1/time-entries", "Bearer "+memberToken, ""), 200, "member lists")

	// A subscription with its secret, delivered to, then rotated.
	sub := expect(call(t, "POST", g.base+"/api/v1/webhooks", "Bearer "+memberToken,
		fmt.Sprintf(`{"name": "mine", "url": %q, "events": ["time_entry.*"]}`, receive.URL)), 201, "webhook")
	secrets["webhook secret"] = field(sub, "secret")
	rot := expect(call(t, "POST", g.base+"/api/v1/webhooks/"+field(sub, "id")+"/rotate-secret", "Bearer "+memberToken, ""), 200, "rotate")
	secrets["rotated webhook secret"] = field(rot, "secret")
	ww := expect(call(t, "POST", g.base+"/rest-api/v1/webhooks", admin, fmt.Sprintf(`{"url": %q, "events": ["time_entry.created"]}`, receive.URL)), 201, "webwork")
	var wwAnswer struct{ Webhook struct{ Token string } }
	_ = json.Unmarshal(ww.body, &wwAnswer)
	secrets["WebWork secret"] = wwAnswer.Webhook.Token

	// An incoming hook: called with its token, and with a wrong one.
	in := expect(call(t, "POST", g.base+"/api/v1/incoming", "Bearer "+memberToken, `{"name": "ci"}`), 201, "incoming")
	hookURL := field(in, "url")
	hookToken := hookURL[strings.LastIndex(hookURL, "/")+1:]
	secrets["hook token"] = hookToken
	expect(call(t, "POST", g.base+"/hooks/"+hookToken, "", `{"text": "log 30m on Deploy in Website 2025-01-06"}`), 200, "hook call")
	expect(call(t, "POST", g.base+"/hooks/"+hookToken+"x", "", `{"text": "status"}`), 404, "wrong hook token")

	// Slack: a command, a notify with the bot token, a button; a forged one.
	g.slash("log 1h on Specs in Website 2025-01-06")
	g.slash("notify tracker.*")
	g.slash("track Fix login in Website")
	started := fake.wait(t, "/api/chat.postMessage", "started Fix login")
	value := regexp.MustCompile(`"action_id":"stop_timer","value":"(\d+)"`).FindStringSubmatch(started["blocks"])
	if value == nil {
		t.Fatalf("no Stop button in %s", started["blocks"])
	}
	button := interactionForm(map[string]any{"type": "block_actions", "team": map[string]string{"id": "T0001"},
		"user": map[string]string{"id": "U0042"}, "response_url": fake.srv.URL + "/response/1", "trigger_id": "press-1",
		"actions": []map[string]string{{"action_id": "stop_timer", "block_id": "timer", "value": value[1], "type": "button"}}})
	if status, b := signedPost(t, g.base+"/slack/interactions", button); status != 200 {
		t.Fatalf("button: status %d %s", status, b)
	}
	forged := url.Values{"team_id": {"T0001"}, "user_id": {"U0042"}, "text": {"status"}}.Encode()
	req, _ := http.NewRequest("POST", g.base+"/slack/commands", strings.NewReader(forged))
	slack.Sign(req.Header, "not-the-secret", []byte(forged), time.Now())
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 401 {
		t.Fatalf("forged slack: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}

	// Mattermost, right and wrong token.
	mm := url.Values{"team_id": {"team-a"}, "user_id": {"u1"}, "user_name": {"bo"}, "command": {"/tt"}, "text": {"log 15m on Ops in Website 2025-01-06"}, "channel_id": {"c1"}}.Encode()
	expect(call(t, "POST", g.base+"/mattermost/commands", "Token "+mmToken, mm, "Content-Type", "application/x-www-form-urlencoded"), 200, "mattermost")
	expect(call(t, "POST", g.base+"/mattermost/commands", "Token "+mmToken+"x", mm, "Content-Type", "application/x-www-form-urlencoded"), 401, "mattermost wrong token")

	// GitHub, signed and forged.
	push := `{"ref": "refs/heads/main", "repository": {"full_name": "acme/site"}, "commits": [{"id": "c1", "message": "fix\n/log 1h on Push in Website", "author": {"username": "nobody"}}]}`
	sign := func(secret string) string {
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write([]byte(push))
		return "sha256=" + hex.EncodeToString(mac.Sum(nil))
	}
	expect(call(t, "POST", g.base+"/github/webhook", "", push, "X-Hub-Signature-256", sign(githubSecret), "X-GitHub-Event", "push", "X-GitHub-Delivery", "d-1"), 200, "github")
	expect(call(t, "POST", g.base+"/github/webhook", "", push, "X-Hub-Signature-256", sign("wrong"), "X-GitHub-Event", "push", "X-GitHub-Delivery", "d-2"), 401, "github forged")

	// Metrics, right and wrong.
	expect(call(t, "GET", g.base+"/metrics", "Bearer "+metricsToken, ""), 200, "metrics")
	expect(call(t, "GET", g.base+"/metrics", "Bearer "+metricsToken+"x", ""), 401, "metrics wrong")

	// The web page: a login (the session id and its CSRF token), a page, a
	// logout; a wrong token and a stale session.
	session := login(t, g.base, memberToken)
	secrets["session id"], secrets["CSRF token"] = session, core.HashToken("csrf:"+session)
	expect(call(t, "GET", g.base+"/ui/", "", "", "Cookie", "gateway_session="+session), 200, "dashboard")
	req, _ = http.NewRequest("POST", g.base+"/ui/logout", strings.NewReader("csrf="+secrets["CSRF token"]))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Cookie", "gateway_session="+session)
	if resp, err := noRedirect.Do(req); err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	expect(call(t, "GET", g.base+"/ui/webhooks/1", "", "", "Cookie", "gateway_session="+session), 401, "ended session")
	expect(call(t, "POST", g.base+"/ui/login", "", "token="+memberToken+"x", "Content-Type", "application/x-www-form-urlencoded"), 401, "wrong login")

	// Deliveries reach the receiver (signed with the secret), so the
	// engine's logging of them is in the capture too.
	deadline := time.Now().Add(10 * time.Second)
	for {
		recvMu.Lock()
		n := len(signed)
		recvMu.Unlock()
		if n >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the receiver got %d deliveries", n)
		}
		time.Sleep(20 * time.Millisecond)
	}
	recvMu.Lock()
	for i, s := range signed {
		secrets[fmt.Sprintf("delivery signature %d", i)] = s
	}
	recvMu.Unlock()
	g.stop()

	out := logs.String()
	if strings.Count(out, "\n") < 20 {
		t.Fatalf("too few log lines to mean anything:\n%s", out)
	}
	for what, s := range secrets {
		if len(s) < 8 {
			t.Fatalf("%s %q is too short to look for", what, s)
		}
		for _, form := range []string{s, url.QueryEscape(s), strings.TrimPrefix(s, "whsec_")} {
			if i := strings.Index(out, form); i >= 0 {
				line := out[strings.LastIndex(out[:i], "\n")+1:]
				line, _, _ = strings.Cut(line, "\n")
				t.Errorf("the log holds the %s: %s", what, line)
			}
		}
	}
	t.Logf("%d log lines scanned for %d secrets", strings.Count(out, "\n"), len(secrets))
}
