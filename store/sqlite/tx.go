package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/store/internal/sqltx"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// tx is a core.Tx on one connection inside a transaction that Update or
// View began: the shared sqltx.Tx over the connection's prepared
// statements, with SQLite's UpdateSubscription.
type tx struct {
	sqltx.Tx
	ctx context.Context
	c   *conn
}

var _ core.Tx = (*tx)(nil)

func newTx(ctx context.Context, c *conn) *tx {
	t := &tx{ctx: ctx, c: c}
	// No row locks: one writer runs at a time.
	t.Tx = sqltx.New(t, dialect{}, "")
	return t
}

// The sqltx.Conn of the transaction. Statements run prepared, from the
// connection's cache; SQLite takes `?` and `?N` as they are.

func (t *tx) Exec(query string, args ...any) (int64, error) {
	res, err := t.c.exec(t.ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// Guard is Exec: a failed statement undoes only its own changes.
func (t *tx) Guard(query string, args ...any) (int64, error) { return t.Exec(query, args...) }

// Insert runs the INSERT and returns the rowid it made, which is the id (or
// seq) its RETURNING names; sql.ErrNoRows when it inserted none. The
// RETURNING clause is left out: SQLite builds a temporary table for the
// rows a RETURNING gives back, which made inserting a delivery twice as
// slow, and the rowid is known without it.
func (t *tx) Insert(query string, args ...any) (int64, error) {
	res, err := t.c.exec(t.ctx, withoutReturningKey(query), args...)
	if err != nil {
		return 0, err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return 0, cmp.Or(err, sql.ErrNoRows)
	}
	return res.LastInsertId()
}

// InsertRow is Insert: a failed statement undoes only its own changes.
func (t *tx) InsertRow(query string, args ...any) (int64, error) { return t.Insert(query, args...) }

// withoutReturningKey returns query without a final `RETURNING id` (or
// seq), and query itself when it ends otherwise. Every table's id and the
// outbox's seq are INTEGER PRIMARY KEYs: the rowid.
func withoutReturningKey(query string) string {
	i := strings.LastIndex(query, "RETURNING")
	if i < 0 {
		return query
	}
	switch strings.TrimSpace(query[i+len("RETURNING"):]) {
	case "id", "seq":
		return strings.TrimRight(query[:i], " \t\n")
	}
	return query
}

func (t *tx) Query(query string, args ...any) (sqltx.Rows, error) {
	st, err := t.c.stmt(t.ctx, query)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(t.ctx, args...)
	if err != nil {
		return nil, err
	}
	return rows, nil
}

// errRow is a row that fails to scan with err.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

func (t *tx) QueryRow(query string, args ...any) sqltx.Row {
	st, err := t.c.stmt(t.ctx, query)
	if err != nil {
		return errRow{err}
	}
	return st.QueryRowContext(t.ctx, args...)
}

// Atomic runs fn inside a savepoint.
func (t *tx) Atomic(fn func() error) error {
	if _, err := t.Exec("SAVEPOINT m"); err != nil {
		return fmt.Errorf("savepoint: %w", err)
	}
	ferr := fn()
	if ferr != nil {
		if _, err := t.Exec("ROLLBACK TO m"); err != nil {
			return errors.Join(ferr, fmt.Errorf("rollback to savepoint: %w", err))
		}
	}
	if _, err := t.Exec("RELEASE m"); err != nil {
		return errors.Join(ferr, fmt.Errorf("release savepoint: %w", err))
	}
	return ferr
}

// UpdateSubscription saves every field of s but its ID and WorkspaceID, which
// name the row; conflict when the new name is taken, not_found when the
// subscription or the new owner does not exist. When the change stops or
// resumes deliveries, it also updates the held flag of its pending ones, in
// the same savepoint. The writer is alone, so reading the state before the
// change needs no lock.
func (t *tx) UpdateSubscription(s *core.Subscription) error {
	var enabled bool
	var status string
	err := t.QueryRow("SELECT enabled, status FROM subscriptions WHERE workspace_id = ? AND id = ?", int64(s.WorkspaceID), int64(s.ID)).
		Scan(&enabled, &status)
	if err != nil {
		return t.Lookup(err, "update webhook", fmt.Sprintf("webhook %d not found", s.ID))
	}
	update := func() error {
		n, err := t.Guard("UPDATE subscriptions SET "+sqltx.SubscriptionSet+" WHERE workspace_id = ? AND id = ?",
			t.SubscriptionArgs(s)...)
		if err == nil && n == 0 {
			return sqltx.NotFound("webhook", s.ID)
		}
		return t.SubscriptionUpdateErr(s, err)
	}
	if sqltx.HoldOf(enabled, status) == sqltx.HoldOf(s.Enabled, s.Status) {
		return update()
	}
	return t.Atomic(func() error {
		if err := update(); err != nil {
			return err
		}
		return t.HoldDeliveries(s)
	})
}

// dialect is SQLite's sqltx.Dialect.
type dialect struct{}

// Time stores a time as unix microseconds.
func (dialect) Time(v time.Time) any { return v.UnixMicro() }

// sqliteCode returns the extended result code of a SQLite error, 0 for other
// errors.
func sqliteCode(err error) int {
	var e *sqlite.Error
	if errors.As(err, &e) {
		return e.Code()
	}
	return 0
}

func (dialect) IsUnique(err error) bool {
	c := sqliteCode(err)
	return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}

func (dialect) IsPrimaryKey(err error) bool {
	return sqliteCode(err) == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}

func (dialect) IsForeignKey(err error) bool {
	return sqliteCode(err) == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
}

// Invalid: SQLite keeps any value.
func (dialect) Invalid(error) string { return "" }

// Text: SQLite keeps any text.
func (dialect) Text(s string) string { return s }

// SkipLocked: one writer runs at a time.
func (dialect) SkipLocked() string { return "" }

// IDs reads the JSON array with json_each.
func (dialect) IDs(arg string) string {
	return "SELECT CAST(value AS INTEGER) AS listed_id FROM json_each(" + arg + ")"
}

// UserIdentities: a second query costs no round trip.
func (dialect) UserIdentities() string { return "" }

// ClaimDeliveries leases the due deliveries in one statement: the subquery
// walks deliveries_due in order past the held rows, skipping leased ones
// (and, though held says so already, any whose subscription may not receive
// them), and the UPDATE leases what it found.
func (dialect) ClaimDeliveries() string { return claimQuery }

var claimQuery = `UPDATE deliveries SET lease_until = ?1, version = version + 1
	WHERE id IN (
		SELECT d.id FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id
		WHERE d.state = 'pending' AND d.held = 0 AND d.next_attempt_at <= ?2
			AND (d.lease_until IS NULL OR d.lease_until <= ?2)
			AND NOT ` + sqltx.HeldSQL("s.enabled", "s.status", "d.event_type") + `
		ORDER BY d.next_attempt_at, d.id
		LIMIT ?3)
	RETURNING ` + sqltx.DeliveryCols
