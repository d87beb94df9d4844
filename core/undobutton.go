package core

import "context"

// Kinds of things an Undo button names (UndoPressed).
const (
	UndoOfEntry   = "entry"
	UndoOfProject = "project"
	UndoOfTask    = "task"
)

// UndoPressed reverses the actor's last change, as undo does, but only when
// that change is still the one that created the thing an Undo button names
// (kind UndoOfEntry, UndoOfProject or UndoOfTask, and its id): an older
// button never undoes a newer change. It is invalid, changing nothing, past
// the undo window or when a later change came in between.
func (s *Service) UndoPressed(ctx context.Context, actor Actor, kind string, id ID) (*Result, error) {
	op := map[string]string{UndoOfEntry: opDeleteEntry, UndoOfProject: opDeleteProject, UndoOfTask: opDeleteTask}[kind]
	if op == "" {
		return nil, Errorf(EINVALID, "cannot undo a %q", kind)
	}
	return s.apply(ctx, actor, "undo", false, func(c *change) error {
		r, err := c.lastUndo()
		if err != nil {
			return err
		}
		for _, st := range r.Steps {
			if st.Op == op && st.ID == id {
				return c.undoRecord(r) // the record read here, not read again
			}
		}
		return Errorf(EINVALID, "that is no longer your last change, so nothing was undone; `undo` reverses the last one")
	})
}
