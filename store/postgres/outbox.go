package postgres

import (
	"errors"
	"fmt"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/store/internal/sqltx"
	"github.com/jackc/pgx/v5"
)

// The outbox's order: see the package documentation. Writers hold the
// outbox lock shared from before they take a Seq until they end; Events in
// an Update takes it exclusively for a moment, which waits for every Seq
// taken so far to be committed or rolled back.

// AppendEvent writes an event to the outbox and sets its Seq. The event's ID
// must be set and unique: conflict when an event has it already.
func (t *tx) AppendEvent(e *core.Event) error {
	args, err := t.EventArgs(e)
	if err != nil {
		return err
	}
	if !t.writable {
		return t.Wrap("append event", errors.New("in a read-only transaction"))
	}
	pre := ""
	if !t.outboxLocked {
		pre = fmt.Sprintf("SELECT pg_advisory_xact_lock_shared(%d, %d)", t.s.ns, lockOutbox)
	}
	var seq int64
	_, err = t.guard(pre, func(r pgx.Row) error { return r.Scan(&seq) }, sqltx.InsertEvent, args...)
	if pre != "" && (err == nil || pgCode(err) != "") {
		t.outboxLocked = true // the lock statement ran: it is held until the end
	}
	return t.EventAppended(e, seq, err)
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
	if !t.writable || t.outboxLocked {
		// A View's snapshot; or this transaction holds the lock shared,
		// and the barrier would wait for itself alongside others.
		return t.Tx.Events(after, limit)
	}
	limit = core.Page{Limit: limit}.Normalize().Limit
	// Nothing new when no Seq past after has been taken at all: then the
	// barrier, which holds up writers, is not needed.
	var last int64
	if err := t.QueryRow("SELECT coalesce(pg_sequence_last_value(CAST(? AS regclass)), 0)", t.s.outboxSeq).Scan(&last); err != nil {
		return nil, t.Wrap("list events", err)
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
	b.Queue(statements.Rebind("SELECT "+sqltx.EventCols+" FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?"), after, limit)
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
			if err := sqltx.ScanEvent(rows, &e); err != nil {
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
		return nil, t.Wrap("list events", err)
	}
	return evs, nil
}
