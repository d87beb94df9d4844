package core

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// The chat commands that show and fix stored time: entries, who, edit
// entry, continue, reopen task and reopen project.

// latestLookBack are the windows, back from now, in which the entry with
// the latest start is looked for before all of time is searched.
var latestLookBack = []time.Duration{24 * time.Hour, 7 * 24 * time.Hour, 31 * 24 * time.Hour, 366 * 24 * time.Hour}

// latestEntry returns the user's entry with the latest start (the higher id
// of two that start together); not_found when the user has none. An entry
// that starts at or after a window's beginning ends after it, so the first
// window that holds such an entry holds the latest one.
func latestEntry(tx Tx, ws, user ID, now time.Time) (TimeEntry, error) {
	for i := 0; i <= len(latestLookBack); i++ {
		var from time.Time
		if i < len(latestLookBack) {
			from = now.Add(-latestLookBack[i])
		}
		entries, err := allEntries(tx, ws, EntryFilter{UserID: user, From: from})
		if err != nil {
			return TimeEntry{}, err
		}
		var best *TimeEntry
		for j := range entries {
			e := &entries[j]
			if best == nil || e.Start.After(best.Start) || (e.Start.Equal(best.Start) && e.ID > best.ID) {
				best = e
			}
		}
		if best != nil && (from.IsZero() || !best.Start.Before(from)) {
			return *best, nil
		}
	}
	return TimeEntry{}, Errorf(ENOTFOUND, "you have no entries yet; log one with: log 1h on TASK in PROJECT")
}

// namer finds and keeps the names of tasks, projects and users.
type namer struct {
	tx                     Tx
	ws                     ID
	tasks, projects, users map[ID]string
}

func newNamer(tx Tx, ws ID) *namer {
	return &namer{tx: tx, ws: ws, tasks: map[ID]string{}, projects: map[ID]string{}, users: map[ID]string{}}
}

func (n *namer) task(id ID) string {
	return n.name(n.tasks, id, func() (string, error) { t, err := n.tx.Task(n.ws, id); return t.Name, err })
}

func (n *namer) project(id ID) string {
	return n.name(n.projects, id, func() (string, error) { p, err := n.tx.Project(n.ws, id); return p.Name, err })
}

func (n *namer) user(id ID) string {
	return n.name(n.users, id, func() (string, error) { u, err := n.tx.User(n.ws, id); return u.Name, err })
}

// name returns the name of id from seen or get; "" for id 0 or a thing
// that is gone.
func (n *namer) name(seen map[ID]string, id ID, get func() (string, error)) string {
	if id == 0 {
		return ""
	}
	if s, ok := seen[id]; ok {
		return s
	}
	s, err := get()
	if err != nil {
		s = ""
	}
	seen[id] = s
	return s
}

// line names an entry.
func (n *namer) line(e TimeEntry) EntryLine {
	return EntryLine{Entry: normalEntry(e), Task: n.task(e.TaskID), Project: n.project(e.ProjectID), User: n.user(e.UserID)}
}

// entries runs `entries`: the user's entries that start on the day or in
// the week, by start.
func (s *Service) entries(ctx context.Context, ws Workspace, actor Actor, cmd Entries) (*Result, error) {
	loc := actor.User.Location()
	now := s.Now()
	var from, to time.Time
	var err error
	title := ""
	switch strings.ToLower(cmd.Week) {
	case "":
		if from, err = cmd.When.Resolve(now, loc); err != nil {
			return nil, err
		}
		to = from.AddDate(0, 0, 1)
		title = from.Format("Mon 2 Jan 2006")
	case "this":
		from, to, _ = Period{Kind: PeriodWeek}.Resolve(now, loc)
		title = "This week"
	case "last":
		from, to, _ = Period{Kind: PeriodLastWeek}.Resolve(now, loc)
		title = "Last week"
	default:
		return nil, Errorf(EINVALID, "%q is not a week: say this week or last week", cmd.Week)
	}
	list := &EntryList{Title: title, From: from.UTC(), To: to.UTC(), Lines: []EntryLine{}}
	err = s.store.View(ctx, func(tx Tx) error {
		entries, err := allEntries(tx, ws.ID, EntryFilter{UserID: actor.User.ID, From: from.UTC(), To: to.UTC()})
		if err != nil {
			return err
		}
		slices.SortFunc(entries, func(a, b TimeEntry) int {
			if c := a.Start.Compare(b.Start); c != 0 {
				return c
			}
			return int(a.ID - b.ID)
		})
		n := newNamer(tx, ws.ID)
		for _, e := range entries {
			if e.Start.Before(from) {
				continue // it started on an earlier day
			}
			list.Lines = append(list.Lines, n.line(e))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &Result{Command: "entries", List: list, User: actor.User, At: now}, nil
}

// who runs `who`: every running timer of the workspace, by start.
func (s *Service) who(ctx context.Context, ws Workspace, actor Actor) (*Result, error) {
	now := s.Now()
	list := &EntryList{Title: "Running now", Lines: []EntryLine{}}
	err := s.store.View(ctx, func(tx Tx) error {
		// Entries that have not ended by now: the running ones among them.
		entries, err := allEntries(tx, ws.ID, EntryFilter{From: now})
		if err != nil {
			return err
		}
		slices.SortFunc(entries, func(a, b TimeEntry) int { return a.Start.Compare(b.Start) })
		n := newNamer(tx, ws.ID)
		for _, e := range entries {
			if e.Running() {
				list.Lines = append(list.Lines, n.line(e))
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &Result{Command: "who", List: list, User: actor.User, At: now}, nil
}

// chosenEntry returns entry id, or with id 0 the actor's entry with the
// latest start.
func (c *change) chosenEntry(id ID) (TimeEntry, error) {
	if id == 0 {
		return latestEntry(c.tx, c.ws, c.actor.User.ID, c.now)
	}
	e, err := visibleEntry(c.tx, c.ws, c.actor, id)
	if ErrorCode(err) == ENOTFOUND {
		return e, Errorf(ENOTFOUND, "entry #%d not found; `entries` lists yours with their numbers", id)
	}
	return e, err
}

// editEntry runs `edit entry`.
func (c *change) editEntry(cmd EditEntry) error {
	if cmd.Amount == nil && cmd.When == nil && cmd.At == nil && cmd.Task == "" && cmd.Project == "" &&
		cmd.Tags == nil && cmd.Billable == nil && cmd.Note == nil {
		return Errorf(EINVALID, "nothing to change: give times, a task, a project, tags, billable or a note, as in edit entry #12 9-11")
	}
	id := cmd.ID
	if cmd.Last {
		id = 0
	}
	e, err := c.chosenEntry(id)
	if err != nil {
		return err
	}
	old := e
	if cmd.Amount != nil || cmd.When != nil || cmd.At != nil {
		if err := c.editTimes(&e, cmd); err != nil {
			return err
		}
	}
	task, project, err := c.editTarget(&e, cmd)
	if err != nil {
		return err
	}
	if cmd.Tags != nil {
		if e.Tags, err = c.entryTags(cmd.Tags, true); err != nil {
			return err
		}
	}
	if cmd.Billable != nil {
		e.Billable = *cmd.Billable
	}
	if cmd.Note != nil {
		e.Note = strings.TrimSpace(*cmd.Note)
	}
	e.DurationSeconds = 0
	if e.End != nil {
		e.DurationSeconds = int64(e.End.Sub(e.Start) / time.Second)
	}
	e.UpdatedAt = c.now
	e = normalEntry(e)
	if err := c.s.Limits().checkEntry(&e); err != nil {
		return err
	}
	if err := c.tx.UpdateEntry(&e); err != nil {
		return err
	}
	revert, err := json.Marshal(old)
	if err != nil {
		return fmt.Errorf("undo edit entry: %w", err)
	}
	c.pushUndo(revertEntryUndo{id: e.ID, entry: revert})
	c.res.Entry, c.res.Task, c.res.Project = &e, task, project
	return c.emit(EventTimeEntryUpdated, e.UserID, e.ProjectID, map[string]any{"time_entry": e, "task": task, "project": project})
}

// editTimes applies the times of an edit to e, in the user's zone.
func (c *change) editTimes(e *TimeEntry, cmd EditEntry) error {
	loc := c.actor.User.Location()
	a := cmd.Amount
	if e.Running() && a != nil {
		return Errorf(EINVALID, "entry #%d is running: stop it first, or move its start with at TIME", e.ID)
	}
	if a != nil && a.IsRange && cmd.At != nil {
		return Errorf(EINVALID, "at %s goes with a duration, not with the range %s-%s", *cmd.At, a.From, a.To)
	}
	st := e.Start.In(loc)
	day := time.Date(st.Year(), st.Month(), st.Day(), 0, 0, 0, 0, loc)
	if cmd.When != nil {
		d, err := cmd.When.Resolve(c.now, loc)
		if err != nil {
			return err
		}
		day = d
	}
	// start keeps the entry's time of day on day unless at moves it.
	start := time.Date(day.Year(), day.Month(), day.Day(), st.Hour(), st.Minute(), st.Second(), st.Nanosecond(), loc)
	if cmd.At != nil {
		start = clockOn(day, *cmd.At)
	}
	var end *time.Time
	switch {
	case a != nil && a.IsRange:
		s, en, err := rangeSpan(day, a.From, a.To)
		if err != nil {
			return err
		}
		start, end = s, &en
	case a != nil:
		if err := checkAmount(a.Duration); err != nil {
			return err
		}
		en := start.Add(a.Duration)
		end = &en
	case e.End != nil:
		en := start.Add(e.End.Sub(e.Start))
		end = &en
	}
	if err := c.checkSpan(start, end); err != nil {
		return err
	}
	e.Start = start.UTC()
	if end != nil {
		t := end.UTC()
		e.End = &t
	}
	if cmd.Anyway {
		return nil
	}
	return c.checkOverlapOf(*e, loc)
}

// checkOverlapOf refuses e's times when they overlap another entry of its
// user (touching is no overlap).
func (c *change) checkOverlapOf(e TimeEntry, loc *time.Location) error {
	end := entryEnd(e, c.now)
	entries, err := allEntries(c.tx, c.ws, EntryFilter{UserID: e.UserID, From: e.Start, To: end})
	if err != nil {
		return err
	}
	entries = slices.DeleteFunc(entries, func(o TimeEntry) bool { return o.ID == e.ID })
	if len(entries) == 0 {
		return nil
	}
	o := slices.MinFunc(entries, func(a, b TimeEntry) int { return a.Start.Compare(b.Start) })
	return Errorf(ECONFLICT, "overlaps %s; add \"anyway\" to change it all the same", c.describeEntry(o, loc))
}

// editTarget applies the task and project of an edit to e and returns
// them. A task alone is looked for (and made) in the entry's project; a
// project alone keeps a task of the same name there, else the entry has
// no task.
func (c *change) editTarget(e *TimeEntry, cmd EditEntry) (*Task, *Project, error) {
	if cmd.Task == "" && cmd.Project == "" {
		task, project, err := c.entryTarget(e.TaskID, e.ProjectID, false)
		if code := ErrorCode(err); code == ENOTFOUND || code == EINVALID {
			return nil, nil, nil // a task or project gone: show the entry without it
		}
		return task, project, err
	}
	taskName, projectName := cmd.Task, cmd.Project
	if projectName == "" && e.ProjectID != 0 {
		p, err := c.tx.Project(c.ws, e.ProjectID)
		switch {
		case err == nil:
			projectName = p.Name
		case ErrorCode(err) != ENOTFOUND:
			return nil, nil, err
		}
	}
	if taskName == "" && e.TaskID != 0 {
		p, err := c.askProject(projectName)
		if err != nil {
			return nil, nil, err
		}
		t, err := c.tx.Task(c.ws, e.TaskID)
		if err != nil && ErrorCode(err) != ENOTFOUND {
			return nil, nil, err
		}
		if err == nil {
			same, err := c.tx.TaskByName(c.ws, p.ID, t.Name)
			if err != nil && ErrorCode(err) != ENOTFOUND {
				return nil, nil, err
			}
			if err == nil && same.Status == StatusOpen {
				e.TaskID, e.ProjectID = same.ID, p.ID
				return &same, &p, nil
			}
		}
		e.TaskID, e.ProjectID = 0, p.ID
		return nil, &p, nil
	}
	task, project, err := c.target(taskName, projectName)
	if err != nil {
		return nil, nil, err
	}
	e.TaskID, e.ProjectID = refIDs(task, project)
	return task, project, nil
}

// continueEntry runs `continue`: a timer like an earlier entry.
func (c *change) continueEntry(cmd Continue) error {
	like, err := c.chosenEntry(cmd.ID)
	if err != nil {
		return err
	}
	if like.Running() && like.UserID == c.actor.User.ID {
		return Errorf(EINVALID, "entry #%d is running already; stop it with: stop", like.ID)
	}
	task, project, err := c.entryTarget(like.TaskID, like.ProjectID, true)
	if errors.Is(err, errMissingRef) {
		return Errorf(EINVALID, "the task or project of entry #%d is gone; start a timer with: track TASK in PROJECT", like.ID)
	}
	if err != nil {
		return err
	}
	stopped, err := c.startTimer(c.actor.User.ID, c.now)
	if err != nil {
		return err
	}
	e := TimeEntry{WorkspaceID: c.ws, UserID: c.actor.User.ID, Start: c.now, Billable: like.Billable,
		Tags: slices.Clone(like.Tags), Source: c.actor.Source, CreatedAt: c.now, UpdatedAt: c.now}
	e.TaskID, e.ProjectID = refIDs(task, project)
	e = normalEntry(e)
	if err := c.createEntry(&e, task, project); err != nil {
		return err
	}
	c.res.Public = true
	c.res.Entry, c.res.Task, c.res.Project, c.res.Stopped = &e, task, project, stopped
	return nil
}

// reopenTask runs `reopen task`.
func (c *change) reopenTask(cmd ReopenTask) error {
	t, project, err := c.findTask(cmd.Task, cmd.Project)
	if err != nil {
		return c.missingClosedTask(err, cmd.Task, cmd.Project)
	}
	if t.Status != StatusClosed {
		return Errorf(EINVALID, "task %q is open already", t.Name)
	}
	t.Status = StatusOpen
	c.pushUndo(closeTaskUndo(t.ID))
	if err := c.saveTask(&t, EventTaskUpdated, project); err != nil {
		return err
	}
	c.res.Task, c.res.Project = &t, project
	return nil
}

// reopenProject runs `reopen project`.
func (c *change) reopenProject(cmd ReopenProject) error {
	name, err := c.s.Limits().cleanName("project", cmd.Project)
	if err != nil {
		return err
	}
	p, err := c.tx.ProjectByName(c.ws, name)
	if err != nil {
		return c.missingClosedProject(err, name)
	}
	if p.Status != StatusClosed {
		return Errorf(EINVALID, "project %q is open already", p.Name)
	}
	p.Status = StatusOpen
	c.pushUndo(closeProjectUndo(p.ID))
	if err := c.saveProject(&p, EventProjectUpdated, map[string]any{}); err != nil {
		return err
	}
	c.res.Project = &p
	return nil
}

// The undo steps of edit entry and reopen.
const (
	opRevertEntry  = "revert_entry"
	opCloseTask    = "close_task"
	opCloseProject = "close_project"
)

type (
	// revertEntryUndo puts back an entry as it was before an edit: the
	// entry as JSON.
	revertEntryUndo struct {
		id    ID
		entry json.RawMessage
	}
	// closeTaskUndo closes a task the change reopened.
	closeTaskUndo ID
	// closeProjectUndo closes a project the change reopened.
	closeProjectUndo ID
)

// undoOpOfEntries returns the op of a stored step of this file's kinds.
func undoOpOfEntries(st UndoStep) (undoOp, bool) {
	switch st.Op {
	case opRevertEntry:
		return revertEntryUndo{id: st.ID, entry: st.V}, true
	case opCloseTask:
		return closeTaskUndo(st.ID), true
	case opCloseProject:
		return closeProjectUndo(st.ID), true
	}
	return nil, false
}

func (op revertEntryUndo) step() UndoStep {
	return UndoStep{Op: opRevertEntry, ID: op.id, V: op.entry}
}

func (op revertEntryUndo) reverse(c *change) error {
	if _, err := c.tx.Entry(c.ws, op.id); err != nil {
		if g, err := gone(err); g || err != nil {
			return err
		}
	}
	var e TimeEntry
	if err := json.Unmarshal(op.entry, &e); err != nil {
		return fmt.Errorf("undo edit entry: %w", err)
	}
	e.UpdatedAt = c.now
	if err := c.tx.UpdateEntry(&e); err != nil {
		return err
	}
	return c.emitEntry(EventTimeEntryUpdated, e)
}

func (op closeTaskUndo) step() UndoStep {
	return UndoStep{Op: opCloseTask, ID: ID(op)}
}

func (op closeTaskUndo) reverse(c *change) error {
	t, err := c.tx.Task(c.ws, ID(op))
	if g, err := gone(err); g || err != nil {
		return err
	}
	t.Status, t.UpdatedAt = StatusClosed, c.now
	if err := c.tx.UpdateTask(&t); err != nil {
		return err
	}
	return c.emit(EventTaskClosed, 0, t.ProjectID, map[string]any{"task": t})
}

func (op closeProjectUndo) step() UndoStep {
	return UndoStep{Op: opCloseProject, ID: ID(op)}
}

func (op closeProjectUndo) reverse(c *change) error {
	p, err := c.tx.Project(c.ws, ID(op))
	if g, err := gone(err); g || err != nil {
		return err
	}
	p.Status, p.UpdatedAt = StatusClosed, c.now
	if err := c.tx.UpdateProject(&p); err != nil {
		return err
	}
	return c.emit(EventProjectClosed, 0, p.ID, map[string]any{"project": p})
}
