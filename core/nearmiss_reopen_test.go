package core_test

import (
	"testing"

	"github.com/chatops/gateway/core"
)

// TestNearMissOfReopen checks that reopen asks about a closed project or
// task close to the name given, offering only the existing name (reopen
// makes nothing), and stores nothing.
func TestNearMissOfReopen(t *testing.T) {
	f := newFixture(t)
	ana := f.user("ana", core.RoleMember)
	f.do(ana, core.AddTask{Task: "Fix bug", Project: "Website"})
	f.do(ana, core.AddTask{Task: "Specs", Project: "Ops"})
	f.do(ana, core.CloseTask{Task: "Fix bug", Project: "Website"})
	f.do(ana, core.CloseProject{Project: "Ops"})
	f.events()

	nm := f.nearMiss(ana, core.ReopenProject{Project: "Opz"})
	if nm.Kind != "project" || nm.Existing != "Ops" || nm.Create != nil || nm.Use != (core.ReopenProject{Project: "Ops"}) {
		t.Fatalf("%+v", nm)
	}
	if got := core.ErrorMessage(nm); got != `no project "Opz": did you mean "Ops"? Nothing was stored. Use it: reopen project Ops.` {
		t.Errorf("message %s", got)
	}
	nm = f.nearMiss(ana, core.ReopenTask{Task: "Fix bgu", Project: "Website"})
	if nm.Kind != "task" || nm.Existing != "Fix bug" || nm.Use != (core.ReopenTask{Task: "Fix bug", Project: "Website"}) {
		t.Fatalf("%+v", nm)
	}
	nm = f.nearMiss(ana, core.ReopenTask{Task: "Fix bug", Project: "Websiet"})
	if nm.Kind != "project" || nm.Use != (core.ReopenTask{Task: "Fix bug", Project: "Website"}) {
		t.Fatalf("%+v", nm)
	}
	if got := core.ErrorMessage(nm); got != `no project "Websiet": did you mean "Website"? Nothing was stored. Use it: reopen task "Fix bug" in Website.` {
		t.Errorf("message %s", got)
	}
	// The way out goes through.
	if res := f.do(ana, nm.Use); res.Task.Status != core.StatusOpen {
		t.Errorf("reopened %+v", res.Task)
	}
	f.wantEvents(core.EventTaskUpdated)
	// Nothing close: not found, as before.
	f.fail(ana, core.ReopenProject{Project: "Backend"}, core.ENOTFOUND, "Backend")
}
