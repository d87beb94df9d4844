package core_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/chatops/gateway/core"
)

// watchedStore wraps a store: its transactions hide the tasks and projects
// named in gone (Tx.Task and Tx.Project say not_found for them, as for a
// thing deleted behind an entry's back, which the foreign keys of the real
// stores do not let happen) and count the lookups of projects and tasks by
// name.
type watchedStore struct {
	core.Store
	goneTasks, goneProjects map[core.ID]bool
	projectsByName          *atomic.Int64
	tasksByName             *atomic.Int64
}

func newWatchedStore(st core.Store) *watchedStore {
	return &watchedStore{Store: st, goneTasks: map[core.ID]bool{}, goneProjects: map[core.ID]bool{},
		projectsByName: new(atomic.Int64), tasksByName: new(atomic.Int64)}
}

func (s *watchedStore) Update(ctx context.Context, fn func(core.Tx) error) error {
	return s.Store.Update(ctx, func(tx core.Tx) error { return fn(watchedTx{tx, s}) })
}

func (s *watchedStore) View(ctx context.Context, fn func(core.Tx) error) error {
	return s.Store.View(ctx, func(tx core.Tx) error { return fn(watchedTx{tx, s}) })
}

// lookups returns the lookups by name since the last call: of projects,
// of tasks.
func (s *watchedStore) lookups() (projects, tasks int64) {
	return s.projectsByName.Swap(0), s.tasksByName.Swap(0)
}

type watchedTx struct {
	core.Tx
	s *watchedStore
}

func (tx watchedTx) Task(ws, id core.ID) (core.Task, error) {
	if tx.s.goneTasks[id] {
		return core.Task{}, core.Errorf(core.ENOTFOUND, "task %d not found", id)
	}
	return tx.Tx.Task(ws, id)
}

func (tx watchedTx) Project(ws, id core.ID) (core.Project, error) {
	if tx.s.goneProjects[id] {
		return core.Project{}, core.Errorf(core.ENOTFOUND, "project %d not found", id)
	}
	return tx.Tx.Project(ws, id)
}

func (tx watchedTx) ProjectByName(ws core.ID, name string) (core.Project, error) {
	tx.s.projectsByName.Add(1)
	return tx.Tx.ProjectByName(ws, name)
}

func (tx watchedTx) TaskByName(ws, project core.ID, name string) (core.Task, error) {
	tx.s.tasksByName.Add(1)
	return tx.Tx.TaskByName(ws, project, name)
}

// watch makes the fixture's service run on a watchedStore of its store.
func (f *fixture) watch() *watchedStore {
	ws := newWatchedStore(f.store)
	f.svc = core.NewService(ws, core.Options{Now: f.clock.Now})
	return ws
}

// TestContinueEntryWhoseTaskOrProjectIsGone checks that continue tells an
// entry whose task or project no longer exists by its own answer (not the
// "task N does not exist" of a request that names a wrong id), and stores
// nothing.
func TestContinueEntryWhoseTaskOrProjectIsGone(t *testing.T) {
	f := newFixture(t)
	ana := f.user("ana", core.RoleMember)
	design := f.do(ana, core.Log{Amount: rangeOf(t, 9, 0, 10, 0), Task: "Design", Project: "Web"}).Entry
	specs := f.do(ana, core.Log{Amount: rangeOf(t, 11, 0, 12, 0), Project: "Docs"}).Entry
	f.events()
	ws := f.watch()
	ws.goneTasks[design.TaskID] = true
	ws.goneProjects[specs.ProjectID] = true

	for _, e := range []*core.TimeEntry{design, specs} {
		f.fail(ana, core.Continue{ID: e.ID}, core.EINVALID,
			fmt.Sprintf("the task or project of entry #%d is gone; start a timer with: track TASK in PROJECT", e.ID))
	}
	if es := f.entries(ana); len(es) != 2 {
		t.Fatalf("entries %+v", es)
	}
	// An entry whose task and project are there is continued.
	delete(ws.goneTasks, design.TaskID)
	if res := f.do(ana, core.Continue{ID: design.ID}); res.Task == nil || res.Task.Name != "Design" || !res.Entry.Running() {
		t.Fatalf("continue %+v", res)
	}
}

// TestNearMissLooksUpOnce checks that track looks a project and a task up
// by name once, where the near-miss question cannot be asked (a name
// confirmed) or is not needed (a name found, a closed one).
func TestNearMissLooksUpOnce(t *testing.T) {
	f := newFixture(t)
	ana := f.user("ana", core.RoleMember)
	f.do(ana, core.AddTask{Task: "Fix bug", Project: "Website"})
	f.do(ana, core.AddTask{Task: "Old", Project: "Website"})
	f.do(ana, core.CloseTask{Task: "Old", Project: "Website"})
	f.do(ana, core.AddTask{Task: "Specs", Project: "Ops"})
	f.do(ana, core.CloseProject{Project: "Ops"})
	ws := f.watch()

	for _, tc := range []struct {
		name           string
		cmd            core.Track
		confirmed      []string
		wantErr        string
		projects, task int64
	}{
		{"found", core.Track{Task: "Fix bug", Project: "Website"}, nil, "", 1, 1},
		{"closed project", core.Track{Task: "Specs", Project: "Ops"}, nil, `project "Ops" is closed`, 1, 0},
		{"closed task", core.Track{Task: "Old", Project: "Website"}, nil, `task "Old" is closed`, 1, 1},
		// A new task in a new project: both confirmed.
		{"confirmed project", core.Track{Task: "Fix bug", Project: "Web"}, []string{core.ConfirmProject("Web"), core.ConfirmTask("Web", "Fix bug")}, "", 1, 1},
		{"confirmed task", core.Track{Task: "Fix bu", Project: "Website"}, []string{core.ConfirmTask("Website", "Fix bu")}, "", 1, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := ana
			a.Confirmed = tc.confirmed
			ws.lookups()
			_, err := f.svc.Execute(f.ctx, a, tc.cmd)
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && core.ErrorMessage(err) != tc.wantErr {
				t.Fatalf("got %v, want %q", err, tc.wantErr)
			}
			if p, tk := ws.lookups(); p != tc.projects || tk != tc.task {
				t.Errorf("looked up %d projects and %d tasks by name, want %d and %d", p, tk, tc.projects, tc.task)
			}
		})
	}
}

// TestNewNameLooksUpOnce checks that track and log look a new project or
// task up by name once on the way to creating it (or to saying how to),
// when no open name is close enough to ask about, and that they create
// what they name.
func TestNewNameLooksUpOnce(t *testing.T) {
	f := newFixture(t)
	ana := f.user("ana", core.RoleMember)
	f.do(ana, core.AddTask{Task: "Fix bug", Project: "Website"})
	ws := f.watch()

	for _, tc := range []struct {
		name           string
		cmd            core.Command
		wantErr        string
		projects, task int64
	}{
		{"track new task in new project", core.Track{Task: "Deploy", Project: "Quarry"}, "", 1, 1},
		{"track new task in a project", core.Track{Task: "Onboarding", Project: "Website"}, "", 1, 1},
		{"log new project", core.Log{Amount: rangeOf(t, 9, 0, 10, 0), Project: "Garden"}, "", 1, 0},
		{"log new task in new project", core.Log{Amount: rangeOf(t, 10, 0, 11, 0), Task: "Plan", Project: "Harbor"}, "", 1, 1},
		{"track new task without project", core.Track{Task: "Zebra"}, `there is no task "Zebra" yet; name its project to create it: "track Zebra in PROJECT"`, 0, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ws.lookups()
			res, err := f.svc.Execute(f.ctx, ana, tc.cmd)
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && core.ErrorMessage(err) != tc.wantErr {
				t.Fatalf("got %v, want %q", err, tc.wantErr)
			}
			if p, tk := ws.lookups(); p != tc.projects || tk != tc.task {
				t.Errorf("looked up %d projects and %d tasks by name, want %d and %d", p, tk, tc.projects, tc.task)
			}
			if err == nil && (res.Project == nil || res.Entry == nil || res.Entry.ProjectID != res.Project.ID ||
				tc.task == 1 && (res.Task == nil || res.Entry.TaskID != res.Task.ID)) {
				t.Errorf("result %+v", res)
			}
		})
	}
}
