package storetest

import (
	"strings"
	"testing"
	"time"

	"github.com/chatops/gateway/core"
)

// thing is what clients, projects, tasks and tags have in common: a name
// unique (ignoring case) in the workspace, or in the project for tasks.
type thing struct {
	ID, WorkspaceID      core.ID
	Name                 string
	CreatedAt, UpdatedAt time.Time
}

// kind runs the shared tests on one kind of named thing.
type kind struct {
	name string
	// parent makes what the things belong to (a project, for tasks).
	parent func(t *testing.T, s core.Store, ws core.ID) core.ID
	create func(tx core.Tx, ws, parent core.ID, name string, at time.Time) (core.ID, error)
	get    func(tx core.Tx, ws, id core.ID) (thing, error)
	byName func(tx core.Tx, ws, parent core.ID, name string) (thing, error)
	rename func(tx core.Tx, ws, parent, id core.ID, name string, at time.Time) error
	del    func(tx core.Tx, ws, id core.ID) error
	list   func(tx core.Tx, ws, parent core.ID, p core.Page) ([]thing, error)
}

func noParent(*testing.T, core.Store, core.ID) core.ID { return 0 }

var kinds = []kind{
	{
		name:   "Clients",
		parent: noParent,
		create: func(tx core.Tx, ws, _ core.ID, name string, at time.Time) (core.ID, error) {
			c := core.Client{WorkspaceID: ws, Name: name, CreatedAt: at, UpdatedAt: at}
			err := tx.CreateClient(&c)
			return c.ID, err
		},
		get: func(tx core.Tx, ws, id core.ID) (thing, error) {
			c, err := tx.Client(ws, id)
			return thing{c.ID, c.WorkspaceID, c.Name, c.CreatedAt, c.UpdatedAt}, err
		},
		byName: func(tx core.Tx, ws, _ core.ID, name string) (thing, error) {
			c, err := tx.ClientByName(ws, name)
			return thing{c.ID, c.WorkspaceID, c.Name, c.CreatedAt, c.UpdatedAt}, err
		},
		rename: func(tx core.Tx, ws, _, id core.ID, name string, at time.Time) error {
			return tx.UpdateClient(&core.Client{ID: id, WorkspaceID: ws, Name: name, CreatedAt: t0, UpdatedAt: at})
		},
		del: func(tx core.Tx, ws, id core.ID) error { return tx.DeleteClient(ws, id) },
		list: func(tx core.Tx, ws, _ core.ID, p core.Page) ([]thing, error) {
			cs, err := tx.ListClients(ws, p)
			var out []thing
			for _, c := range cs {
				out = append(out, thing{c.ID, c.WorkspaceID, c.Name, c.CreatedAt, c.UpdatedAt})
			}
			return out, err
		},
	},
	{
		name:   "Projects",
		parent: noParent,
		create: func(tx core.Tx, ws, _ core.ID, name string, at time.Time) (core.ID, error) {
			p := core.Project{WorkspaceID: ws, Name: name, Status: core.StatusOpen, CreatedAt: at, UpdatedAt: at}
			err := tx.CreateProject(&p)
			return p.ID, err
		},
		get: func(tx core.Tx, ws, id core.ID) (thing, error) {
			p, err := tx.Project(ws, id)
			return thing{p.ID, p.WorkspaceID, p.Name, p.CreatedAt, p.UpdatedAt}, err
		},
		byName: func(tx core.Tx, ws, _ core.ID, name string) (thing, error) {
			p, err := tx.ProjectByName(ws, name)
			return thing{p.ID, p.WorkspaceID, p.Name, p.CreatedAt, p.UpdatedAt}, err
		},
		rename: func(tx core.Tx, ws, _, id core.ID, name string, at time.Time) error {
			return tx.UpdateProject(&core.Project{ID: id, WorkspaceID: ws, Name: name, Status: core.StatusOpen, CreatedAt: t0, UpdatedAt: at})
		},
		del: func(tx core.Tx, ws, id core.ID) error { return tx.DeleteProject(ws, id) },
		list: func(tx core.Tx, ws, _ core.ID, p core.Page) ([]thing, error) {
			ps, err := tx.ListProjects(ws, p)
			var out []thing
			for _, p := range ps {
				out = append(out, thing{p.ID, p.WorkspaceID, p.Name, p.CreatedAt, p.UpdatedAt})
			}
			return out, err
		},
	},
	{
		name: "Tasks",
		parent: func(t *testing.T, s core.Store, ws core.ID) core.ID {
			return addProject(t, s, ws, "Parent").ID
		},
		create: func(tx core.Tx, ws, project core.ID, name string, at time.Time) (core.ID, error) {
			k := core.Task{WorkspaceID: ws, ProjectID: project, Name: name, Status: core.StatusOpen, CreatedAt: at, UpdatedAt: at}
			err := tx.CreateTask(&k)
			return k.ID, err
		},
		get: func(tx core.Tx, ws, id core.ID) (thing, error) {
			k, err := tx.Task(ws, id)
			return thing{k.ID, k.WorkspaceID, k.Name, k.CreatedAt, k.UpdatedAt}, err
		},
		byName: func(tx core.Tx, ws, project core.ID, name string) (thing, error) {
			k, err := tx.TaskByName(ws, project, name)
			return thing{k.ID, k.WorkspaceID, k.Name, k.CreatedAt, k.UpdatedAt}, err
		},
		rename: func(tx core.Tx, ws, project, id core.ID, name string, at time.Time) error {
			return tx.UpdateTask(&core.Task{ID: id, WorkspaceID: ws, ProjectID: project, Name: name, Status: core.StatusOpen,
				CreatedAt: t0, UpdatedAt: at})
		},
		del: func(tx core.Tx, ws, id core.ID) error { return tx.DeleteTask(ws, id) },
		list: func(tx core.Tx, ws, project core.ID, p core.Page) ([]thing, error) {
			ks, err := tx.ListTasks(ws, core.TaskFilter{ProjectID: project}, p)
			var out []thing
			for _, k := range ks {
				out = append(out, thing{k.ID, k.WorkspaceID, k.Name, k.CreatedAt, k.UpdatedAt})
			}
			return out, err
		},
	},
	{
		name:   "Tags",
		parent: noParent,
		create: func(tx core.Tx, ws, _ core.ID, name string, at time.Time) (core.ID, error) {
			g := core.Tag{WorkspaceID: ws, Name: name, CreatedAt: at, UpdatedAt: at}
			err := tx.CreateTag(&g)
			return g.ID, err
		},
		get: func(tx core.Tx, ws, id core.ID) (thing, error) {
			g, err := tx.Tag(ws, id)
			return thing{g.ID, g.WorkspaceID, g.Name, g.CreatedAt, g.UpdatedAt}, err
		},
		byName: func(tx core.Tx, ws, _ core.ID, name string) (thing, error) {
			g, err := tx.TagByName(ws, name)
			return thing{g.ID, g.WorkspaceID, g.Name, g.CreatedAt, g.UpdatedAt}, err
		},
		rename: func(tx core.Tx, ws, _, id core.ID, name string, at time.Time) error {
			return tx.UpdateTag(&core.Tag{ID: id, WorkspaceID: ws, Name: name, CreatedAt: t0, UpdatedAt: at})
		},
		del: func(tx core.Tx, ws, id core.ID) error { return tx.DeleteTag(ws, id) },
		list: func(tx core.Tx, ws, _ core.ID, p core.Page) ([]thing, error) {
			gs, err := tx.ListTags(ws, p)
			var out []thing
			for _, g := range gs {
				out = append(out, thing{g.ID, g.WorkspaceID, g.Name, g.CreatedAt, g.UpdatedAt})
			}
			return out, err
		},
	},
}

func namedTests() []test {
	var tests []test
	for _, k := range kinds {
		tests = append(tests,
			test{k.name + "/CreateGetRenameDelete", k.crud},
			test{k.name + "/NamesAreUniqueIgnoringCase", k.conflict},
			test{k.name + "/ListPages", k.pages},
		)
	}
	return tests
}

func (k kind) add(t *testing.T, s core.Store, ws, parent core.ID, name string) core.ID {
	t.Helper()
	return write(t, s, func(tx core.Tx) (core.ID, error) { return k.create(tx, ws, parent, name, t0) })
}

func (k kind) crud(t *testing.T, s core.Store) {
	f := setup(t, s)
	parent := k.parent(t, s, f.ws)
	id := k.add(t, s, f.ws, parent, "Website")
	if id == 0 {
		t.Fatal("create set no id")
	}
	got := read(t, s, func(tx core.Tx) (thing, error) { return k.get(tx, f.ws, id) })
	if got.ID != id || got.WorkspaceID != f.ws || got.Name != "Website" {
		t.Errorf("got %+v, want id %d workspace %d name Website", got, id, f.ws)
	}
	sameTime(t, "created_at", got.CreatedAt, t0)
	sameTime(t, "updated_at", got.UpdatedAt, t0)
	for _, name := range []string{"Website", "website", "  WEBSITE "} {
		byName := read(t, s, func(tx core.Tx) (thing, error) { return k.byName(tx, f.ws, parent, name) })
		if byName.ID != id || byName.Name != "Website" {
			t.Errorf("by name %q: got %d %q, want %d %q", name, byName.ID, byName.Name, id, "Website")
		}
	}
	wantCode(t, readErr(t, s, func(tx core.Tx) error { _, err := k.byName(tx, f.ws, parent, "Nothing"); return err }), core.ENOTFOUND)
	wantCode(t, readErr(t, s, func(tx core.Tx) error { _, err := k.get(tx, f.ws, id+1000); return err }), core.ENOTFOUND)
	wantCode(t, readErr(t, s, func(tx core.Tx) error { _, err := k.get(tx, f.ws+100, id); return err }), core.ENOTFOUND)

	write(t, s, func(tx core.Tx) (any, error) { return nil, k.rename(tx, f.ws, parent, id, "Web Site", at(time.Hour)) })
	got = read(t, s, func(tx core.Tx) (thing, error) { return k.byName(tx, f.ws, parent, "web site") })
	if got.ID != id || got.Name != "Web Site" {
		t.Errorf("after rename: got %+v", got)
	}
	sameTime(t, "updated_at after rename", got.UpdatedAt, at(time.Hour))
	sameTime(t, "created_at after rename", got.CreatedAt, t0)
	wantCode(t, readErr(t, s, func(tx core.Tx) error { _, err := k.byName(tx, f.ws, parent, "website"); return err }), core.ENOTFOUND)
	wantCode(t, writeErr(t, s, func(tx core.Tx) error { return k.rename(tx, f.ws, parent, id+1000, "Ghost", t0) }), core.ENOTFOUND)

	write(t, s, func(tx core.Tx) (any, error) { return nil, k.del(tx, f.ws, id) })
	wantCode(t, readErr(t, s, func(tx core.Tx) error { _, err := k.get(tx, f.ws, id); return err }), core.ENOTFOUND)
	wantCode(t, writeErr(t, s, func(tx core.Tx) error { return k.del(tx, f.ws, id) }), core.ENOTFOUND)
	// The name is free again.
	k.add(t, s, f.ws, parent, "web site")
}

func (k kind) conflict(t *testing.T, s core.Store) {
	f := setup(t, s)
	parent := k.parent(t, s, f.ws)
	website := k.add(t, s, f.ws, parent, "Website")
	err := writeErr(t, s, func(tx core.Tx) error { _, err := k.create(tx, f.ws, parent, "WEBSITE", t0); return err })
	wantCode(t, err, core.ECONFLICT)
	if msg := core.ErrorMessage(err); !strings.Contains(strings.ToLower(msg), "website") {
		t.Errorf("conflict message %q does not name the thing", msg)
	}
	blog := k.add(t, s, f.ws, parent, "Blog")
	wantCode(t, writeErr(t, s, func(tx core.Tx) error { return k.rename(tx, f.ws, parent, blog, " website", t0) }), core.ECONFLICT)
	// A thing may change the case of its own name.
	write(t, s, func(tx core.Tx) (any, error) { return nil, k.rename(tx, f.ws, parent, website, "WebSite", t0) })
	got := read(t, s, func(tx core.Tx) (thing, error) { return k.get(tx, f.ws, website) })
	if got.Name != "WebSite" {
		t.Errorf("renamed to %q, want WebSite", got.Name)
	}
}

func (k kind) pages(t *testing.T, s core.Store) {
	f := setup(t, s)
	parent := k.parent(t, s, f.ws)
	var want []core.ID
	for _, name := range []string{"One", "Two", "Three", "Four", "Five"} {
		want = append(want, k.add(t, s, f.ws, parent, name))
	}
	thingID := func(th thing) core.ID { return th.ID }
	all := read(t, s, func(tx core.Tx) ([]thing, error) { return k.list(tx, f.ws, parent, core.Page{}) })
	wantIDs(t, "all", ids(all, thingID), want)
	big := read(t, s, func(tx core.Tx) ([]thing, error) { return k.list(tx, f.ws, parent, core.Page{Limit: 1 << 20}) })
	wantIDs(t, "limit above the maximum", ids(big, thingID), want)
	var got []core.ID
	after := core.ID(0)
	for range 10 {
		page := read(t, s, func(tx core.Tx) ([]thing, error) { return k.list(tx, f.ws, parent, core.Page{After: after, Limit: 2}) })
		if len(page) > 2 {
			t.Fatalf("page of %d with limit 2", len(page))
		}
		if len(page) == 0 {
			break
		}
		got = append(got, ids(page, thingID)...)
		after = page[len(page)-1].ID
	}
	wantIDs(t, "paged", got, want)
	other := read(t, s, func(tx core.Tx) ([]thing, error) { return k.list(tx, f.ws+100, parent, core.Page{}) })
	if len(other) != 0 {
		t.Errorf("listed %d things of another workspace", len(other))
	}
}

var catalogTests = []test{
	{"Projects/Fields", func(t *testing.T, s core.Store) {
		f := setup(t, s)
		c := write(t, s, func(tx core.Tx) (core.Client, error) {
			c := core.Client{WorkspaceID: f.ws, Name: "Big Co", CreatedAt: t0, UpdatedAt: t0}
			err := tx.CreateClient(&c)
			return c, err
		})
		p := write(t, s, func(tx core.Tx) (core.Project, error) {
			p := core.Project{WorkspaceID: f.ws, ClientID: c.ID, Name: "Website", Status: core.StatusOpen, CreatedBy: f.user.ID,
				CreatedAt: t0, UpdatedAt: t0}
			err := tx.CreateProject(&p)
			return p, err
		})
		got := read(t, s, func(tx core.Tx) (core.Project, error) { return tx.Project(f.ws, p.ID) })
		if got.ClientID != c.ID || got.Status != core.StatusOpen || got.CreatedBy != f.user.ID {
			t.Errorf("got %+v, want %+v", got, p)
		}
		p.Status, p.ClientID = core.StatusClosed, 0
		write(t, s, func(tx core.Tx) (any, error) { return nil, tx.UpdateProject(&p) })
		got = read(t, s, func(tx core.Tx) (core.Project, error) { return tx.Project(f.ws, p.ID) })
		if got.ClientID != 0 || got.Status != core.StatusClosed || got.CreatedBy != f.user.ID {
			t.Errorf("after update: got %+v, want %+v", got, p)
		}
		wantCode(t, writeErr(t, s, func(tx core.Tx) error {
			p := core.Project{WorkspaceID: f.ws, ClientID: 9999, Name: "Orphan", Status: core.StatusOpen, CreatedAt: t0, UpdatedAt: t0}
			return tx.CreateProject(&p)
		}), core.ENOTFOUND)
	}},
	{"Projects/DeleteWithTasksOrEntriesConflicts", func(t *testing.T, s core.Store) {
		f := setup(t, s)
		withTask := addProject(t, s, f.ws, "With task")
		addTask(t, s, f.ws, withTask.ID, "Design")
		wantCode(t, writeErr(t, s, func(tx core.Tx) error { return tx.DeleteProject(f.ws, withTask.ID) }), core.ECONFLICT)
		withEntry := addProject(t, s, f.ws, "With entry")
		addEntry(t, s, core.TimeEntry{WorkspaceID: f.ws, UserID: f.user.ID, ProjectID: withEntry.ID, Start: t0,
			End: ptr(at(time.Hour)), DurationSeconds: 3600})
		wantCode(t, writeErr(t, s, func(tx core.Tx) error { return tx.DeleteProject(f.ws, withEntry.ID) }), core.ECONFLICT)
		for _, p := range []core.Project{withTask, withEntry} {
			read(t, s, func(tx core.Tx) (core.Project, error) { return tx.Project(f.ws, p.ID) })
		}
	}},
	{"Tasks/DeleteWithEntriesConflicts", func(t *testing.T, s core.Store) {
		f := setup(t, s)
		p := addProject(t, s, f.ws, "Website")
		k := addTask(t, s, f.ws, p.ID, "Design")
		addEntry(t, s, core.TimeEntry{WorkspaceID: f.ws, UserID: f.user.ID, ProjectID: p.ID, TaskID: k.ID, Start: t0,
			End: ptr(at(time.Hour)), DurationSeconds: 3600})
		wantCode(t, writeErr(t, s, func(tx core.Tx) error { return tx.DeleteTask(f.ws, k.ID) }), core.ECONFLICT)
		read(t, s, func(tx core.Tx) (core.Task, error) { return tx.Task(f.ws, k.ID) })
	}},
	{"Tasks/NamesPerProject", func(t *testing.T, s core.Store) {
		f := setup(t, s)
		web := addProject(t, s, f.ws, "Website")
		app := addProject(t, s, f.ws, "App")
		webDesign := addTask(t, s, f.ws, web.ID, "Design")
		appDesign := addTask(t, s, f.ws, app.ID, "design")
		webOnly := addTask(t, s, f.ws, web.ID, "Launch")
		if webDesign.ProjectID != web.ID || appDesign.ProjectID != app.ID {
			t.Fatalf("tasks %+v %+v", webDesign, appDesign)
		}
		for _, c := range []struct {
			project core.ID
			name    string
			want    core.ID
		}{
			{web.ID, "DESIGN", webDesign.ID},
			{app.ID, "Design", appDesign.ID},
			{0, "launch", webOnly.ID},
			{web.ID, "Launch", webOnly.ID},
		} {
			got := read(t, s, func(tx core.Tx) (core.Task, error) { return tx.TaskByName(f.ws, c.project, c.name) })
			if got.ID != c.want {
				t.Errorf("TaskByName(%d, %q) = %d, want %d", c.project, c.name, got.ID, c.want)
			}
		}
		wantCode(t, readErr(t, s, func(tx core.Tx) error { _, err := tx.TaskByName(f.ws, 0, "Design"); return err }), core.ECONFLICT)
		wantCode(t, readErr(t, s, func(tx core.Tx) error { _, err := tx.TaskByName(f.ws, app.ID, "Launch"); return err }), core.ENOTFOUND)
		wantCode(t, readErr(t, s, func(tx core.Tx) error { _, err := tx.TaskByName(f.ws, 0, "Nothing"); return err }), core.ENOTFOUND)

		webTasks := read(t, s, func(tx core.Tx) ([]core.Task, error) {
			return tx.ListTasks(f.ws, core.TaskFilter{ProjectID: web.ID}, core.Page{})
		})
		wantIDs(t, "tasks of Website", ids(webTasks, func(k core.Task) core.ID { return k.ID }), []core.ID{webDesign.ID, webOnly.ID})
		allTasks := read(t, s, func(tx core.Tx) ([]core.Task, error) { return tx.ListTasks(f.ws, core.TaskFilter{}, core.Page{}) })
		wantIDs(t, "all tasks", ids(allTasks, func(k core.Task) core.ID { return k.ID }), []core.ID{webDesign.ID, appDesign.ID, webOnly.ID})

		// Moving a task to a project that has one of the same name conflicts.
		appDesign.ProjectID = web.ID
		wantCode(t, writeErr(t, s, func(tx core.Tx) error { return tx.UpdateTask(&appDesign) }), core.ECONFLICT)
		wantCode(t, writeErr(t, s, func(tx core.Tx) error {
			k := core.Task{WorkspaceID: f.ws, ProjectID: 9999, Name: "Orphan", Status: core.StatusOpen, CreatedAt: t0, UpdatedAt: t0}
			return tx.CreateTask(&k)
		}), core.ENOTFOUND)
	}},
	{"Tasks/Fields", func(t *testing.T, s core.Store) {
		f := setup(t, s)
		p := addProject(t, s, f.ws, "Website")
		k := write(t, s, func(tx core.Tx) (core.Task, error) {
			k := core.Task{WorkspaceID: f.ws, ProjectID: p.ID, Name: "Design", Status: core.StatusOpen, CreatedBy: f.user.ID,
				CreatedAt: t0, UpdatedAt: t0}
			err := tx.CreateTask(&k)
			return k, err
		})
		k.Status = core.StatusClosed
		write(t, s, func(tx core.Tx) (any, error) { return nil, tx.UpdateTask(&k) })
		got := read(t, s, func(tx core.Tx) (core.Task, error) { return tx.Task(f.ws, k.ID) })
		if got.Status != core.StatusClosed || got.CreatedBy != f.user.ID || got.ProjectID != p.ID || got.WorkspaceID != f.ws {
			t.Errorf("got %+v, want %+v", got, k)
		}
	}},
}
