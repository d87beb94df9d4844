package core_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/chatops/gateway/core"
)

// task returns the task with the id.
func (f *fixture) task(id core.ID) core.Task {
	f.t.Helper()
	var t core.Task
	err := f.store.View(f.ctx, func(tx core.Tx) error {
		ws, err := f.svc.Workspace(f.ctx)
		if err != nil {
			return err
		}
		t, err = tx.Task(ws.ID, id)
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return t
}

func (f *fixture) issue(a core.Actor, action string, n int, title string) *core.Result {
	f.t.Helper()
	res, err := f.svc.HandleIssue(f.ctx, a, core.IssueEvent{Repo: "octo/web", Number: n, Title: title, Action: action})
	if err != nil {
		f.t.Fatalf("issue %s #%d: %v", action, n, err)
	}
	return res
}

func TestIssueOpenedClosedReopened(t *testing.T) {
	f := newFixture(t)
	gh, err := f.svc.IssueActor(f.ctx, "octocat")
	if err != nil {
		t.Fatal(err)
	}
	// The built-in github user is a system user: no one joined the
	// workspace, so nothing is announced.
	f.wantEvents()
	if gh.Name != core.GitHubUserName || gh.Role != core.RoleMember {
		t.Fatalf("system user = %+v", gh)
	}
	a := core.Actor{User: gh, Source: "github"}

	res := f.issue(a, core.IssueOpened, 12, "Fix  login")
	f.wantEvents(core.EventProjectCreated, core.EventTaskCreated)
	if res.Task == nil || res.Task.Name != "#12 Fix login" || res.Project == nil || res.Project.Name != "web" {
		t.Fatalf("opened: %+v", res)
	}
	id := res.Task.ID

	f.issue(a, core.IssueOpened, 12, "Fix login") // seen already: nothing
	f.wantEvents()

	res = f.issue(a, core.IssueClosed, 12, "Fix login")
	f.wantEvents(core.EventTaskClosed)
	if res.Task.ID != id || f.task(id).Status != core.StatusClosed {
		t.Fatalf("closed: %+v", res.Task)
	}
	f.issue(a, core.IssueClosed, 12, "Fix login")
	f.wantEvents()

	f.issue(a, core.IssueReopened, 12, "Fix login (again)")
	f.wantEvents(core.EventTaskUpdated)
	if got := f.task(id); got.Status != core.StatusOpen || got.Name != "#12 Fix login (again)" {
		t.Fatalf("reopened: %+v", got)
	}

	// Closing an issue never seen makes its task and closes it.
	res = f.issue(a, core.IssueClosed, 7, "Old bug")
	f.wantEvents(core.EventTaskCreated, core.EventTaskClosed)
	if res.Task.Name != "#7 Old bug" || res.Task.Status != core.StatusClosed {
		t.Fatalf("closed unseen: %+v", res.Task)
	}

	// The same DedupeKey applies once.
	a.DedupeKey = "github:delivery-x"
	f.issue(a, core.IssueReopened, 7, "Old bug")
	f.wantEvents(core.EventTaskUpdated)
	if _, err := f.svc.HandleIssue(f.ctx, a, core.IssueEvent{Repo: "octo/web", Number: 7, Action: core.IssueClosed}); !errors.Is(err, core.ErrDuplicate) {
		t.Fatalf("same key: %v, want ErrDuplicate", err)
	}
	f.wantEvents()

	for _, ev := range []core.IssueEvent{
		{Repo: "octo", Number: 1, Action: core.IssueOpened},
		{Repo: "octo/web", Number: 0, Action: core.IssueOpened},
		{Repo: "octo/web", Number: 1, Action: "edited"},
	} {
		if _, err := f.svc.HandleIssue(f.ctx, a, ev); core.ErrorCode(err) != core.EINVALID {
			t.Errorf("%+v: %v, want invalid", ev, err)
		}
	}
	f.wantEvents()

	// The system user is made once.
	again, err := f.svc.IssueActor(f.ctx, "")
	if err != nil || again.ID != gh.ID {
		t.Fatalf("system user again: %+v %v", again, err)
	}
	f.wantEvents()
}

func TestIssueActorIsLinkedSender(t *testing.T) {
	f := newFixture(t)
	boss := f.user("boss", core.RoleAdmin)
	ana := f.user("ana", core.RoleMember)
	if _, err := f.svc.LinkIdentity(f.ctx, boss, ana.User.ID, core.Identity{Provider: core.ProviderGitHub, Subject: "ana-gh"}); err != nil {
		t.Fatal(err)
	}
	f.events()
	u, err := f.svc.IssueActor(f.ctx, "ana-gh")
	if err != nil || u.ID != ana.User.ID {
		t.Fatalf("IssueActor(ana-gh) = %+v, %v", u, err)
	}
	f.wantEvents()
	if _, err := f.svc.LookupIdentity(f.ctx, core.ProviderEmail, "nobody@example.com"); core.ErrorCode(err) != core.ENOTFOUND {
		t.Fatalf("LookupIdentity of nobody: %v", err)
	}
}

func TestCommitTimeOnIssueTaskRenamedWhenIssueArrives(t *testing.T) {
	f := newFixture(t)
	ana := f.user("ana", core.RoleMember)
	ana.Source = "github"
	end := wednesday.Add(-time.Hour)

	ana.DedupeKey = "github:octo/web:abc:10"
	res, err := f.svc.LogCommitTime(f.ctx, ana, core.CommitTime{Repo: "octo/web", Issue: 12, Duration: 90 * time.Minute, End: end, Note: "abc: work"})
	if err != nil {
		t.Fatal(err)
	}
	f.wantEvents(core.EventProjectCreated, core.EventTaskCreated, core.EventTimeEntryCreated)
	e := res.Entry
	if !e.End.Equal(end) || !e.Start.Equal(end.Add(-90*time.Minute)) || e.Source != "github" || e.Note != "abc: work" {
		t.Fatalf("entry = %+v", e)
	}
	if res.Task == nil || res.Task.Name != "#12" || res.Project.Name != "web" || e.TaskID != res.Task.ID {
		t.Fatalf("target = %+v in %+v", res.Task, res.Project)
	}
	taskID := res.Task.ID

	// A redelivered commit adds nothing.
	if _, err := f.svc.LogCommitTime(f.ctx, ana, core.CommitTime{Repo: "octo/web", Issue: 12, Duration: 90 * time.Minute, End: end}); !errors.Is(err, core.ErrDuplicate) {
		t.Fatalf("same directive again: %v", err)
	}
	f.wantEvents()

	// Without an issue: on the project. Repositories match ignoring case.
	ana.DedupeKey = "github:octo/web:abc:40"
	res, err = f.svc.LogCommitTime(f.ctx, ana, core.CommitTime{Repo: "Octo/Web", Duration: 45 * time.Minute, End: end})
	if err != nil {
		t.Fatal(err)
	}
	f.wantEvents(core.EventTimeEntryCreated)
	if res.Entry.TaskID != 0 || res.Project.Name != "web" {
		t.Fatalf("project entry = %+v in %+v", res.Entry, res.Project)
	}

	// The issue arrives: "#12" becomes "#12 Fix login".
	gh, err := f.svc.IssueActor(f.ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	f.events()
	res = f.issue(core.Actor{User: gh, Source: "github"}, core.IssueOpened, 12, "Fix login")
	f.wantEvents(core.EventTaskUpdated)
	if res.Task.ID != taskID || f.task(taskID).Name != "#12 Fix login" {
		t.Fatalf("renamed task: %+v", f.task(taskID))
	}

	// The rules of time.
	ana.DedupeKey = ""
	for _, ct := range []core.CommitTime{
		{Repo: "octo/web", Duration: 0, End: end},
		{Repo: "octo/web", Duration: 25 * time.Hour, End: end},
		{Repo: "octo/web", Duration: time.Hour, End: wednesday.Add(time.Hour)},
		{Repo: "not a repo", Duration: time.Hour, End: end},
	} {
		if _, err := f.svc.LogCommitTime(f.ctx, ana, ct); core.ErrorCode(err) != core.EINVALID {
			t.Errorf("%+v: %v, want invalid", ct, err)
		}
	}
	f.wantEvents()

	// A commit's time is undone like a logged entry.
	if _, err := f.svc.Execute(f.ctx, core.Actor{User: ana.User, Source: "slack"}, core.Undo{}); err != nil {
		t.Fatal(err)
	}
	f.wantEvents(core.EventTimeEntryDeleted)
}

func TestCommitLogDefaultsToRepositoryProject(t *testing.T) {
	f := newFixture(t)
	boss := f.user("boss", core.RoleAdmin)
	ana := f.user("ana", core.RoleMember)
	p, err := f.svc.MapRepository(f.ctx, boss, "octo/web", "Website")
	if err != nil || p.Name != "Website" {
		t.Fatalf("map: %+v %v", p, err)
	}
	f.wantEvents(core.EventProjectCreated)

	end := wednesday.Add(-2 * time.Hour)
	res, err := f.svc.CommitLog(f.ctx, ana, "octo/web", core.Log{Amount: core.Amount{Duration: 45 * time.Minute}, Task: "Session store", Tags: []string{"refactor"}, End: &end})
	if err != nil {
		t.Fatal(err)
	}
	f.wantEvents(core.EventTaskCreated, core.EventTagCreated, core.EventTimeEntryCreated)
	if res.Project.Name != "Website" || res.Task.Name != "Session store" || !res.Entry.End.Equal(end) {
		t.Fatalf("log: %+v", res)
	}
	res, err = f.svc.CommitLog(f.ctx, ana, "octo/web", core.Log{Amount: core.Amount{Duration: 15 * time.Minute}, Task: "Session store", Project: "Backend", End: &end})
	if err != nil {
		t.Fatal(err)
	}
	f.wantEvents(core.EventProjectCreated, core.EventTaskCreated, core.EventTimeEntryCreated)
	if res.Project.Name != "Backend" {
		t.Fatalf("named project: %+v", res.Project)
	}
}

func TestMapRepository(t *testing.T) {
	f := newFixture(t)
	boss := f.user("boss", core.RoleAdmin)
	ana := f.user("ana", core.RoleMember)

	if _, err := f.svc.MapRepository(f.ctx, ana, "octo/web", "Website"); core.ErrorCode(err) != core.EFORBIDDEN {
		t.Fatalf("member maps: %v", err)
	}
	for _, bad := range []string{"web", "octo/", "/web", "octo/web/x", "octo/we b"} {
		if _, err := f.svc.MapRepository(f.ctx, boss, bad, "Website"); core.ErrorCode(err) != core.EINVALID {
			t.Errorf("map %q: %v, want invalid", bad, err)
		}
	}
	if _, err := f.svc.MapRepository(f.ctx, boss, "octo/web", " "); core.ErrorCode(err) != core.EINVALID {
		t.Fatalf("empty project: %v", err)
	}
	f.wantEvents()

	if _, _, err := f.svc.RepositoryProject(f.ctx, ana, "octo/web"); core.ErrorCode(err) != core.ENOTFOUND {
		t.Fatalf("unmapped, no project: %v", err)
	}
	f.do(ana, core.AddProject{Project: "Website"})
	f.events()
	p, err := f.svc.MapRepository(f.ctx, boss, "octo/web", "website")
	if err != nil || p.Name != "Website" {
		t.Fatalf("map to existing: %+v %v", p, err)
	}
	f.wantEvents() // the project existed
	got, mapped, err := f.svc.RepositoryProject(f.ctx, ana, "OCTO/WEB")
	if err != nil || !mapped || got.ID != p.ID {
		t.Fatalf("mapping: %+v %v %v", got, mapped, err)
	}

	res := f.issue(core.Actor{User: ana.User, Source: "github"}, core.IssueOpened, 3, "Dark mode")
	f.wantEvents(core.EventTaskCreated)
	if res.Project.ID != p.ID {
		t.Fatalf("issue in %+v, want Website", res.Project)
	}

	// Remapping moves later work; a closed project refuses new work.
	if _, err := f.svc.MapRepository(f.ctx, boss, "octo/web", "Archive"); err != nil {
		t.Fatal(err)
	}
	f.wantEvents(core.EventProjectCreated)
	f.do(boss, core.CloseProject{Project: "Archive"})
	f.events()
	_, err = f.svc.HandleIssue(f.ctx, core.Actor{User: ana.User, Source: "github"}, core.IssueEvent{Repo: "octo/web", Number: 4, Title: "x", Action: core.IssueOpened})
	if core.ErrorCode(err) != core.EINVALID || !strings.Contains(core.ErrorMessage(err), "closed") {
		t.Fatalf("issue into a closed project: %v", err)
	}
	f.wantEvents()
}
