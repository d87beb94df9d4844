package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/chatops/gateway/adapters/slack"
	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/store/postgres"
	"github.com/chatops/gateway/store/postgres/pgtest"
)

// These tests run gateway processes on a PostgreSQL schema of their own;
// they need GATEWAY_TEST_DATABASE_URL and skip with -short.

const githubSecret = "multi-github-secret"

// startProcs starts one gateway process per environment at the same moment
// and waits until each is listening.
func startProcs(t *testing.T, bin string, envs ...[]string) []*proc {
	t.Helper()
	procs := make([]*proc, len(envs))
	addrs := make([]chan string, len(envs))
	for i, env := range envs {
		cmd := exec.Command(bin, "serve")
		cmd.Env = append(os.Environ(), env...)
		stderr, err := cmd.StderrPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		p := &proc{cmd: cmd, done: make(chan error, 1)}
		addr := make(chan string, 1)
		go func() {
			sc := bufio.NewScanner(stderr)
			sc.Buffer(make([]byte, 1<<20), 1<<20)
			for sc.Scan() {
				var line struct {
					Msg  string `json:"msg"`
					Addr string `json:"addr"`
				}
				if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "listening" {
					addr <- line.Addr
				}
			}
			p.done <- cmd.Wait()
		}()
		t.Cleanup(func() {
			if cmd.ProcessState == nil {
				cmd.Process.Kill()
				<-p.done
			}
		})
		procs[i], addrs[i] = p, addr
	}
	for i, p := range procs {
		select {
		case a := <-addrs[i]:
			p.base = "http://" + a
		case err := <-p.done:
			t.Fatalf("gateway %d exited before listening: %v", i, err)
		case <-time.After(60 * time.Second):
			t.Fatalf("gateway %d did not start listening within 60s", i)
		}
	}
	return procs
}

// multiReceiver is a slow subscriber that records when each request of each
// webhook-id arrives, and any two requests of one id that overlap: two
// workers holding the same delivery at once.
type multiReceiver struct {
	mu       sync.Mutex
	arrivals map[string][]time.Time
	active   map[string]int
	overlaps []string
}

func newMultiReceiver() *multiReceiver {
	return &multiReceiver{arrivals: map[string][]time.Time{}, active: map[string]int{}}
}

func (rc *multiReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	now := time.Now()
	body, _ := io.ReadAll(r.Body)
	var msg struct {
		Code string `json:"validation_code"`
	}
	_ = json.Unmarshal(body, &msg)
	if msg.Code != "" {
		_ = json.NewEncoder(w).Encode(map[string]string{"validation_code": msg.Code})
		return
	}
	id := r.Header.Get("webhook-id")
	rc.mu.Lock()
	rc.arrivals[id] = append(rc.arrivals[id], now)
	rc.active[id]++
	if rc.active[id] > 1 {
		rc.overlaps = append(rc.overlaps, id)
	}
	rc.mu.Unlock()
	time.Sleep(20 * time.Millisecond) // slow: attempts are in flight when a process dies
	rc.mu.Lock()
	rc.active[id]--
	rc.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func (rc *multiReceiver) snapshot() map[string][]time.Time {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	out := make(map[string][]time.Time, len(rc.arrivals))
	for k, v := range rc.arrivals {
		out[k] = append([]time.Time(nil), v...)
	}
	return out
}

// slashRequest is a signed slash command, ready to be sent (as is, again,
// or to another process).
type slashRequest struct {
	body   string
	header http.Header
}

func newSlash(user, text, trigger string) slashRequest {
	body := url.Values{"team_id": {"T1"}, "user_id": {user}, "user_name": {strings.ToLower(user)},
		"command": {"/tt"}, "text": {text}, "trigger_id": {trigger}}.Encode()
	h := http.Header{}
	h.Set("Content-Type", "application/x-www-form-urlencoded")
	slack.Sign(h, testSecret, []byte(body), time.Now())
	return slashRequest{body: body, header: h}
}

var entryRef = regexp.MustCompile(`delete entry #(\d+)`)

// send posts the command to base and returns the reply's text and the id of
// the entry it acknowledges (0 when it was not acknowledged).
func (r slashRequest) send(base string) (string, core.ID, error) {
	req, _ := http.NewRequest(http.MethodPost, base+"/slack/commands", strings.NewReader(r.body))
	req.Header = r.header.Clone()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", 0, err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m struct {
		Text string `json:"text"`
	}
	if resp.StatusCode != 200 || json.Unmarshal(raw, &m) != nil {
		return "", 0, fmt.Errorf("status %d: %s", resp.StatusCode, raw)
	}
	if strings.HasPrefix(m.Text, ":warning:") || strings.HasPrefix(m.Text, ":hourglass:") {
		return m.Text, 0, nil // refused, or busy: not acknowledged
	}
	sm := entryRef.FindSubmatch(raw)
	if sm == nil {
		return m.Text, 0, fmt.Errorf("acknowledged without an entry id: %s", raw)
	}
	id, _ := strconv.ParseInt(string(sm[1]), 10, 64)
	return m.Text, core.ID(id), nil
}

// githubPush is a signed push of one commit by ana-gh that logs an hour.
func githubPush(base, delivery, commit string) (map[string]any, error) {
	c := map[string]any{"id": commit, "tree_id": commit, "distinct": true, "message": "Work on the login form\n\nspent 1h",
		"timestamp": time.Now().Add(-time.Hour).UTC().Format(time.RFC3339), "url": "https://github.com/octo/web/commit/" + commit,
		"author":    map[string]any{"name": "Ana", "email": "ana@example.com", "username": "ana-gh"},
		"committer": map[string]any{"name": "Ana", "email": "ana@example.com", "username": "ana-gh"}}
	body, _ := json.Marshal(map[string]any{"ref": "refs/heads/main", "before": strings.Repeat("0", 40), "after": commit,
		"repository": map[string]any{"id": 1, "name": "web", "full_name": "octo/web", "default_branch": "main",
			"owner": map[string]any{"login": "octo"}},
		"pusher": map[string]any{"name": "ana"}, "sender": map[string]any{"login": "ana-gh"},
		"commits": []any{c}, "head_commit": c})
	mac := hmac.New(sha256.New, []byte(githubSecret))
	mac.Write(body)
	req, _ := http.NewRequest(http.MethodPost, base+"/github/webhook", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-GitHub-Event", "push")
	req.Header.Set("X-GitHub-Delivery", delivery)
	req.Header.Set("X-Hub-Signature-256", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var m map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil || resp.StatusCode != 200 {
		return m, fmt.Errorf("status %d: %v %v", resp.StatusCode, m, err)
	}
	return m, nil
}

// storeOf opens the gateways' database from the test.
func storeOf(t *testing.T, dbURL string) *postgres.Store {
	t.Helper()
	st, err := postgres.Open(t.Context(), dbURL, postgres.Options{MaxConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// outboxCreated reads the time_entry.created events of the outbox.
func outboxCreated(t *testing.T, st core.Store) []core.Event {
	t.Helper()
	var out []core.Event
	err := st.View(context.Background(), func(tx core.Tx) error {
		var after int64
		for {
			evs, err := tx.Events(after, 1000)
			if err != nil {
				return err
			}
			for _, e := range evs {
				if e.Type == core.EventTimeEntryCreated {
					out = append(out, e)
				}
				after = e.Seq
			}
			if len(evs) < 1000 {
				return nil
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// storedEntries returns the ids of every time entry.
func storedEntries(t *testing.T, st core.Store, ws core.ID, f core.EntryFilter) map[core.ID]bool {
	t.Helper()
	out := map[core.ID]bool{}
	err := st.View(context.Background(), func(tx core.Tx) error {
		p := core.Page{Limit: core.MaxPageLimit}
		for {
			es, err := tx.ListEntries(ws, f, p)
			if err != nil {
				return err
			}
			for _, e := range es {
				out[e.ID] = true
			}
			if len(es) < p.Limit {
				return nil
			}
			p.After = es[len(es)-1].ID
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// waitDelivered waits until every time_entry.created event of the outbox
// has reached the receiver at least once, and returns them.
func waitDelivered(t *testing.T, st core.Store, rc *multiReceiver, within time.Duration) []core.Event {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		want := outboxCreated(t, st)
		got := rc.snapshot()
		missing := 0
		for _, e := range want {
			if len(got[e.ID]) == 0 {
				missing++
			}
		}
		if missing == 0 {
			return want
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d time_entry.created events never arrived", missing, len(want))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func gatewayEnv(dbURL string) []string {
	return []string{"GATEWAY_ADDR=127.0.0.1:0", "GATEWAY_DATABASE_URL=" + dbURL, "GATEWAY_SLACK_SIGNING_SECRET=" + testSecret,
		"GATEWAY_GITHUB_WEBHOOK_SECRET=" + githubSecret, "GATEWAY_ADMIN_TOKEN=" + testAdmin, "GATEWAY_ALLOW_PRIVATE_TARGETS=true",
		"GATEWAY_DELIVERY_TIMEOUT=2s", "GATEWAY_RETRY_SCHEDULE=0s,100ms,200ms,500ms,1s,1s,1s,1s,1s,1s", "GATEWAY_DISABLE_AFTER=1000",
		"GATEWAY_DB_MAX_CONNS=12", "GATEWAY_DB_CONNECT_TIMEOUT=2s"}
}

func subscribe(t *testing.T, base, target string) {
	t.Helper()
	g := &gateway{t: t, base: base}
	var sub struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	if st := g.apiBody("POST", "/api/v1/webhooks", map[string]any{"url": target, "events": []string{"time_entry.created"}}, &sub); st != 201 {
		t.Fatalf("create subscription: %d", st)
	}
	for deadline := time.Now().Add(20 * time.Second); sub.Status != "active"; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("subscription not validated: %+v", sub)
		}
		g.api("GET", "/api/v1/webhooks/"+sub.ID, &sub)
	}
}

// TestTwoInstancesOnePostgres runs two gateway processes on one database,
// started at the same moment, sends a few thousand commands split across
// both, kills one with SIGKILL while deliveries are in flight, and checks:
// every acknowledged command is stored, every event is delivered at least
// once, duplicates are only deliveries the killed process had in flight, no
// delivery is ever sent by two workers at once, and a Slack or GitHub
// request that reaches both processes applies once.
func TestTwoInstancesOnePostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dbURL := pgtest.Schema(t)
	bin := buildGateway(t)
	rc := newMultiReceiver()
	receiver := httptest.NewServer(rc)
	defer receiver.Close()

	ps := startProcs(t, bin, gatewayEnv(dbURL), gatewayEnv(dbURL))
	p1, p2 := ps[0], ps[1]
	subscribe(t, p1.base, receiver.URL)
	st := storeOf(t, dbURL)
	var ws core.Workspace
	if err := st.Update(t.Context(), func(tx core.Tx) error {
		var err error
		if ws, err = tx.EnsureWorkspace("", time.Now()); err != nil {
			return err
		}
		ana := core.User{WorkspaceID: ws.ID, Name: "Ana", Role: core.RoleMember, TimeZone: "UTC",
			Identities: []core.Identity{{Provider: core.ProviderGitHub, Subject: "ana-gh"}}, CreatedAt: time.Now(), UpdatedAt: time.Now()}
		return tx.CreateUser(&ana)
	}); err != nil {
		t.Fatal(err)
	}

	// The same request reaching both processes applies once.
	const pairs = 40
	for k := range pairs {
		r := newSlash("UDUP", "log 5m on Twice in Tests", fmt.Sprint("dup-", k))
		var texts [2]string
		var ids [2]core.ID
		var errs [2]error
		var wg sync.WaitGroup
		for i, p := range ps {
			wg.Go(func() { texts[i], ids[i], errs[i] = r.send(p.base) })
		}
		wg.Wait()
		if errs[0] != nil || errs[1] != nil {
			t.Fatalf("pair %d: %v, %v", k, errs[0], errs[1])
		}
		if (ids[0] == 0) == (ids[1] == 0) {
			t.Fatalf("pair %d: replies %q and %q; want one acknowledged and one refused as already handled", k, texts[0], texts[1])
		}
		refused := texts[0]
		if ids[0] != 0 {
			refused = texts[1]
		}
		if !strings.Contains(refused, "already handled") {
			t.Fatalf("pair %d: the second copy answered %q", k, refused)
		}
		commit := fmt.Sprintf("%040x", k+1)
		var answers [2]map[string]any
		for i, p := range ps {
			wg.Go(func() { answers[i], errs[i] = githubPush(p.base, fmt.Sprint("gh-delivery-", k), commit) })
		}
		wg.Wait()
		if errs[0] != nil || errs[1] != nil {
			t.Fatalf("push %d: %v, %v", k, errs[0], errs[1])
		}
	}

	// A few thousand commands, 16 workers, split across both processes.
	const total, killAt, killEnd = 3000, 1200, 1700
	var (
		next  atomic.Int64
		mu    sync.Mutex
		acked = map[core.ID]bool{}
	)
	send := func(bases func(n int64) string, upto int64) {
		var wg sync.WaitGroup
		for range 16 {
			wg.Go(func() {
				for {
					n := next.Add(1)
					if n > upto {
						return
					}
					r := newSlash(fmt.Sprintf("U%d", n%13), "log 5m on Load in Tests "+pastDay(int(n)/13), fmt.Sprint("load-", n))
					if _, id, err := r.send(bases(n)); err == nil && id != 0 {
						mu.Lock()
						acked[id] = true
						mu.Unlock()
					}
				}
			})
		}
		wg.Wait()
	}
	both := func(n int64) string { return ps[n%2].base }
	send(both, killAt)
	// Kill p1 while commands and deliveries are in flight.
	sending := make(chan struct{})
	go func() { defer close(sending); send(both, killEnd) }()
	for start := len(rc.snapshot()); len(rc.snapshot()) < start+50; {
		time.Sleep(time.Millisecond)
	}
	if err := p1.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	killedAt := time.Now()
	<-p1.done
	<-sending
	next.Store(killEnd)
	send(func(int64) string { return p2.base }, total)

	events := waitDelivered(t, st, rc, 120*time.Second)
	// The deliveries the killed process held go out again once their
	// leases run out: wait for the queue to drain.
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		var pending int
		if err := st.View(t.Context(), func(tx core.Tx) error {
			var err error
			pending, err = tx.CountPendingDeliveries()
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if pending == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d deliveries still pending 60s after the last event arrived", pending)
		}
	}
	time.Sleep(100 * time.Millisecond) // the last attempt's request has returned
	stored := storedEntries(t, st, ws.ID, core.EntryFilter{})
	lost := 0
	for id := range acked {
		if !stored[id] {
			lost++
		}
	}
	if lost > 0 {
		t.Fatalf("%d of %d acknowledged commands are not stored", lost, len(acked))
	}
	if len(acked) < total/2 {
		t.Fatalf("only %d of %d commands were acknowledged", len(acked), total)
	}

	// Duplicates only for deliveries in flight in the killed process: sent
	// as it died (the receiver may take the request up a little later), and
	// once more by the survivor after the lease (7s) ran out, never while it
	// ran.
	dups := 0
	for id, at := range rc.snapshot() {
		if len(at) < 2 {
			continue
		}
		dups += len(at) - 1
		if len(at) > 2 || at[0].After(killedAt.Add(time.Second)) || at[1].Sub(at[0]) < 4*time.Second {
			t.Errorf("event %s arrived %d times (%v), not a delivery in flight at the kill (%v)", id, len(at), at, killedAt)
		}
	}
	if dups > 64 { // the killed process had at most 64 attempts in flight
		t.Errorf("%d duplicate deliveries; at most the 64 attempts in flight at the kill may repeat", dups)
	}
	rc.mu.Lock()
	overlaps := rc.overlaps
	rc.mu.Unlock()
	if len(overlaps) > 0 {
		t.Errorf("%d deliveries were being sent by two workers at once: %v", len(overlaps), overlaps)
	}

	// Each pair above applied once: one entry per pair for each user.
	var dupUser, ana core.User
	if err := st.View(t.Context(), func(tx core.Tx) error {
		var err error
		if dupUser, err = tx.UserByIdentity(ws.ID, core.ProviderSlack, "T1:UDUP"); err != nil {
			return err
		}
		ana, err = tx.UserByIdentity(ws.ID, core.ProviderGitHub, "ana-gh")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if n := len(storedEntries(t, st, ws.ID, core.EntryFilter{UserID: dupUser.ID})); n != pairs {
		t.Errorf("%d entries from %d Slack requests each sent to both processes, want %d", n, pairs, pairs)
	}
	if n := len(storedEntries(t, st, ws.ID, core.EntryFilter{UserID: ana.ID})); n != pairs {
		t.Errorf("%d entries from %d GitHub pushes each delivered to both processes, want %d", n, pairs, pairs)
	}
	t.Logf("%d commands acknowledged, %d time_entry.created events delivered, %d duplicates after the kill", len(acked), len(events), dups)

	// The survivor drains and exits 0 on SIGTERM.
	if err := p2.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := <-p2.done; err != nil {
		t.Fatalf("exit after SIGTERM: %v", err)
	}
}

// tcpProxy forwards TCP connections to a target until it is cut: then it
// closes every open connection and refuses (accepts and closes) new ones,
// as a database that is down or unreachable does.
type tcpProxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	up     bool
	conns  map[net.Conn]bool
}

func newTCPProxy(t *testing.T, target string) *tcpProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &tcpProxy{ln: ln, target: target, up: true, conns: map[net.Conn]bool{}}
	t.Cleanup(func() { ln.Close(); p.cut() })
	go p.serve()
	return p
}

func (p *tcpProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		up := p.up
		p.mu.Unlock()
		if !up {
			c.Close()
			continue
		}
		s, err := net.DialTimeout("tcp", p.target, 5*time.Second)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns[c], p.conns[s] = true, true
		p.mu.Unlock()
		pipe := func(dst, src net.Conn) {
			io.Copy(dst, src)
			dst.Close()
			src.Close()
			p.mu.Lock()
			delete(p.conns, dst)
			delete(p.conns, src)
			p.mu.Unlock()
		}
		go pipe(s, c)
		go pipe(c, s)
	}
}

// cut drops every connection and refuses new ones until restore.
func (p *tcpProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.up = false
	for c := range p.conns {
		c.Close()
	}
}

func (p *tcpProxy) restore() {
	p.mu.Lock()
	p.up = true
	p.mu.Unlock()
}

func readyz(base string) int {
	c := http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(base + "/readyz")
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestDatabaseLossRecovers puts a TCP proxy between a gateway and PostgreSQL
// and cuts it for a few seconds: readiness fails, commands fail with a clear
// answer and are not acknowledged, nothing acknowledged is lost, and once
// the proxy forwards again the same process is ready, takes commands and
// delivers every event, without a restart.
func TestDatabaseLossRecovers(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dbURL := pgtest.Schema(t)
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := newTCPProxy(t, u.Host)
	viaProxy := *u
	viaProxy.Host = proxy.ln.Addr().String()
	bin := buildGateway(t)
	rc := newMultiReceiver()
	receiver := httptest.NewServer(rc)
	defer receiver.Close()
	p := startProc(t, bin, gatewayEnv(viaProxy.String()))
	pid := p.cmd.Process.Pid
	subscribe(t, p.base, receiver.URL)
	st := storeOf(t, dbURL)
	if code := readyz(p.base); code != 200 {
		t.Fatalf("readyz before the cut: %d", code)
	}

	type result struct {
		start, end time.Time
		id         core.ID
		text       string
		err        error
	}
	var (
		mu      sync.Mutex
		results []result
		n       atomic.Int64
		stop    = make(chan struct{})
		wg      sync.WaitGroup
	)
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				k := n.Add(1)
				r := result{start: time.Now()}
				r.text, r.id, r.err = newSlash(fmt.Sprintf("U%d", k%5), "log 5m on Outage in Tests "+pastDay(int(k)/5), fmt.Sprint("outage-", k)).send(p.base)
				r.end = time.Now()
				mu.Lock()
				results = append(results, r)
				mu.Unlock()
				time.Sleep(5 * time.Millisecond)
			}
		})
	}
	time.Sleep(time.Second)
	cutAt := time.Now()
	proxy.cut()
	deadline := time.Now().Add(10 * time.Second)
	for readyz(p.base) != 503 {
		if time.Now().After(deadline) {
			t.Fatal("readyz did not turn 503 within 10s of losing the database")
		}
		time.Sleep(50 * time.Millisecond)
	}
	notReadyAt := time.Since(cutAt)
	time.Sleep(3 * time.Second)
	if code := readyz(p.base); code != 503 {
		t.Fatalf("readyz while the database is unreachable: %d", code)
	}
	restoreAt := time.Now()
	proxy.restore()
	deadline = time.Now().Add(20 * time.Second)
	for readyz(p.base) != 200 {
		if time.Now().After(deadline) {
			t.Fatal("readyz did not turn 200 within 20s of the database coming back")
		}
		time.Sleep(50 * time.Millisecond)
	}
	readyAgain := time.Since(restoreAt)
	time.Sleep(time.Second)
	close(stop)
	wg.Wait()

	// Once ready again, commands work at once.
	for k := range 20 {
		if _, id, err := newSlash("UAFTER", "log 5m on Outage in Tests "+pastDay(k), fmt.Sprint("after-", k)).send(p.base); err != nil || id == 0 {
			t.Fatalf("command %d after recovery: id %d, %v", k, id, err)
		}
	}
	if p.cmd.ProcessState != nil || p.cmd.Process.Pid != pid {
		t.Fatal("the gateway process did not survive")
	}

	var ws core.Workspace
	if err := st.Update(t.Context(), func(tx core.Tx) error {
		var err error
		ws, err = tx.EnsureWorkspace("", time.Now())
		return err
	}); err != nil {
		t.Fatal(err)
	}
	stored := storedEntries(t, st, ws.ID, core.EntryFilter{})
	var ackedBefore, ackedAfter, refused int
	for _, r := range results {
		switch {
		case r.id != 0 && !stored[r.id]:
			t.Errorf("command acknowledged at %v (entry %d) is not stored", r.end, r.id)
		case r.id != 0 && r.start.After(cutAt.Add(100*time.Millisecond)) && r.end.Before(restoreAt):
			t.Errorf("command started %v after the cut was acknowledged before the database came back", r.start.Sub(cutAt))
		case r.id != 0 && r.end.Before(restoreAt):
			ackedBefore++
		case r.id != 0:
			ackedAfter++
		case r.err == nil && r.start.After(cutAt) && r.end.Before(restoreAt):
			refused++
			if !strings.Contains(r.text, "internal error") && !strings.Contains(r.text, "busy") && !strings.Contains(r.text, "not applied") {
				t.Errorf("a command during the outage answered %q", r.text)
			}
		}
	}
	if ackedBefore == 0 || ackedAfter == 0 || refused == 0 {
		t.Errorf("acknowledged %d before the cut, %d after the database came back, refused %d during the outage; want some of each",
			ackedBefore, ackedAfter, refused)
	}
	events := waitDelivered(t, st, rc, 60*time.Second)
	t.Logf("readyz 503 after %v, 200 again %v after the database came back; %d acknowledged before, %d refused during, %d acknowledged after; %d events delivered",
		notReadyAt.Round(time.Millisecond), readyAgain.Round(time.Millisecond), ackedBefore, refused, ackedAfter, len(events))
}

// pastDay is the day of a user's i-th five-minute log: 90 a day on past
// days, so that placing bare durations (which need free time before now on
// their day) never runs out, whatever the time of day the test runs.
func pastDay(i int) string {
	return fmt.Sprintf("%d days ago", 1+i/90)
}
