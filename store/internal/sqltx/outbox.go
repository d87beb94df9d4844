package sqltx

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/chatops/gateway/core"
)

// InsertEvent is AppendEvent's statement; EventArgs gives its arguments.
const InsertEvent = `INSERT INTO outbox (id, type, timestamp, workspace_id, actor, data, user_id, project_id)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq`

// EventArgs checks an event to append and returns the arguments of
// InsertEvent.
func (t *Tx) EventArgs(e *core.Event) ([]any, error) {
	if e.ID == "" {
		return nil, core.Errorf(core.EINVALID, "an event needs an id")
	}
	actor, err := json.Marshal(e.Actor)
	if err != nil {
		return nil, fmt.Errorf("append event: %w", err)
	}
	return []any{e.ID, e.Type, t.ts(e.Timestamp), int64(e.WorkspaceID), string(actor), JSONOrNil(e.Data),
		IDOrNil(e.UserID), IDOrNil(e.ProjectID)}, nil
}

// EventAppended sets the Seq of an appended event, or maps the error of its
// insert.
func (t *Tx) EventAppended(e *core.Event, seq int64, err error) error {
	switch {
	case t.d.IsUnique(err):
		return core.Errorf(core.ECONFLICT, "event %q already exists", e.ID)
	case err != nil:
		return t.Wrap("append event", err)
	}
	e.Seq = seq
	return nil
}

// AppendEvent writes an event to the outbox and sets its Seq. The event's ID
// must be set and unique: conflict when an event has it already.
func (t *Tx) AppendEvent(e *core.Event) error {
	args, err := t.EventArgs(e)
	if err != nil {
		return err
	}
	seq, err := t.c.Insert(InsertEvent, args...)
	return t.EventAppended(e, seq, err)
}

// EventCols are the columns ScanEvent reads.
const EventCols = "seq, id, type, timestamp, workspace_id, actor, data, user_id, project_id"

// ScanEvent decodes an outbox row of EventCols.
func ScanEvent(s Row, e *core.Event) error {
	var actor jsonCol
	if err := s.Scan(&e.Seq, &e.ID, &e.Type, (*timeCol)(&e.Timestamp), (*idCol)(&e.WorkspaceID),
		&actor, (*jsonCol)(&e.Data), (*idCol)(&e.UserID), (*idCol)(&e.ProjectID)); err != nil {
		return err
	}
	if err := json.Unmarshal(actor, &e.Actor); err != nil {
		return fmt.Errorf("event %d actor: %w", e.Seq, err)
	}
	return nil
}

// Events returns up to limit outbox events with Seq > after, in order; a
// limit of 0 or less means core.DefaultPageLimit, and at most
// core.MaxPageLimit are returned.
func (t *Tx) Events(after int64, limit int) ([]core.Event, error) {
	limit = core.Page{Limit: limit}.Normalize().Limit
	evs, err := List(t, ScanEvent, "SELECT "+EventCols+" FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?", after, limit)
	if err != nil {
		return nil, t.Wrap("list events", err)
	}
	return evs, nil
}

// PushUndo records how to reverse a change and sets the record's ID.
func (t *Tx) PushUndo(r *core.UndoRecord) error {
	steps, err := json.Marshal(r.Steps)
	if err != nil {
		return fmt.Errorf("push undo: %w", err)
	}
	id, err := t.c.Insert(`INSERT INTO undo_log (workspace_id, user_id, action, steps, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
		int64(r.WorkspaceID), int64(r.UserID), r.Action, string(steps), t.ts(r.CreatedAt))
	switch {
	case t.d.IsForeignKey(err):
		if err := t.checkWorkspace(r.WorkspaceID); err != nil {
			return err
		}
		return NotFound("user", r.UserID)
	case err != nil:
		return t.Wrap("push undo", err)
	}
	r.ID = core.ID(id)
	return nil
}

// LastUndo returns the user's newest record not yet undone, created at or
// after since; not_found if none. In an Update that locks rows the record
// stays locked until the transaction ends, so that two processes never undo
// it both.
func (t *Tx) LastUndo(ws, user core.ID, since time.Time) (core.UndoRecord, error) {
	var r core.UndoRecord
	var steps jsonCol
	err := t.c.QueryRow(`SELECT id, workspace_id, user_id, action, steps, created_at FROM undo_log
		WHERE workspace_id = ? AND user_id = ? AND created_at >= ? AND NOT undone
		ORDER BY created_at DESC, id DESC LIMIT 1`+t.forUpdate, int64(ws), int64(user), t.ts(since)).
		Scan((*idCol)(&r.ID), (*idCol)(&r.WorkspaceID), (*idCol)(&r.UserID), &r.Action, &steps, (*timeCol)(&r.CreatedAt))
	if err != nil {
		return core.UndoRecord{}, t.Lookup(err, "last undo", "nothing to undo")
	}
	if err := json.Unmarshal(steps, &r.Steps); err != nil {
		return core.UndoRecord{}, fmt.Errorf("last undo: record %d steps: %w", r.ID, err)
	}
	return r, nil
}

// MarkUndone marks an undo record as used; not_found if there is none.
func (t *Tx) MarkUndone(id core.ID) error {
	n, err := t.c.Exec("UPDATE undo_log SET undone = true WHERE id = ?", int64(id))
	switch {
	case err != nil:
		return t.Wrap("mark undone", err)
	case n == 0:
		return NotFound("undo record", id)
	}
	return nil
}

// Remember records a key and reports whether it was new. The key is unique
// in the database: when two processes remember it at once, the second waits
// for the first to commit and finds it seen (or new, if the first rolled
// back).
func (t *Tx) Remember(ws core.ID, key string, at time.Time) (bool, error) {
	n, err := t.c.Exec("INSERT INTO dedupe_keys (workspace_id, key, seen_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
		int64(ws), key, t.ts(at))
	if err != nil {
		return false, t.Wrap(fmt.Sprintf("remember %q", key), err)
	}
	return n == 1, nil
}

// ForgetKeys deletes old remembered keys with a prefix, oldest first; rows
// another process is deleting (or using) are skipped.
func (t *Tx) ForgetKeys(prefix string, before time.Time, limit int) (int, error) {
	n, err := t.c.Exec(`DELETE FROM dedupe_keys WHERE (workspace_id, key) IN
		(SELECT workspace_id, key FROM dedupe_keys WHERE seen_at < ? AND substr(key, 1, length(CAST(? AS text))) = ?
		ORDER BY seen_at LIMIT ?`+t.d.SkipLocked()+`)`, t.ts(before), prefix, prefix, limit)
	if err != nil {
		return 0, t.Wrap("forget remembered keys", err)
	}
	return int(n), nil
}

// PruneUndo deletes old undo records, oldest first; rows another process is
// deleting (or using) are skipped. Their ids grow with time, so reading them
// by id finds the old ones first.
func (t *Tx) PruneUndo(before time.Time, limit int) (int, error) {
	n, err := t.c.Exec(`DELETE FROM undo_log WHERE id IN
		(SELECT id FROM undo_log WHERE created_at < ? ORDER BY id LIMIT ?`+t.d.SkipLocked()+`)`, t.ts(before), limit)
	if err != nil {
		return 0, t.Wrap("prune undo records", err)
	}
	return int(n), nil
}
