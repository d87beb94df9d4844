package core_test

import (
	"reflect"
	"testing"

	"github.com/chatops/gateway/core"
)

// TestNearMissOfEditEntry checks that edit entry asks about a project or
// task close to an existing one, as track and log do: nothing stored, both
// ways out spelled out, and each way out goes through.
func TestNearMissOfEditEntry(t *testing.T) {
	f := newFixture(t)
	ana := f.user("ana", core.RoleMember)
	f.do(ana, core.AddTask{Task: "Fix bug", Project: "Website"})
	e := f.do(ana, core.Log{Amount: rangeOf(t, 9, 0, 10, 0), Task: "Triage", Project: "Ops"}).Entry
	f.events()
	before := f.entry(e.ID)

	// edit entry #N on Fix bug in Web: the project is asked.
	asked := core.EditEntry{ID: e.ID, Task: "Fix bug", Project: "Web"}
	nm := f.nearMiss(ana, asked)
	if nm.Kind != "project" || nm.Name != "Web" || nm.Existing != "Website" {
		t.Fatalf("%+v", nm)
	}
	want := core.EditEntry{ID: e.ID, Task: "Fix bug", Project: "Website"}
	if !reflect.DeepEqual(nm.Use, want) || !reflect.DeepEqual(nm.Again, asked) || nm.Create != (core.AddProject{Project: "Web"}) {
		t.Fatalf("use %#v again %#v create %#v", nm.Use, nm.Again, nm.Create)
	}
	n := e.ID.String()
	if got, want := core.ErrorMessage(nm), `no project "Web": did you mean "Website"? Nothing was stored. Use it: edit entry #`+n+` on "Fix bug" in Website; or create "Web": add project Web, then the command again.`; got != want {
		t.Errorf("message\n got %s\nwant %s", got, want)
	}
	if got := f.entry(e.ID); !reflect.DeepEqual(got, before) {
		t.Fatalf("the entry changed: %+v", got)
	}

	// A task close to one of the project's; a project alone, close to one.
	nm = f.nearMiss(ana, core.EditEntry{ID: e.ID, Task: "Fix bgu", Project: "Website"})
	if nm.Kind != "task" || nm.Existing != "Fix bug" || nm.Create != (core.AddTask{Task: "Fix bgu", Project: "Website"}) {
		t.Fatalf("%+v", nm)
	}
	nm = f.nearMiss(ana, core.EditEntry{ID: e.ID, Project: "Websit"})
	if nm.Kind != "project" || !reflect.DeepEqual(nm.Use, core.EditEntry{ID: e.ID, Project: "Website"}) {
		t.Fatalf("%+v", nm)
	}
	if got := f.entry(e.ID); !reflect.DeepEqual(got, before) {
		t.Fatalf("the entry changed: %+v", got)
	}

	// Use it: the entry moves to the existing names.
	res := f.do(ana, want)
	if res.Task == nil || res.Task.Name != "Fix bug" || res.Project.Name != "Website" {
		t.Fatalf("use: %+v %+v", res.Task, res.Project)
	}
	f.wantEvents(core.EventTimeEntryUpdated)
	// Confirmed, the new name is made.
	res = f.do(core.Actor{User: ana.User, Source: "slack", Confirmed: []string{nm.ConfirmKey()}}, core.EditEntry{ID: e.ID, Project: "Websit"})
	if res.Project.Name != "Websit" {
		t.Fatalf("confirmed: %+v", res.Project)
	}
}
