package postgres

import (
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/store/internal/sqltx"
	"github.com/jackc/pgx/v5"
)

// The methods whose locking is PostgreSQL's own: several processes share the
// database, where SQLite has one writer at a time. The outbox's are in
// outbox.go.

// EnsureWorkspace returns the first workspace, creating it when there is
// none. Two processes starting on an empty database make one workspace: the
// second waits on an advisory lock and then finds the first's.
func (t *tx) EnsureWorkspace(name string, now time.Time) (core.Workspace, error) {
	w, err := t.FirstWorkspace()
	if !errors.Is(err, sql.ErrNoRows) {
		return w, err
	}
	if !t.writable {
		return w, t.Wrap("create workspace", errors.New("in a read-only transaction"))
	}
	if _, err := t.Exec("SELECT pg_advisory_xact_lock(?, ?)", t.s.ns, int32(lockWorkspace)); err != nil {
		return w, t.Wrap("create workspace", err)
	}
	return t.Tx.EnsureWorkspace(name, now)
}

// CreateEntry adds a time entry (see sqltx.Tx.CreateEntry). An id given from
// outside (undo of a delete) must never come out of the sequence later.
func (t *tx) CreateEntry(e *core.TimeEntry) error {
	given := e.ID != 0
	if err := t.Tx.CreateEntry(e); err != nil || !given {
		return err
	}
	if _, err := t.Exec(`SELECT setval(s.seq, ?1) FROM (SELECT pg_get_serial_sequence('time_entries', 'id') AS seq) s
		WHERE ?1 > coalesce(pg_sequence_last_value(s.seq::regclass), 0)`, int64(e.ID)); err != nil {
		return t.Wrap("create entry", err)
	}
	return nil
}

// AddIdentity links an identity to a user (see sqltx.Tx.AddIdentity). An
// identity found taken may have been committed by another process since fn
// looked it up: a race Update settles by running fn again.
func (t *tx) AddIdentity(ws, userID core.ID, idn core.Identity) error {
	err := t.Tx.AddIdentity(ws, userID, idn)
	if core.ErrorCode(err) == core.ECONFLICT {
		t.uniqueSeen = true
	}
	return err
}

// UpdateSubscription saves every field of s but its ID and WorkspaceID, which
// name the row (LastError and DisabledReason as dialect.Text); conflict when
// the new name is taken, not_found when the subscription or the new owner
// does not exist. When the change stops or resumes deliveries, it also
// updates the held flag of its pending ones. One statement locks the row,
// reads its state before the change and changes it.
func (t *tx) UpdateSubscription(s *core.Subscription) error {
	var wasEnabled bool
	var wasStatus string
	_, err := t.guard("", func(r pgx.Row) error { return r.Scan(&wasEnabled, &wasStatus) },
		`UPDATE subscriptions s SET `+sqltx.SubscriptionSet+`
		FROM (SELECT id, enabled, status FROM subscriptions WHERE workspace_id = ? AND id = ? FOR NO KEY UPDATE) old
		WHERE s.id = old.id
		RETURNING old.enabled, old.status`, t.SubscriptionArgs(s)...)
	if err != nil {
		return t.SubscriptionUpdateErr(s, err)
	}
	if sqltx.HoldOf(wasEnabled, wasStatus) == sqltx.HoldOf(s.Enabled, s.Status) {
		return nil
	}
	return t.HoldDeliveries(s)
}

// CountSubscriptions counts an owner's subscriptions; with owner 0, the
// workspace's. In an Update it first locks the owner, so that the count
// stays true until the transaction ends (a per-user limit holds across
// processes).
func (t *tx) CountSubscriptions(ws, owner core.ID) (int, error) {
	if owner == 0 || !t.writable {
		return t.Tx.CountSubscriptions(ws, owner)
	}
	b := &pgx.Batch{}
	b.Queue(statements.Rebind("SELECT 1 FROM users WHERE id = ? FOR NO KEY UPDATE"), int64(owner))
	b.Queue(statements.Rebind(sqltx.CountSubscriptionsQuery), int64(ws), int64(owner))
	br := t.tx.SendBatch(t.ctx, b)
	var n int
	_, err := br.Exec()
	if err == nil {
		err = br.QueryRow().Scan(&n)
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.note(err)
		return 0, t.Wrap("count webhooks", err)
	}
	return n, nil
}

// DispatchCursor returns the Seq of the last outbox event dispatched, 0 at
// first. In an Update it locks the cursor row until the transaction ends: a
// dispatcher of another process waits here, then reads the cursor the first
// one moved.
func (t *tx) DispatchCursor() (int64, error) {
	if !t.writable {
		return t.Tx.DispatchCursor()
	}
	const q = "SELECT seq FROM webhook_cursors WHERE name = ? FOR UPDATE"
	var seq int64
	err := t.QueryRow(q, sqltx.DispatchCursorName).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		// The migration made the row; it was deleted since. Make it again,
		// then lock it.
		if _, err := t.Exec("INSERT INTO webhook_cursors (name, seq) VALUES (?, 0) ON CONFLICT DO NOTHING", sqltx.DispatchCursorName); err != nil {
			return 0, t.Wrap("get dispatch cursor", err)
		}
		err = t.QueryRow(q, sqltx.DispatchCursorName).Scan(&seq)
	}
	if err != nil {
		return 0, t.Wrap("get dispatch cursor", err)
	}
	return seq, nil
}

// claimQuery leases the due deliveries in one statement (?1 the lease's end,
// ?2 now, ?3 the limit). The CTE walks deliveries_due by due time past leased
// rows, skipping rows another transaction is claiming right now (SKIP
// LOCKED) and, though held says so already, any whose subscription may not
// receive them; the UPDATE leases what it found. A row another process
// leased and committed meanwhile is rechecked when locked, and dropped since
// its lease now runs.
var claimQuery = `WITH due AS (
		SELECT d.id FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id
		WHERE d.state = 'pending' AND NOT d.held AND d.next_attempt_at <= ?2
			AND (d.lease_until IS NULL OR d.lease_until <= ?2)
			AND NOT ` + sqltx.HeldSQL("s.enabled", "s.status", "d.event_type") + `
		ORDER BY d.next_attempt_at, d.id
		LIMIT ?3
		FOR UPDATE OF d SKIP LOCKED)
	UPDATE deliveries SET lease_until = ?1, version = deliveries.version + 1 FROM due WHERE deliveries.id = due.id
	RETURNING ` + qualify("deliveries", sqltx.DeliveryCols)

// qualify prefixes each of a list of columns with a table name.
func qualify(table, cols string) string {
	parts := strings.Split(cols, ",")
	for i, c := range parts {
		parts[i] = table + "." + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}
