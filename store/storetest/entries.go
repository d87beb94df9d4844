package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/chatops/gateway/core"
)

func sameEntry(t *testing.T, got, want core.TimeEntry) {
	t.Helper()
	if got.ID != want.ID || got.WorkspaceID != want.WorkspaceID || got.UserID != want.UserID ||
		got.TaskID != want.TaskID || got.ProjectID != want.ProjectID || got.DurationSeconds != want.DurationSeconds ||
		got.Note != want.Note || got.Billable != want.Billable || got.Source != want.Source {
		t.Errorf("got entry %+v, want %+v", got, want)
	}
	if got.Tags == nil {
		t.Errorf("entry %d: tags are nil, want an empty slice", got.ID)
	}
	if !slices.Equal(got.Tags, want.Tags) && len(got.Tags)+len(want.Tags) > 0 {
		t.Errorf("entry %d: tags %q, want %q", got.ID, got.Tags, want.Tags)
	}
	sameTime(t, "start", got.Start, want.Start)
	switch {
	case (got.End == nil) != (want.End == nil):
		t.Errorf("entry %d: end %v, want %v", got.ID, got.End, want.End)
	case got.End != nil:
		sameTime(t, "end", *got.End, *want.End)
	}
	sameTime(t, "created_at", got.CreatedAt, want.CreatedAt)
	sameTime(t, "updated_at", got.UpdatedAt, want.UpdatedAt)
}

func getEntry(t *testing.T, s core.Store, ws, id core.ID) core.TimeEntry {
	t.Helper()
	return read(t, s, func(tx core.Tx) (core.TimeEntry, error) { return tx.Entry(ws, id) })
}

func entryID(e core.TimeEntry) core.ID { return e.ID }

var entryTests = []test{
	{"Entries/CreateGetUpdateDelete", func(t *testing.T, s core.Store) {
		f := setup(t, s)
		p := addProject(t, s, f.ws, "Website")
		k := addTask(t, s, f.ws, p.ID, "Design")
		e := addEntry(t, s, core.TimeEntry{WorkspaceID: f.ws, UserID: f.user.ID, ProjectID: p.ID, TaskID: k.ID,
			Start: t0, End: ptr(at(90 * time.Minute)), DurationSeconds: 5400, Note: "mockups, v2 ✓", Billable: true,
			Tags: []string{"Design", "client-a"}, Source: "slack", CreatedAt: at(2 * time.Hour), UpdatedAt: at(2 * time.Hour)})
		if e.ID == 0 {
			t.Fatal("CreateEntry set no id")
		}
		sameEntry(t, getEntry(t, s, f.ws, e.ID), e)

		e.TaskID, e.ProjectID, e.Note, e.Billable, e.Tags = 0, 0, "", false, nil
		e.Start, e.End, e.DurationSeconds, e.Source, e.UpdatedAt = at(time.Minute), ptr(at(time.Hour)), 3540, "api", at(3*time.Hour)
		write(t, s, func(tx core.Tx) (any, error) { return nil, tx.UpdateEntry(&e) })
		sameEntry(t, getEntry(t, s, f.ws, e.ID), e)

		wantCode(t, readErr(t, s, func(tx core.Tx) error { _, err := tx.Entry(f.ws, e.ID+1000); return err }), core.ENOTFOUND)
		wantCode(t, readErr(t, s, func(tx core.Tx) error { _, err := tx.Entry(f.ws+100, e.ID); return err }), core.ENOTFOUND)
		ghost := e
		ghost.ID += 1000
		wantCode(t, writeErr(t, s, func(tx core.Tx) error { return tx.UpdateEntry(&ghost) }), core.ENOTFOUND)
		write(t, s, func(tx core.Tx) (any, error) { return nil, tx.DeleteEntry(f.ws, e.ID) })
		wantCode(t, readErr(t, s, func(tx core.Tx) error { _, err := tx.Entry(f.ws, e.ID); return err }), core.ENOTFOUND)
		wantCode(t, writeErr(t, s, func(tx core.Tx) error { return tx.DeleteEntry(f.ws, e.ID) }), core.ENOTFOUND)
	}},
	{"Entries/KeepTheirPresetID", func(t *testing.T, s core.Store) {
		f := setup(t, s)
		e := addEntry(t, s, core.TimeEntry{WorkspaceID: f.ws, UserID: f.user.ID, Start: t0, End: ptr(at(time.Hour)), DurationSeconds: 3600})
		write(t, s, func(tx core.Tx) (any, error) { return nil, tx.DeleteEntry(f.ws, e.ID) })
		// Undo of a delete brings the entry back under its own id.
		back := addEntry(t, s, e)
		if back.ID != e.ID {
			t.Fatalf("recreated entry got id %d, want %d", back.ID, e.ID)
		}
		sameEntry(t, getEntry(t, s, f.ws, e.ID), e)
		preset := addEntry(t, s, core.TimeEntry{ID: e.ID + 500, WorkspaceID: f.ws, UserID: f.user.ID, Start: t0,
			End: ptr(at(time.Hour)), DurationSeconds: 3600})
		if preset.ID != e.ID+500 {
			t.Fatalf("entry created with id %d got %d", e.ID+500, preset.ID)
		}
		fresh := addEntry(t, s, core.TimeEntry{WorkspaceID: f.ws, UserID: f.user.ID, Start: t0, End: ptr(at(time.Hour))})
		if fresh.ID == 0 || fresh.ID == e.ID || fresh.ID == preset.ID {
			t.Fatalf("new entry got id %d (others %d, %d)", fresh.ID, e.ID, preset.ID)
		}
		wantCode(t, writeErr(t, s, func(tx core.Tx) error {
			dup := core.TimeEntry{ID: e.ID, WorkspaceID: f.ws, UserID: f.user.ID, Start: t0, End: ptr(at(time.Hour))}
			return tx.CreateEntry(&dup)
		}), core.ECONFLICT)
	}},
	{"Entries/TagsAndTimesRoundTrip", func(t *testing.T, s core.Store) {
		f := setup(t, s)
		paris, err := time.LoadLocation("Europe/Paris")
		if err != nil {
			paris = time.FixedZone("CET", 3600)
		}
		start := time.Date(2024, 2, 29, 23, 59, 59, 123456789, paris)
		end := start.Add(36*time.Hour + 1500*time.Nanosecond)
		for _, tags := range [][]string{nil, {}, {"one"}, {"Ünïcode", "with space", `quote"s`, ""}} {
			e := addEntry(t, s, core.TimeEntry{WorkspaceID: f.ws, UserID: f.user.ID, Start: start, End: &end, Tags: tags,
				CreatedAt: start, UpdatedAt: end})
			got := getEntry(t, s, f.ws, e.ID)
			if tags == nil {
				e.Tags = []string{}
			}
			sameEntry(t, got, e)
			if got.End == nil || got.End.Location() != time.UTC {
				t.Errorf("end %v, want UTC", got.End)
			}
		}
		old := time.Date(1969, 7, 20, 20, 17, 40, 1000, time.UTC)
		e := addEntry(t, s, core.TimeEntry{WorkspaceID: f.ws, UserID: f.user.ID, Start: old, End: ptr(old.Add(time.Second))})
		sameEntry(t, getEntry(t, s, f.ws, e.ID), e)
	}},
	{"Entries/OneRunningTimerPerUser", func(t *testing.T, s core.Store) {
		f := setup(t, s)
		bob := addUser(t, s, f.ws, "Bob")
		wantCode(t, readErr(t, s, func(tx core.Tx) error { _, err := tx.RunningEntry(f.ws, f.user.ID); return err }), core.ENOTFOUND)
		done := addEntry(t, s, core.TimeEntry{WorkspaceID: f.ws, UserID: f.user.ID, Start: t0, End: ptr(at(time.Hour))})
		run := addEntry(t, s, core.TimeEntry{WorkspaceID: f.ws, UserID: f.user.ID, Start: at(time.Hour), Note: "running"})
		got := read(t, s, func(tx core.Tx) (core.TimeEntry, error) { return tx.RunningEntry(f.ws, f.user.ID) })
		if got.ID != run.ID || got.End != nil || !got.Running() {
			t.Fatalf("RunningEntry = %+v, want entry %d running", got, run.ID)
		}
		sameEntry(t, got, run)
		wantCode(t, writeErr(t, s, func(tx core.Tx) error {
			e := core.TimeEntry{WorkspaceID: f.ws, UserID: f.user.ID, Start: at(2 * time.Hour)}
			return tx.CreateEntry(&e)
		}), core.ECONFLICT)
		// Restarting a finished entry while another runs conflicts too.
		done.End = nil
		wantCode(t, writeErr(t, s, func(tx core.Tx) error { return tx.UpdateEntry(&done) }), core.ECONFLICT)
		bobRun := addEntry(t, s, core.TimeEntry{WorkspaceID: f.ws, UserID: bob.ID, Start: at(time.Hour)})
		got = read(t, s, func(tx core.Tx) (core.TimeEntry, error) { return tx.RunningEntry(f.ws, bob.ID) })
		if got.ID != bobRun.ID {
			t.Errorf("Bob's running entry %d, want %d", got.ID, bobRun.ID)
		}
		run.End, run.DurationSeconds = ptr(at(2*time.Hour)), 3600
		write(t, s, func(tx core.Tx) (any, error) { return nil, tx.UpdateEntry(&run) })
		wantCode(t, readErr(t, s, func(tx core.Tx) error { _, err := tx.RunningEntry(f.ws, f.user.ID); return err }), core.ENOTFOUND)
		next := addEntry(t, s, core.TimeEntry{WorkspaceID: f.ws, UserID: f.user.ID, Start: at(2 * time.Hour)})
		got = read(t, s, func(tx core.Tx) (core.TimeEntry, error) { return tx.RunningEntry(f.ws, f.user.ID) })
		if got.ID != next.ID {
			t.Errorf("running entry %d, want %d", got.ID, next.ID)
		}
	}},
	{"Entries/MissingReferences", func(t *testing.T, s core.Store) {
		f := setup(t, s)
		p := addProject(t, s, f.ws, "Website")
		for _, e := range []core.TimeEntry{
			{WorkspaceID: f.ws, UserID: 9999, Start: t0},
			{WorkspaceID: f.ws, UserID: f.user.ID, ProjectID: 9999, Start: t0},
			{WorkspaceID: f.ws, UserID: f.user.ID, ProjectID: p.ID, TaskID: 9999, Start: t0},
		} {
			wantCode(t, writeErr(t, s, func(tx core.Tx) error { return tx.CreateEntry(&e) }), core.ENOTFOUND)
		}
	}},
	{"Entries/ListFilters", func(t *testing.T, s core.Store) {
		f := setup(t, s)
		bob := addUser(t, s, f.ws, "Bob")
		web := addProject(t, s, f.ws, "Website")
		app := addProject(t, s, f.ws, "App")
		design := addTask(t, s, f.ws, web.ID, "Design")
		h := func(n int) time.Time { return at(time.Duration(n) * time.Hour) }
		mk := func(user, project, task core.ID, from, to int) core.TimeEntry {
			e := core.TimeEntry{WorkspaceID: f.ws, UserID: user, ProjectID: project, TaskID: task, Start: h(from)}
			if to >= 0 {
				e.End = ptr(h(to))
				e.DurationSeconds = int64(to-from) * 3600
			}
			return addEntry(t, s, e)
		}
		a1 := mk(f.user.ID, web.ID, design.ID, 0, 2) // [0h, 2h)
		a2 := mk(f.user.ID, web.ID, 0, 2, 3)         // [2h, 3h)
		a3 := mk(f.user.ID, app.ID, 0, 5, 6)         // [5h, 6h)
		a4 := mk(f.user.ID, 0, 0, 8, -1)             // running since 8h
		b1 := mk(bob.ID, web.ID, design.ID, 1, 4)    // [1h, 4h)
		b2 := mk(bob.ID, app.ID, 0, 10, 11)          // [10h, 11h)

		for _, c := range []struct {
			name string
			f    core.EntryFilter
			want []core.TimeEntry
		}{
			{"all", core.EntryFilter{}, []core.TimeEntry{a1, a2, a3, a4, b1, b2}},
			{"user", core.EntryFilter{UserID: f.user.ID}, []core.TimeEntry{a1, a2, a3, a4}},
			{"project", core.EntryFilter{ProjectID: web.ID}, []core.TimeEntry{a1, a2, b1}},
			{"task", core.EntryFilter{TaskID: design.ID}, []core.TimeEntry{a1, b1}},
			{"user and project", core.EntryFilter{UserID: bob.ID, ProjectID: app.ID}, []core.TimeEntry{b2}},
			{"overlap [2h,5h)", core.EntryFilter{From: h(2), To: h(5)}, []core.TimeEntry{a2, b1}},
			{"overlap [1h,2h)", core.EntryFilter{From: h(1), To: h(2)}, []core.TimeEntry{a1, b1}},
			{"overlap [3h,4h) touches ends", core.EntryFilter{From: h(3), To: h(4)}, []core.TimeEntry{b1}},
			{"running overlaps later", core.EntryFilter{From: h(20), To: h(30)}, []core.TimeEntry{a4}},
			{"running starts at To", core.EntryFilter{From: h(7), To: h(8)}, nil},
			{"only From", core.EntryFilter{From: h(6)}, []core.TimeEntry{a4, b2}},
			{"only To", core.EntryFilter{To: h(1)}, []core.TimeEntry{a1}},
			{"user and period", core.EntryFilter{UserID: f.user.ID, From: h(1), To: h(9)}, []core.TimeEntry{a1, a2, a3, a4}},
			{"nobody", core.EntryFilter{UserID: 9999}, nil},
		} {
			got := read(t, s, func(tx core.Tx) ([]core.TimeEntry, error) { return tx.ListEntries(f.ws, c.f, core.Page{}) })
			wantIDs(t, c.name, ids(got, entryID), ids(c.want, entryID))
		}
		page := read(t, s, func(tx core.Tx) ([]core.TimeEntry, error) {
			return tx.ListEntries(f.ws, core.EntryFilter{UserID: f.user.ID}, core.Page{After: a1.ID, Limit: 2})
		})
		wantIDs(t, "page", ids(page, entryID), []core.ID{a2.ID, a3.ID})
		for _, e := range page {
			sameEntry(t, e, map[core.ID]core.TimeEntry{a2.ID: a2, a3.ID: a3}[e.ID])
		}
		other := read(t, s, func(tx core.Tx) ([]core.TimeEntry, error) {
			return tx.ListEntries(f.ws+100, core.EntryFilter{}, core.Page{})
		})
		if len(other) != 0 {
			t.Errorf("listed %d entries of another workspace", len(other))
		}
	}},
	{"Entries/LastEntryEnd", func(t *testing.T, s core.Store) {
		f := setup(t, s)
		bob := addUser(t, s, f.ws, "Bob")
		h := func(n int) time.Time { return at(time.Duration(n) * time.Hour) }
		last := func(user core.ID, from, to time.Time) (time.Time, bool) {
			t.Helper()
			type result struct {
				end time.Time
				ok  bool
			}
			r := read(t, s, func(tx core.Tx) (result, error) {
				end, ok, err := tx.LastEntryEnd(f.ws, user, from, to)
				return result{end, ok}, err
			})
			return r.end, r.ok
		}
		if _, ok := last(f.user.ID, h(0), h(24)); ok {
			t.Fatal("LastEntryEnd found an end on an empty store")
		}
		addEntry(t, s, core.TimeEntry{WorkspaceID: f.ws, UserID: f.user.ID, Start: h(1), End: ptr(h(3))})
		addEntry(t, s, core.TimeEntry{WorkspaceID: f.ws, UserID: f.user.ID, Start: h(4), End: ptr(h(5))})
		addEntry(t, s, core.TimeEntry{WorkspaceID: f.ws, UserID: f.user.ID, Start: h(2), End: ptr(h(2).Add(30 * time.Minute))})
		addEntry(t, s, core.TimeEntry{WorkspaceID: f.ws, UserID: f.user.ID, Start: h(6)}) // running: ignored
		addEntry(t, s, core.TimeEntry{WorkspaceID: f.ws, UserID: bob.ID, Start: h(4), End: ptr(h(9))})
		end, ok := last(f.user.ID, h(0), h(24))
		if !ok {
			t.Fatal("LastEntryEnd found nothing")
		}
		sameTime(t, "last end", end, h(5))
		end, ok = last(f.user.ID, h(0), h(4)) // the entry starting at 4h is out
		if !ok {
			t.Fatal("LastEntryEnd [0h,4h) found nothing")
		}
		sameTime(t, "last end before 4h", end, h(3))
		if _, ok := last(f.user.ID, h(7), h(24)); ok {
			t.Error("LastEntryEnd [7h,24h) found an end")
		}
		end, _ = last(bob.ID, h(0), h(24))
		sameTime(t, "Bob's last end", end, h(9))
	}},
	{"Entries/Count", func(t *testing.T, s core.Store) {
		f := setup(t, s)
		web := addProject(t, s, f.ws, "Website")
		app := addProject(t, s, f.ws, "App")
		design := addTask(t, s, f.ws, web.ID, "Design")
		launch := addTask(t, s, f.ws, web.ID, "Launch")
		for i, ref := range [][2]core.ID{{web.ID, design.ID}, {web.ID, design.ID}, {web.ID, 0}, {app.ID, 0}} {
			addEntry(t, s, core.TimeEntry{WorkspaceID: f.ws, UserID: f.user.ID, ProjectID: ref[0], TaskID: ref[1],
				Start: at(time.Duration(i) * time.Hour), End: ptr(at(time.Duration(i)*time.Hour + time.Minute))})
		}
		for _, c := range []struct {
			project, task core.ID
			want          int
		}{{web.ID, 0, 3}, {app.ID, 0, 1}, {web.ID, design.ID, 2}, {web.ID, launch.ID, 0}, {9999, 0, 0}} {
			n := read(t, s, func(tx core.Tx) (int, error) { return tx.CountEntries(f.ws, c.project, c.task) })
			if n != c.want {
				t.Errorf("CountEntries(project %d, task %d) = %d, want %d", c.project, c.task, n, c.want)
			}
		}
	}},
}
