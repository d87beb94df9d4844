package core_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/store/sqlite"
)

// manager is a fixture for the management methods: a service on a temp
// SQLite store with a fixed clock, an admin and a member.
type manager struct {
	t      *testing.T
	ctx    context.Context
	store  core.Store
	svc    *core.Service
	now    time.Time
	admin  core.Actor
	member core.Actor
	seen   int64
}

func newManager(t *testing.T) *manager {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "manage.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	m := &manager{t: t, ctx: ctx, store: st, now: time.Date(2026, 11, 18, 15, 0, 0, 0, time.UTC)}
	m.svc = core.NewService(st, core.Options{Now: func() time.Time { return m.now }})
	token, err := m.svc.BootstrapAdmin(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	u, err := m.svc.Authenticate(ctx, token)
	if err != nil {
		t.Fatal(err)
	}
	m.admin = core.Actor{User: u, Source: "api"}
	mu, err := m.svc.CreateUser(ctx, m.admin, "Mia", core.RoleMember)
	if err != nil {
		t.Fatal(err)
	}
	m.member = core.Actor{User: mu, Source: "api"}
	m.events()
	return m
}

// events returns the events written since the last call.
func (m *manager) events() []core.Event {
	m.t.Helper()
	var out []core.Event
	err := m.store.View(m.ctx, func(tx core.Tx) error {
		evs, err := tx.Events(m.seen, 1000)
		for _, e := range evs {
			out = append(out, e)
			m.seen = e.Seq
		}
		return err
	})
	if err != nil {
		m.t.Fatal(err)
	}
	return out
}

// ok checks err is nil and exactly one event of typ was written; it
// returns the event's data.
func (m *manager) ok(err error, typ string) map[string]json.RawMessage {
	m.t.Helper()
	if err != nil {
		m.t.Fatalf("want %s, got error %v", typ, err)
	}
	evs := m.events()
	if len(evs) != 1 || evs[0].Type != typ {
		var types []string
		for _, e := range evs {
			types = append(types, e.Type)
		}
		m.t.Fatalf("events = %v, want [%s]", types, typ)
	}
	var data map[string]json.RawMessage
	if err := json.Unmarshal(evs[0].Data, &data); err != nil {
		m.t.Fatal(err)
	}
	return data
}

// fails checks err has the code and nothing was written.
func (m *manager) fails(err error, code string) {
	m.t.Helper()
	if core.ErrorCode(err) != code {
		m.t.Fatalf("error = %v, want code %s", err, code)
	}
	if evs := m.events(); len(evs) != 0 {
		m.t.Fatalf("a failed call wrote %d events (%s)", len(evs), evs[0].Type)
	}
}

func ptr[T any](v T) *T { return &v }

func TestManageCatalogue(t *testing.T) {
	m := newManager(t)
	a, mem := m.admin, m.member

	cl, err := m.svc.CreateClient(m.ctx, mem, "  Acme   Corp ")
	data := m.ok(err, core.EventClientCreated)
	if cl.Name != "Acme Corp" || data["client"] == nil {
		t.Fatalf("client = %+v, data %s", cl, data)
	}
	_, err = m.svc.CreateClient(m.ctx, a, "acme corp")
	m.fails(err, core.ECONFLICT)
	_, err = m.svc.CreateClient(m.ctx, a, "   ")
	m.fails(err, core.EINVALID)
	cl2, err := m.svc.CreateClient(m.ctx, a, "Globex")
	m.ok(err, core.EventClientCreated)
	_, err = m.svc.UpdateClient(m.ctx, mem, cl2.ID, core.ClientPatch{Name: ptr("ACME CORP")})
	m.fails(err, core.ECONFLICT)
	cl2, err = m.svc.UpdateClient(m.ctx, mem, cl2.ID, core.ClientPatch{Name: ptr("GLOBEX")})
	m.ok(err, core.EventClientUpdated) // a change of case is not a conflict with itself
	if cl2.Name != "GLOBEX" {
		t.Fatalf("renamed client = %q", cl2.Name)
	}

	p, err := m.svc.CreateProject(m.ctx, mem, core.NewProject{Name: "Website", ClientID: cl.ID})
	data = m.ok(err, core.EventProjectCreated)
	if p.Status != core.StatusOpen || p.ClientID != cl.ID || p.CreatedBy != mem.User.ID {
		t.Fatalf("project = %+v", p)
	}
	if string(data["client"]) == "null" || data["project"] == nil {
		t.Fatalf("project.created data = %s", data)
	}
	_, err = m.svc.CreateProject(m.ctx, a, core.NewProject{Name: "WEBSITE"})
	m.fails(err, core.ECONFLICT)
	_, err = m.svc.CreateProject(m.ctx, a, core.NewProject{Name: "Other", ClientID: 999})
	m.fails(err, core.EINVALID)

	// A client with a project cannot go; deleting is for admins.
	m.fails(m.svc.DeleteClient(m.ctx, mem, cl2.ID), core.EFORBIDDEN)
	m.fails(m.svc.DeleteClient(m.ctx, a, cl.ID), core.ECONFLICT)
	m.ok(m.svc.DeleteClient(m.ctx, a, cl2.ID), core.EventClientDeleted)
	_, err = m.svc.GetClient(m.ctx, mem, cl2.ID)
	m.fails(err, core.ENOTFOUND)

	task, err := m.svc.CreateTask(m.ctx, mem, core.NewTask{Name: "Fix login", ProjectID: p.ID})
	data = m.ok(err, core.EventTaskCreated)
	if task.ProjectID != p.ID || data["project"] == nil {
		t.Fatalf("task = %+v, data %s", task, data)
	}
	_, err = m.svc.CreateTask(m.ctx, mem, core.NewTask{Name: "fix LOGIN", ProjectID: p.ID})
	m.fails(err, core.ECONFLICT)
	_, err = m.svc.CreateTask(m.ctx, mem, core.NewTask{Name: "Orphan"})
	m.fails(err, core.EINVALID)
	_, err = m.svc.CreateTask(m.ctx, mem, core.NewTask{Name: "Lost", ProjectID: 999})
	m.fails(err, core.EINVALID)

	// Status changes pick the event: closing is task.closed, the rest
	// task.updated.
	task, err = m.svc.UpdateTask(m.ctx, mem, task.ID, core.TaskPatch{Status: ptr(core.StatusClosed)})
	m.ok(err, core.EventTaskClosed)
	_, err = m.svc.UpdateTask(m.ctx, mem, task.ID, core.TaskPatch{Status: ptr("done")})
	m.fails(err, core.EINVALID)
	task, err = m.svc.UpdateTask(m.ctx, mem, task.ID, core.TaskPatch{Status: ptr(core.StatusOpen), Name: ptr("Fix logout")})
	m.ok(err, core.EventTaskUpdated)
	if task.Status != core.StatusOpen || task.Name != "Fix logout" {
		t.Fatalf("task = %+v", task)
	}

	p, err = m.svc.UpdateProject(m.ctx, mem, p.ID, core.ProjectPatch{ClientID: ptr(core.ID(0)), Name: ptr("Web site")})
	m.ok(err, core.EventProjectUpdated)
	if p.ClientID != 0 || p.Name != "Web site" {
		t.Fatalf("project = %+v", p)
	}
	_, err = m.svc.UpdateProject(m.ctx, mem, p.ID, core.ProjectPatch{Status: ptr(core.StatusClosed)})
	m.ok(err, core.EventProjectClosed)
	_, err = m.svc.CreateTask(m.ctx, mem, core.NewTask{Name: "Late", ProjectID: p.ID})
	m.fails(err, core.EINVALID) // closed project
	_, err = m.svc.UpdateProject(m.ctx, mem, p.ID, core.ProjectPatch{Status: ptr(core.StatusClosed)})
	m.ok(err, core.EventProjectUpdated) // already closed: no second closing

	// A project with tasks stays; its task goes first.
	m.fails(m.svc.DeleteProject(m.ctx, a, p.ID), core.ECONFLICT)
	m.fails(m.svc.DeleteTask(m.ctx, mem, task.ID), core.EFORBIDDEN)
	m.ok(m.svc.DeleteTask(m.ctx, a, task.ID), core.EventTaskDeleted)
	m.fails(m.svc.DeleteProject(m.ctx, mem, p.ID), core.EFORBIDDEN)
	m.ok(m.svc.DeleteProject(m.ctx, a, p.ID), core.EventProjectDeleted)
	m.fails(m.svc.DeleteProject(m.ctx, a, p.ID), core.ENOTFOUND)

	tg, err := m.svc.CreateTag(m.ctx, mem, "#urgent")
	m.ok(err, core.EventTagCreated)
	if tg.Name != "urgent" {
		t.Fatalf("tag = %q", tg.Name)
	}
	_, err = m.svc.CreateTag(m.ctx, mem, "URGENT")
	m.fails(err, core.ECONFLICT)
	_, err = m.svc.UpdateTag(m.ctx, mem, tg.ID, core.TagPatch{Name: ptr("Urgent")})
	m.ok(err, core.EventTagUpdated)
	m.fails(m.svc.DeleteTag(m.ctx, mem, tg.ID), core.EFORBIDDEN)
	m.ok(m.svc.DeleteTag(m.ctx, a, tg.ID), core.EventTagDeleted)
}

func TestManageUsers(t *testing.T) {
	m := newManager(t)
	a, mem := m.admin, m.member

	_, err := m.svc.CreateUser(m.ctx, mem, "Eve", core.RoleAdmin)
	m.fails(err, core.EFORBIDDEN)
	_, err = m.svc.CreateUser(m.ctx, a, "mia", "")
	m.fails(err, core.ECONFLICT)
	_, err = m.svc.CreateUser(m.ctx, a, "Bo", "owner")
	m.fails(err, core.EINVALID)
	bo, err := m.svc.CreateUser(m.ctx, a, "Bo", "")
	m.ok(err, core.EventWorkspaceUserCreated)
	if bo.Role != core.RoleMember || bo.Identities == nil {
		t.Fatalf("user = %+v", bo)
	}

	// Members change only their own time zone, to a real one.
	_, err = m.svc.UpdateUser(m.ctx, mem, mem.User.ID, core.UserPatch{TimeZone: ptr("Mars/Olympus")})
	m.fails(err, core.EINVALID)
	u, err := m.svc.UpdateUser(m.ctx, mem, mem.User.ID, core.UserPatch{TimeZone: ptr("Europe/Berlin")})
	m.ok(err, core.EventWorkspaceUserUpdated)
	if u.TimeZone != "Europe/Berlin" {
		t.Fatalf("time zone = %q", u.TimeZone)
	}
	_, err = m.svc.UpdateUser(m.ctx, mem, mem.User.ID, core.UserPatch{Role: ptr(core.RoleAdmin)})
	m.fails(err, core.EFORBIDDEN)
	_, err = m.svc.UpdateUser(m.ctx, mem, bo.ID, core.UserPatch{TimeZone: ptr("UTC")})
	m.fails(err, core.EFORBIDDEN)
	_, err = m.svc.UpdateUser(m.ctx, a, a.User.ID, core.UserPatch{Role: ptr(core.RoleMember)})
	m.fails(err, core.EINVALID) // no admin demotes themselves
	u, err = m.svc.UpdateUser(m.ctx, a, bo.ID, core.UserPatch{Role: ptr(core.RoleAdmin), Name: ptr("Bob")})
	m.ok(err, core.EventWorkspaceUserUpdated)
	if u.Role != core.RoleAdmin || u.Name != "Bob" {
		t.Fatalf("user = %+v", u)
	}

	// Identities: admins only, known providers, one user each.
	gh := core.Identity{Provider: core.ProviderGitHub, Subject: "mia-codes"}
	_, err = m.svc.LinkIdentity(m.ctx, mem, mem.User.ID, gh)
	m.fails(err, core.EFORBIDDEN)
	_, err = m.svc.LinkIdentity(m.ctx, a, mem.User.ID, core.Identity{Provider: "myspace", Subject: "x"})
	m.fails(err, core.EINVALID)
	_, err = m.svc.LinkIdentity(m.ctx, a, 999, gh)
	m.fails(err, core.ENOTFOUND)
	u, err = m.svc.LinkIdentity(m.ctx, a, mem.User.ID, gh)
	data := m.ok(err, core.EventWorkspaceUserUpdated)
	if !slices.Contains(u.Identities, gh) {
		t.Fatalf("identities = %v", u.Identities)
	}
	var ev struct{ User core.User }
	if err := json.Unmarshal(mustJSON(t, data), &ev); err != nil || !slices.Contains(ev.User.Identities, gh) {
		t.Fatalf("event data = %s (%v)", data["user"], err)
	}
	_, err = m.svc.LinkIdentity(m.ctx, a, bo.ID, gh)
	m.fails(err, core.ECONFLICT)
	if got, err := m.svc.GetUser(m.ctx, mem, mem.User.ID); err != nil || !slices.Contains(got.Identities, gh) {
		t.Fatalf("GetUser = %+v, %v", got, err)
	}

	// Deleting: admins only, never oneself, never a user with entries.
	m.fails(m.svc.DeleteUser(m.ctx, mem, bo.ID), core.EFORBIDDEN)
	m.fails(m.svc.DeleteUser(m.ctx, a, a.User.ID), core.EINVALID)
	_, err = m.svc.CreateEntry(m.ctx, mem, core.NewEntry{Start: m.now.Add(-time.Hour), End: ptr(m.now)})
	m.ok(err, core.EventTimeEntryCreated)
	m.fails(m.svc.DeleteUser(m.ctx, a, mem.User.ID), core.ECONFLICT)
	m.ok(m.svc.DeleteUser(m.ctx, a, bo.ID), core.EventWorkspaceUserDeleted)
	_, err = m.svc.GetUser(m.ctx, a, bo.ID)
	m.fails(err, core.ENOTFOUND)

	users, next, err := m.svc.ListUsers(m.ctx, mem, core.Page{})
	if err != nil || next != 0 || len(users) != 2 {
		t.Fatalf("ListUsers = %d users, next %v, %v", len(users), next, err)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestManageEntries(t *testing.T) {
	m := newManager(t)
	a, mem := m.admin, m.member
	web, err := m.svc.CreateProject(m.ctx, a, core.NewProject{Name: "Website"})
	m.ok(err, core.EventProjectCreated)
	ops, err := m.svc.CreateProject(m.ctx, a, core.NewProject{Name: "Ops"})
	m.ok(err, core.EventProjectCreated)
	login, err := m.svc.CreateTask(m.ctx, a, core.NewTask{Name: "Login", ProjectID: web.ID})
	m.ok(err, core.EventTaskCreated)
	_, err = m.svc.CreateTag(m.ctx, a, "Urgent")
	m.ok(err, core.EventTagCreated)
	hour := m.now.Add(-time.Hour)

	bad := []struct {
		name string
		in   core.NewEntry
		code string
	}{
		{"no start", core.NewEntry{}, core.EINVALID},
		{"end before start", core.NewEntry{Start: hour, End: ptr(hour.Add(-time.Minute))}, core.EINVALID},
		{"end at start", core.NewEntry{Start: hour, End: ptr(hour)}, core.EINVALID},
		{"longer than a day", core.NewEntry{Start: m.now.Add(-25 * time.Hour), End: ptr(m.now)}, core.EINVALID},
		{"future end", core.NewEntry{Start: hour, End: ptr(m.now.Add(time.Hour))}, core.EINVALID},
		{"future start", core.NewEntry{Start: m.now.Add(time.Hour)}, core.EINVALID},
		{"unknown task", core.NewEntry{Start: hour, TaskID: 999}, core.EINVALID},
		{"unknown project", core.NewEntry{Start: hour, ProjectID: 999}, core.EINVALID},
		{"task not in project", core.NewEntry{Start: hour, TaskID: login.ID, ProjectID: ops.ID}, core.EINVALID},
		{"unknown tag", core.NewEntry{Start: hour, Tags: []string{"nope"}}, core.EINVALID},
		{"member for another", core.NewEntry{Start: hour, UserID: a.User.ID}, core.EFORBIDDEN},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := m.svc.CreateEntry(m.ctx, mem, tc.in)
			m.fails(err, tc.code)
		})
	}

	// A finished entry on a task lands in the task's project.
	e, err := m.svc.CreateEntry(m.ctx, mem, core.NewEntry{Start: hour, End: ptr(m.now.Add(-30 * time.Minute)), TaskID: login.ID, Tags: []string{"#urgent", "URGENT"}, Note: " a note "})
	data := m.ok(err, core.EventTimeEntryCreated)
	if e.ProjectID != web.ID || e.DurationSeconds != 1800 || !slices.Equal(e.Tags, []string{"Urgent"}) || e.Note != "a note" || e.Source != "api" || e.UserID != mem.User.ID {
		t.Fatalf("entry = %+v", e)
	}
	if string(data["task"]) == "null" || string(data["project"]) == "null" {
		t.Fatalf("time_entry.created data = %s", data)
	}

	// A running timer (a second one stops it: TestCreateEntryStopsRunningTimer).
	run, err := m.svc.CreateEntry(m.ctx, mem, core.NewEntry{Start: m.now.Add(-10 * time.Minute), ProjectID: ops.ID})
	m.ok(err, core.EventTrackerStarted)
	if !run.Running() {
		t.Fatal("entry without end is not running")
	}
	// The admin's own timer is another user's: allowed.
	adminRun, err := m.svc.CreateEntry(m.ctx, a, core.NewEntry{Start: m.now.Add(-5 * time.Minute)})
	m.ok(err, core.EventTrackerStarted)

	// Members neither see nor touch others' entries.
	_, err = m.svc.GetEntry(m.ctx, mem, adminRun.ID)
	m.fails(err, core.ENOTFOUND)
	_, err = m.svc.UpdateEntry(m.ctx, mem, adminRun.ID, core.EntryPatch{Note: ptr("mine")})
	m.fails(err, core.ENOTFOUND)
	m.fails(m.svc.DeleteEntry(m.ctx, mem, adminRun.ID), core.ENOTFOUND)
	list, _, err := m.svc.ListEntries(m.ctx, mem, core.EntryFilter{}, core.Page{})
	if err != nil || len(list) != 2 {
		t.Fatalf("member lists %d entries (%v), want 2", len(list), err)
	}
	list, _, err = m.svc.ListEntries(m.ctx, mem, core.EntryFilter{UserID: a.User.ID}, core.Page{})
	if err != nil || len(list) != 0 {
		t.Fatalf("member lists %d of the admin's entries (%v)", len(list), err)
	}
	list, _, err = m.svc.ListEntries(m.ctx, a, core.EntryFilter{}, core.Page{})
	if err != nil || len(list) != 3 {
		t.Fatalf("admin lists %d entries (%v), want 3", len(list), err)
	}
	if got, err := m.svc.GetEntry(m.ctx, a, e.ID); err != nil || got.ID != e.ID {
		t.Fatalf("admin GetEntry = %+v, %v", got, err)
	}

	// Setting the end stops the timer; other changes are updates.
	_, err = m.svc.UpdateEntry(m.ctx, mem, run.ID, core.EntryPatch{End: ptr(m.now.Add(time.Hour))})
	m.fails(err, core.EINVALID)
	run, err = m.svc.UpdateEntry(m.ctx, mem, run.ID, core.EntryPatch{End: ptr(m.now)})
	m.ok(err, core.EventTrackerStopped)
	if run.Running() || run.DurationSeconds != 600 {
		t.Fatalf("stopped entry = %+v", run)
	}
	run, err = m.svc.UpdateEntry(m.ctx, mem, run.ID, core.EntryPatch{TaskID: ptr(login.ID)})
	m.ok(err, core.EventTimeEntryUpdated)
	if run.ProjectID != web.ID {
		t.Fatalf("a new task did not bring its project: %+v", run)
	}
	_, err = m.svc.UpdateEntry(m.ctx, mem, run.ID, core.EntryPatch{ProjectID: ptr(ops.ID)})
	m.fails(err, core.EINVALID) // the task is not in Ops
	run, err = m.svc.UpdateEntry(m.ctx, mem, run.ID, core.EntryPatch{TaskID: ptr(core.ID(0)), ProjectID: ptr(ops.ID), Billable: ptr(true), Tags: &[]string{}})
	m.ok(err, core.EventTimeEntryUpdated)
	if run.TaskID != 0 || run.ProjectID != ops.ID || !run.Billable || len(run.Tags) != 0 {
		t.Fatalf("entry = %+v", run)
	}
	_, err = m.svc.UpdateEntry(m.ctx, mem, run.ID, core.EntryPatch{Start: ptr(m.now.Add(-25 * time.Hour))})
	m.fails(err, core.EINVALID)

	// A closed task takes no new entries.
	_, err = m.svc.UpdateTask(m.ctx, a, login.ID, core.TaskPatch{Status: ptr(core.StatusClosed)})
	m.ok(err, core.EventTaskClosed)
	_, err = m.svc.CreateEntry(m.ctx, mem, core.NewEntry{Start: hour, End: ptr(m.now), TaskID: login.ID})
	m.fails(err, core.EINVALID)
	m.fails(m.svc.DeleteTask(m.ctx, a, login.ID), core.ECONFLICT) // it has entries

	// Admins add entries for others.
	other, err := m.svc.CreateEntry(m.ctx, a, core.NewEntry{UserID: mem.User.ID, Start: m.now.Add(-3 * time.Hour), End: ptr(m.now.Add(-2 * time.Hour))})
	m.ok(err, core.EventTimeEntryCreated)
	if other.UserID != mem.User.ID {
		t.Fatalf("entry user = %v", other.UserID)
	}
	_, err = m.svc.CreateEntry(m.ctx, a, core.NewEntry{UserID: 999, Start: hour, End: ptr(m.now)})
	m.fails(err, core.EINVALID)

	m.ok(m.svc.DeleteEntry(m.ctx, mem, other.ID), core.EventTimeEntryDeleted)
	_, err = m.svc.GetEntry(m.ctx, mem, other.ID)
	m.fails(err, core.ENOTFOUND)
}

// TestCreateEntryStopsRunningTimer holds the one rule of starting timers:
// a new timer stops the user's running one where it starts, in the API as
// with track in chat, and both ways of starting one stop the other's.
func TestCreateEntryStopsRunningTimer(t *testing.T) {
	m := newManager(t)
	a, mem := m.admin, m.member
	types := func() []string {
		var out []string
		for _, e := range m.events() {
			out = append(out, e.Type)
		}
		return out
	}
	stoppedStarted := []string{core.EventTrackerStopped, core.EventTrackerStarted}
	entry := func(id core.ID) core.TimeEntry {
		t.Helper()
		e, err := m.svc.GetEntry(m.ctx, a, id)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}

	first, err := m.svc.CreateEntry(m.ctx, mem, core.NewEntry{Start: m.now.Add(-time.Hour)})
	m.ok(err, core.EventTrackerStarted)
	second, err := m.svc.CreateEntry(m.ctx, mem, core.NewEntry{Start: m.now.Add(-10 * time.Minute)})
	if err != nil || !second.Running() {
		t.Fatalf("second timer = %+v, %v", second, err)
	}
	if got := types(); !slices.Equal(got, stoppedStarted) {
		t.Fatalf("events = %v, want %v", got, stoppedStarted)
	}
	if f := entry(first.ID); f.Running() || !f.End.Equal(second.Start) || f.DurationSeconds != 50*60 {
		t.Fatalf("first timer = %+v, want it stopped where the second starts", f)
	}

	// An admin starting a timer for the member stops the member's; a
	// start before the running timer's own start stops it at its start.
	third, err := m.svc.CreateEntry(m.ctx, a, core.NewEntry{UserID: mem.User.ID, Start: m.now.Add(-20 * time.Minute)})
	if err != nil || third.UserID != mem.User.ID {
		t.Fatalf("third timer = %+v, %v", third, err)
	}
	if got := types(); !slices.Equal(got, stoppedStarted) {
		t.Fatalf("events = %v, want %v", got, stoppedStarted)
	}
	if s := entry(second.ID); s.Running() || !s.End.Equal(s.Start) {
		t.Fatalf("second timer = %+v, want it stopped at its start", s)
	}

	// Chat's track stops a timer the API started, and the API one track
	// started.
	res, err := m.svc.Execute(m.ctx, mem, core.Track{Task: "Fix login", Project: "Website"})
	if err != nil || res.Stopped == nil || res.Stopped.ID != third.ID {
		t.Fatalf("track = %+v, %v", res, err)
	}
	m.events()
	if _, err := m.svc.CreateEntry(m.ctx, mem, core.NewEntry{Start: m.now}); err != nil {
		t.Fatal(err)
	}
	if got := types(); !slices.Equal(got, stoppedStarted) {
		t.Fatalf("events = %v, want %v", got, stoppedStarted)
	}
	if e := entry(res.Entry.ID); e.Running() {
		t.Fatalf("tracked timer still runs: %+v", e)
	}
}

func TestManageListsPage(t *testing.T) {
	m := newManager(t)
	var want []core.ID
	for i := range 7 {
		tg, err := m.svc.CreateTag(m.ctx, m.member, "tag"+string(rune('a'+i)))
		m.ok(err, core.EventTagCreated)
		want = append(want, tg.ID)
	}
	var got []core.ID
	p := core.Page{Limit: 3}
	pages := 0
	for {
		tags, next, err := m.svc.ListTags(m.ctx, m.member, p)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, tg := range tags {
			got = append(got, tg.ID)
		}
		if next == 0 {
			break
		}
		if next != tags[len(tags)-1].ID {
			t.Fatalf("next cursor %v is not the last id %v", next, tags[len(tags)-1].ID)
		}
		p.After = next
	}
	if !slices.Equal(got, want) || pages != 3 {
		t.Fatalf("paged ids = %v in %d pages, want %v in 3", got, pages, want)
	}
	// A page that ends exactly at the last item says so.
	tags, next, err := m.svc.ListTags(m.ctx, m.member, core.Page{Limit: 7})
	if err != nil || len(tags) != 7 || next != 0 {
		t.Fatalf("full page: %d tags, next %v, %v", len(tags), next, err)
	}
}

func TestManageNeedsUser(t *testing.T) {
	m := newManager(t)
	_, err := m.svc.CreateClient(m.ctx, core.Actor{}, "Acme")
	m.fails(err, core.EUNAUTHORIZED)
	_, _, err = m.svc.ListProjects(m.ctx, core.Actor{}, core.Page{})
	m.fails(err, core.EUNAUTHORIZED)
}
