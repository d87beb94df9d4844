package core_test

import (
	"errors"
	"testing"
	"time"

	"github.com/chatops/gateway/core"
)

func TestCloseNames(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"Web", "Website", true},              // prefix, shorter has 3 letters
		{"Website", "Website Redesign", true}, // prefix
		{"We", "Website", false},              // prefix too short
		{"Websiet", "Website", true},          // a swap is one edit
		{"Webstie", "Website", true},          // one swap
		{"Wbesite", "Website", true},          // one swap
		{"Wxbsitx", "Website", true},          // two edits, long names
		{"Wxbxitx", "Website", false},         // three edits
		{"Ops", "Opz", true},                  // one edit, short
		{"Ops", "Oxz", false},                 // two edits, short
		{"Opsx", "Oxsy", false},               // two edits, under 5 letters
		{"website", "Website", false},         // equal names are the same thing
		{"Backend", "Frontend", false},        // far
		{"Fix bug", "Fix bgu", true},          // tasks too
	} {
		if got := core.CloseNames(tc.a, tc.b); got != tc.want {
			t.Errorf("CloseNames(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

// nearMiss runs cmd, wants a *NearMiss and that nothing was stored.
func (f *fixture) nearMiss(a core.Actor, cmd core.Command) *core.NearMiss {
	f.t.Helper()
	before := len(f.entries(a))
	_, err := f.svc.Execute(f.ctx, a, cmd)
	var nm *core.NearMiss
	if !errors.As(err, &nm) {
		f.t.Fatalf("%s: got %v, want a near miss", cmd.CommandName(), err)
	}
	if core.ErrorCode(err) != core.EINVALID {
		f.t.Fatalf("code %q", core.ErrorCode(err))
	}
	if evs := f.events(); len(evs) != 0 {
		f.t.Fatalf("a question wrote events %v", evs)
	}
	if after := len(f.entries(a)); after != before {
		f.t.Fatalf("a question stored an entry")
	}
	return nm
}

func TestNearMissAsksAndStoresNothing(t *testing.T) {
	f := newFixture(t)
	ana := f.user("ana", core.RoleMember)
	f.do(ana, core.Track{Task: "Fix bug", Project: "Website"})
	f.do(ana, core.Stop{})
	f.events()

	// /track tarck Fix bug in Web: the verb typo is asked first; without
	// it, the project.
	nm := f.nearMiss(ana, core.Track{Task: "Fix bug", Project: "Web", Tags: []string{"ui"}})
	first := nm
	if nm.Kind != "project" || nm.Name != "Web" || nm.Existing != "Website" {
		t.Fatalf("%+v", nm)
	}
	if got, want := core.ErrorMessage(nm), `no project "Web": did you mean "Website"? Nothing was stored. Use it: track "Fix bug" in Website #ui; or create "Web": add project Web, then the command again.`; got != want {
		t.Errorf("message\n got %s\nwant %s", got, want)
	}
	if use := nm.Use.(core.Track); use.Project != "Website" || use.Task != "Fix bug" {
		t.Errorf("use %+v", use)
	}
	if nm.ConfirmKey() != core.ConfirmProject("web") {
		t.Errorf("key %q", nm.ConfirmKey())
	}

	// A task close to one of the project's.
	day := core.Day{Kind: core.DayYesterday}
	nm = f.nearMiss(ana, core.Log{Amount: core.Amount{Duration: time.Hour}, Task: "Fix bgu", Project: "website", When: day})
	if nm.Kind != "task" || nm.Existing != "Fix bug" || nm.Project != "Website" {
		t.Fatalf("%+v", nm)
	}
	if got, want := core.ErrorMessage(nm), `no task "Fix bgu" in Website: did you mean "Fix bug"? Nothing was stored. Use it: log 1h on "Fix bug" in website yesterday; or create "Fix bgu": add task "Fix bgu" in Website, then the command again.`; got != want {
		t.Errorf("message\n got %s\nwant %s", got, want)
	}
	// A task without a project, close to one anywhere: no way to create.
	nm = f.nearMiss(ana, core.Track{Task: "Fix bgu"})
	if nm.Create != nil || nm.Existing != "Fix bug" {
		t.Fatalf("%+v", nm)
	}

	// Confirmed, the new name is made; the Use command goes to the old one.
	res := f.do(core.Actor{User: ana.User, Source: "slack", Confirmed: []string{core.ConfirmProject("Web")}}, core.Track{Task: "Fix bug", Project: "Web"})
	if res.Project.Name != "Web" {
		t.Fatalf("confirmed: %+v", res.Project)
	}
	f.wantEvents(core.EventProjectCreated, core.EventTaskCreated, core.EventTrackerStarted)
	res = f.do(ana, first.Use)
	if res.Task.Name != "Fix bug" || res.Project.Name != "Website" {
		t.Fatalf("use: %+v %+v", res.Task, res.Project)
	}
	f.wantEvents(core.EventTrackerStopped, core.EventTagCreated, core.EventTrackerStarted) // #ui is new

	// Nothing close: made at once; add project and add task never ask.
	f.do(ana, core.Track{Task: "Triage", Project: "Ops"})
	f.wantEvents(core.EventTrackerStopped, core.EventProjectCreated, core.EventTaskCreated, core.EventTrackerStarted)
	f.do(ana, core.AddProject{Project: "Opz"})
	f.do(ana, core.AddTask{Task: "Triag", Project: "Ops"})
}

func TestNearMissInCommitLines(t *testing.T) {
	f := newFixture(t)
	ana := f.user("ana", core.RoleMember)
	f.do(ana, core.AddProject{Project: "Website"})
	f.events()
	yesterday := core.Day{Kind: core.DayYesterday}
	// A /log line that names a project close to one asks.
	_, err := f.svc.CommitLog(f.ctx, ana, "octo/web", core.Log{Amount: core.Amount{Duration: time.Hour}, Task: "Fix", Project: "Websit", When: yesterday})
	var nm *core.NearMiss
	if !errors.As(err, &nm) || nm.Existing != "Website" {
		t.Fatalf("commit line: %v", err)
	}
	if evs := f.events(); len(evs) != 0 {
		t.Fatalf("a question wrote %v", evs)
	}
	// The repository's own project is no typed name: made as before.
	res, err := f.svc.CommitLog(f.ctx, ana, "octo/web", core.Log{Amount: core.Amount{Duration: time.Hour}, Task: "Fix", When: yesterday})
	if err != nil || res.Project.Name != "web" {
		t.Fatalf("repository project: %v %+v", err, res)
	}
}

func TestNearMissOfClose(t *testing.T) {
	f := newFixture(t)
	ana := f.user("ana", core.RoleMember)
	f.do(ana, core.AddTask{Task: "Fix bug", Project: "Website"})
	f.events()
	nm := f.nearMiss(ana, core.CloseProject{Project: "Websit"})
	if nm.Existing != "Website" || nm.Create != nil || nm.Use != (core.CloseProject{Project: "Website"}) {
		t.Fatalf("%+v", nm)
	}
	nm = f.nearMiss(ana, core.CloseTask{Task: "Fix bgu", Project: "Website"})
	if nm.Kind != "task" || nm.Existing != "Fix bug" || nm.Use != (core.CloseTask{Task: "Fix bug", Project: "Website"}) {
		t.Fatalf("%+v", nm)
	}
	nm = f.nearMiss(ana, core.CloseTask{Task: "Fix bug", Project: "Websiet"})
	if nm.Kind != "project" || nm.Use != (core.CloseTask{Task: "Fix bug", Project: "Website"}) {
		t.Fatalf("%+v", nm)
	}
	if got := core.ErrorMessage(nm); got != `no project "Websiet": did you mean "Website"? Nothing was stored. Use it: close task "Fix bug" in Website.` {
		t.Errorf("message %s", got)
	}
	// Nothing close: not found, as before.
	f.fail(ana, core.CloseProject{Project: "Backend"}, core.ENOTFOUND, `no project "Backend"`)
	f.fail(ana, core.CloseTask{Task: "Deploy", Project: "Website"}, core.ENOTFOUND, `no task "Deploy" in Website`)
}
