package sqlite

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/chatops/gateway/core"
)

// AppendEvent writes an event to the outbox and sets its Seq. The event's ID
// must be set and unique: conflict when an event has it already.
func (t *tx) AppendEvent(e *core.Event) error {
	if e.ID == "" {
		return core.Errorf(core.EINVALID, "an event needs an id")
	}
	actor, err := json.Marshal(e.Actor)
	if err != nil {
		return fmt.Errorf("append event: %w", err)
	}
	var data any
	if e.Data != nil {
		data = string(e.Data)
	}
	seq, err := t.insert(`INSERT INTO outbox (id, type, timestamp, workspace_id, actor, data, user_id, project_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, e.Type, ts(e.Timestamp), int64(e.WorkspaceID), string(actor), data, idOrNil(e.UserID), idOrNil(e.ProjectID))
	switch {
	case isUnique(err):
		return core.Errorf(core.ECONFLICT, "event %q already exists", e.ID)
	case err != nil:
		return fmt.Errorf("append event: %w", err)
	}
	e.Seq = int64(seq)
	return nil
}

// Events returns up to limit outbox events with Seq > after, in order; a
// limit of 0 or less means core.DefaultPageLimit, and at most
// core.MaxPageLimit are returned.
func (t *tx) Events(after int64, limit int) ([]core.Event, error) {
	limit = core.Page{Limit: limit}.Normalize().Limit
	rows, err := t.query(`SELECT seq, id, type, timestamp, workspace_id, actor, data, user_id, project_id
		FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("list events: %w", err)
	}
	defer rows.Close()
	events := []core.Event{}
	for rows.Next() {
		var e core.Event
		var actor, data sql.RawBytes
		if err := rows.Scan(&e.Seq, &e.ID, &e.Type, (*timeCol)(&e.Timestamp), (*idCol)(&e.WorkspaceID),
			&actor, &data, (*idCol)(&e.UserID), (*idCol)(&e.ProjectID)); err != nil {
			return nil, fmt.Errorf("list events: %w", err)
		}
		if err := json.Unmarshal(actor, &e.Actor); err != nil {
			return nil, fmt.Errorf("list events: event %d actor: %w", e.Seq, err)
		}
		if data != nil {
			e.Data = json.RawMessage(append([]byte(nil), data...))
		}
		events = append(events, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list events: %w", err)
	}
	return events, nil
}

// PushUndo records how to reverse a change and sets the record's ID.
func (t *tx) PushUndo(r *core.UndoRecord) error {
	steps, err := json.Marshal(r.Steps)
	if err != nil {
		return fmt.Errorf("push undo: %w", err)
	}
	id, err := t.insert(`INSERT INTO undo_log (workspace_id, user_id, action, steps, created_at) VALUES (?, ?, ?, ?, ?)`,
		int64(r.WorkspaceID), int64(r.UserID), r.Action, string(steps), ts(r.CreatedAt))
	switch {
	case isForeignKey(err):
		if err := t.checkWorkspace(r.WorkspaceID); err != nil {
			return err
		}
		return notFound("user", r.UserID)
	case err != nil:
		return fmt.Errorf("push undo: %w", err)
	}
	r.ID = id
	return nil
}

// LastUndo returns the user's newest record not yet undone, created at or
// after since; not_found if none.
func (t *tx) LastUndo(ws, user core.ID, since time.Time) (core.UndoRecord, error) {
	var r core.UndoRecord
	var steps sql.RawBytes
	rows, err := t.query(`SELECT id, workspace_id, user_id, action, steps, created_at FROM undo_log
		WHERE workspace_id = ? AND user_id = ? AND created_at >= ? AND NOT undone
		ORDER BY created_at DESC, id DESC LIMIT 1`, int64(ws), int64(user), ts(since))
	if err != nil {
		return r, fmt.Errorf("last undo: %w", err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return r, fmt.Errorf("last undo: %w", err)
		}
		return r, core.Errorf(core.ENOTFOUND, "nothing to undo")
	}
	if err := rows.Scan((*idCol)(&r.ID), (*idCol)(&r.WorkspaceID), (*idCol)(&r.UserID), &r.Action, &steps,
		(*timeCol)(&r.CreatedAt)); err != nil {
		return core.UndoRecord{}, fmt.Errorf("last undo: %w", err)
	}
	if err := json.Unmarshal(steps, &r.Steps); err != nil {
		return core.UndoRecord{}, fmt.Errorf("last undo: record %d steps: %w", r.ID, err)
	}
	return r, nil
}

// MarkUndone marks an undo record as used; not_found if there is none.
func (t *tx) MarkUndone(id core.ID) error {
	n, err := t.affected("UPDATE undo_log SET undone = 1 WHERE id = ?", int64(id))
	switch {
	case err != nil:
		return fmt.Errorf("mark undone: %w", err)
	case n == 0:
		return notFound("undo record", id)
	}
	return nil
}

// Remember records a key and reports whether it was new.
func (t *tx) Remember(ws core.ID, key string, at time.Time) (bool, error) {
	n, err := t.affected("INSERT INTO dedupe_keys (workspace_id, key, seen_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
		int64(ws), key, ts(at))
	if err != nil {
		return false, fmt.Errorf("remember %q: %w", key, err)
	}
	return n == 1, nil
}

// ForgetKeys deletes old remembered keys with a prefix, oldest first.
func (t *tx) ForgetKeys(prefix string, before time.Time, limit int) (int, error) {
	n, err := t.affected(`DELETE FROM dedupe_keys WHERE (workspace_id, key) IN
		(SELECT workspace_id, key FROM dedupe_keys WHERE seen_at < ? AND substr(key, 1, length(?)) = ?
		ORDER BY seen_at LIMIT ?)`, ts(before), prefix, prefix, limit)
	if err != nil {
		return 0, fmt.Errorf("forget remembered keys: %w", err)
	}
	return int(n), nil
}

// PruneUndo deletes old undo records, oldest first. Their ids grow with
// time, so reading them by id finds the old ones first.
func (t *tx) PruneUndo(before time.Time, limit int) (int, error) {
	n, err := t.affected(`DELETE FROM undo_log WHERE id IN
		(SELECT id FROM undo_log WHERE created_at < ? ORDER BY id LIMIT ?)`, ts(before), limit)
	if err != nil {
		return 0, fmt.Errorf("prune undo records: %w", err)
	}
	return int(n), nil
}
