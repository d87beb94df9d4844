package core_test

import (
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/chatops/gateway/core"
)

// span writes an entry's times in UTC as "2006-01-02 15:04–2006-01-02 15:04"
// ("…–running" for a running timer).
func span(e core.TimeEntry) string {
	end := "running"
	if e.End != nil {
		end = e.End.UTC().Format("2006-01-02 15:04")
	}
	return e.Start.UTC().Format("2006-01-02 15:04") + "–" + end
}

// entry reads an entry from the store.
func (f *fixture) entry(id core.ID) core.TimeEntry {
	f.t.Helper()
	var e core.TimeEntry
	if err := f.store.View(f.ctx, func(tx core.Tx) (err error) { e, err = tx.Entry(1, id); return err }); err != nil {
		f.t.Fatal(err)
	}
	return e
}

func TestEntriesListsByStartDayInTheUserZone(t *testing.T) {
	f := newFixture(t) // now: Wednesday 2026-11-18 15:00 UTC, 16:00 in Berlin
	ana := f.user("ana", core.RoleMember)
	bea := f.user("bea", core.RoleMember)
	f.do(ana, core.TimeZone{Zone: "Europe/Berlin"})
	ana.User.TimeZone = "Europe/Berlin"
	yesterday := core.Day{Kind: core.DayYesterday}
	// 23:30-00:30 Berlin yesterday starts yesterday: listed yesterday only.
	night := f.do(ana, core.Log{Amount: rangeOf(t, 23, 30, 0, 30), Task: "Night", Project: "Ops", When: yesterday, Tags: []string{"ops"}}).Entry
	morning := f.do(ana, core.Log{Amount: rangeOf(t, 9, 0, 10, 0), Task: "Standup", Project: "Web", Billable: true, Note: "daily"}).Entry
	f.do(bea, core.Log{Amount: rangeOf(t, 9, 0, 10, 0), Project: "Web"})
	timer := f.do(ana, core.Track{Task: "Review", Project: "Web"}).Entry
	f.events()

	ids := func(res *core.Result) []core.ID {
		var out []core.ID
		for _, l := range res.List.Lines {
			out = append(out, l.Entry.ID)
		}
		return out
	}
	today := f.do(ana, core.Entries{})
	f.wantEvents()
	if got := ids(today); !slices.Equal(got, []core.ID{morning.ID, timer.ID}) {
		t.Fatalf("entries today = %v, want %d and the running timer %d", got, morning.ID, timer.ID)
	}
	if l := today.List.Lines[0]; l.Task != "Standup" || l.Project != "Web" || !l.Entry.Billable || l.Entry.Note != "daily" {
		t.Errorf("line = %+v", l)
	}
	if today.List.Title != "Wed 18 Nov 2026" || !today.List.From.Equal(time.Date(2026, 11, 17, 23, 0, 0, 0, time.UTC)) {
		t.Errorf("title %q from %s", today.List.Title, today.List.From)
	}
	if got := ids(f.do(ana, core.Entries{When: yesterday})); !slices.Equal(got, []core.ID{night.ID}) {
		t.Errorf("entries yesterday = %v, want %d", got, night.ID)
	}
	if got := ids(f.do(ana, core.Entries{Week: "this"})); !slices.Equal(got, []core.ID{night.ID, morning.ID, timer.ID}) {
		t.Errorf("entries this week = %v", got)
	}
	if got := ids(f.do(ana, core.Entries{Week: "last"})); len(got) != 0 {
		t.Errorf("entries last week = %v", got)
	}
}

func TestEditEntry(t *testing.T) {
	f := newFixture(t) // now: 15:00 UTC
	ana := f.user("ana", core.RoleMember)
	bea := f.user("bea", core.RoleMember)
	yesterday := core.Day{Kind: core.DayYesterday}
	standup := f.do(ana, core.Log{Amount: rangeOf(t, 9, 0, 10, 0), Task: "Standup", Project: "Web"}).Entry
	e := f.do(ana, core.Log{Amount: rangeOf(t, 11, 0, 12, 0), Task: "Design", Project: "Web", Tags: []string{"ui"}, Note: "first"}).Entry
	f.do(bea, core.Log{Amount: rangeOf(t, 12, 0, 14, 0), Project: "Web"})
	f.events()

	edit := func(cmd core.EditEntry) core.TimeEntry {
		t.Helper()
		res := f.do(ana, cmd)
		f.wantEvents(core.EventTimeEntryUpdated)
		return *res.Entry
	}
	// A duration keeps the start and moves the end.
	if got := span(edit(core.EditEntry{ID: e.ID, Amount: &core.Amount{Duration: 90 * time.Minute}})); got != "2026-11-18 11:00–2026-11-18 12:30" {
		t.Fatalf("1h30m: %s", got)
	}
	// A range sets both; with a day, on that day.
	if got := span(edit(core.EditEntry{ID: e.ID, Amount: ptr(rangeOf(t, 13, 0, 14, 0))})); got != "2026-11-18 13:00–2026-11-18 14:00" {
		t.Fatalf("13-14: %s", got)
	}
	if got := span(edit(core.EditEntry{ID: e.ID, When: &yesterday})); got != "2026-11-17 13:00–2026-11-17 14:00" {
		t.Fatalf("yesterday keeps the times: %s", got)
	}
	if got := span(edit(core.EditEntry{ID: e.ID, At: ptr(clockOf(t, 8, 0))})); got != "2026-11-17 08:00–2026-11-17 09:00" {
		t.Fatalf("at 8 keeps the length: %s", got)
	}
	if got := span(edit(core.EditEntry{ID: e.ID, Amount: ptr(rangeOf(t, 22, 0, 2, 0)), When: &yesterday})); got != "2026-11-17 22:00–2026-11-18 02:00" {
		t.Fatalf("across midnight: %s", got)
	}
	// last is the entry with the latest start: the standup, not the one
	// edited last.
	if got := edit(core.EditEntry{Last: true, Note: ptr("daily")}); got.ID != standup.ID || got.Note != "daily" {
		t.Fatalf("edit last changed #%d", got.ID)
	}
	// A range without a day stays on the entry's start day; today moves it.
	if got := span(edit(core.EditEntry{ID: e.ID, Amount: ptr(rangeOf(t, 11, 0, 12, 0))})); got != "2026-11-17 11:00–2026-11-17 12:00" {
		t.Fatalf("11-12 on its day: %s", got)
	}
	if got := span(edit(core.EditEntry{ID: e.ID, When: &core.Day{}})); got != "2026-11-18 11:00–2026-11-18 12:00" {
		t.Fatalf("today: %s", got)
	}
	// Explicit times that overlap another entry of the same person are
	// refused, naming it; anyway takes them. Another person's do not count.
	f.fail(ana, core.EditEntry{ID: e.ID, Amount: ptr(rangeOf(t, 9, 30, 10, 30))}, core.ECONFLICT, "overlaps #1 Standup 09:00–10:00")
	if got := span(edit(core.EditEntry{ID: e.ID, Amount: ptr(rangeOf(t, 12, 0, 14, 0))})); got != "2026-11-18 12:00–2026-11-18 14:00" {
		t.Fatalf("over bea's: %s", got)
	}
	if got := span(edit(core.EditEntry{ID: e.ID, Amount: ptr(rangeOf(t, 9, 30, 10, 30)), Anyway: true})); got != "2026-11-18 09:30–2026-11-18 10:30" {
		t.Fatalf("anyway: %s", got)
	}
	// Its own old times are no overlap.
	if got := span(edit(core.EditEntry{ID: standup.ID, Amount: ptr(rangeOf(t, 8, 0, 9, 0))})); got != "2026-11-18 08:00–2026-11-18 09:00" {
		t.Fatalf("standup earlier: %s", got)
	}
	f.fail(ana, core.EditEntry{ID: e.ID, Amount: ptr(rangeOf(t, 14, 0, 16, 0))}, core.EINVALID, "end is in the future")
	f.fail(ana, core.EditEntry{ID: e.ID, Amount: &core.Amount{Duration: 25 * time.Hour}}, core.EINVALID, "more than 24 hours")

	// Only what is given changes: task, project, tags, billable, note.
	res := f.do(ana, core.EditEntry{ID: e.ID, Task: "Review", Tags: []string{"qa", "ui"}, Billable: ptr(true), Note: ptr("second")})
	f.wantEvents(core.EventTaskCreated, core.EventTagCreated, core.EventTimeEntryUpdated)
	got := *res.Entry
	if res.Task.Name != "Review" || res.Project.Name != "Web" || !slices.Equal(got.Tags, []string{"qa", "ui"}) || !got.Billable || got.Note != "second" ||
		span(got) != "2026-11-18 09:30–2026-11-18 10:30" {
		t.Fatalf("edit on Review: %+v task %+v", got, res.Task)
	}
	res = f.do(ana, core.EditEntry{ID: e.ID, Project: "Ops", Billable: ptr(false), Note: ptr("")})
	f.wantEvents(core.EventProjectCreated, core.EventTimeEntryUpdated)
	if got := *res.Entry; res.Task != nil || res.Project.Name != "Ops" || got.TaskID != 0 || got.Billable || got.Note != "" || !slices.Equal(got.Tags, []string{"qa", "ui"}) {
		t.Fatalf("edit in Ops: %+v", got)
	}
	if stored := f.entry(e.ID); stored.ProjectID != res.Project.ID || stored.Note != "" {
		t.Fatalf("stored: %+v", stored)
	}

	// Undo puts the entry back as it was, and removes the project the
	// edit made.
	f.do(ana, core.Undo{})
	f.wantEvents(core.EventTimeEntryUpdated, core.EventProjectDeleted)
	if back := f.entry(e.ID); back.Note != "second" || !back.Billable || back.TaskID != got.TaskID {
		t.Fatalf("after undo: %+v", back)
	}

	// Another member's entry is not found; nothing given is refused.
	f.fail(bea, core.EditEntry{ID: e.ID, Note: ptr("mine")}, core.ENOTFOUND, "entry #2 not found")
	f.fail(ana, core.EditEntry{ID: e.ID}, core.EINVALID, "nothing to change")
	f.fail(ana, core.EditEntry{ID: 99, Note: ptr("x")}, core.ENOTFOUND, "entry #99 not found")
}

func TestEditRunningEntry(t *testing.T) {
	f := newFixture(t)
	ana := f.user("ana", core.RoleMember)
	timer := f.do(ana, core.Track{Task: "Review", Project: "Web"}).Entry
	f.events()
	f.fail(ana, core.EditEntry{Last: true, Amount: &core.Amount{Duration: time.Hour}}, core.EINVALID, "is running: stop it first")
	res := f.do(ana, core.EditEntry{Last: true, At: ptr(clockOf(t, 14, 0)), Tags: []string{"pr"}})
	f.wantEvents(core.EventTagCreated, core.EventTimeEntryUpdated)
	if res.Entry.ID != timer.ID || span(*res.Entry) != "2026-11-18 14:00–running" {
		t.Fatalf("moved start: %s", span(*res.Entry))
	}
}

func TestEditEntryInTheUserZone(t *testing.T) {
	f := newFixture(t)
	ana := f.user("ana", core.RoleMember)
	f.do(ana, core.TimeZone{Zone: "Europe/Berlin"})
	ana.User.TimeZone = "Europe/Berlin"
	e := f.do(ana, core.Log{Amount: rangeOf(t, 9, 0, 10, 0), Project: "Web", When: core.Day{Kind: core.DayYesterday}}).Entry
	if got := span(*f.do(ana, core.EditEntry{ID: e.ID, Amount: ptr(rangeOf(t, 9, 0, 11, 0))}).Entry); got != "2026-11-17 08:00–2026-11-17 10:00" {
		t.Fatalf("Berlin 9-11 yesterday: %s", got)
	}
}

func TestContinue(t *testing.T) {
	f := newFixture(t)
	ana := f.user("ana", core.RoleMember)
	f.fail(ana, core.Continue{}, core.ENOTFOUND, "no entries yet")
	old := f.do(ana, core.Log{Amount: rangeOf(t, 9, 0, 10, 0), Task: "Design", Project: "Web", Tags: []string{"ui"}, Billable: true, Note: "not copied"}).Entry
	f.do(ana, core.Log{Amount: rangeOf(t, 11, 0, 12, 0), Task: "Specs", Project: "Docs", When: core.Day{Kind: core.DayYesterday}})
	f.events()

	// continue alone: like the entry with the latest start (not the
	// latest made).
	res := f.do(ana, core.Continue{})
	f.wantEvents(core.EventTrackerStarted)
	e := res.Entry
	if !res.Public || res.Task.Name != "Design" || res.Project.Name != "Web" || !e.Running() || !e.Billable ||
		!slices.Equal(e.Tags, []string{"ui"}) || e.Note != "" || !e.Start.Equal(wednesday) || e.ID == old.ID {
		t.Fatalf("continue: %+v task %+v", e, res.Task)
	}
	f.fail(ana, core.Continue{}, core.EINVALID, "running already")

	// continue ID stops the running timer first.
	f.clock.Add(10 * time.Minute)
	res = f.do(ana, core.Continue{ID: old.ID})
	f.wantEvents(core.EventTrackerStopped, core.EventTrackerStarted)
	if res.Stopped == nil || res.Stopped.ID != e.ID || res.Stopped.DurationSeconds != 600 || res.Entry.TaskID != old.TaskID {
		t.Fatalf("continue #%d: %+v stopped %+v", old.ID, res.Entry, res.Stopped)
	}
	// Undo deletes the new timer and runs the stopped one again.
	f.do(ana, core.Undo{})
	f.wantEvents(core.EventTimeEntryDeleted, core.EventTrackerStarted)
	if f.entry(e.ID).End != nil {
		t.Fatal("undo did not resume the stopped timer")
	}
	f.do(ana, core.Stop{})
	f.events()

	// A closed task is not continued; another member's entry is not found.
	f.do(ana, core.CloseTask{Task: "Design", Project: "Web"})
	f.events()
	f.fail(ana, core.Continue{ID: old.ID}, core.EINVALID, `task "Design" is closed`)
	bea := f.user("bea", core.RoleMember)
	f.fail(bea, core.Continue{ID: old.ID}, core.ENOTFOUND, "not found")
}

func TestReopen(t *testing.T) {
	f := newFixture(t)
	ana := f.user("ana", core.RoleMember)
	f.do(ana, core.AddTask{Task: "Fix login", Project: "Website"})
	f.events()
	f.fail(ana, core.ReopenTask{Task: "Fix login"}, core.EINVALID, "open already")
	f.fail(ana, core.ReopenProject{Project: "Website"}, core.EINVALID, "open already")
	f.fail(ana, core.ReopenTask{Task: "Nope", Project: "Website"}, core.ENOTFOUND, "")
	f.do(ana, core.CloseTask{Task: "Fix login"})
	f.do(ana, core.CloseProject{Project: "Website"})
	f.events()

	res := f.do(ana, core.ReopenTask{Task: "fix LOGIN", Project: "website"})
	f.wantEvents(core.EventTaskUpdated)
	if res.Task.Status != core.StatusOpen || res.Project.Name != "Website" {
		t.Fatalf("reopen task: %+v", res.Task)
	}
	res = f.do(ana, core.ReopenProject{Project: "website"})
	f.wantEvents(core.EventProjectUpdated)
	if res.Project.Status != core.StatusOpen {
		t.Fatalf("reopen project: %+v", res.Project)
	}
	// Undo closes it again.
	f.do(ana, core.Undo{})
	f.wantEvents(core.EventProjectClosed)
	f.fail(ana, core.Track{Task: "Fix login", Project: "Website"}, core.EINVALID, "closed")
}

func TestWho(t *testing.T) {
	f := newFixture(t)
	ana := f.user("ana", core.RoleMember)
	bea := f.user("bea", core.RoleMember)
	cy := f.user("cy", core.RoleMember)
	if res := f.do(ana, core.Who{}); len(res.List.Lines) != 0 {
		t.Fatalf("who, nobody: %+v", res.List)
	}
	f.do(bea, core.Track{Task: "Call", Project: "Sales", Tags: []string{"ext"}})
	f.clock.Add(5 * time.Minute)
	f.do(ana, core.Track{Task: "Review", Project: "Web"})
	f.do(cy, core.Log{Amount: rangeOf(t, 9, 0, 10, 0), Project: "Web"})
	f.events()
	res := f.do(cy, core.Who{})
	f.wantEvents()
	var got []string
	for _, l := range res.List.Lines {
		got = append(got, l.User+" "+l.Task+" "+l.Project+" "+l.Entry.Start.UTC().Format("15:04"))
	}
	if want := []string{"bea Call Sales 15:00", "ana Review Web 15:05"}; !slices.Equal(got, want) {
		t.Fatalf("who = %q, want %q", got, want)
	}
}

func TestReportGroupsSortsAndShares(t *testing.T) {
	f := newFixture(t)
	ana := f.user("ana", core.RoleMember)
	boss := f.user("boss", core.RoleAdmin)
	f.do(ana, core.Log{Amount: rangeOf(t, 8, 0, 9, 0), Task: "Specs", Project: "Docs", Tags: []string{"a"}})
	f.do(ana, core.Log{Amount: rangeOf(t, 9, 0, 12, 0), Task: "Design", Project: "Web", Tags: []string{"a", "b"}, Billable: true})
	f.do(ana, core.Log{Amount: rangeOf(t, 12, 0, 14, 0), Task: "Specs", Project: "Web"})
	f.do(boss, core.Log{Amount: rangeOf(t, 9, 0, 13, 0), Task: "Plan", Project: "Ops"})
	f.events()
	rows := func(a core.Actor, r core.Report) []string {
		t.Helper()
		res := f.do(a, r)
		var out []string
		for _, row := range res.Report.Rows {
			name := row.Name
			if r.By == core.ByTask {
				name += "/" + row.Project
			}
			out = append(out, name+" "+core.HumanDuration(time.Duration(row.Seconds)*time.Second)+" "+strconv.Itoa(row.Share))
		}
		return out
	}
	for _, tc := range []struct {
		by   string
		want []string
	}{
		{"", []string{"Web 5h 83", "Docs 1h 17"}},
		{core.ByTask, []string{"Design/Web 3h 50", "Specs/Web 2h 33", "Specs/Docs 1h 17"}},
		{core.ByTag, []string{"a 4h 67", "b 3h 50", "(no tag) 2h 33"}},
		{core.ByBillable, []string{"billable 3h 50", "non-billable 3h 50"}},
		{core.ByUser, []string{"ana 6h 100"}},
	} {
		if got := rows(ana, core.Report{By: tc.by}); !slices.Equal(got, tc.want) {
			t.Errorf("report by %q = %q, want %q", tc.by, got, tc.want)
		}
	}
	if got, want := rows(boss, core.Report{By: core.ByUser, Team: true}), []string{"ana 6h 60", "boss 4h 40"}; !slices.Equal(got, want) {
		t.Errorf("report by user team = %q, want %q", got, want)
	}
	if got, want := rows(boss, core.Report{By: core.ByUser}), []string{"boss 4h 100"}; !slices.Equal(got, want) {
		t.Errorf("admin's own report = %q, want %q", got, want)
	}
	f.fail(ana, core.Report{Team: true}, core.EFORBIDDEN, "only admins")
	f.fail(ana, core.Report{By: "colour"}, core.EINVALID, "not \"colour\"")
	if res := f.do(ana, core.Report{Period: core.Period{Kind: core.PeriodLastMonth}, By: core.ByTag}); len(res.Report.Rows) != 0 || res.Report.Total != 0 {
		t.Errorf("last month: %+v", res.Report)
	}
	f.wantEvents()
}
