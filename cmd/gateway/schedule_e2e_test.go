package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatops/gateway/core"
)

// directedEvents counts the outbox's events of type typ.
func (g *gateway) directedEvents(typ string) int {
	g.t.Helper()
	n := 0
	err := g.srv.store.View(g.t.Context(), func(tx core.Tx) error {
		evs, err := tx.Events(0, 100000)
		for _, ev := range evs {
			if ev.Type == typ {
				n++
			}
		}
		return err
	})
	if err != nil {
		g.t.Fatal(err)
	}
	return n
}

// TestEndToEndScheduledReportAndLongTimer runs the gateway with a bot
// token against a fake Slack API and the scheduler on a clock of the
// test's: a report scheduled from a channel arrives there with the team's
// totals by user and project; a timer running past GATEWAY_LONG_TIMER gets
// exactly one direct message, whose Stop button stops it.
func TestEndToEndScheduledReportAndLongTimer(t *testing.T) {
	fake := newSlackFake(t, nil)
	cfg := testConfig(t, filepath.Join(t.TempDir(), "sched.db"), fake.settings(map[string]string{"GATEWAY_LONG_TIMER": "8h"}))
	clk := &frozen{t: time.Now()}
	cfg.schedNow, cfg.schedInterval = clk.now, time.Hour // the test runs the scheduler itself
	g := startGateway(t, cfg)
	run := func() {
		t.Helper()
		if _, err := g.srv.sched.RunOnce(t.Context()); err != nil {
			t.Fatal(err)
		}
	}

	g.slash("log 9-11 on Fix login in Website 2026-11-30")
	for _, cmd := range []string{"log 13-14:30 on Deploy in API 2026-11-30", "log 10-10:45 on Fix login in Website 2026-12-01"} {
		if text := g.slashAs("U0043", "bob", cmd); !strings.HasPrefix(text, "Logged") {
			t.Fatalf("bob: %s", text)
		}
	}
	// ana becomes an admin, so her report covers everyone.
	var users struct {
		Data []core.User `json:"data"`
	}
	g.api("GET", "/api/v1/users", &users)
	var ana core.User
	for _, u := range users.Data {
		if u.Name == "ana" {
			ana = u
		}
	}
	if st := g.apiBody("PATCH", fmt.Sprintf("/api/v1/users/%d", ana.ID), map[string]any{"role": "admin"}, nil); st != 200 {
		t.Fatalf("make ana admin: %d", st)
	}

	text := g.slash("report 2026-11-30..2026-12-01 every day 00:00")["text"].(string)
	if !strings.Contains(text, "This channel gets the report of 2026-11-30..2026-12-01 every day at *00:00* (UTC)") {
		t.Fatalf("report every: %s", text)
	}
	if text := g.slash("schedules")["text"].(string); !strings.Contains(text, "#1 the report of 2026-11-30..2026-12-01 every day at 00:00") {
		t.Fatalf("schedules: %s", text)
	}
	var next time.Time
	_ = g.srv.store.View(t.Context(), func(tx core.Tx) error {
		list, err := tx.ListSchedules(ana.WorkspaceID, core.ScheduleFilter{})
		if err == nil && len(list) == 1 {
			next = list[0].NextAt
		}
		return err
	})
	if next.IsZero() || next.Hour() != 0 || next.Minute() != 0 || !next.After(time.Now().Add(-time.Minute)) {
		t.Fatalf("next slot %v", next)
	}

	clk.add(next.Sub(clk.now()) + 30*time.Second)
	run()
	msg := fake.wait(t, "/api/chat.postMessage", "Team report · Mon 30 Nov 2026 – Tue 1 Dec 2026")
	if msg["channel"] != "C1" {
		t.Fatalf("report posted to %q", msg["channel"])
	}
	for _, want := range []string{`"type":"header"`, `Mon 30 Nov – Tue 1 Dec 2026 · UTC · total *4h 15m*`,
		`*bob* — 2h 15m`, `*ana* — 2h`, `Website\n` + "`2h`", `API\n` + "`1h 30m`", `*By project*`, "Website\\n`2h 45m`"} {
		if !strings.Contains(msg["blocks"], want) {
			t.Errorf("report blocks lack %q:\n%s", want, msg["blocks"])
		}
	}
	if !strings.Contains(msg["text"], "4h 15m in total") {
		t.Errorf("fallback text %q", msg["text"])
	}
	run()
	if n := g.directedEvents(core.EventReportScheduled); n != 1 {
		t.Fatalf("%d reports, want 1", n)
	}

	// The API lists the schedule; chat and the API remove them.
	var scheds struct {
		Data []map[string]any `json:"data"`
	}
	if st := g.api("GET", "/api/v1/schedules", &scheds); st != 200 || len(scheds.Data) != 1 {
		t.Fatalf("GET schedules: %d %v", st, scheds)
	}
	if sc := scheds.Data[0]; sc["at"] != "00:00" || len(sc["days"].([]any)) != 7 || sc["channel"] != "slack:T0001:C1" || sc["time_zone"] != "UTC" {
		t.Fatalf("schedule %v", sc)
	}
	if text := g.slash("schedules off 1")["text"].(string); !strings.Contains(text, "Removed scheduled report #1") {
		t.Fatalf("schedules off: %s", text)
	}
	g.slash("report week every mon 09:00")
	var hooks struct {
		Data []struct {
			URL string `json:"url"`
		} `json:"data"`
	}
	if g.api("GET", "/api/v1/webhooks", &hooks); len(hooks.Data) != 1 || hooks.Data[0].URL != "slack:C1" {
		t.Fatalf("the channel's report target is not reused: %+v", hooks)
	}
	if st := g.api("DELETE", "/api/v1/schedules/2", nil); st != 204 {
		t.Fatalf("DELETE schedule: %d", st)
	}
	if st := g.api("DELETE", "/api/v1/schedules/2", nil); st != 404 {
		t.Fatalf("DELETE again: %d", st)
	}
	if text := g.slash("schedules")["text"].(string); !strings.Contains(text, "no scheduled reports") {
		t.Fatalf("schedules after removing: %s", text)
	}

	// A timer started now is long for the scheduler's clock nine hours on.
	g.slash("track Fix login in Website")
	clk.add(9 * time.Hour)
	run()
	dm := fake.wait(t, "/api/chat.postMessage", "Your timer has been running")
	if dm["channel"] != "U0042" {
		t.Fatalf("long-timer message posted to %q, want ana's user id", dm["channel"])
	}
	if !strings.Contains(dm["blocks"], "Your timer on *Fix login* in *Website*") {
		t.Fatalf("long-timer blocks %s", dm["blocks"])
	}
	clk.add(time.Hour)
	run()
	run()
	if n := g.directedEvents(core.EventTrackerLong); n != 1 || fake.count("/api/chat.postMessage", "U0042") != 1 {
		t.Fatalf("%d long-timer events, %d direct messages; want one", n, fake.count("/api/chat.postMessage", "U0042"))
	}

	value := regexp.MustCompile(`"action_id":"stop_timer","value":"(\d+)"`).FindStringSubmatch(dm["blocks"])
	if value == nil {
		t.Fatalf("no Stop button in %s", dm["blocks"])
	}
	if !strings.Contains(dm["blocks"], `"text":"Stop"`) {
		t.Fatalf("button not labelled Stop: %s", dm["blocks"])
	}
	press(t, g, fake.srv.URL+"/response/dm", dm, "timer", "stop_timer", value[1])
	if m := fake.wait(t, "/response/dm", "stopped"); m["replace"] != "true" || !strings.Contains(m["blocks"], "Stopped by *ana*") {
		t.Fatalf("message update %v", m)
	}
	if m := g.slash("status"); !strings.Contains(m["text"].(string), "No timer running") {
		t.Fatalf("status after the press: %v", m["text"])
	}
}

// TestEndToEndReminders: remind sets, shows and removes a reminder with a
// bot token; without one, it says which setting it needs.
func TestEndToEndReminders(t *testing.T) {
	fake := newSlackFake(t, nil)
	cfg := testConfig(t, filepath.Join(t.TempDir(), "remind.db"), fake.settings(nil))
	clk := &frozen{t: time.Now()}
	cfg.schedNow, cfg.schedInterval = clk.now, time.Hour
	g := startGateway(t, cfg)
	if text := g.slash("remind 17:30")["text"].(string); !strings.Contains(text, "I remind you at *17:30* (UTC) on weekdays when") {
		t.Fatalf("remind: %s", text)
	}
	if text := g.slash("remind")["text"].(string); !strings.Contains(text, "on weekdays") {
		t.Fatalf("remind alone: %s", text)
	}
	reminderOf := func() string {
		var users struct {
			Data []map[string]json.RawMessage `json:"data"`
		}
		g.api("GET", "/api/v1/users", &users)
		for _, u := range users.Data {
			if string(u["name"]) == `"ana"` {
				return string(u["reminder"])
			}
		}
		t.Fatalf("no ana in %v", users)
		return ""
	}
	if got := reminderOf(); got != `{"at":"17:30","days":["mon","tue","wed","thu","fri"]}` {
		t.Fatalf("ana's reminder in the API: %s", got)
	}
	var next time.Time
	_ = g.srv.store.View(t.Context(), func(tx core.Tx) error {
		ws, err := tx.EnsureWorkspace("Default", time.Now())
		if err != nil {
			return err
		}
		u, err := tx.UserByIdentity(ws.ID, core.ProviderSlack, "T0001:U0042")
		if err != nil {
			return err
		}
		r, err := tx.Reminder(ws.ID, u.ID)
		next = r.NextAt
		return err
	})
	clk.add(next.Sub(clk.now()) + 10*time.Second)
	if _, err := g.srv.sched.RunOnce(t.Context()); err != nil {
		t.Fatal(err)
	}
	dm := fake.wait(t, "/api/chat.postMessage", "You have logged nothing today")
	if dm["channel"] != "U0042" || !strings.Contains(dm["blocks"], `"action_id":"remind_log"`) || !strings.Contains(dm["blocks"], `"action_id":"remind_track"`) {
		t.Fatalf("reminder %v", dm)
	}
	// Its Track button starts a timer on the latest task.
	g.slash("log 30m on Fix login in Website yesterday")
	press(t, g, fake.srv.URL+"/response/remind", dm, "reminder", "remind_track", "track")
	if m := fake.wait(t, "/response/remind", "started"); !strings.Contains(m["text"], "ana started *Fix login* in *Website*") {
		t.Fatalf("track press answered %v", m)
	}
	if m := g.slash("status"); !strings.Contains(m["text"].(string), "Fix login") || strings.Contains(m["text"].(string), "No timer running") {
		t.Fatalf("status after the press: %v", m["text"])
	}
	if text := g.slash("remind off")["text"].(string); !strings.Contains(text, "Your reminder is off") {
		t.Fatalf("remind off: %s", text)
	}
	if got := reminderOf(); got != "null" {
		t.Fatalf("ana's reminder after remind off: %s", got)
	}
	g.stop()

	cfg = testConfig(t, filepath.Join(t.TempDir(), "nobot.db"), map[string]string{
		"GATEWAY_SLACK_SIGNING_SECRET": testSecret, "GATEWAY_ADMIN_TOKEN": testAdmin,
	})
	g = startGateway(t, cfg)
	if text := g.slashAs("U0042", "ana", "remind 17:30"); !strings.Contains(text, "GATEWAY_SLACK_BOT_TOKEN") {
		t.Fatalf("remind without a bot token: %s", text)
	}
	if text := g.slashAs("U0042", "ana", "report week every fri 17:00"); !strings.Contains(text, "GATEWAY_SLACK_BOT_TOKEN") {
		t.Fatalf("report every without a bot token: %s", text)
	}
}

// TestEndToEndMattermostScheduledReport: a Mattermost channel that gave its
// incoming-webhook URL with notify gets its scheduled report there, as
// Markdown tables, through the delivery engine.
func TestEndToEndMattermostScheduledReport(t *testing.T) {
	var mu sync.Mutex
	var posts []string
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var p struct {
			Text string `json:"text"`
		}
		_ = json.NewDecoder(r.Body).Decode(&p)
		mu.Lock()
		posts = append(posts, p.Text)
		mu.Unlock()
	}))
	defer hook.Close()
	cfg := testConfig(t, filepath.Join(t.TempDir(), "mm.db"), map[string]string{
		"GATEWAY_MATTERMOST_TOKEN": "mm-token", "GATEWAY_ADMIN_TOKEN": testAdmin, "GATEWAY_ALLOW_PRIVATE_TARGETS": "true",
	})
	clk := &frozen{t: time.Now()}
	cfg.schedNow, cfg.schedInterval = clk.now, time.Hour
	g := startGateway(t, cfg)
	mm := func(text string) string {
		t.Helper()
		body := url.Values{"team_id": {"team-a"}, "user_id": {"u1"}, "user_name": {"eve"}, "command": {"/tt"}, "text": {text}, "channel_id": {"c1"}}.Encode()
		req, _ := http.NewRequest(http.MethodPost, g.base+"/mattermost/commands", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", "Token mm-token")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&m); err != nil || resp.StatusCode != 200 {
			t.Fatalf("%q: %d %v", text, resp.StatusCode, err)
		}
		return fmt.Sprint(m["text"])
	}
	if text := mm("report week every fri 17:00"); !strings.Contains(text, "notify URL") {
		t.Fatalf("report every before notify: %s", text)
	}
	mm("log 9-11:30 on Fix login in Website 2026-11-30")
	mm("notify " + hook.URL + " project.*")
	if text := mm("report 2026-11-30..2026-12-06 every day 06:00"); !strings.Contains(text, "Schedule #1") {
		t.Fatalf("report every: %s", text)
	}
	var next time.Time
	_ = g.srv.store.View(t.Context(), func(tx core.Tx) error {
		ws, err := tx.EnsureWorkspace("Default", time.Now())
		if err != nil {
			return err
		}
		list, err := tx.ListSchedules(ws.ID, core.ScheduleFilter{Channel: "mattermost:team-a:c1"})
		if err == nil && len(list) == 1 {
			next = list[0].NextAt
		}
		return err
	})
	if next.IsZero() {
		t.Fatal("no schedule for the channel")
	}
	clk.add(next.Sub(clk.now()) + 5*time.Second)
	if _, err := g.srv.sched.RunOnce(t.Context()); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		mu.Lock()
		var got string
		for _, p := range posts {
			if strings.Contains(p, "Team report") {
				got = p
			}
		}
		mu.Unlock()
		if got != "" {
			for _, want := range []string{"| User | Project | Time |", "| **eve** | Website | 2h 30m |", "| **Total** | **2h 30m** |"} {
				if !strings.Contains(got, want) {
					t.Errorf("report lacks %q:\n%s", want, got)
				}
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no report arrived; posts: %q", posts)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestEndToEndScheduledReportIsRetried: Slack fails the first post of a
// scheduled report; the delivery engine posts it again, once.
func TestEndToEndScheduledReportIsRetried(t *testing.T) {
	var mu sync.Mutex
	var tries, delivered int
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		if r.URL.Path != "/api/chat.postMessage" || !strings.Contains(r.Form.Get("text"), "Team report") {
			_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "ts": "1.1"})
			return
		}
		mu.Lock()
		defer mu.Unlock()
		tries++
		if tries == 1 {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		delivered++
		_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "channel": r.Form.Get("channel"), "ts": "1.2"})
	}))
	defer api.Close()
	cfg := testConfig(t, filepath.Join(t.TempDir(), "retry.db"), map[string]string{
		"GATEWAY_SLACK_SIGNING_SECRET": testSecret, "GATEWAY_ADMIN_TOKEN": testAdmin,
		"GATEWAY_SLACK_BOT_TOKEN": e2eBotToken, "GATEWAY_SLACK_API_URL": api.URL + "/api/",
		"GATEWAY_RETRY_SCHEDULE": "0s,100ms,100ms",
	})
	clk := &frozen{t: time.Now()}
	cfg.schedNow, cfg.schedInterval = clk.now, time.Hour
	g := startGateway(t, cfg)
	g.slash("log 9-10 on Fix login in Website 2026-11-30")
	g.slash("report 2026-11-30..2026-11-30 every day 00:00")
	clk.add(core.NextSlot(clk.now(), time.UTC, 0, core.EveryDay).Sub(clk.now()) + time.Second)
	if _, err := g.srv.sched.RunOnce(t.Context()); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		n, d := tries, delivered
		mu.Unlock()
		if d == 1 {
			if n != 2 {
				t.Fatalf("%d tries for one delivery, want 2", n)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %d tries the report was not delivered", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
