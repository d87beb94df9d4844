package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatops/gateway/adapters/slack"
	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/internal/ratelimit"
)

// frozen is a clock that moves only when told.
type frozen struct {
	mu sync.Mutex
	t  time.Time
}

func (c *frozen) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *frozen) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// limitedGateway starts a gateway on a frozen clock with env.
func limitedGateway(t *testing.T, env map[string]string) (*gateway, *frozen) {
	t.Helper()
	if env["GATEWAY_ADMIN_TOKEN"] == "" {
		env["GATEWAY_ADMIN_TOKEN"] = testAdmin
	}
	cfg := testConfig(t, filepath.Join(t.TempDir(), "gw.db"), env)
	clock := &frozen{t: time.Unix(1_800_000_000, 0)}
	cfg.now = clock.now
	return startGateway(t, cfg), clock
}

type answer struct {
	status int
	header http.Header
	body   []byte
}

func call(t *testing.T, method, url, auth, body string, header ...string) answer {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Error(err) // not Fatal: floods call from other goroutines
		return answer{}
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header, b}
}

// tooMany checks a 429: Retry-After in whole seconds and the usual body.
func tooMany(t *testing.T, a answer, retryAfter string) {
	t.Helper()
	var eb struct {
		Error struct{ Code, Message string }
	}
	if a.status != 429 || a.header.Get("Retry-After") != retryAfter || json.Unmarshal(a.body, &eb) != nil ||
		eb.Error.Code != ratelimit.CodeRateLimited || eb.Error.Message == "" {
		t.Fatalf("want 429, Retry-After %s and an error body; got %d, Retry-After %q, %s", retryAfter, a.status, a.header.Get("Retry-After"), a.body)
	}
}

// flood sends n requests at once and counts their statuses; every 429
// must say Retry-After: 1.
func flood(t *testing.T, n int, send func(i int) answer) map[int]int {
	t.Helper()
	answers := make([]answer, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { answers[i] = send(i) })
	}
	wg.Wait()
	statuses := map[int]int{}
	for _, a := range answers {
		if a.status == 429 {
			tooMany(t, a, "1")
		}
		statuses[a.status]++
	}
	return statuses
}

// countClients is the number of clients stored.
func countClients(t *testing.T, g *gateway) int {
	t.Helper()
	n := 0
	ws, err := g.srv.svc.Workspace(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	err = g.srv.store.View(context.Background(), func(tx core.Tx) error {
		cs, err := tx.ListClients(ws.ID, core.Page{Limit: core.MaxPageLimit})
		n = len(cs)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// A flood on one API token: the burst goes through, each request applied
// once; the rest get 429 and store nothing; other tokens are not slowed.
func TestAPIFloodIsLimitedPerToken(t *testing.T) {
	g, clock := limitedGateway(t, map[string]string{"GATEWAY_RATE_API": "5/s:10"})
	bearer := "Bearer " + testAdmin
	statuses := flood(t, 40, func(i int) answer {
		return call(t, "POST", g.base+"/api/v1/clients", bearer, fmt.Sprintf(`{"name":"Client %d"}`, i))
	})
	if statuses[201] != 10 || statuses[429] != 30 {
		t.Fatalf("statuses %v, want 10×201 and 30×429", statuses)
	}
	if n := countClients(t, g); n != 10 {
		t.Fatalf("%d clients stored, want the 10 accepted", n)
	}
	// Another token has its own bucket; a bad one is refused 401, not 429.
	if a := call(t, "GET", g.base+"/api/v1/clients", "Bearer not-a-token", ""); a.status != 401 {
		t.Fatalf("another token: %d", a.status)
	}
	clock.add(time.Second)
	for i := range 5 {
		if a := call(t, "GET", g.base+"/api/v1/clients", bearer, ""); a.status != 200 {
			t.Fatalf("request %d a second later: %d %s", i, a.status, a.body)
		}
	}
	tooMany(t, call(t, "GET", g.base+"/rest-api/v1/webhooks", bearer, ""), "1")
}

// At the documented default rate (50/s, burst 100), nothing is refused.
func TestAPIDocumentedRateIsNeverRefused(t *testing.T) {
	g, clock := limitedGateway(t, map[string]string{})
	for i := range 500 {
		if a := call(t, "GET", g.base+"/api/v1/clients", "Bearer "+testAdmin, ""); a.status != 200 {
			t.Fatalf("request %d at 50/s: %d %s", i, a.status, a.body)
		}
		clock.add(20 * time.Millisecond)
	}
}

// A flood on one incoming hook: the burst is applied once each, the rest
// get 429 and log nothing.
func TestHookFloodIsLimitedPerHook(t *testing.T) {
	g, clock := limitedGateway(t, map[string]string{"GATEWAY_RATE_HOOK": "2/s:4"})
	var hook struct{ URL string }
	if st := g.apiBody("POST", "/api/v1/incoming", map[string]string{"name": "ci"}, &hook); st != 201 {
		t.Fatalf("create hook: %d", st)
	}
	path := g.base + "/hooks/" + hook.URL[strings.LastIndex(hook.URL, "/")+1:]
	statuses := flood(t, 20, func(i int) answer {
		return call(t, "POST", path, "", fmt.Sprintf(`{"text":"log 5m on Job in Website 2025-01-06 -- run %d"}`, i))
	})
	if statuses[200] != 4 || statuses[429] != 16 {
		t.Fatalf("statuses %v, want 4×200 and 16×429", statuses)
	}
	var entries entryList
	g.api("GET", "/api/v1/time-entries", &entries)
	if len(entries.Data) != 4 {
		t.Fatalf("%d entries stored, want the 4 accepted", len(entries.Data))
	}
	// At the rate, never refused.
	for i := range 20 {
		clock.add(500 * time.Millisecond)
		if a := call(t, "POST", path, "", fmt.Sprintf(`{"text":"log 5m on Later in Website 2025-01-06 -- run %d"}`, i)); a.status != 200 {
			t.Fatalf("call %d at 2/s: %d %s", i, a.status, a.body)
		}
	}
}

// Failed authentications from one address: past the allowance, every
// request from there gets 429, a good token too, until a token refills.
// X-Forwarded-For counts only from a trusted proxy.
func TestFailedAuthenticationsBlockTheAddress(t *testing.T) {
	g, clock := limitedGateway(t, map[string]string{"GATEWAY_TRUSTED_PROXIES": "127.0.0.1/32"})
	good := "Bearer " + testAdmin
	fails := []func() answer{
		func() answer {
			return call(t, "GET", g.base+"/api/v1/clients", "Bearer wrong", "", "X-Forwarded-For", "198.51.100.7")
		},
		func() answer {
			return call(t, "GET", g.base+"/api/v1/clients", "", "", "X-Forwarded-For", "198.51.100.7")
		},
		func() answer {
			return call(t, "POST", g.base+"/hooks/no-such-hook", "", `{"text":"status"}`, "X-Forwarded-For", "198.51.100.7")
		},
		func() answer {
			return call(t, "POST", g.base+"/ui/login", "", "token=wrong", "X-Forwarded-For", "198.51.100.7", "Content-Type", "application/x-www-form-urlencoded")
		},
	}
	for i := range 10 {
		if a := fails[i%len(fails)](); a.status != 401 && a.status != 404 {
			t.Fatalf("failure %d: %d %s", i, a.status, a.body)
		}
	}
	tooMany(t, call(t, "GET", g.base+"/api/v1/clients", good, "", "X-Forwarded-For", "198.51.100.7"), "6")
	tooMany(t, call(t, "GET", g.base+"/healthz", "", "", "X-Forwarded-For", "198.51.100.7"), "6")
	before := countClients(t, g)
	tooMany(t, call(t, "POST", g.base+"/api/v1/clients", good, `{"name":"Blocked"}`, "X-Forwarded-For", "198.51.100.7"), "6")
	if countClients(t, g) != before {
		t.Fatal("a refused request stored a client")
	}
	// Another client behind the same proxy is not blocked.
	if a := call(t, "GET", g.base+"/api/v1/clients", good, "", "X-Forwarded-For", "198.51.100.8"); a.status != 200 {
		t.Fatalf("another address: %d %s", a.status, a.body)
	}
	clock.add(6 * time.Second)
	if a := call(t, "GET", g.base+"/api/v1/clients", good, "", "X-Forwarded-For", "198.51.100.7"); a.status != 200 {
		t.Fatalf("after a token refilled: %d %s", a.status, a.body)
	}
}

// Without trusted proxies X-Forwarded-For is ignored: a forged header
// does not dodge the block.
func TestForwardedForIgnoredFromUntrustedPeer(t *testing.T) {
	g, _ := limitedGateway(t, map[string]string{"GATEWAY_RATE_AUTH_FAILURES": "3/min"})
	for i := range 3 {
		call(t, "GET", g.base+"/api/v1/clients", "Bearer wrong", "", "X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i))
	}
	tooMany(t, call(t, "GET", g.base+"/api/v1/clients", "Bearer "+testAdmin, "", "X-Forwarded-For", "203.0.113.99"), "20")
}

// Every answer carries X-Request-Id, the caller's when sane; the log lines
// about the request carry it as request_id.
func TestRequestIDOnAnswersAndLogLines(t *testing.T) {
	cfg := testConfig(t, filepath.Join(t.TempDir(), "gw.db"), map[string]string{"GATEWAY_ADMIN_TOKEN": testAdmin, "GATEWAY_SLACK_SIGNING_SECRET": testSecret})
	var logs syncBuffer
	srv, err := startServer(context.Background(), cfg, io.Discard, newLogger(cfg, &logs))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.wait(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	base := "http://" + srv.Addr()

	a := call(t, "GET", base+"/healthz", "", "", "X-Request-Id", "abc-123.XYZ_9")
	if got := a.header.Get("X-Request-Id"); got != "abc-123.XYZ_9" {
		t.Fatalf("a sane id came back as %q", got)
	}
	seen := map[string]bool{}
	for _, bad := range []string{"has space", strings.Repeat("x", 129), "bad/slash", `"quote"`, "a;b"} {
		a := call(t, "GET", base+"/no-such-page", "", "", "X-Request-Id", bad)
		got := a.header.Get("X-Request-Id")
		if got == bad || !httpxSane(got) || seen[got] || a.status != 404 {
			t.Fatalf("id %q answered %d with %q", bad, a.status, got)
		}
		seen[got] = true
	}
	// A failed API request and a rejected Slack command log their id.
	call(t, "GET", base+"/api/v1/clients", "Bearer wrong", "", "X-Request-Id", "req-api-1")
	body := url.Values{"team_id": {"T1"}, "user_id": {"U1"}, "text": {"status"}}.Encode()
	req, _ := http.NewRequest("POST", base+"/slack/commands", strings.NewReader(body))
	req.Header.Set("X-Request-Id", "req-slack-1")
	slack.Sign(req.Header, "wrong secret", []byte(body), time.Now())
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 401 || resp.Header.Get("X-Request-Id") != "req-slack-1" {
		t.Fatalf("slack: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	for _, id := range []string{"req-api-1", "req-slack-1"} {
		found := false
		for line := range strings.SplitSeq(logs.String(), "\n") {
			var m map[string]any
			if json.Unmarshal([]byte(line), &m) == nil && m["request_id"] == id {
				found = true
			}
		}
		if !found {
			t.Errorf("no log line carries request_id %s:\n%s", id, logs.String())
		}
	}
}

func httpxSane(id string) bool { return len(id) == 32 && strings.Trim(id, "0123456789abcdef") == "" }

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func TestMetricsToken(t *testing.T) {
	const token = "metrics-secret-0123456789"
	g, _ := limitedGateway(t, map[string]string{"GATEWAY_METRICS_TOKEN": token})
	for _, auth := range []string{"", "Bearer wrong", "Basic " + token, token} {
		if a := call(t, "GET", g.base+"/metrics", auth, ""); a.status != 401 || a.header.Get("WWW-Authenticate") == "" {
			t.Fatalf("Authorization %q: %d", auth, a.status)
		}
	}
	if a := call(t, "GET", g.base+"/metrics", "Bearer "+token, ""); a.status != 200 || !bytes.Contains(a.body, []byte("go_goroutines")) {
		t.Fatalf("with the token: %d", a.status)
	}
	g2, _ := limitedGateway(t, map[string]string{})
	if a := call(t, "GET", g2.base+"/metrics", "", ""); a.status != 200 {
		t.Fatalf("without a metrics token set: %d", a.status)
	}
}

func TestShortAdminTokenStopsTheGatewayWithStatus2(t *testing.T) {
	db := filepath.Join(t.TempDir(), "gw.db")
	_, _, err := runCLI(t, map[string]string{"GATEWAY_ADMIN_TOKEN": "adm", "GATEWAY_DATABASE_URL": "sqlite:" + db, "GATEWAY_ADDR": "127.0.0.1:0"}, "serve")
	if err == nil || exitStatus(err) != 2 || !strings.Contains(err.Error(), "at least 32") || !strings.Contains(err.Error(), "GATEWAY_ADMIN_TOKEN") {
		t.Fatalf("serve with a 3-character admin token: %v (status %d)", err, exitStatus(err))
	}
	if exitStatus(io.EOF) != 1 {
		t.Fatal("another error does not exit 1")
	}
}

// A command from a team the gateway is not pinned to is refused 403 and
// stores nothing, on Slack and Mattermost alike.
func TestTeamPinning(t *testing.T) {
	g, _ := limitedGateway(t, map[string]string{"GATEWAY_SLACK_SIGNING_SECRET": testSecret, "GATEWAY_SLACK_TEAM_IDS": "T0001, T0002",
		"GATEWAY_MATTERMOST_TOKEN": "mm-token", "GATEWAY_MATTERMOST_TEAM_IDS": "team-a"})
	var after int64
	g.events(&after)
	g.slash("log 1h on Fix in Website") // team T0001: taken
	if evs := g.events(&after); len(evs) == 0 {
		t.Fatal("a pinned team's command stored nothing")
	}
	post := func(path string, form url.Values, sign bool) int {
		body := form.Encode()
		req, _ := http.NewRequest("POST", g.base+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if sign {
			slack.Sign(req.Header, testSecret, []byte(body), time.Now())
		} else {
			req.Header.Set("Authorization", "Token mm-token")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	slash := url.Values{"team_id": {"T9999"}, "user_id": {"U1"}, "user_name": {"eve"}, "command": {"/tt"}, "text": {"log 1h on Evil in Website"}, "trigger_id": {"t-evil"}}
	if st := post("/slack/commands", slash, true); st != 403 {
		t.Fatalf("slack command from another team: %d", st)
	}
	payload, _ := json.Marshal(map[string]any{"type": "block_actions", "team": map[string]string{"id": "T9999"}, "user": map[string]string{"id": "U1"},
		"actions": []map[string]string{{"action_id": slack.StopActionID, "value": "1"}}})
	if st := post("/slack/interactions", url.Values{"payload": {string(payload)}}, true); st != 403 {
		t.Fatalf("slack interaction from another team: %d", st)
	}
	mm := url.Values{"team_id": {"team-b"}, "user_id": {"u1"}, "user_name": {"eve"}, "command": {"/tt"}, "text": {"log 1h on Evil in Website"}, "channel_id": {"c1"}}
	if st := post("/mattermost/commands", mm, false); st != 403 {
		t.Fatalf("mattermost command from another team: %d", st)
	}
	mm.Set("team_id", "team-a")
	if st := post("/mattermost/commands", mm, false); st != 200 {
		t.Fatalf("mattermost command from the pinned team: %d", st)
	}
	if evs := g.events(&after); len(evs) == 0 || slicesContainsUser(t, g, "eve") != 1 {
		t.Fatalf("after the pinned Mattermost command: events %v", evs)
	}
}

// slicesContainsUser counts users named name.
func slicesContainsUser(t *testing.T, g *gateway, name string) int {
	t.Helper()
	var users struct{ Data []core.User }
	g.api("GET", "/api/v1/users", &users)
	n := 0
	for _, u := range users.Data {
		if u.Name == name {
			n++
		}
	}
	return n
}
