package core

import (
	"encoding/json"
	"fmt"
)

// An undoOp reverses one step of a change. Each kind of step is a small
// type of its own; the store keeps it as an UndoStep whose Op names the
// kind (step and undoOpOf convert).
type undoOp interface {
	// step is the op's stored form.
	step() UndoStep
	// reverse runs the op, emitting the reversing event. A thing that is
	// gone already, or still in use, is left as it is.
	reverse(c *change) error
}

// The kinds of undo steps, as stored.
const (
	opDeleteEntry   = "delete_entry"
	opResumeEntry   = "resume_entry"
	opRestoreEntry  = "restore_entry"
	opDeleteTask    = "delete_task"
	opDeleteProject = "delete_project"
	opDeleteClient  = "delete_client"
	opDeleteTag     = "delete_tag"
	opReopenTask    = "reopen_task"
	opReopenProject = "reopen_project"
)

type (
	// deleteEntryUndo deletes an entry the change added.
	deleteEntryUndo ID
	// resumeEntryUndo runs a timer the change stopped again.
	resumeEntryUndo ID
	// restoreEntryUndo adds back an entry the change deleted, with its id:
	// the entry as JSON (see restoreEntry).
	restoreEntryUndo struct {
		id    ID
		entry json.RawMessage
	}
	// deleteTaskUndo deletes a task the change added, unless it has
	// entries by now.
	deleteTaskUndo ID
	// deleteProjectUndo deletes a project the change added, unless it has
	// tasks or entries by now.
	deleteProjectUndo ID
	// deleteClientUndo deletes a client the change added, unless a project
	// is for it by now.
	deleteClientUndo ID
	// deleteTagUndo deletes a tag the change added.
	deleteTagUndo ID
	// reopenTaskUndo reopens a task the change closed.
	reopenTaskUndo ID
	// reopenProjectUndo reopens a project the change closed.
	reopenProjectUndo ID
)

// undoOpOf returns the op a stored step holds.
func undoOpOf(st UndoStep) (undoOp, error) {
	switch st.Op {
	case opDeleteEntry:
		return deleteEntryUndo(st.ID), nil
	case opResumeEntry:
		return resumeEntryUndo(st.ID), nil
	case opRestoreEntry:
		return restoreEntryUndo{id: st.ID, entry: st.V}, nil
	case opDeleteTask:
		return deleteTaskUndo(st.ID), nil
	case opDeleteProject:
		return deleteProjectUndo(st.ID), nil
	case opDeleteClient:
		return deleteClientUndo(st.ID), nil
	case opDeleteTag:
		return deleteTagUndo(st.ID), nil
	case opReopenTask:
		return reopenTaskUndo(st.ID), nil
	case opReopenProject:
		return reopenProjectUndo(st.ID), nil
	}
	if op, ok := undoOpOfEntries(st); ok {
		return op, nil
	}
	return nil, fmt.Errorf("undo: unknown step %q", st.Op)
}

// pushUndo adds a step to the change's undo record. It is small enough to
// be inlined, so that op is not boxed on the way.
func (c *change) pushUndo(op undoOp) { c.undo = append(c.undo, op.step()) }

// restoreEntry returns the op that adds e back.
func restoreEntry(e TimeEntry) (restoreEntryUndo, error) {
	v, err := json.Marshal(e)
	if err != nil {
		return restoreEntryUndo{}, fmt.Errorf("undo restore entry: %w", err)
	}
	return restoreEntryUndo{id: e.ID, entry: v}, nil
}

// undoLast reverses the actor's newest change within the undo window.
func (c *change) undoLast() error {
	r, err := c.lastUndo()
	if err != nil {
		return err
	}
	return c.undoRecord(r)
}

// lastUndo reads the undo record of the actor's newest change within the
// undo window; invalid ("nothing to undo") when there is none.
func (c *change) lastUndo() (UndoRecord, error) {
	r, err := c.tx.LastUndo(c.ws, c.actor.User.ID, c.now.Add(-c.s.opts.UndoWindow))
	if ErrorCode(err) == ENOTFOUND {
		return UndoRecord{}, Errorf(EINVALID, "nothing to undo in the last %s", HumanDuration(c.s.opts.UndoWindow))
	}
	return r, err
}

// undoRecord reverses the change r records, step by step, and marks r
// undone.
func (c *change) undoRecord(r UndoRecord) error {
	for _, st := range r.Steps {
		op, err := undoOpOf(st)
		if err != nil {
			return err
		}
		if err := op.reverse(c); err != nil {
			return err
		}
	}
	if err := c.tx.MarkUndone(r.ID); err != nil {
		return err
	}
	c.res.Undone = r.Action
	return nil
}

// gone reports whether err says a thing is not found (nil, false: it is
// there) and passes other errors on.
func gone(err error) (bool, error) {
	if ErrorCode(err) == ENOTFOUND {
		return true, nil
	}
	return false, err
}

func (op deleteEntryUndo) step() UndoStep {
	return UndoStep{Op: opDeleteEntry, ID: ID(op)}
}

func (op deleteEntryUndo) reverse(c *change) error {
	e, err := c.tx.Entry(c.ws, ID(op))
	if g, err := gone(err); g || err != nil {
		return err
	}
	return c.removeEntry(e)
}

func (op resumeEntryUndo) step() UndoStep {
	return UndoStep{Op: opResumeEntry, ID: ID(op)}
}

func (op resumeEntryUndo) reverse(c *change) error {
	e, err := c.tx.Entry(c.ws, ID(op))
	if g, err := gone(err); g || err != nil {
		return err
	}
	if _, err := c.tx.RunningEntry(c.ws, e.UserID); err == nil {
		return Errorf(EINVALID, "cannot undo: another timer is running; stop it first")
	}
	e.End, e.DurationSeconds, e.UpdatedAt = nil, 0, c.now
	if err := c.tx.UpdateEntry(&e); err != nil {
		return err
	}
	return c.emitEntry(EventTrackerStarted, e)
}

func (op restoreEntryUndo) step() UndoStep {
	return UndoStep{Op: opRestoreEntry, ID: op.id, V: op.entry}
}

func (op restoreEntryUndo) reverse(c *change) error {
	var e TimeEntry
	if err := json.Unmarshal(op.entry, &e); err != nil {
		return fmt.Errorf("undo restore entry: %w", err)
	}
	if err := c.tx.CreateEntry(&e); err != nil {
		return err
	}
	if e.Running() {
		return c.emitEntry(EventTrackerStarted, e)
	}
	return c.emitEntry(EventTimeEntryCreated, e)
}

func (op deleteTaskUndo) step() UndoStep {
	return UndoStep{Op: opDeleteTask, ID: ID(op)}
}

func (op deleteTaskUndo) reverse(c *change) error {
	t, err := c.tx.Task(c.ws, ID(op))
	if g, err := gone(err); g || err != nil {
		return err
	}
	if n, err := c.tx.CountEntries(c.ws, 0, t.ID); err != nil || n > 0 {
		return err // still used: keep it
	}
	if err := c.tx.DeleteTask(c.ws, t.ID); err != nil {
		return err
	}
	return c.emit(EventTaskDeleted, 0, t.ProjectID, map[string]any{"task": t})
}

func (op deleteProjectUndo) step() UndoStep {
	return UndoStep{Op: opDeleteProject, ID: ID(op)}
}

func (op deleteProjectUndo) reverse(c *change) error {
	p, err := c.tx.Project(c.ws, ID(op))
	if g, err := gone(err); g || err != nil {
		return err
	}
	if n, err := c.tx.CountEntries(c.ws, p.ID, 0); err != nil || n > 0 {
		return err
	}
	if tasks, err := c.tx.ListTasks(c.ws, TaskFilter{ProjectID: p.ID}, Page{Limit: 1}); err != nil || len(tasks) > 0 {
		return err
	}
	if err := c.tx.DeleteProject(c.ws, p.ID); err != nil {
		return err
	}
	return c.emit(EventProjectDeleted, 0, p.ID, map[string]any{"project": p})
}

func (op deleteClientUndo) step() UndoStep {
	return UndoStep{Op: opDeleteClient, ID: ID(op)}
}

func (op deleteClientUndo) reverse(c *change) error {
	cl, err := c.tx.Client(c.ws, ID(op))
	if g, err := gone(err); g || err != nil {
		return err
	}
	if err := c.tx.DeleteClient(c.ws, cl.ID); err != nil {
		if ErrorCode(err) == ECONFLICT {
			return nil
		}
		return err
	}
	return c.emit(EventClientDeleted, 0, 0, map[string]any{"client": cl})
}

func (op deleteTagUndo) step() UndoStep {
	return UndoStep{Op: opDeleteTag, ID: ID(op)}
}

func (op deleteTagUndo) reverse(c *change) error {
	tg, err := c.tx.Tag(c.ws, ID(op))
	if g, err := gone(err); g || err != nil {
		return err
	}
	if err := c.tx.DeleteTag(c.ws, tg.ID); err != nil {
		return err
	}
	return c.emit(EventTagDeleted, 0, 0, map[string]any{"tag": tg})
}

func (op reopenTaskUndo) step() UndoStep {
	return UndoStep{Op: opReopenTask, ID: ID(op)}
}

func (op reopenTaskUndo) reverse(c *change) error {
	t, err := c.tx.Task(c.ws, ID(op))
	if err != nil {
		return err
	}
	t.Status, t.UpdatedAt = StatusOpen, c.now
	if err := c.tx.UpdateTask(&t); err != nil {
		return err
	}
	return c.emit(EventTaskUpdated, 0, t.ProjectID, map[string]any{"task": t})
}

func (op reopenProjectUndo) step() UndoStep {
	return UndoStep{Op: opReopenProject, ID: ID(op)}
}

func (op reopenProjectUndo) reverse(c *change) error {
	p, err := c.tx.Project(c.ws, ID(op))
	if err != nil {
		return err
	}
	p.Status, p.UpdatedAt = StatusOpen, c.now
	if err := c.tx.UpdateProject(&p); err != nil {
		return err
	}
	return c.emit(EventProjectUpdated, 0, p.ID, map[string]any{"project": p})
}
