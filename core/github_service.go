package core

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// This file holds the Service's rules for GitHub: which project a
// repository's work goes to, the task of each issue, and the changes that
// commits and issue events make. Each change runs in one transaction with
// its events and, with an Actor.DedupeKey, applies at most once.
//
// A repository is named by its full name ("octo/web"), matched ignoring
// case. Its project is the one it is mapped to (MapRepository), else the
// project named like the repository ("web"), created when missing. Issue N
// of a repository has one task, named "#N title" ("#N" while its title is
// unknown, when a commit names the issue first).

// GitHubUserName is the name of the built-in user that GitHub issue events
// act as when their sender is linked to no user.
const GitHubUserName = "github"

// Issue actions that IssueEvent handles.
const (
	IssueOpened   = "opened"
	IssueClosed   = "closed"
	IssueReopened = "reopened"
)

// IssueEvent is what a GitHub issues event asks for.
type IssueEvent struct {
	// Repo is the repository's full name, "octo/web".
	Repo string
	// Number is the issue's number; Title its title.
	Number int
	Title  string
	// Action is IssueOpened, IssueClosed or IssueReopened.
	Action string
}

// CommitTime is a time directive of a commit message ("spent 1h30m").
type CommitTime struct {
	// Repo is the repository's full name. The entry goes on the task of
	// issue Issue of Repo, or on Repo's project when Issue is 0.
	Repo  string
	Issue int
	// Duration is how long; the entry ends at End, the commit's time.
	Duration time.Duration
	End      time.Time
	Note     string
}

// ValidRepo reports whether repo is a repository's full name: "owner/name",
// each part made of the characters GitHub allows in them (ASCII letters,
// digits, '-', '_' and '.'), neither "." nor "..".
func ValidRepo(repo string) bool {
	owner, name, ok := strings.Cut(repo, "/")
	return ok && repoPart(owner) && repoPart(name) && len(repo) <= 200
}

func repoPart(s string) bool {
	if s == "" || s == "." || s == ".." {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

// repoName is the name part of a repository's full name.
func repoName(repo string) string {
	return repo[strings.LastIndex(repo, "/")+1:]
}

// issueTaskName is the name of issue n's task: "#n title", or "#n"; a
// long title is cut to 200 bytes and to max characters (GATEWAY_LIMIT_NAME).
func issueTaskName(n int, title string, max int) string {
	name := fmt.Sprintf("#%d", n)
	title = strings.Join(strings.Fields(title), " ")
	if title == "" {
		return name
	}
	name += " " + title
	if len(name) > 200 {
		// Cut at a rune boundary.
		cut := 197 // and 3 bytes of "…"
		for cut > 0 && name[cut]&0xC0 == 0x80 {
			cut--
		}
		name = name[:cut] + "…"
	}
	if r := []rune(name); len(r) > max && max > 1 {
		name = string(r[:max-1]) + "…"
	}
	return name
}

// LookupIdentity returns the user who has an identity; not_found when no
// user has it. Unlike ResolveIdentity it never creates one.
func (s *Service) LookupIdentity(ctx context.Context, provider, subject string) (User, error) {
	ws, err := s.Workspace(ctx)
	if err != nil {
		return User{}, err
	}
	// Through the identity cache: a Slack command with a bot token asks
	// this before it runs (is the user new?), and runs the same lookup.
	u, err := s.userByIdentity(ctx, ws.ID, provider, subject)
	if err != nil {
		return User{}, err
	}
	return normalUser(u), nil
}

// IssueActor returns who acts for a GitHub issues event: the user linked
// to the sender's GitHub login, else the built-in "github" user (a member,
// created on first use; a system user, so no workspace_user.created is
// emitted: it is not a person joining the workspace).
func (s *Service) IssueActor(ctx context.Context, senderLogin string) (User, error) {
	if senderLogin != "" {
		u, err := s.LookupIdentity(ctx, ProviderGitHub, senderLogin)
		if ErrorCode(err) != ENOTFOUND {
			return u, err
		}
	}
	ws, err := s.Workspace(ctx)
	if err != nil {
		return User{}, err
	}
	var u User
	_, err = s.update(ctx, ws.ID, Actor{Source: "github"}, txOptions{op: "github user"}, func(c *change) error {
		var err error
		u, err = c.tx.UserByName(c.ws, GitHubUserName)
		if ErrorCode(err) != ENOTFOUND {
			return err
		}
		u, err = c.addUser(GitHubUserName, RoleMember)
		return err
	})
	if err != nil {
		return User{}, err
	}
	return normalUser(u), nil
}

// RepositoryProject returns the project of a repository and whether it is
// mapped: the mapped project, else the project named like the repository
// (not_found while that does not exist yet).
func (s *Service) RepositoryProject(ctx context.Context, actor Actor, repo string) (Project, bool, error) {
	if !ValidRepo(repo) {
		return Project{}, false, Errorf(EINVALID, "%q is not a repository's full name such as octo/web", repo)
	}
	var p Project
	var mapped bool
	err := s.read(ctx, actor, func(tx Tx, ws ID) error {
		id, err := tx.RepoProject(ws, repo)
		switch {
		case err == nil:
			mapped = true
			p, err = tx.Project(ws, id)
			return err
		case ErrorCode(err) != ENOTFOUND:
			return err
		}
		p, err = tx.ProjectByName(ws, repoName(repo))
		if ErrorCode(err) == ENOTFOUND {
			return Errorf(ENOTFOUND, "repository %q is not mapped and there is no project %q yet", repo, repoName(repo))
		}
		return err
	})
	return p, mapped, err
}

// MapRepository makes a repository's commits and issues go to the project
// named projectName, creating the project when missing (which emits
// project.created). Admins only; invalid for a malformed repository name.
func (s *Service) MapRepository(ctx context.Context, actor Actor, repo, projectName string) (Project, error) {
	if err := requireAdmin(actor, "map repositories"); err != nil {
		return Project{}, err
	}
	repo = strings.TrimSpace(repo)
	if !ValidRepo(repo) {
		return Project{}, Errorf(EINVALID, "%q is not a repository's full name such as octo/web", repo)
	}
	var p Project
	_, err := s.apply(ctx, actor, "map repository", false, func(c *change) error {
		name, err := s.Limits().cleanName("project", projectName)
		if err != nil {
			return err
		}
		p, err = c.tx.ProjectByName(c.ws, name)
		if ErrorCode(err) == ENOTFOUND {
			p, err = c.ensureProject(name)
		}
		if err != nil {
			return err
		}
		return c.tx.SetRepoProject(c.ws, repo, p.ID)
	})
	return p, err
}

// HandleIssue applies a GitHub issues event: opened adds the task
// "#N title" in the repository's project (a "#N" task made earlier from a
// commit is renamed: task.updated), closed closes it (task.closed),
// reopened reopens it (task.updated). The task is created first when the
// issue was never seen. An event that finds the task as it asks (closing a
// closed task) changes nothing and emits nothing.
func (s *Service) HandleIssue(ctx context.Context, actor Actor, ev IssueEvent) (*Result, error) {
	if !ValidRepo(ev.Repo) || ev.Number <= 0 {
		return nil, Errorf(EINVALID, "issue %s#%d is not valid", ev.Repo, ev.Number)
	}
	switch ev.Action {
	case IssueOpened, IssueClosed, IssueReopened:
	default:
		return nil, Errorf(EINVALID, "issue action %q is not opened, closed or reopened", ev.Action)
	}
	return s.apply(ctx, actor, "issue "+ev.Action, false, func(c *change) error {
		t, p, created, err := c.issueTask(ev.Repo, ev.Number, ev.Title)
		if err != nil {
			return err
		}
		typ := EventTaskUpdated
		changed := false
		if name := issueTaskName(ev.Number, ev.Title, c.s.Limits().Name); ev.Title != "" && !created && t.Name != name {
			// A name taken by another task of the project stays as it is.
			other, err := c.tx.TaskByName(c.ws, t.ProjectID, name)
			switch {
			case ErrorCode(err) == ENOTFOUND, err == nil && other.ID == t.ID:
				t.Name, changed = name, true
			case err != nil:
				return err
			}
		}
		switch {
		case ev.Action == IssueClosed && t.Status != StatusClosed:
			t.Status, typ, changed = StatusClosed, EventTaskClosed, true
		case ev.Action == IssueReopened && t.Status == StatusClosed:
			t.Status, changed = StatusOpen, true
		}
		c.res.Task, c.res.Project = &t, p
		if changed {
			t.UpdatedAt = c.now
			if err := c.tx.UpdateTask(&t); err != nil {
				return err
			}
			if err := c.emit(typ, 0, t.ProjectID, map[string]any{"task": t, "project": p}); err != nil {
				return err
			}
		}
		c.res.Unchanged = !changed && !created
		return nil
	})
}

// LogCommitTime adds a finished time entry for a commit's time directive
// and emits time_entry.created. The entry ends at ct.End and goes on the
// task of issue ct.Issue (created as "#N" when the issue was never seen)
// or, without an issue, on the repository's project. The actor may undo it
// like a logged entry.
func (s *Service) LogCommitTime(ctx context.Context, actor Actor, ct CommitTime) (*Result, error) {
	if !ValidRepo(ct.Repo) || ct.Issue < 0 {
		return nil, Errorf(EINVALID, "repository %q or issue %d is not valid", ct.Repo, ct.Issue)
	}
	return s.apply(ctx, actor, "log", true, func(c *change) error {
		end := ct.End.UTC()
		start := end.Add(-ct.Duration)
		if err := checkAmount(ct.Duration); err != nil {
			return err
		}
		if c.inFuture(end) {
			return Errorf(EINVALID, "that entry would end in the future (%s)", end.Format(time.RFC3339))
		}
		var task *Task
		var project *Project
		if ct.Issue > 0 {
			t, p, _, err := c.issueTask(ct.Repo, ct.Issue, "")
			if err != nil {
				return err
			}
			task, project = &t, p
		} else {
			p, err := c.repoProject(ct.Repo)
			if err != nil {
				return err
			}
			project = &p
		}
		e := TimeEntry{WorkspaceID: c.ws, UserID: c.actor.User.ID, Start: start, End: &end,
			DurationSeconds: int64(ct.Duration / time.Second), Note: strings.TrimSpace(ct.Note),
			Tags: []string{}, Source: c.actor.Source, CreatedAt: c.now, UpdatedAt: c.now}
		e.TaskID, e.ProjectID = refIDs(task, project)
		if err := c.createEntry(&e, task, project); err != nil {
			return err
		}
		c.res.Entry, c.res.Task, c.res.Project, c.res.FromCommit = &e, task, project, true
		return nil
	})
}

// CommitLog runs a "/log …" line of a commit message: the log command, in
// the repository's project when the line names no project.
func (s *Service) CommitLog(ctx context.Context, actor Actor, repo string, cmd Log) (*Result, error) {
	if !ValidRepo(repo) {
		return nil, Errorf(EINVALID, "%q is not a repository's full name", repo)
	}
	return s.apply(ctx, actor, cmd.CommandName(), true, func(c *change) error {
		if strings.TrimSpace(cmd.Project) == "" {
			p, err := c.repoProject(repo)
			if err != nil {
				return err
			}
			cmd.Project = p.Name
		}
		c.cmd = cmd // a near miss asks as in chat
		return c.log(cmd)
	})
}

// repoProject returns a repository's project: the mapped one, else the open
// project named like the repository, created when missing.
func (c *change) repoProject(repo string) (Project, error) {
	id, err := c.tx.RepoProject(c.ws, repo)
	switch {
	case err == nil:
		p, err := c.tx.Project(c.ws, id)
		if err != nil {
			return Project{}, err
		}
		if p.Status == StatusClosed {
			return Project{}, Errorf(EINVALID, "project %q of %s is closed", p.Name, repo)
		}
		return p, nil
	case ErrorCode(err) != ENOTFOUND:
		return Project{}, err
	}
	return c.ensureProject(repoName(repo))
}

// issueTask returns the task of issue n of repo with its project, and
// whether it was created now. A missing task is made in the repository's
// project, named "#n title" ("#n" without a title), and linked; a task of
// that name there already (or "#n", which is renamed later) is linked
// instead of making another.
func (c *change) issueTask(repo string, n int, title string) (Task, *Project, bool, error) {
	id, err := c.tx.IssueTask(c.ws, repo, n)
	switch {
	case err == nil:
		t, err := c.tx.Task(c.ws, id)
		if err != nil {
			return Task{}, nil, false, err
		}
		p, err := c.taskProject(t)
		return t, p, false, err
	case ErrorCode(err) != ENOTFOUND:
		return Task{}, nil, false, err
	}
	p, err := c.repoProject(repo)
	if err != nil {
		return Task{}, nil, false, err
	}
	name, err := c.s.Limits().cleanName("task", issueTaskName(n, title, c.s.Limits().Name))
	if err != nil {
		return Task{}, nil, false, err
	}
	for _, known := range []string{name, issueTaskName(n, "", c.s.Limits().Name)} {
		t, err := c.tx.TaskByName(c.ws, p.ID, known)
		if err == nil {
			return t, &p, false, c.tx.SetIssueTask(c.ws, repo, n, t.ID)
		}
		if ErrorCode(err) != ENOTFOUND {
			return Task{}, nil, false, err
		}
	}
	t, err := c.insertTask(name, p.ID)
	if err != nil {
		return Task{}, nil, false, err
	}
	if err := c.tx.SetIssueTask(c.ws, repo, n, t.ID); err != nil {
		return Task{}, nil, false, err
	}
	return t, &p, true, c.emit(EventTaskCreated, 0, p.ID, map[string]any{"task": t, "project": p})
}
