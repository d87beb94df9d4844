package schedule_test

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/schedule"
	"github.com/chatops/gateway/store/postgres"
	"github.com/chatops/gateway/store/postgres/pgtest"
	"github.com/chatops/gateway/store/sqlite"
)

// clock is a fake clock the tests move by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func openSQLite(t *testing.T, path string) core.Store {
	t.Helper()
	st, err := sqlite.Open(t.Context(), path, sqlite.Options{Synchronous: "OFF"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func update(t *testing.T, st core.Store, fn func(core.Tx) error) {
	t.Helper()
	if err := st.Update(t.Context(), fn); err != nil {
		t.Fatal(err)
	}
}

// fixture is a workspace with users on a store.
type fixture struct {
	st core.Store
	ws core.ID
}

func newFixture(t *testing.T, st core.Store) *fixture {
	t.Helper()
	f := &fixture{st: st}
	update(t, st, func(tx core.Tx) error {
		ws, err := tx.EnsureWorkspace("Acme", time.Unix(0, 0))
		f.ws = ws.ID
		return err
	})
	return f
}

func (f *fixture) user(t *testing.T, name, zone string, role core.Role) core.User {
	t.Helper()
	u := core.User{WorkspaceID: f.ws, Name: name, Role: role, TimeZone: zone, CreatedAt: time.Unix(0, 0).UTC(), UpdatedAt: time.Unix(0, 0).UTC()}
	update(t, f.st, func(tx core.Tx) error { return tx.CreateUser(&u) })
	return u
}

func (f *fixture) project(t *testing.T, name string) core.ID {
	t.Helper()
	p := core.Project{WorkspaceID: f.ws, Name: name, Status: core.StatusOpen, CreatedAt: time.Unix(0, 0).UTC(), UpdatedAt: time.Unix(0, 0).UTC()}
	update(t, f.st, func(tx core.Tx) error { return tx.CreateProject(&p) })
	return p.ID
}

// entry adds a finished entry (end zero: a running timer).
func (f *fixture) entry(t *testing.T, u core.User, project core.ID, start, end time.Time) core.TimeEntry {
	t.Helper()
	e := core.TimeEntry{WorkspaceID: f.ws, UserID: u.ID, ProjectID: project, Start: start.UTC(), CreatedAt: start.UTC(), UpdatedAt: start.UTC()}
	if !end.IsZero() {
		e.End = new(end.UTC())
		e.DurationSeconds = int64(end.Sub(start) / time.Second)
	}
	update(t, f.st, func(tx core.Tx) error { return tx.CreateEntry(&e) })
	return e
}

func (f *fixture) reminder(t *testing.T, u core.User, at core.ClockTime, days core.Weekdays, now time.Time) {
	t.Helper()
	r := core.Reminder{WorkspaceID: f.ws, UserID: u.ID, At: at, Days: days, SubscriptionID: 99,
		NextAt: core.NextSlot(now, u.Location(), at, days).UTC(), CreatedAt: now, UpdatedAt: now}
	update(t, f.st, func(tx core.Tx) error { return tx.PutReminder(&r) })
}

func (f *fixture) schedule(t *testing.T, u core.User, period core.Period, zone string, at core.ClockTime, days core.Weekdays, now time.Time) core.Schedule {
	t.Helper()
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	sc := core.Schedule{WorkspaceID: f.ws, UserID: u.ID, Channel: "slack:T1:C1", SubscriptionID: 42, Period: period,
		At: at, Days: days, Zone: zone, NextAt: core.NextSlot(now, loc, at, days).UTC(), CreatedAt: now}
	update(t, f.st, func(tx core.Tx) error { return tx.CreateSchedule(&sc) })
	return sc
}

// directed returns the data of the outbox's events of type typ.
func directed(t *testing.T, st core.Store, typ string) []core.MessageData {
	t.Helper()
	var out []core.MessageData
	err := st.View(t.Context(), func(tx core.Tx) error {
		evs, err := tx.Events(0, 10000)
		for _, ev := range evs {
			if ev.Type == typ {
				d, err := core.ParseMessageData(ev)
				if err != nil {
					return err
				}
				out = append(out, d)
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func runOnce(t *testing.T, s *schedule.Scheduler) schedule.Stats {
	t.Helper()
	st, err := s.RunOnce(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func berlin(t *testing.T, y int, m time.Month, d, h, min int) time.Time {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	return time.Date(y, m, d, h, min, 0, 0, loc)
}

// A reminder fires once at its minute on a weekday with nothing logged,
// never before it; not on a day with an entry; not on a weekend.
func TestReminderFiresOnceOnAnEmptyWeekday(t *testing.T) {
	st := openSQLite(t, filepath.Join(t.TempDir(), "gw.db"))
	f := newFixture(t, st)
	ana := f.user(t, "Ana", "Europe/Berlin", core.RoleMember)
	web := f.project(t, "Website")
	c := &clock{t: berlin(t, 2026, 12, 7, 9, 0)} // Monday
	f.reminder(t, ana, 17*60+30, core.WorkingDays, c.Now())
	s := schedule.New(st, schedule.Options{Now: c.Now})

	c.Set(berlin(t, 2026, 12, 7, 17, 29).Add(59 * time.Second))
	if got := runOnce(t, s); got.Reminders != 0 {
		t.Fatalf("fired before its minute: %+v", got)
	}
	c.Set(berlin(t, 2026, 12, 7, 17, 30).Add(20 * time.Second))
	if got := runOnce(t, s); got.Reminders != 1 {
		t.Fatalf("Monday 17:30:20: %+v, want one reminder", got)
	}
	c.Set(berlin(t, 2026, 12, 7, 17, 45))
	if got := runOnce(t, s); got.Reminders != 0 {
		t.Fatalf("fired twice: %+v", got)
	}
	msgs := directed(t, st, core.EventReminderDue)
	if len(msgs) != 1 || msgs[0].SubscriptionID != 99 || msgs[0].Day != "Mon 7 Dec" || msgs[0].UserName != "Ana" {
		t.Fatalf("reminder messages %+v", msgs)
	}

	// Tuesday: Ana logged in the morning; no reminder.
	f.entry(t, ana, web, berlin(t, 2026, 12, 8, 9, 0), berlin(t, 2026, 12, 8, 10, 0))
	c.Set(berlin(t, 2026, 12, 8, 17, 30).Add(30 * time.Second))
	if got := runOnce(t, s); got.Reminders != 0 || got.Quiet != 1 {
		t.Fatalf("Tuesday with an entry: %+v, want quiet", got)
	}
	// Wednesday: a timer runs since the morning; it counts as logged.
	f.entry(t, ana, web, berlin(t, 2026, 12, 9, 8, 0), time.Time{})
	c.Set(berlin(t, 2026, 12, 9, 17, 31))
	if got := runOnce(t, s); got.Reminders != 0 || got.Quiet != 1 {
		t.Fatalf("Wednesday with a running timer: %+v, want quiet", got)
	}
	// Saturday is no weekday: the next slot is Monday's.
	var r core.Reminder
	_ = st.View(t.Context(), func(tx core.Tx) (err error) { r, err = tx.Reminder(f.ws, ana.ID); return err })
	if want := berlin(t, 2026, 12, 10, 17, 30); !r.NextAt.Equal(want) {
		t.Fatalf("next slot %v, want %v", r.NextAt, want)
	}
	update(t, st, func(tx core.Tx) error {
		e, err := tx.RunningEntry(f.ws, ana.ID)
		if err != nil {
			return err
		}
		e.End = new(berlin(t, 2026, 12, 9, 18, 0).UTC())
		return tx.UpdateEntry(&e)
	})
	for _, day := range []int{10, 11} { // Thursday, Friday: nothing logged
		c.Set(berlin(t, 2026, 12, day, 17, 30).Add(time.Second))
		if got := runOnce(t, s); got.Reminders != 1 {
			t.Fatalf("Dec %d: %+v", day, got)
		}
	}
	c.Set(berlin(t, 2026, 12, 12, 17, 31)) // Saturday
	if got := runOnce(t, s); got.Reminders != 0 {
		t.Fatalf("Saturday: %+v", got)
	}
	_ = st.View(t.Context(), func(tx core.Tx) (err error) { r, err = tx.Reminder(f.ws, ana.ID); return err })
	if want := berlin(t, 2026, 12, 14, 17, 30); !r.NextAt.Equal(want) {
		t.Fatalf("after Friday the next slot is %v, want Monday %v", r.NextAt, want)
	}
	if n := len(directed(t, st, core.EventReminderDue)); n != 3 {
		t.Fatalf("%d reminders in the week, want 3", n)
	}
}

// On DST days a daily slot fires exactly once per local date: at 03:30 for
// a 02:30 that the spring-forward skips, once for a time that the
// fall-back repeats.
func TestDSTSlotsFireOncePerDay(t *testing.T) {
	cases := []struct {
		zone      string
		day       time.Time // the transition's local date (noon UTC)
		at        core.ClockTime
		wantClock string // local clock of the transition day's firing
	}{
		{"Europe/Berlin", time.Date(2026, 3, 29, 12, 0, 0, 0, time.UTC), 2*60 + 30, "03:30"},
		{"Europe/Berlin", time.Date(2026, 10, 25, 12, 0, 0, 0, time.UTC), 2*60 + 30, "02:30 CEST"},
		{"America/New_York", time.Date(2026, 3, 8, 12, 0, 0, 0, time.UTC), 2*60 + 30, "03:30"},
		{"America/New_York", time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC), 1*60 + 30, "01:30 EDT"},
	}
	for _, tc := range cases {
		t.Run(tc.zone+"/"+tc.day.Format("2006-01-02"), func(t *testing.T) {
			st := openSQLite(t, filepath.Join(t.TempDir(), "gw.db"))
			f := newFixture(t, st)
			admin := f.user(t, "Root", tc.zone, core.RoleAdmin)
			loc, _ := time.LoadLocation(tc.zone)
			start := time.Date(tc.day.Year(), tc.day.Month(), tc.day.Day()-1, 12, 0, 0, 0, loc)
			c := &clock{t: start}
			f.schedule(t, admin, core.Period{Kind: core.PeriodToday}, tc.zone, tc.at, core.EveryDay, start)
			s := schedule.New(st, schedule.Options{Now: c.Now})
			fired := map[string][]time.Time{}
			// Every 5 minutes over three days, as Run would (faster).
			for now := start; now.Before(start.Add(72 * time.Hour)); now = now.Add(5 * time.Minute) {
				c.Set(now)
				if got := runOnce(t, s); got.Reports > 0 {
					day := now.In(loc).Format("2006-01-02")
					fired[day] = append(fired[day], now)
				}
				if n := len(directed(t, st, core.EventReportScheduled)); n != countAll(fired) {
					t.Fatalf("outbox holds %d reports, fired %d", n, countAll(fired))
				}
			}
			if len(fired) != 3 {
				t.Fatalf("fired on %d days, want 3: %v", len(fired), fired)
			}
			for day, times := range fired {
				if len(times) != 1 {
					t.Errorf("%s: fired %d times (%v)", day, len(times), times)
				}
			}
			got := fired[tc.day.Format("2006-01-02")]
			if len(got) != 1 || !strings.HasPrefix(got[0].In(loc).Format("15:04 MST"), tc.wantClock) {
				t.Fatalf("transition day fired at %v, want %s", got, tc.wantClock)
			}
		})
	}
}

func countAll(m map[string][]time.Time) int {
	n := 0
	for _, v := range m {
		n += len(v)
	}
	return n
}

// syncBuffer is a log sink for concurrent writers.
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

// A slot missed while the gateway was down fires once when it comes back
// within the hour (a new process on the same file); one more than an hour
// late is skipped and logged.
func TestMissedSlotAfterRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gw.db")
	st, err := sqlite.Open(t.Context(), path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, st)
	admin := f.user(t, "Root", "Europe/Berlin", core.RoleAdmin)
	c := &clock{t: berlin(t, 2026, 12, 3, 12, 0)} // Thursday
	f.schedule(t, admin, core.Period{Kind: core.PeriodWeek}, "Europe/Berlin", 17*60, core.EveryDay, c.Now())
	if err := st.Close(); err != nil { // the gateway stops before the slot
		t.Fatal(err)
	}

	st2 := openSQLite(t, path) // and comes back 40 minutes after it
	var logs syncBuffer
	s := schedule.New(st2, schedule.Options{Now: c.Now, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	c.Set(berlin(t, 2026, 12, 3, 17, 40))
	if got := runOnce(t, s); got.Reports != 1 || got.Skipped != 0 {
		t.Fatalf("40 minutes late: %+v, want it fired", got)
	}
	if got := runOnce(t, s); got.Reports != 0 {
		t.Fatalf("fired again: %+v", got)
	}
	// Down again over Friday's slot, back 90 minutes after it.
	c.Set(berlin(t, 2026, 12, 4, 18, 30))
	if got := runOnce(t, s); got.Reports != 0 || got.Skipped != 1 {
		t.Fatalf("90 minutes late: %+v, want it skipped", got)
	}
	if !strings.Contains(logs.String(), "scheduled slot skipped") || !strings.Contains(logs.String(), "late=1h30m0s") {
		t.Fatalf("skip not logged: %s", logs.String())
	}
	if n := len(directed(t, st2, core.EventReportScheduled)); n != 1 {
		t.Fatalf("%d reports in the outbox, want 1", n)
	}
	// Saturday's slot is on time again.
	c.Set(berlin(t, 2026, 12, 5, 17, 0))
	if got := runOnce(t, s); got.Reports != 1 {
		t.Fatalf("Saturday: %+v", got)
	}
}

// The report covers the period in the zone of who scheduled it: an
// admin's everyone's time by user and project, a member's their own;
// entries are clipped to the period and a running timer counts up to now.
func TestScheduledReportTotals(t *testing.T) {
	st := openSQLite(t, filepath.Join(t.TempDir(), "gw.db"))
	f := newFixture(t, st)
	admin := f.user(t, "Root", "Europe/Berlin", core.RoleAdmin)
	ana := f.user(t, "Ana", "Europe/Berlin", core.RoleMember)
	bob := f.user(t, "Bob", "UTC", core.RoleMember)
	web, api := f.project(t, "Website"), f.project(t, "API")
	// Week of Mon 30 Nov 2026 in Berlin.
	f.entry(t, ana, web, berlin(t, 2026, 11, 30, 9, 0), berlin(t, 2026, 11, 30, 12, 0))   // 3h
	f.entry(t, ana, api, berlin(t, 2026, 12, 1, 9, 0), berlin(t, 2026, 12, 1, 10, 30))    // 1h30
	f.entry(t, bob, web, berlin(t, 2026, 11, 29, 23, 0), berlin(t, 2026, 11, 30, 1, 0))   // 1h in the week
	f.entry(t, bob, api, berlin(t, 2026, 12, 4, 16, 0), time.Time{})                      // running: 1h at 17:00
	f.entry(t, admin, web, berlin(t, 2026, 11, 23, 9, 0), berlin(t, 2026, 11, 23, 17, 0)) // last week
	c := &clock{t: berlin(t, 2026, 12, 2, 12, 0)}
	f.schedule(t, admin, core.Period{Kind: core.PeriodWeek}, "Europe/Berlin", 17*60, core.Weekdays(0).With(time.Friday), c.Now())
	f.schedule(t, ana, core.Period{Kind: core.PeriodWeek}, "Europe/Berlin", 17*60, core.Weekdays(0).With(time.Friday), c.Now())
	s := schedule.New(st, schedule.Options{Now: c.Now})
	c.Set(berlin(t, 2026, 12, 4, 17, 0))
	if got := runOnce(t, s); got.Reports != 2 {
		t.Fatalf("%+v, want two reports", got)
	}
	msgs := directed(t, st, core.EventReportScheduled)
	team, own := msgs[0].Report, msgs[1].Report
	if team.Total != (3*3600+5400)+(3600+3600) || team.Title != "Team report · This week" || team.Span != "Mon 30 Nov – Sun 6 Dec 2026" {
		t.Fatalf("team report %+v", team)
	}
	if len(team.Users) != 2 || team.Users[0].Name != "Ana" || team.Users[0].Seconds != 16200 || team.Users[1].Name != "Bob" || team.Users[1].Seconds != 7200 {
		t.Fatalf("users %+v", team.Users)
	}
	if p := team.Projects; len(p) != 2 || p[0].Project != "Website" || p[0].Seconds != 4*3600 || p[1].Project != "API" || p[1].Seconds != 9000 {
		t.Fatalf("projects %+v", p)
	}
	if own.Total != 16200 || len(own.Users) != 1 || own.Users[0].Name != "Ana" {
		t.Fatalf("a member's report covers others: %+v", own)
	}
}

// Two instances on one PostgreSQL database claim the same slots at the
// same moment: each slot fires exactly once, each long timer gets one
// notice.
func TestTwoInstancesOnPostgresFireEachSlotOnce(t *testing.T) {
	url := pgtest.Schema(t)
	open := func() core.Store {
		st, err := postgres.Open(t.Context(), url, postgres.Options{MaxConns: 8})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}
	a, b := open(), open()
	f := newFixture(t, a)
	c := &clock{t: time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)} // Monday
	const n = 12
	for i := range n {
		u := f.user(t, "user"+string(rune('a'+i)), "UTC", core.RoleAdmin)
		f.reminder(t, u, 9*60, core.EveryDay, c.Now())
		f.schedule(t, u, core.Period{Kind: core.PeriodToday}, "UTC", 9*60, core.EveryDay, c.Now())
		f.entry(t, u, 0, c.Now().Add(-9*time.Hour), time.Time{})
	}
	targets := targetsFunc(func(_ context.Context, u core.User) (core.ID, error) { return 500 + u.ID, nil })
	sa := schedule.New(a, schedule.Options{Now: c.Now, Targets: targets})
	sb := schedule.New(b, schedule.Options{Now: c.Now, Targets: targets})
	c.Set(time.Date(2026, 12, 7, 9, 0, 30, 0, time.UTC))
	var wg sync.WaitGroup
	stats := make(chan schedule.Stats, 8)
	for _, s := range []*schedule.Scheduler{sa, sb, sa, sb} {
		wg.Go(func() {
			st, err := s.RunOnce(context.Background())
			if err != nil {
				t.Error(err)
			}
			stats <- st
		})
	}
	wg.Wait()
	close(stats)
	var total schedule.Stats
	for st := range stats {
		total.Reports += st.Reports
		total.Reminders += st.Reminders
		total.LongTimers += st.LongTimers
		total.Quiet += st.Quiet
	}
	if total.Reports != n || total.LongTimers != n || total.Quiet != n || total.Reminders != 0 {
		t.Fatalf("fired %+v, want %d reports and %d long-timer notices", total, n, n)
	}
	// The reminders' users have running timers: quiet, but claimed once.
	if got := len(directed(t, a, core.EventReportScheduled)); got != n {
		t.Fatalf("%d reports in the outbox, want %d", got, n)
	}
	seen := map[core.ID]bool{}
	for _, d := range directed(t, a, core.EventTrackerLong) {
		if seen[d.EntryID] {
			t.Fatalf("timer %d told twice", d.EntryID)
		}
		seen[d.EntryID] = true
	}
	if len(seen) != n {
		t.Fatalf("%d timers told, want %d", len(seen), n)
	}
}

type targetsFunc func(context.Context, core.User) (core.ID, error)

func (f targetsFunc) DirectTarget(ctx context.Context, u core.User) (core.ID, error) {
	return f(ctx, u)
}

// A range period titles a scheduled report as chat titles the report of
// that period (core.PeriodTitle): its first and last days, not the dates
// as typed.
func TestScheduledRangeTitledAsInChat(t *testing.T) {
	st := openSQLite(t, filepath.Join(t.TempDir(), "gw.db"))
	f := newFixture(t, st)
	admin := f.user(t, "Root", "Europe/Berlin", core.RoleAdmin)
	c := &clock{t: berlin(t, 2026, 12, 2, 12, 0)}
	p := core.Period{Kind: core.PeriodRange, Date: "2026-11-02", To: "2026-11-30"}
	f.schedule(t, admin, p, "Europe/Berlin", 17*60, core.EveryDay, c.Now())
	c.Set(berlin(t, 2026, 12, 2, 17, 0))
	if got := runOnce(t, schedule.New(st, schedule.Options{Now: c.Now})); got.Reports != 1 {
		t.Fatalf("%+v, want one report", got)
	}
	chat, err := core.NewService(st, core.Options{Now: c.Now}).Execute(t.Context(), core.Actor{User: admin, Source: "slack"}, core.Report{Period: p, Team: true})
	if err != nil {
		t.Fatal(err)
	}
	msgs := directed(t, st, core.EventReportScheduled)
	const want = "Team report · Mon 2 Nov 2026 – Mon 30 Nov 2026"
	if got := msgs[0].Report.Title; got != want || got != "Team report · "+chat.Report.Title {
		t.Fatalf("scheduled title %q, chat's %q, want %q", got, chat.Report.Title, want)
	}
}
