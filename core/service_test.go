package core_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/store/sqlite"
)

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

type fixture struct {
	t     *testing.T
	ctx   context.Context
	store core.Store
	svc   *core.Service
	clock *clock
	seen  int64 // outbox position already checked
}

// Wednesday 2026-11-18 15:00 UTC.
var wednesday = time.Date(2026, 11, 18, 15, 0, 0, 0, time.UTC)

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "core.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	c := &clock{t: wednesday}
	return &fixture{t: t, ctx: ctx, store: st, clock: c, svc: core.NewService(st, core.Options{Now: c.Now})}
}

func (f *fixture) user(name string, role core.Role) core.Actor {
	f.t.Helper()
	u, err := f.svc.ResolveIdentity(f.ctx, core.ProviderSlack, "T1:"+name, name, "slack")
	if err != nil {
		f.t.Fatal(err)
	}
	if role == core.RoleAdmin {
		u.Role = core.RoleAdmin
		if err := f.store.Update(f.ctx, func(tx core.Tx) error { return tx.UpdateUser(&u) }); err != nil {
			f.t.Fatal(err)
		}
	}
	f.events() // skip workspace_user.created
	return core.Actor{User: u, Source: "slack"}
}

func (f *fixture) do(a core.Actor, cmd core.Command) *core.Result {
	f.t.Helper()
	res, err := f.svc.Execute(f.ctx, a, cmd)
	if err != nil {
		f.t.Fatalf("%s: %v", cmd.CommandName(), err)
	}
	return res
}

func (f *fixture) fail(a core.Actor, cmd core.Command, code, contains string) {
	f.t.Helper()
	before := f.events()
	_, err := f.svc.Execute(f.ctx, a, cmd)
	if core.ErrorCode(err) != code || !strings.Contains(core.ErrorMessage(err), contains) {
		f.t.Fatalf("%s: got error %v, want %s containing %q", cmd.CommandName(), err, code, contains)
	}
	if after := f.events(); len(after) != 0 || len(before) != 0 {
		f.t.Fatalf("%s failed but wrote events %v", cmd.CommandName(), after)
	}
}

// events returns the types of the events written since the last call.
func (f *fixture) events() []string {
	f.t.Helper()
	var types []string
	err := f.store.View(f.ctx, func(tx core.Tx) error {
		evs, err := tx.Events(f.seen, 1000)
		for _, e := range evs {
			types = append(types, e.Type)
			f.seen = e.Seq
		}
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return types
}

func (f *fixture) wantEvents(want ...string) {
	f.t.Helper()
	if got := f.events(); !slices.Equal(got, want) {
		f.t.Fatalf("events = %v, want %v", got, want)
	}
}

func (f *fixture) entries(a core.Actor) []core.TimeEntry {
	f.t.Helper()
	var es []core.TimeEntry
	err := f.store.View(f.ctx, func(tx core.Tx) error {
		var err error
		es, err = tx.ListEntries(a.User.WorkspaceID, core.EntryFilter{UserID: a.User.ID}, core.Page{})
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return es
}

func TestTrackStopsRunningTimerAndCreatesTaskAndProject(t *testing.T) {
	f := newFixture(t)
	ana := f.user("ana", core.RoleMember)

	res := f.do(ana, core.Track{Task: "Fix login", Project: "Website", Tags: []string{"frontend"}, Billable: true})
	f.wantEvents(core.EventProjectCreated, core.EventTaskCreated, core.EventTagCreated, core.EventTrackerStarted)
	if !res.Public || res.Entry == nil || !res.Entry.Running() || !res.Entry.Billable {
		t.Fatalf("result = %+v", res)
	}
	if res.Task == nil || res.Task.Name != "Fix login" || res.Project == nil || res.Project.Name != "Website" || res.User.ID != ana.User.ID {
		t.Errorf("result does not name task, project and user: %+v", res)
	}

	f.clock.Add(90 * time.Minute)
	res = f.do(ana, core.Track{Task: "fix LOGIN", Project: "website"}) // same names, other case
	f.wantEvents(core.EventTrackerStopped, core.EventTrackerStarted)
	if res.Stopped == nil || res.Stopped.DurationSeconds != 5400 {
		t.Fatalf("stopped = %+v, want 5400s", res.Stopped)
	}
	es := f.entries(ana)
	if len(es) != 2 || es[0].Running() || !es[1].Running() || es[0].TaskID != es[1].TaskID {
		t.Fatalf("entries = %+v", es)
	}

	f.clock.Add(30 * time.Minute)
	res = f.do(ana, core.Stop{Note: "done"})
	f.wantEvents(core.EventTrackerStopped)
	if res.Stopped.DurationSeconds != 1800 || res.Stopped.Note != "done" {
		t.Fatalf("stopped = %+v", res.Stopped)
	}
	f.fail(ana, core.Stop{}, core.EINVALID, "no timer is running")
}

func TestTrackWithoutProjectUsesExistingTask(t *testing.T) {
	f := newFixture(t)
	ana := f.user("ana", core.RoleMember)
	f.do(ana, core.AddTask{Task: "Review", Project: "Ops"})
	f.wantEvents(core.EventProjectCreated, core.EventTaskCreated)
	res := f.do(ana, core.Track{Task: "review"})
	f.wantEvents(core.EventTrackerStarted)
	if res.Project == nil || res.Project.Name != "Ops" {
		t.Fatalf("project = %+v, want Ops", res.Project)
	}
	f.fail(ana, core.Track{Task: "Unknown"}, core.ENOTFOUND, "name its project")
}

func TestLogPlacesEntries(t *testing.T) {
	f := newFixture(t)
	ana := f.user("ana", core.RoleMember)

	// Today: ends now.
	res := f.do(ana, core.Log{Amount: core.Amount{Duration: 90 * time.Minute}, Task: "Specs", Project: "Web"})
	f.wantEvents(core.EventProjectCreated, core.EventTaskCreated, core.EventTimeEntryCreated)
	if !res.Entry.End.Equal(wednesday) || !res.Entry.Start.Equal(wednesday.Add(-90*time.Minute)) {
		t.Fatalf("today entry %v-%v", res.Entry.Start, res.Entry.End)
	}
	// Yesterday: first at 09:00, the next where the last ended.
	res = f.do(ana, core.Log{Amount: core.Amount{Duration: time.Hour}, Task: "Specs", Project: "Web", When: core.Day{Kind: core.DayYesterday}})
	if want := time.Date(2026, 11, 17, 9, 0, 0, 0, time.UTC); !res.Entry.Start.Equal(want) {
		t.Fatalf("yesterday start %v, want %v", res.Entry.Start, want)
	}
	res = f.do(ana, core.Log{Amount: core.Amount{Duration: 30 * time.Minute}, When: core.Day{Kind: core.DayYesterday}})
	if want := time.Date(2026, 11, 17, 10, 0, 0, 0, time.UTC); !res.Entry.Start.Equal(want) {
		t.Fatalf("second yesterday start %v, want %v", res.Entry.Start, want)
	}
	// A weekday is the most recent one; "last" goes a week further back.
	res = f.do(ana, core.Log{Amount: core.Amount{IsRange: true, From: 9*60 + 30, To: 11*60 + 15}, Task: "Design", Project: "Web", When: core.Day{Kind: core.DayWeekday, Weekday: time.Monday}})
	if want := time.Date(2026, 11, 16, 9, 30, 0, 0, time.UTC); !res.Entry.Start.Equal(want) || res.Entry.DurationSeconds != 105*60 {
		t.Fatalf("monday range %v (%ds)", res.Entry.Start, res.Entry.DurationSeconds)
	}
	res = f.do(ana, core.Log{Amount: core.Amount{Duration: time.Hour}, When: core.Day{Kind: core.DayWeekday, Weekday: time.Friday, Last: true}})
	if want := time.Date(2026, 11, 6, 9, 0, 0, 0, time.UTC); !res.Entry.Start.Equal(want) {
		t.Fatalf("last friday start %v, want %v", res.Entry.Start, want)
	}
	f.events()

	// Refusals change nothing.
	f.fail(ana, core.Log{Amount: core.Amount{Duration: 25 * time.Hour}}, core.EINVALID, "more than 24 hours")
	f.fail(ana, core.Log{Amount: core.Amount{IsRange: true, From: 11 * 60, To: 9 * 60}}, core.EINVALID, "ends before it starts")
	f.fail(ana, core.Log{Amount: core.Amount{IsRange: true, From: 16 * 60, To: 17 * 60}}, core.EINVALID, "future")
	f.fail(ana, core.Log{Amount: core.Amount{Duration: time.Hour}, When: core.Day{Kind: core.DayDate, Date: "2026-12-01"}}, core.EINVALID, "future")
	f.fail(ana, core.Log{Amount: core.Amount{Duration: time.Hour}, Task: "X", Project: "New", When: core.Day{Kind: core.DayDate, Date: "2026-13-01"}}, core.EINVALID, "not a date")
	if n := len(f.entries(ana)); n != 5 {
		t.Fatalf("%d entries, want 5", n)
	}
}

func TestLogInUserTimeZone(t *testing.T) {
	f := newFixture(t)
	ana := f.user("ana", core.RoleMember)
	ana.User.TimeZone = "America/New_York"
	res := f.do(ana, core.Log{Amount: core.Amount{IsRange: true, From: 9 * 60, To: 10 * 60}, When: core.Day{Kind: core.DayYesterday}})
	if want := time.Date(2026, 11, 17, 14, 0, 0, 0, time.UTC); !res.Entry.Start.Equal(want) {
		t.Fatalf("start %v, want %v (09:00 in New York)", res.Entry.Start, want)
	}
}

func TestTasksAndProjectsLifecycle(t *testing.T) {
	f := newFixture(t)
	ana := f.user("ana", core.RoleMember)
	f.do(ana, core.AddProject{Project: "Website Redesign", Client: "Acme Corp"})
	f.wantEvents(core.EventClientCreated, core.EventProjectCreated)
	f.fail(ana, core.AddProject{Project: "website redesign"}, core.ECONFLICT, "already exists")
	f.do(ana, core.AddTask{Task: "Specs", Project: "Website Redesign"})
	f.wantEvents(core.EventTaskCreated)
	f.fail(ana, core.AddTask{Task: "specs", Project: "Website Redesign"}, core.ECONFLICT, "already exists")
	f.do(ana, core.CloseTask{Task: "Specs"})
	f.wantEvents(core.EventTaskClosed)
	f.fail(ana, core.CloseTask{Task: "Specs"}, core.EINVALID, "already closed")
	f.fail(ana, core.Track{Task: "Specs", Project: "Website Redesign"}, core.EINVALID, "is closed")
	f.fail(ana, core.CloseTask{Task: "Nope"}, core.ENOTFOUND, "")
	f.do(ana, core.CloseProject{Project: "website redesign"})
	f.wantEvents(core.EventProjectClosed)
	f.fail(ana, core.Track{Task: "Other", Project: "Website Redesign"}, core.EINVALID, "is closed")
}

func TestDeleteEntryOnlyOwnUnlessAdmin(t *testing.T) {
	f := newFixture(t)
	ana := f.user("ana", core.RoleMember)
	bob := f.user("bob", core.RoleMember)
	boss := f.user("boss", core.RoleAdmin)
	res := f.do(ana, core.Log{Amount: core.Amount{Duration: time.Hour}})
	f.events()
	f.fail(bob, core.DeleteEntry{ID: res.Entry.ID}, core.ENOTFOUND, "not found")
	f.fail(bob, core.DeleteEntry{ID: 999}, core.ENOTFOUND, "not found")
	f.do(boss, core.DeleteEntry{ID: res.Entry.ID})
	f.wantEvents(core.EventTimeEntryDeleted)
}

func TestUndo(t *testing.T) {
	f := newFixture(t)
	ana := f.user("ana", core.RoleMember)
	f.fail(ana, core.Undo{}, core.EINVALID, "nothing to undo")

	// Undo a delete: the entry comes back with its id.
	logged := f.do(ana, core.Log{Amount: core.Amount{Duration: time.Hour}, Task: "Specs", Project: "Web"}).Entry
	f.do(ana, core.DeleteEntry{ID: logged.ID})
	f.events()
	f.do(ana, core.Undo{})
	f.wantEvents(core.EventTimeEntryCreated)
	if es := f.entries(ana); len(es) != 1 || es[0].ID != logged.ID {
		t.Fatalf("entries after undo = %+v", es)
	}

	// Undo a track that stopped another timer: the new entry, task and
	// project go, the old timer runs again.
	f.do(ana, core.Track{Task: "A", Project: "P"})
	f.clock.Add(time.Minute)
	f.do(ana, core.Track{Task: "B", Project: "Q"})
	f.events()
	f.do(ana, core.Undo{})
	f.wantEvents(core.EventTimeEntryDeleted, core.EventTaskDeleted, core.EventProjectDeleted, core.EventTrackerStarted)
	es := f.entries(ana)
	if len(es) != 2 || !es[1].Running() {
		t.Fatalf("entries after undo = %+v", es)
	}

	// Undo a stop: the timer runs again.
	f.do(ana, core.Stop{})
	f.events()
	f.do(ana, core.Undo{})
	f.wantEvents(core.EventTrackerStarted)

	// Undo a close.
	f.do(ana, core.CloseTask{Task: "Specs"})
	f.events()
	f.do(ana, core.Undo{})
	f.wantEvents(core.EventTaskUpdated)

	// Only within the window, and only one's own changes.
	bob := f.user("bob", core.RoleMember)
	f.fail(bob, core.Undo{}, core.EINVALID, "nothing to undo")
	f.clock.Add(11 * time.Minute)
	f.do(ana, core.Log{Amount: core.Amount{Duration: time.Minute}})
	f.events()
	f.do(ana, core.Undo{})
	f.wantEvents(core.EventTimeEntryDeleted)
	f.fail(ana, core.Undo{}, core.EINVALID, "nothing to undo")
}

func TestDedupeKeyAppliesOnce(t *testing.T) {
	f := newFixture(t)
	ana := f.user("ana", core.RoleMember)
	ana.DedupeKey = "slack:trigger-1"
	f.do(ana, core.Log{Amount: core.Amount{Duration: time.Hour}})
	f.events()
	_, err := f.svc.Execute(f.ctx, ana, core.Log{Amount: core.Amount{Duration: time.Hour}})
	if err != core.ErrDuplicate {
		t.Fatalf("second apply: %v, want ErrDuplicate", err)
	}
	f.wantEvents()
	if n := len(f.entries(ana)); n != 1 {
		t.Fatalf("%d entries, want 1", n)
	}
}

func TestReportAndStatus(t *testing.T) {
	f := newFixture(t)
	ana := f.user("ana", core.RoleMember)
	f.do(ana, core.Log{Amount: core.Amount{Duration: 2 * time.Hour}, Task: "Specs", Project: "Web"})
	f.do(ana, core.Log{Amount: core.Amount{Duration: time.Hour}, Project: "Ops", When: core.Day{Kind: core.DayYesterday}})
	f.do(ana, core.Track{Task: "Bug", Project: "Web"})
	f.clock.Add(30 * time.Minute)
	f.events()

	res := f.do(ana, core.Status{})
	f.wantEvents() // reports change nothing
	sum := res.Report
	if sum.Running == nil || sum.Running.Task != "Bug" || sum.Running.Seconds != 1800 {
		t.Fatalf("running = %+v", sum.Running)
	}
	if sum.Total != int64(2*3600+1800) || len(sum.Rows) != 1 || sum.Rows[0].Project != "Web" {
		t.Fatalf("today = %+v", sum)
	}
	week := f.do(ana, core.Report{Period: core.Period{Kind: core.PeriodWeek}}).Report
	if week.Total != int64(3*3600+1800) || len(week.Rows) != 2 {
		t.Fatalf("week = %+v", week)
	}
}

func TestEventsCarryActorAndData(t *testing.T) {
	f := newFixture(t)
	ana := f.user("ana", core.RoleMember)
	f.do(ana, core.Track{Task: "Fix", Project: "Web"})
	var last core.Event
	err := f.store.View(f.ctx, func(tx core.Tx) error {
		evs, err := tx.Events(0, 100)
		if len(evs) > 0 {
			last = evs[len(evs)-1]
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var data struct {
		TimeEntry core.TimeEntry `json:"time_entry"`
		Task      core.Task      `json:"task"`
		Project   core.Project   `json:"project"`
	}
	if err := json.Unmarshal(last.Data, &data); err != nil {
		t.Fatal(err)
	}
	if last.Type != core.EventTrackerStarted || !strings.HasPrefix(last.ID, "evt_") || last.Actor.Name != "ana" ||
		last.Actor.Source != "slack" || last.UserID != ana.User.ID || data.Task.Name != "Fix" || data.Project.Name != "Web" ||
		last.ProjectID != data.Project.ID {
		t.Fatalf("event = %+v data = %+v", last, data)
	}
}

func TestResolveIdentityCreatesMemberOnce(t *testing.T) {
	f := newFixture(t)
	var wg sync.WaitGroup
	ids := make([]core.ID, 8)
	for i := range ids {
		wg.Go(func() {
			u, err := f.svc.ResolveIdentity(f.ctx, core.ProviderSlack, "T1:U9", "zoe", "slack")
			if err != nil {
				t.Error(err)
			}
			ids[i] = u.ID
		})
	}
	wg.Wait()
	for _, id := range ids[1:] {
		if id != ids[0] {
			t.Fatalf("ids = %v, want one user", ids)
		}
	}
	f.wantEvents(core.EventWorkspaceUserCreated)
	// A second person with the same display name gets a distinct name.
	u, err := f.svc.ResolveIdentity(f.ctx, core.ProviderSlack, "T1:U10", "zoe", "slack")
	if err != nil || u.Name != "zoe-2" || u.Role != core.RoleMember {
		t.Fatalf("second zoe = %+v, %v", u, err)
	}
}
