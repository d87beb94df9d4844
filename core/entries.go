package core

import (
	"context"
	"strings"
	"time"
)

// MaxEntryDuration is the longest a time entry may be.
const MaxEntryDuration = 24 * time.Hour

// futureSlack is how far in the future an entry's start or end may lie, for
// clocks that are a little ahead.
const futureSlack = time.Minute

// NewEntry describes a time entry to create. UserID is the acting user's
// own when zero, and only an admin may name another user. End nil makes the
// entry a running timer, which stops the user's running timer first. With
// TaskID set and ProjectID zero, the entry is in the task's project. Tags
// must name existing tags.
type NewEntry struct {
	UserID    ID
	TaskID    ID
	ProjectID ID
	Start     time.Time
	End       *time.Time
	Note      string
	Billable  bool
	Tags      []string
}

// EntryPatch changes a time entry; nil fields are left as they are. A
// TaskID or ProjectID pointing at 0 removes the task or project; a new task
// brings its project along unless ProjectID is given too. Setting End on a
// running timer stops it. An entry's end cannot be removed again.
type EntryPatch struct {
	TaskID    *ID
	ProjectID *ID
	Start     *time.Time
	End       *time.Time
	Note      *string
	Billable  *bool
	Tags      *[]string
}

// normalEntry makes an entry's lists non-nil, so they encode as [].
func normalEntry(e TimeEntry) TimeEntry {
	if e.Tags == nil {
		e.Tags = []string{}
	}
	return e
}

// visibleEntry returns entry id if actor may see and change it: their own,
// or any when they are an admin. Others' entries are not found.
func visibleEntry(tx Tx, ws ID, actor Actor, id ID) (TimeEntry, error) {
	e, err := tx.Entry(ws, id)
	if err == nil && e.UserID != actor.User.ID && actor.User.Role != RoleAdmin {
		err = Errorf(ENOTFOUND, "not yours")
	}
	return e, notFound(err, "time entry", id)
}

// checkAmount applies the rules of a logged amount of time: more than
// nothing, at most MaxEntryDuration.
func checkAmount(d time.Duration) error {
	switch {
	case d <= 0:
		return Errorf(EINVALID, "the amount of time is missing or zero")
	case d > MaxEntryDuration:
		return Errorf(EINVALID, "%s is more than 24 hours; log it day by day", HumanDuration(d))
	}
	return nil
}

// inFuture reports whether t lies in the future, beyond futureSlack.
func (c *change) inFuture(t time.Time) bool { return t.After(c.now.Add(futureSlack)) }

// checkSpan applies the rules of an entry's times: a start, an end after it
// at most MaxEntryDuration later, neither in the future.
func (c *change) checkSpan(start time.Time, end *time.Time) error {
	if start.IsZero() {
		return Errorf(EINVALID, "start is required")
	}
	if c.inFuture(start) {
		return Errorf(EINVALID, "start is in the future")
	}
	if end == nil {
		return nil
	}
	if !end.After(start) {
		return Errorf(EINVALID, "end must be after start")
	}
	if end.Sub(start) > MaxEntryDuration {
		return Errorf(EINVALID, "an entry may last at most 24 hours; log it day by day")
	}
	if c.inFuture(*end) {
		return Errorf(EINVALID, "end is in the future")
	}
	return nil
}

// entryTarget resolves an entry's task and project by id: the task must
// exist and, when projectID is zero, gives its project; a project given
// must exist and match the task's. With open set, neither may be closed.
func (c *change) entryTarget(taskID, projectID ID, open bool) (*Task, *Project, error) {
	var task *Task
	var project *Project
	if taskID != 0 {
		t, err := c.tx.Task(c.ws, taskID)
		if err != nil {
			return nil, nil, missingRef(err, "task", taskID)
		}
		if open && t.Status == StatusClosed {
			return nil, nil, Errorf(EINVALID, "task %q is closed", t.Name)
		}
		switch {
		case projectID == 0:
			projectID = t.ProjectID
		case projectID != t.ProjectID:
			return nil, nil, Errorf(EINVALID, "task %d is not in project %d", taskID, projectID)
		}
		task = &t
	}
	if projectID != 0 {
		p, err := c.tx.Project(c.ws, projectID)
		if err != nil {
			return nil, nil, missingRef(err, "project", projectID)
		}
		if open && p.Status == StatusClosed {
			return nil, nil, Errorf(EINVALID, "project %q is closed", p.Name)
		}
		project = &p
	}
	return task, project, nil
}

// refIDs returns the ids of an entry's task and project, 0 for none.
func refIDs(task *Task, project *Project) (taskID, projectID ID) {
	if task != nil {
		taskID = task.ID
	}
	if project != nil {
		projectID = project.ID
	}
	return taskID, projectID
}

// target resolves the task and project a track or log names, creating
// them when missing.
func (c *change) target(taskName, projectName string) (*Task, *Project, error) {
	var project *Project
	if projectName != "" {
		p, err := c.askProject(projectName)
		if err != nil {
			return nil, nil, err
		}
		project = &p
	}
	if taskName == "" {
		return nil, project, nil
	}
	t, err := c.askTask(taskName, project)
	if err != nil {
		return nil, nil, err
	}
	if project == nil && t.ProjectID != 0 {
		p, err := c.tx.Project(c.ws, t.ProjectID)
		if err != nil {
			return nil, nil, err
		}
		if p.Status == StatusClosed {
			return nil, nil, Errorf(EINVALID, "project %q is closed", p.Name)
		}
		project = &p
	}
	return &t, project, nil
}

// entryData is the data of a time entry's events, its task and project
// read from the store.
func (c *change) entryData(e TimeEntry) (map[string]any, error) {
	data := map[string]any{"time_entry": e, "task": nil, "project": nil}
	if e.TaskID != 0 {
		t, err := c.tx.Task(c.ws, e.TaskID)
		if err != nil && ErrorCode(err) != ENOTFOUND {
			return nil, err
		}
		if err == nil {
			data["task"] = t
		}
	}
	if e.ProjectID != 0 {
		p, err := c.tx.Project(c.ws, e.ProjectID)
		if err != nil && ErrorCode(err) != ENOTFOUND {
			return nil, err
		}
		if err == nil {
			data["project"] = p
		}
	}
	return data, nil
}

// emitEntry emits an event of a time entry.
func (c *change) emitEntry(typ string, e TimeEntry) error {
	data, err := c.entryData(e)
	if err != nil {
		return err
	}
	return c.emit(typ, e.UserID, e.ProjectID, data)
}

// createEntry stores a new time entry on task and project (as the entry
// names them) and emits tracker.started for a running timer,
// time_entry.created for a finished entry; undo deletes it.
func (c *change) createEntry(e *TimeEntry, task *Task, project *Project) error {
	if err := c.s.Limits().checkEntry(e); err != nil {
		return err
	}
	if err := c.tx.CreateEntry(e); err != nil {
		return err
	}
	c.pushUndo(deleteEntryUndo(e.ID))
	typ := EventTimeEntryCreated
	if e.Running() {
		typ = EventTrackerStarted
	}
	return c.emit(typ, e.UserID, e.ProjectID, map[string]any{"time_entry": *e, "task": task, "project": project})
}

// removeEntry deletes a time entry and emits time_entry.deleted.
func (c *change) removeEntry(e TimeEntry) error {
	data, err := c.entryData(e)
	if err != nil {
		return err
	}
	if err := c.tx.DeleteEntry(c.ws, e.ID); err != nil {
		return err
	}
	return c.emit(EventTimeEntryDeleted, e.UserID, e.ProjectID, data)
}

// deleteEntry runs `delete entry`.
func (c *change) deleteEntry(cmd DeleteEntry) error {
	e, err := visibleEntry(c.tx, c.ws, c.actor, cmd.ID)
	if ErrorCode(err) == ENOTFOUND {
		return Errorf(ENOTFOUND, "entry #%d not found", cmd.ID)
	}
	if err != nil {
		return err
	}
	if err := c.removeEntry(e); err != nil {
		return err
	}
	restore, err := restoreEntry(e)
	if err != nil {
		return err
	}
	c.pushUndo(restore)
	c.res.Entry = &e
	return nil
}

// ListEntries returns a page of time entries that match f, and the cursor of
// the next page. A member sees only their own entries: f.UserID is theirs
// when zero, and another user's id finds nothing.
func (s *Service) ListEntries(ctx context.Context, actor Actor, f EntryFilter, p Page) ([]TimeEntry, ID, error) {
	if !f.From.IsZero() && !f.To.IsZero() && !f.To.After(f.From) {
		return nil, 0, Errorf(EINVALID, "to must be after from")
	}
	out := []TimeEntry{}
	var next ID
	err := s.read(ctx, actor, func(tx Tx, ws ID) (err error) {
		if actor.User.Role != RoleAdmin {
			if f.UserID != 0 && f.UserID != actor.User.ID {
				return nil
			}
			f.UserID = actor.User.ID
		}
		out, next, err = Paged(p, func(e TimeEntry) ID { return e.ID }, func(p Page) ([]TimeEntry, error) { return tx.ListEntries(ws, f, p) })
		return err
	})
	for i := range out {
		out[i] = normalEntry(out[i])
	}
	return out, next, err
}

// GetEntry returns a time entry; not_found if there is none with the id or
// it is another user's and the actor is a member.
func (s *Service) GetEntry(ctx context.Context, actor Actor, id ID) (TimeEntry, error) {
	var e TimeEntry
	err := s.read(ctx, actor, func(tx Tx, ws ID) error {
		var err error
		e, err = visibleEntry(tx, ws, actor, id)
		return err
	})
	return normalEntry(e), err
}

// CreateEntry adds a time entry. A finished entry emits time_entry.created,
// a running timer (End nil) tracker.started, after it stopped the user's
// running timer, if any (tracker.stopped), as track does. Only admins give
// another user's UserID (forbidden otherwise); invalid when a rule of the
// times is broken, a referenced task, project or tag does not exist, or the
// task is not in the project.
func (s *Service) CreateEntry(ctx context.Context, actor Actor, in NewEntry) (TimeEntry, error) {
	var e TimeEntry
	err := s.write(ctx, actor, "create time entry", func(c *change) error {
		uid := in.UserID
		if uid == 0 {
			uid = actor.User.ID
		}
		if uid != actor.User.ID {
			if err := requireAdmin(actor, "add entries for other users"); err != nil {
				return err
			}
			if _, err := c.tx.User(c.ws, uid); err != nil {
				return missingRef(err, "user", uid)
			}
		}
		var end *time.Time
		if in.End != nil {
			t := in.End.UTC()
			end = &t
		}
		start := in.Start.UTC()
		if err := c.checkSpan(start, end); err != nil {
			return err
		}
		task, project, err := c.entryTarget(in.TaskID, in.ProjectID, true)
		if err != nil {
			return err
		}
		tags, err := c.entryTags(in.Tags, false)
		if err != nil {
			return err
		}
		e = TimeEntry{WorkspaceID: c.ws, UserID: uid, Start: start, End: end, Note: strings.TrimSpace(in.Note),
			Billable: in.Billable, Tags: tags, Source: actor.Source, CreatedAt: c.now, UpdatedAt: c.now}
		e.TaskID, e.ProjectID = refIDs(task, project)
		if end != nil {
			e.DurationSeconds = int64(end.Sub(start) / time.Second)
		} else if _, err := c.startTimer(uid, start); err != nil {
			return err
		}
		return c.createEntry(&e, task, project)
	})
	return normalEntry(e), err
}

// UpdateEntry changes a time entry. Setting the end of a running timer
// stops it and emits tracker.stopped; any other change emits
// time_entry.updated. The same rules as CreateEntry apply to the result;
// not_found for another user's entry when the actor is a member.
func (s *Service) UpdateEntry(ctx context.Context, actor Actor, id ID, patch EntryPatch) (TimeEntry, error) {
	var e TimeEntry
	err := s.write(ctx, actor, "update time entry", func(c *change) error {
		var err error
		if e, err = visibleEntry(c.tx, c.ws, actor, id); err != nil {
			return err
		}
		wasRunning := e.Running()
		if patch.Start != nil {
			e.Start = patch.Start.UTC()
		}
		if patch.End != nil {
			t := patch.End.UTC()
			e.End = &t
		}
		if err := c.checkSpan(e.Start, e.End); err != nil {
			return err
		}
		if patch.TaskID != nil || patch.ProjectID != nil {
			taskID, projectID := e.TaskID, e.ProjectID
			if patch.TaskID != nil {
				taskID = *patch.TaskID
				if patch.ProjectID == nil && taskID != 0 {
					projectID = 0 // the task's project
				}
			}
			if patch.ProjectID != nil {
				projectID = *patch.ProjectID
			}
			open := taskID != e.TaskID || projectID != e.ProjectID
			task, project, err := c.entryTarget(taskID, projectID, open)
			if err != nil {
				return err
			}
			e.TaskID, e.ProjectID = refIDs(task, project)
		}
		if patch.Note != nil {
			e.Note = strings.TrimSpace(*patch.Note)
		}
		if patch.Billable != nil {
			e.Billable = *patch.Billable
		}
		if patch.Tags != nil {
			if e.Tags, err = c.entryTags(*patch.Tags, false); err != nil {
				return err
			}
		}
		e.DurationSeconds = 0
		if e.End != nil {
			e.DurationSeconds = int64(e.End.Sub(e.Start) / time.Second)
		}
		e.UpdatedAt = c.now
		e = normalEntry(e)
		if err := s.Limits().checkEntry(&e); err != nil {
			return err
		}
		if err := c.tx.UpdateEntry(&e); err != nil {
			return err
		}
		if wasRunning && !e.Running() {
			return c.emitEntry(EventTrackerStopped, e)
		}
		return c.emitEntry(EventTimeEntryUpdated, e)
	})
	return normalEntry(e), err
}

// DeleteEntry deletes a time entry (a running timer too) and emits
// time_entry.deleted; not_found for another user's entry when the actor is a
// member.
func (s *Service) DeleteEntry(ctx context.Context, actor Actor, id ID) error {
	return s.write(ctx, actor, "delete time entry", func(c *change) error {
		e, err := visibleEntry(c.tx, c.ws, actor, id)
		if err != nil {
			return err
		}
		return c.removeEntry(normalEntry(e))
	})
}
