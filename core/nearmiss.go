package core

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Names that almost match (COMMANDS.md, second edition): when track, log,
// edit entry or close name a project, or a task within a project, that
// does not exist and an open one is close to it (reopen: a closed one,
// nearmiss_reopen.go), nothing is stored and the answer asks. The question
// is a *NearMiss error: its message spells the two ways out as commands
// (for Mattermost, hooks and commit lines); Slack draws them as buttons
// that run NearMiss.Use or NearMiss.Again with the new name confirmed
// (Actor.Confirmed).

// NearMiss is the question asked instead of creating a name that is close
// to an existing one. It unwraps to an EINVALID *Error whose message holds
// the question and both ways out.
type NearMiss struct {
	// Kind is "project" or "task".
	Kind string `json:"kind"`
	// Name is the name as asked; Existing the close name that exists.
	Name     string `json:"name"`
	Existing string `json:"existing"`
	// Project is the project of an asked task ("" when none was named).
	Project string `json:"project,omitempty"`
	// Use is the command with Existing in place of Name.
	Use Command `json:"-"`
	// Again is the command as asked; Create, when not nil, makes Name on
	// purpose (add project, add task) so that Again then goes through.
	// Create is nil when Name cannot be made by itself (a task without a
	// project).
	Again  Command `json:"-"`
	Create Command `json:"-"`
}

// ConfirmKey is the key of Actor.Confirmed that lets Again create Name.
func (e *NearMiss) ConfirmKey() string {
	if e.Kind == "task" {
		return ConfirmTask(e.Project, e.Name)
	}
	return ConfirmProject(e.Name)
}

// ConfirmProject and ConfirmTask are the keys of Actor.Confirmed that let a
// command create that project, or that task in that project, although a
// close name exists.
func ConfirmProject(name string) string { return "project:" + NameKey(name) }

// ConfirmTask: see ConfirmProject.
func ConfirmTask(project, task string) string {
	return "task:" + NameKey(project) + "/" + NameKey(task)
}

// Question is the first sentence: `no project "Web": did you mean "Website"?`.
func (e *NearMiss) Question() string {
	where := ""
	if e.Kind == "task" && e.Project != "" {
		where = " in " + e.Project
	}
	return fmt.Sprintf("no %s %q%s: did you mean %q?", e.Kind, e.Name, where, e.Existing)
}

func (e *NearMiss) Error() string { return EINVALID + ": " + e.message() }

// Unwrap gives the question as an *Error, so that ErrorCode and
// ErrorMessage work on a NearMiss.
func (e *NearMiss) Unwrap() error { return &Error{Code: EINVALID, Message: e.message()} }

// message is the question and both ways out, as commands.
func (e *NearMiss) message() string {
	s := e.Question() + " Nothing was stored. Use it: " + CommandText(e.Use)
	if e.Create != nil {
		s += fmt.Sprintf("; or create %q: %s, then the command again", e.Name, CommandText(e.Create))
	}
	return s + "."
}

// confirmed reports whether the actor confirmed key as a new name.
func (a Actor) confirmed(key string) bool {
	for _, k := range a.Confirmed {
		if k == key {
			return true
		}
	}
	return false
}

// CloseNames reports whether two names that are not equal (compared
// case-insensitively) are close: a Damerau–Levenshtein distance of at most
// 1 when the shorter has under 5 letters, at most 2 otherwise; or one is a
// prefix of the other; in both cases the shorter has at least 3 letters
// (every name of one or two letters is one edit from any other).
func CloseNames(a, b string) bool {
	a, b = NameKey(a), NameKey(b)
	if a == b {
		return false
	}
	short := min(utf8.RuneCountInString(a), utf8.RuneCountInString(b))
	if short < 3 {
		// One edit away is any other name of one or two letters.
		return false
	}
	if strings.HasPrefix(a, b) || strings.HasPrefix(b, a) {
		return true
	}
	limit := 2
	if short < 5 {
		limit = 1
	}
	return EditDistance(a, b) <= limit
}

// closest returns the name of names that is closest to name, "" when none
// is close: the smallest edit distance wins, then the first.
func closest(name string, names []string) string {
	best, bestD := "", 0
	for _, n := range names {
		if !CloseNames(name, n) {
			continue
		}
		if d := EditDistance(name, n); best == "" || d < bestD {
			best, bestD = n, d
		}
	}
	return best
}

// projectNames lists the names of the workspace's projects whose status
// keep keeps (notClosed, isClosed, anyStatus).
func (c *change) projectNames(keep func(status string) bool) ([]string, error) {
	ps, err := listAll(func(p Page) ([]Project, error) { return c.tx.ListProjects(c.ws, p) }, func(p Project) ID { return p.ID })
	var names []string
	for _, p := range ps {
		if keep(p.Status) {
			names = append(names, p.Name)
		}
	}
	return names, err
}

// taskNames lists the names of the tasks of a project (of every project
// when project is 0) whose status keep keeps.
func (c *change) taskNames(project ID, keep func(status string) bool) ([]string, error) {
	ts, err := listAll(func(p Page) ([]Task, error) { return c.tx.ListTasks(c.ws, TaskFilter{ProjectID: project}, p) },
		func(t Task) ID { return t.ID })
	var names []string
	for _, t := range ts {
		if keep(t.Status) {
			names = append(names, t.Name)
		}
	}
	return names, err
}

// The statuses projectNames and taskNames keep: the open names (near
// misses of the names that make things), the closed ones (of reopen), all.
func notClosed(status string) bool { return status != StatusClosed }
func isClosed(status string) bool  { return status == StatusClosed }
func anyStatus(string) bool        { return true }

// withName returns the chat command cmd with a project or task name
// replaced, for NearMiss.Use; nil for another command.
func withName(cmd Command, kind, name string) Command {
	set := func(task, project *string) {
		if kind == "project" {
			*project = name
		} else {
			*task = name
		}
	}
	switch c := cmd.(type) {
	case Track:
		c.Typo = ""
		set(&c.Task, &c.Project)
		return c
	case Log:
		set(&c.Task, &c.Project)
		return c
	case CloseTask:
		set(&c.Task, &c.Project)
		return c
	case EditEntry:
		set(&c.Task, &c.Project)
		return c
	case ReopenTask:
		set(&c.Task, &c.Project)
		return c
	case CloseProject:
		c.Project = name
		return c
	case ReopenProject:
		c.Project = name
		return c
	}
	return nil
}

// missingProject turns a project that close did not find into a near miss
// when an open project's name is close (no way to create: close names
// what exists); other errors pass.
func (c *change) missingProject(err error, name string) error {
	if ErrorCode(err) != ENOTFOUND {
		return err
	}
	names, lerr := c.projectNames(notClosed)
	if lerr != nil {
		return lerr
	}
	if near := closest(name, names); near != "" {
		return &NearMiss{Kind: "project", Name: name, Existing: near, Use: withName(c.cmd, "project", near), Again: c.cmd}
	}
	return Errorf(ENOTFOUND, "there is no project %q", name)
}

// missingTask turns the project or task that close task did not find into
// a near miss, when an open one's name is close; other errors pass.
func (c *change) missingTask(err error, task, project string) error {
	if ErrorCode(err) != ENOTFOUND {
		return err
	}
	var pid ID
	if project != "" {
		p, perr := c.tx.ProjectByName(c.ws, project)
		if ErrorCode(perr) == ENOTFOUND {
			return c.missingProject(perr, project)
		}
		if perr != nil {
			return perr
		}
		pid, project = p.ID, p.Name
	}
	names, lerr := c.taskNames(pid, notClosed)
	if lerr != nil {
		return lerr
	}
	if near := closest(task, names); near != "" {
		return &NearMiss{Kind: "task", Name: task, Existing: near, Project: project, Use: withName(c.cmd, "task", near), Again: c.cmd}
	}
	if project != "" {
		return Errorf(ENOTFOUND, "there is no task %q in %s", task, project)
	}
	return Errorf(ENOTFOUND, "there is no task %q", task)
}

// asking reports whether the change's command asks about near misses:
// the chat commands track, log (commit lines run log too) and edit entry.
func (c *change) asking() bool {
	switch c.cmd.(type) {
	case Track, Log, EditEntry:
		return true
	}
	return false
}

// askProject finds an open project, and when it does not exist but one
// that does is close (and the actor did not confirm the new name), asks
// with a *NearMiss; else it goes on as ensureProject does, from the one
// lookup of the name.
func (c *change) askProject(name string) (Project, error) {
	clean, err := c.s.Limits().cleanName("project", name)
	if err != nil {
		return Project{}, err
	}
	p, err := c.tx.ProjectByName(c.ws, clean)
	if ErrorCode(err) == ENOTFOUND && c.asking() && !c.actor.confirmed(ConfirmProject(clean)) {
		names, lerr := c.projectNames(notClosed)
		if lerr != nil {
			return Project{}, lerr
		}
		if near := closest(clean, names); near != "" {
			return Project{}, &NearMiss{Kind: "project", Name: clean, Existing: near,
				Use: withName(c.cmd, "project", near), Again: c.cmd, Create: AddProject{Project: clean}}
		}
	}
	// Found (open or closed), a failed lookup, or a new name nothing is
	// close to (or confirmed): ensureProject's answer from this lookup.
	return c.foundOrNewProject(clean, p, err)
}

// askTask finds an open task, in project when set, else in any project;
// when it does not exist but an open one of that project (of any project,
// without one) is close, it asks with a *NearMiss; else it goes on as
// ensureTask does, from the one lookup of the name.
func (c *change) askTask(name string, project *Project) (Task, error) {
	clean, err := c.s.Limits().cleanName("task", name)
	if err != nil {
		return Task{}, err
	}
	var pid ID
	var pname string
	if project != nil {
		pid, pname = project.ID, project.Name
	}
	t, err := c.tx.TaskByName(c.ws, pid, clean)
	if ErrorCode(err) == ENOTFOUND && c.asking() && !c.actor.confirmed(ConfirmTask(pname, clean)) {
		names, lerr := c.taskNames(pid, notClosed)
		if lerr != nil {
			return Task{}, lerr
		}
		if near := closest(clean, names); near != "" {
			nm := &NearMiss{Kind: "task", Name: clean, Existing: near, Project: pname, Again: c.cmd,
				Use: withName(c.cmd, "task", near)}
			if project != nil {
				nm.Create = AddTask{Task: clean, Project: pname}
			}
			return Task{}, nm
		}
	}
	// Found (open or closed), a failed lookup, or a new name nothing is
	// close to (or confirmed): ensureTask's answer from this lookup.
	return c.foundOrNewTask(clean, project, t, err)
}
