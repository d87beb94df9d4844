package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/chatops/gateway/core"
)

const (
	testSecret = "e2e-signing-secret"
	testAdmin  = "e2e-admin-token-0123456789abcdef0123"
)

// gateway is a server started the way `gateway serve` starts it.
type gateway struct {
	t      *testing.T
	srv    *server
	base   string
	cancel context.CancelFunc
	done   chan error
	stdout *bytes.Buffer
}

func testConfig(t *testing.T, db string, env map[string]string) *Config {
	t.Helper()
	getenv := func(k string) string { return env[k] }
	cfg, _, err := configFor("serve", []string{"-addr", "127.0.0.1:0", "-database-url", "sqlite:" + db}, getenv, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func startGateway(t *testing.T, cfg *Config) *gateway {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var stdout bytes.Buffer
	srv, err := startServer(ctx, cfg, &stdout, slog.New(slog.DiscardHandler))
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	g := &gateway{t: t, srv: srv, base: "http://" + srv.Addr(), cancel: cancel, done: make(chan error, 1), stdout: &stdout}
	go func() { g.done <- srv.wait(ctx) }()
	t.Cleanup(g.stop)
	return g
}

// stop shuts the server down gracefully, as SIGTERM does.
func (g *gateway) stop() {
	if g.cancel == nil {
		return
	}
	g.cancel()
	g.cancel = nil
	if err := <-g.done; err != nil {
		g.t.Errorf("shutdown: %v", err)
	}
}

// api calls the management API as the admin and decodes the answer.
func (g *gateway) api(method, path string, out any) int {
	g.t.Helper()
	return g.apiBody(method, path, nil, out)
}

// apiBody is api with a JSON body.
func (g *gateway) apiBody(method, path string, body, out any) int {
	g.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, g.base+path, rd)
	req.Header.Set("Authorization", "Bearer "+testAdmin)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		g.t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			g.t.Fatalf("%s %s: %v", method, path, err)
		}
	}
	return resp.StatusCode
}

// events returns the types of the outbox events after seq.
func (g *gateway) events(after *int64) []string {
	g.t.Helper()
	var types []string
	err := g.srv.store.View(context.Background(), func(tx core.Tx) error {
		evs, err := tx.Events(*after, 10000)
		for _, e := range evs {
			types = append(types, e.Type)
			*after = e.Seq
		}
		return err
	})
	if err != nil {
		g.t.Fatal(err)
	}
	return types
}

type entryList struct {
	Data []core.TimeEntry `json:"data"`
}

func TestEndToEndSlackCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "e2e.db")
	cfg := testConfig(t, db, map[string]string{"GATEWAY_SLACK_SIGNING_SECRET": testSecret, "GATEWAY_ADMIN_TOKEN": testAdmin})
	g := startGateway(t, cfg)
	var seq int64
	g.events(&seq) // the admin user made at bootstrap

	steps := []struct {
		text   string
		public bool
		reply  string
		events []string
	}{
		{"track Fix login in Website", true, "started *Fix login* in *Website*",
			[]string{"workspace_user.created", "project.created", "task.created", "tracker.started"}},
		{"stop -- first pass done", true, "stopped *Fix login* in *Website*", []string{"tracker.stopped"}},
		{"log 1h30m on Write specs in Website 2 days ago", false, "Logged 1h 30m", []string{"task.created", "time_entry.created"}},
		{"log 9:30am-11:15am on Design in Website yesterday", false, "Logged 1h 45m", []string{"task.created", "time_entry.created"}},
		{"log 2h on Design in Website last mon #review", false, "Logged 2h", []string{"tag.created", "time_entry.created"}},
		{"add project Mobile App for Acme Corp", false, "Added project *Mobile App* for *Acme Corp*", []string{"client.created", "project.created"}},
		{"add task Onboarding in Mobile App", false, "Added task *Onboarding*", []string{"task.created"}},
		{"close task Onboarding in Mobile App", false, "Closed task *Onboarding*", []string{"task.closed"}},
		{"close project Mobile App", false, "Closed project *Mobile App*", []string{"project.closed"}},
	}
	for _, s := range steps {
		m := g.slash(s.text)
		if got := m["response_type"] == "in_channel"; got != s.public {
			t.Errorf("%q: in_channel = %v", s.text, got)
		}
		if !strings.Contains(m["text"].(string), s.reply) {
			t.Errorf("%q: reply %q, want %q", s.text, m["text"], s.reply)
		}
		if got := g.events(&seq); !slices.Equal(got, s.events) {
			t.Errorf("%q: events %v, want %v", s.text, got, s.events)
		}
	}

	var entries entryList
	if st := g.api("GET", "/api/v1/time-entries", &entries); st != 200 || len(entries.Data) != 4 {
		t.Fatalf("entries: status %d, %+v", st, entries)
	}
	var specs core.TimeEntry
	for _, e := range entries.Data {
		if e.DurationSeconds == 5400 {
			specs = e
		}
	}
	if specs.ID == 0 || specs.Source != "slack" {
		t.Fatalf("no 1h30m slack entry in %+v", entries.Data)
	}

	m := g.slash("delete entry #" + specs.ID.String())
	if !strings.Contains(m["text"].(string), "Deleted entry #"+specs.ID.String()) {
		t.Errorf("delete reply %q", m["text"])
	}
	if got := g.events(&seq); !slices.Equal(got, []string{"time_entry.deleted"}) {
		t.Errorf("delete events %v", got)
	}
	if st := g.api("GET", "/api/v1/time-entries/"+specs.ID.String(), nil); st != 404 {
		t.Errorf("deleted entry: status %d, want 404", st)
	}
	m = g.slash("undo")
	if got := g.events(&seq); !slices.Equal(got, []string{"time_entry.created"}) {
		t.Errorf("undo events %v (%s)", got, m["text"])
	}
	if st := g.api("GET", "/api/v1/time-entries/"+specs.ID.String(), nil); st != 200 {
		t.Errorf("restored entry: status %d, want 200", st)
	}

	for _, q := range []struct{ text, want string }{
		{"report week", "Website"}, {"status", "No timer running"}, {"help", "track TASK"}, {"help log", "Examples"},
	} {
		m := g.slash(q.text)
		if m["response_type"] != "ephemeral" || !strings.Contains(m["text"].(string), q.want) {
			t.Errorf("%q: reply %v, want %q", q.text, m, q.want)
		}
	}
	if got := g.events(&seq); len(got) != 0 {
		t.Errorf("read-only commands wrote events %v", got)
	}

	var projects struct {
		Data []core.Project `json:"data"`
	}
	g.api("GET", "/api/v1/projects", &projects)
	status := map[string]string{}
	for _, p := range projects.Data {
		status[p.Name] = p.Status
	}
	if status["Website"] != "open" || status["Mobile App"] != "closed" || len(status) != 2 {
		t.Errorf("projects %v", status)
	}

	// Restarting on the same file keeps everything.
	g.stop()
	g2 := startGateway(t, cfg)
	var again entryList
	if st := g2.api("GET", "/api/v1/time-entries", &again); st != 200 || len(again.Data) != 4 {
		t.Fatalf("after restart: status %d, %d entries", st, len(again.Data))
	}
	after := seq
	if got := g2.events(new(int64)); len(got) != int(after) || g2.events(&after) != nil {
		t.Errorf("after restart the outbox has %d events, want %d", len(got), seq)
	}
	if m := g2.slash("status"); !strings.Contains(m["text"].(string), "Today") {
		t.Errorf("status after restart: %v", m)
	}
}

func TestAdminTokenPrintedOnceAndStoredHashed(t *testing.T) {
	db := filepath.Join(t.TempDir(), "boot.db")
	cfg := testConfig(t, db, nil)
	g := startGateway(t, cfg)
	out := g.stdout.String()
	i := strings.Index(out, "gw_")
	if i < 0 {
		t.Fatalf("no admin token printed: %q", out)
	}
	token := strings.TrimSpace(out[i:])
	req, _ := http.NewRequest("GET", g.base+"/api/v1/users", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("printed token does not work: %v %v", resp, err)
	}
	resp.Body.Close()
	g.stop()

	for _, f := range []string{db, db + "-wal"} {
		raw, err := os.ReadFile(f)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		if bytes.Contains(raw, []byte(token)) {
			t.Fatalf("%s holds the token in clear", f)
		}
	}
	g2 := startGateway(t, cfg)
	if strings.Contains(g2.stdout.String(), "gw_") {
		t.Fatalf("second start printed a token again: %q", g2.stdout.String())
	}
}

// /metrics counts commands by way in, command and outcome, and shows the
// SQLite writer's group commits.
func TestMetricsCountCommands(t *testing.T) {
	g := startGateway(t, testConfig(t, filepath.Join(t.TempDir(), "gw.db"), map[string]string{
		"GATEWAY_SLACK_SIGNING_SECRET": testSecret, "GATEWAY_ADMIN_TOKEN": testAdmin}))
	g.slash("log 1h on Specs in Website yesterday") // past days: free time at any hour
	g.slash("log 30m on Specs in Website yesterday")
	g.slash("status")
	g.slash("close project Website")
	// A domain error: the project is closed now.
	body := url.Values{"team_id": {"T0001"}, "user_id": {"U0042"}, "user_name": {"ana"}, "command": {"/tt"},
		"text": {"log 1h on Specs in Website yesterday"}, "trigger_id": {"trig-closed"}}.Encode()
	signedPost(t, g.base+"/slack/commands", body)

	resp, err := http.Get(g.base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	metrics := string(b)
	for _, want := range []string{
		`gateway_commands_total{command="log",outcome="ok",source="slack"} 2`,
		`gateway_commands_total{command="log",outcome="invalid",source="slack"} 1`,
		`gateway_commands_total{command="status",outcome="ok",source="slack"} 1`,
		`gateway_commands_total{command="close project",outcome="ok",source="slack"} 1`,
		`gateway_command_duration_seconds_count{source="slack"} 5`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	value := func(name string) float64 {
		var v float64
		for _, line := range strings.Split(metrics, "\n") {
			if f := strings.Fields(line); len(f) == 2 && f[0] == name {
				v, _ = strconv.ParseFloat(f[1], 64)
			}
		}
		return v
	}
	for _, name := range []string{"gateway_sqlite_commits_total", "gateway_sqlite_updates_total"} {
		if v := value(name); v < 4 { // the admin token, the user, three changes at least
			t.Errorf("%s = %v", name, v)
		}
	}
	// The writer has read and written pages and prepared statements.
	for _, name := range []string{`gateway_sqlite_memory_bytes{conn="writer",use="cache"}`, `gateway_sqlite_memory_bytes{conn="writer",use="statements"}`} {
		if v := value(name); v < 4096 {
			t.Errorf("%s = %v", name, v)
		}
	}
	if t.Failed() {
		t.Log(metrics)
	}
}
