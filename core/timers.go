package core

import (
	"strings"
	"time"
)

// A user has one running timer at most. Starting a timer always stops the
// running one first, in chat (track) and in the API (CreateEntry without an
// end) alike: both start timers through startTimer.

// startTimer makes way for a new timer of user that starts at at: the
// running timer, if any, stops there (tracker.stopped) and is returned.
func (c *change) startTimer(user ID, at time.Time) (*TimeEntry, error) {
	return c.stopRunning(user, at, "")
}

// stopRunning stops user's running timer, if any, at at (never before it
// started), adds note to its note, emits tracker.stopped and returns it.
func (c *change) stopRunning(user ID, at time.Time, note string) (*TimeEntry, error) {
	e, err := c.tx.RunningEntry(c.ws, user)
	if ErrorCode(err) == ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	end := at
	if end.Before(e.Start) {
		end = e.Start
	}
	e.End = &end
	e.DurationSeconds = int64(end.Sub(e.Start) / time.Second)
	if note != "" {
		e.Note = joinNote(e.Note, note)
		if err := c.s.Limits().checkEntry(&e); err != nil {
			return nil, err
		}
	}
	e.UpdatedAt = c.now
	if err := c.tx.UpdateEntry(&e); err != nil {
		return nil, err
	}
	c.pushUndo(resumeEntryUndo(e.ID))
	return &e, c.emitEntry(EventTrackerStopped, e)
}

func joinNote(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// track runs `track`: a timer on a task, created with its project when
// missing.
func (c *change) track(cmd Track) error {
	if err := c.checkVerbTypo(cmd); err != nil {
		return err
	}
	stopped, err := c.startTimer(c.actor.User.ID, c.now)
	if err != nil {
		return err
	}
	task, project, err := c.target(cmd.Task, cmd.Project)
	if err != nil {
		return err
	}
	if task == nil {
		return Errorf(EINVALID, "task name missing")
	}
	tags, err := c.entryTags(cmd.Tags, true)
	if err != nil {
		return err
	}
	e := TimeEntry{WorkspaceID: c.ws, UserID: c.actor.User.ID, TaskID: task.ID, ProjectID: task.ProjectID,
		Start: c.now, Note: strings.TrimSpace(cmd.Note), Billable: cmd.Billable, Tags: tags,
		Source: c.actor.Source, CreatedAt: c.now, UpdatedAt: c.now}
	if err := c.createEntry(&e, task, project); err != nil {
		return err
	}
	c.res.Public = true
	c.res.Entry, c.res.Task, c.res.Project, c.res.Stopped = &e, task, project, stopped
	return nil
}

// stop runs `stop`.
func (c *change) stop(cmd Stop) error {
	e, err := c.stopRunning(c.actor.User.ID, c.now, strings.TrimSpace(cmd.Note))
	if err != nil {
		return err
	}
	if e == nil {
		return Errorf(EINVALID, "no timer is running; start one with: track TASK in PROJECT")
	}
	c.res.Public = true
	c.res.Stopped = e
	if e.TaskID != 0 {
		if t, err := c.tx.Task(c.ws, e.TaskID); err == nil {
			c.res.StoppedTask = &t
		}
	}
	if e.ProjectID != 0 {
		if p, err := c.tx.Project(c.ws, e.ProjectID); err == nil {
			c.res.StoppedProject = &p
		}
	}
	return nil
}
