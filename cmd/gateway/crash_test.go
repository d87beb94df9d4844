package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/chatops/gateway/adapters/slack"
	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/store/sqlite"
)

// proc is a gateway running as its own process.
type proc struct {
	cmd  *exec.Cmd
	base string
	done chan error
}

func buildGateway(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "gateway")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

// startProc runs the binary and waits for its "listening" log line.
func startProc(t *testing.T, bin string, env []string) *proc {
	t.Helper()
	return startProcs(t, bin, env)[0]
}

// crashReceiver is a slow subscriber that counts every webhook-id it gets.
type crashReceiver struct {
	mu    sync.Mutex
	count map[string]int
}

func (rc *crashReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var msg struct {
		Code string `json:"validation_code"`
		Type string `json:"type"`
	}
	_ = json.Unmarshal(body, &msg)
	if msg.Code != "" {
		_ = json.NewEncoder(w).Encode(map[string]string{"validation_code": msg.Code})
		return
	}
	time.Sleep(20 * time.Millisecond) // a slow receiver: attempts are in flight when the process dies
	rc.mu.Lock()
	rc.count[r.Header.Get("webhook-id")]++
	rc.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func (rc *crashReceiver) snapshot() map[string]int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	out := make(map[string]int, len(rc.count))
	for k, v := range rc.count {
		out[k] = v
	}
	return out
}

func slashTo(base, text string, n int) error {
	body := url.Values{"team_id": {"T1"}, "user_id": {fmt.Sprintf("U%d", n%7)}, "user_name": {fmt.Sprintf("user%d", n%7)},
		"command": {"/tt"}, "text": {text}, "trigger_id": {fmt.Sprint("crash-", n)}}.Encode()
	req, _ := http.NewRequest(http.MethodPost, base+"/slack/commands", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	slack.Sign(req.Header, testSecret, []byte(body), time.Now())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	reply, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || strings.Contains(string(reply), ":warning:") {
		return fmt.Errorf("status %d: %s", resp.StatusCode, reply)
	}
	return nil
}

// TestKilledProcessLosesNothing drives commands at a gateway process while a
// slow receiver is being served, kills it with SIGKILL mid-flight, restarts
// it on the same database, and checks that every event arrives at least
// once, duplicates being only the attempts that were in flight.
func TestKilledProcessLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildGateway(t)
	rc := &crashReceiver{count: map[string]int{}}
	receiver := httptest.NewServer(rc)
	defer receiver.Close()
	db := filepath.Join(t.TempDir(), "crash.db")
	env := []string{"GATEWAY_ADDR=127.0.0.1:0", "GATEWAY_DATABASE_URL=sqlite:" + db, "GATEWAY_SLACK_SIGNING_SECRET=" + testSecret,
		"GATEWAY_ADMIN_TOKEN=" + testAdmin, "GATEWAY_ALLOW_PRIVATE_TARGETS=true", "GATEWAY_DELIVERY_TIMEOUT=2s",
		"GATEWAY_RETRY_SCHEDULE=0s,100ms,200ms,500ms,1s,1s,1s,1s,1s,1s", "GATEWAY_DISABLE_AFTER=1000"}

	p1 := startProc(t, bin, env)
	g := &gateway{t: t, base: p1.base}
	var sub struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	if st := g.apiBody("POST", "/api/v1/webhooks", map[string]any{"url": receiver.URL, "events": []string{"time_entry.created"}}, &sub); st != 201 {
		t.Fatalf("create subscription: %d", st)
	}
	for deadline := time.Now().Add(20 * time.Second); sub.Status != "active"; {
		if time.Now().After(deadline) {
			t.Fatalf("subscription not validated: %+v", sub)
		}
		g.api("GET", "/api/v1/webhooks/"+sub.ID, &sub)
	}

	const total, killAt = 400, 200
	var acked atomic.Int64
	var next atomic.Int64
	send := func(base string, upto int64) {
		var wg sync.WaitGroup
		for range 16 {
			wg.Go(func() {
				for {
					n := next.Add(1)
					if n > upto {
						return
					}
					if slashTo(base, "log 5m on Crash in Tests yesterday", int(n)) == nil {
						acked.Add(1)
					}
				}
			})
		}
		wg.Wait()
	}
	send(p1.base, killAt)
	// Kill while commands and deliveries are in flight.
	go send(p1.base, killAt+40)
	for len(rc.snapshot()) == 0 {
		time.Sleep(time.Millisecond)
	}
	if err := p1.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-p1.done
	receivedAtKill := len(rc.snapshot())

	p2 := startProc(t, bin, env)
	next.Store(killAt + 40)
	send(p2.base, total)

	// Every event in the outbox must arrive; wait for it with a deadline.
	var want []core.Event
	deadline := time.Now().Add(90 * time.Second)
	for {
		want = createdEvents(t, db)
		got := rc.snapshot()
		missing := 0
		for _, e := range want {
			if got[e.ID] == 0 {
				missing++
			}
		}
		if missing == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d events never arrived", missing, len(want))
		}
		time.Sleep(50 * time.Millisecond)
	}
	if int64(len(want)) < acked.Load() {
		t.Fatalf("%d commands were acknowledged but only %d entries are stored", acked.Load(), len(want))
	}
	dups := 0
	for _, n := range rc.snapshot() {
		dups += n - 1
	}
	if dups > 64 { // at most the attempts in flight in the killed process (64 workers)
		t.Fatalf("%d duplicate deliveries; only attempts in flight at the kill may repeat", dups)
	}
	t.Logf("%d commands acknowledged, %d events delivered (%d before the kill), %d duplicates", acked.Load(), len(want), receivedAtKill, dups)

	// A graceful stop drains and exits 0.
	if err := p2.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := <-p2.done; err != nil {
		t.Fatalf("exit after SIGTERM: %v", err)
	}
}

// createdEvents reads the time_entry.created events from the outbox.
func createdEvents(t *testing.T, db string) []core.Event {
	t.Helper()
	st, err := sqlite.Open(context.Background(), db, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var out []core.Event
	err = st.View(context.Background(), func(tx core.Tx) error {
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
