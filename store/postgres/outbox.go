package postgres

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/chatops/gateway/core"
	"github.com/jackc/pgx/v5"
)

// The outbox's order: see the package documentation. Writers hold the
// outbox lock shared from before they take a Seq until they end; Events in
// an Update takes it exclusively for a moment, which waits for every Seq
// taken so far to be committed or rolled back.

// lockOutboxShared is the statement AppendEvent runs before its INSERT.
func (t *tx) lockOutboxShared() string {
	return fmt.Sprintf("SELECT pg_advisory_xact_lock_shared(%d, %d)", t.s.ns, lockOutbox)
}

// AppendEvent writes an event to the outbox and sets its Seq. The event's ID
// must be set and unique: conflict when an event has it already.
func (t *tx) AppendEvent(e *core.Event) error {
	if e.ID == "" {
		return core.Errorf(core.EINVALID, "an event needs an id")
	}
	if !t.writable {
		return wrap("append event", errors.New("in a read-only transaction"))
	}
	actor, err := json.Marshal(e.Actor)
	if err != nil {
		return fmt.Errorf("append event: %w", err)
	}
	pre := ""
	if !t.outboxLocked {
		pre = t.lockOutboxShared()
	}
	var seq int64
	_, err = t.guardAfter(pre, func(r pgx.Row) error { return r.Scan(&seq) },
		`INSERT INTO outbox (id, type, timestamp, workspace_id, actor, data, user_id, project_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING seq`,
		e.ID, e.Type, e.Timestamp, int64(e.WorkspaceID), string(actor), jsonOrNil(e.Data), idOrNil(e.UserID), idOrNil(e.ProjectID))
	if pre != "" && (err == nil || pgCode(err) != "") {
		t.outboxLocked = true // the lock statement ran: it is held until the end
	}
	switch {
	case isUnique(err):
		return core.Errorf(core.ECONFLICT, "event %q already exists", e.ID)
	case err != nil:
		return wrap("append event", err)
	}
	e.Seq = seq
	return nil
}

const eventCols = "seq, id, type, timestamp, workspace_id, actor, data, coalesce(user_id, 0), coalesce(project_id, 0)"

// scanEvent decodes an outbox row.
func scanEvent(s pgx.Row, e *core.Event) error {
	var actor, data []byte
	if err := s.Scan(&e.Seq, &e.ID, &e.Type, &e.Timestamp, &e.WorkspaceID, &actor, &data, &e.UserID, &e.ProjectID); err != nil {
		return err
	}
	if err := json.Unmarshal(actor, &e.Actor); err != nil {
		return fmt.Errorf("event %d actor: %w", e.Seq, err)
	}
	e.Data = nil
	if data != nil {
		e.Data = json.RawMessage(data)
	}
	return nil
}

// Events returns up to limit outbox events with Seq > after, in order; a
// limit of 0 or less means core.DefaultPageLimit, and at most
// core.MaxPageLimit are returned.
//
// In an Update, no transaction that may still commit holds a Seq below the
// events returned: a reader that moves a cursor to the last one never skips
// an event. In a View, Events reads the View's snapshot, which may lack an
// event with a smaller Seq that commits later; the dispatcher reads in an
// Update.
func (t *tx) Events(after int64, limit int) ([]core.Event, error) {
	limit = core.Page{Limit: limit}.Normalize().Limit
	const q = "SELECT " + eventCols + " FROM outbox WHERE seq > $1 ORDER BY seq LIMIT $2"
	if !t.writable || t.outboxLocked {
		// A View's snapshot; or this transaction holds the lock shared,
		// and the barrier would wait for itself alongside others.
		evs, err := list(t, scanEvent, q, after, limit)
		if err != nil {
			return nil, wrap("list events", err)
		}
		return evs, nil
	}
	// Nothing new when no Seq past after has been taken at all: then the
	// barrier, which holds up writers, is not needed.
	var last int64
	if err := t.row("SELECT coalesce(pg_sequence_last_value($1::regclass), 0)", t.s.outboxSeq).Scan(&last); err != nil {
		return nil, wrap("list events", err)
	}
	if last <= after {
		return []core.Event{}, nil
	}
	// The barrier: with the lock held exclusively, every Seq taken is final
	// and no new one is taken, so the SELECT (a new snapshot, READ
	// COMMITTED) sees all the committed ones. The savepoint's rollback lets
	// the lock go at once.
	b := &pgx.Batch{}
	b.Queue("SAVEPOINT b")
	b.Queue(fmt.Sprintf("SELECT pg_advisory_xact_lock(%d, %d)", t.s.ns, lockOutbox))
	b.Queue(q, after, limit)
	b.Queue("ROLLBACK TO SAVEPOINT b")
	b.Queue("RELEASE SAVEPOINT b")
	br := t.tx.SendBatch(t.ctx, b)
	evs, err := func() ([]core.Event, error) {
		for range 2 {
			if _, err := br.Exec(); err != nil {
				return nil, err
			}
		}
		rows, err := br.Query()
		if err != nil {
			return nil, err
		}
		evs := []core.Event{}
		for rows.Next() {
			var e core.Event
			if err := scanEvent(rows, &e); err != nil {
				rows.Close()
				return nil, err
			}
			evs = append(evs, e)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		for range 2 {
			if _, err := br.Exec(); err != nil {
				return nil, err
			}
		}
		return evs, nil
	}()
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.note(err)
		if pgCode(err) != "" {
			// Leave no lock behind and the transaction usable.
			t.undo("b", err)
		}
		return nil, wrap("list events", err)
	}
	return evs, nil
}

// PushUndo records how to reverse a change and sets the record's ID.
func (t *tx) PushUndo(r *core.UndoRecord) error {
	steps, err := json.Marshal(r.Steps)
	if err != nil {
		return fmt.Errorf("push undo: %w", err)
	}
	var id core.ID
	_, err = t.guard(func(row pgx.Row) error { return row.Scan(&id) },
		`INSERT INTO undo_log (workspace_id, user_id, action, steps, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		int64(r.WorkspaceID), int64(r.UserID), r.Action, string(steps), r.CreatedAt)
	switch {
	case isForeignKey(err):
		if err := t.checkWorkspace(r.WorkspaceID); err != nil {
			return err
		}
		return notFound("user", r.UserID)
	case err != nil:
		return wrap("push undo", err)
	}
	r.ID = id
	return nil
}

// LastUndo returns the user's newest record not yet undone, created at or
// after since; not_found if none. In an Update the record stays locked until
// the transaction ends, so that two processes never undo it both.
func (t *tx) LastUndo(ws, user core.ID, since time.Time) (core.UndoRecord, error) {
	var r core.UndoRecord
	var steps []byte
	err := t.row(`SELECT id, workspace_id, user_id, action, steps, created_at FROM undo_log
		WHERE workspace_id = $1 AND user_id = $2 AND created_at >= $3 AND NOT undone
		ORDER BY created_at DESC, id DESC LIMIT 1`+t.forUpdate(), int64(ws), int64(user), since).
		Scan(&r.ID, &r.WorkspaceID, &r.UserID, &r.Action, &steps, &r.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, core.Errorf(core.ENOTFOUND, "nothing to undo")
	}
	if err != nil {
		return r, wrap("last undo", err)
	}
	if err := json.Unmarshal(steps, &r.Steps); err != nil {
		return core.UndoRecord{}, fmt.Errorf("last undo: record %d steps: %w", r.ID, err)
	}
	return r, nil
}

// MarkUndone marks an undo record as used; not_found if there is none.
func (t *tx) MarkUndone(id core.ID) error {
	n, err := t.affected("UPDATE undo_log SET undone = true WHERE id = $1", int64(id))
	switch {
	case err != nil:
		return wrap("mark undone", err)
	case n == 0:
		return notFound("undo record", id)
	}
	return nil
}

// Remember records a key and reports whether it was new. The key is unique
// in the database: when two processes remember it at once, the second waits
// for the first to commit and finds it seen (or new, if the first rolled
// back).
func (t *tx) Remember(ws core.ID, key string, at time.Time) (bool, error) {
	n, err := t.affected("INSERT INTO dedupe_keys (workspace_id, key, seen_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
		int64(ws), key, at)
	if err != nil {
		return false, wrap(fmt.Sprintf("remember %q", key), err)
	}
	return n == 1, nil
}

// ForgetKeys deletes old remembered keys with a prefix, oldest first; rows
// another process is deleting (or using) are skipped.
func (t *tx) ForgetKeys(prefix string, before time.Time, limit int) (int, error) {
	n, err := t.affected(`DELETE FROM dedupe_keys WHERE (workspace_id, key) IN
		(SELECT workspace_id, key FROM dedupe_keys WHERE seen_at < $1 AND starts_with(key, $2)
		ORDER BY seen_at LIMIT $3 FOR UPDATE SKIP LOCKED)`, before, prefix, limit)
	if err != nil {
		return 0, wrap("forget remembered keys", err)
	}
	return int(n), nil
}

// PruneUndo deletes old undo records, oldest first; rows another process is
// deleting (or using) are skipped.
func (t *tx) PruneUndo(before time.Time, limit int) (int, error) {
	n, err := t.affected(`DELETE FROM undo_log WHERE id IN
		(SELECT id FROM undo_log WHERE created_at < $1 ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED)`, before, limit)
	if err != nil {
		return 0, wrap("prune undo records", err)
	}
	return int(n), nil
}
