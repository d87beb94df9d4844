package sqltx

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/chatops/gateway/core"
)

// Row is one result row: a *sql.Row or *sql.Rows, a pgx.Row or pgx.Rows.
// A Row of QueryRow fails to Scan with an error that is sql.ErrNoRows when
// there is no row.
type Row interface {
	Scan(dest ...any) error
}

// Rows is the result of a query, read with Next and Scan.
type Rows interface {
	Row
	Next() bool
	Err() error
	Close() error
}

// Conn runs the statements of one transaction. Statements are written with
// `?` placeholders (or `?N` to name the Nth argument), never both in one.
type Conn interface {
	// Exec runs a statement and returns how many rows it changed. A
	// failure may leave the transaction unusable (on PostgreSQL): use it
	// for statements that break no constraint.
	Exec(query string, args ...any) (int64, error)
	// Guard is Exec for a statement that may break a constraint: its
	// failure leaves the transaction usable.
	Guard(query string, args ...any) (int64, error)
	// Insert runs a guarded `INSERT … RETURNING id` (or seq) and returns
	// the new row's key.
	Insert(query string, args ...any) (int64, error)
	// InsertRow runs an `INSERT … SELECT … RETURNING id` that breaks no
	// constraint (it is not guarded) and may insert no row, and returns
	// the new row's key, or sql.ErrNoRows when it inserted none.
	InsertRow(query string, args ...any) (int64, error)
	// Query runs a query.
	Query(query string, args ...any) (Rows, error)
	// QueryRow runs a query for at most one row.
	QueryRow(query string, args ...any) Row
	// Atomic runs fn, a method made of several statements, so that it
	// changes all or nothing even when the caller goes on after its error.
	Atomic(fn func() error) error
}

// Dialect is what the SQL of one database needs besides its statements.
type Dialect interface {
	// Time is how a time is passed as an argument.
	Time(time.Time) any
	// IsUnique reports whether err broke a unique index, IsPrimaryKey
	// whether that index was the primary key.
	IsUnique(err error) bool
	IsPrimaryKey(err error) bool
	// IsForeignKey reports whether err broke a foreign key.
	IsForeignKey(err error) bool
	// Invalid says why the database refused a value (a NUL byte in a text,
	// a time out of range), "" when err is not about a value.
	Invalid(err error) string
	// Text returns a text from outside (a receiver's response) as the
	// database can keep it.
	Text(s string) string
	// SkipLocked is the clause that makes a subquery of rows to delete
	// skip those another transaction holds: "" when one writer runs at a
	// time.
	SkipLocked() string
	// ClaimDeliveries is the statement that leases due deliveries (see
	// Tx.ClaimDeliveries): ?1 the lease's end, ?2 now, ?3 the limit; it
	// returns DeliveryCols.
	ClaimDeliveries() string
	// IDs is a SELECT of the ids in a JSON array of integers passed as
	// the argument arg (a placeholder such as "?2"): one row for each, in a
	// column named listed_id. A statement reads a set of ids this way with
	// one placeholder, whatever their number.
	IDs(arg string) string
	// UserIdentities is an SQL expression, selected after userCols from
	// users, of the user's identities as a JSON array ordered by provider
	// and subject; "" to read them with a query of their own.
	UserIdentities() string
}

// Tx is a core.Tx over a Conn. A store's transaction type embeds it, sets it
// with New and overrides the methods whose locking differs.
type Tx struct {
	c Conn
	d Dialect
	// forUpdate is the clause of a read that leads to a write of the same
	// row.
	forUpdate string
}

// New returns the Tx of a transaction on c. forUpdate is appended to the
// reads that lead to a write of the same row (Entry, RunningEntry, LastUndo,
// Subscription) to lock it until the transaction ends: "" where one writer
// runs at a time, and in read-only transactions.
func New(c Conn, d Dialect, forUpdate string) Tx {
	return Tx{c: c, d: d, forUpdate: forUpdate}
}

// Values as stored.

// ts is how a time is passed.
func (t *Tx) ts(v time.Time) any { return t.d.Time(v) }

// tsOrNil passes a nil time as NULL.
func (t *Tx) tsOrNil(v *time.Time) any {
	if v == nil {
		return nil
	}
	return t.d.Time(*v)
}

// IDOrNil stores the zero ID as NULL.
func IDOrNil(id core.ID) any {
	if id == 0 {
		return nil
	}
	return int64(id)
}

// JSONOrNil stores absent JSON as NULL and any other as the text given.
func JSONOrNil(b json.RawMessage) any {
	if b == nil {
		return nil
	}
	return string(b)
}

// tagsJSON is how tags are stored: a JSON array, "[]" for none.
func tagsJSON(tags []string) (string, error) {
	if len(tags) == 0 {
		return "[]", nil
	}
	b, err := json.Marshal(tags)
	return string(b), err
}

// Reads.

// List runs a query and scans every row with scan.
func List[T any](t *Tx, scan func(Row, *T) error, query string, args ...any) ([]T, error) {
	rows, err := t.c.Query(query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		var v T
		if err := scan(rows, &v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// Errors.

// NotFound returns a not_found error for one thing: "project 42 not found".
func NotFound(what string, id core.ID) error {
	return core.Errorf(core.ENOTFOUND, "%s %d not found", what, id)
}

// Wrap wraps the error of an operation: a value the database refused is
// invalid, anything else an internal error of op.
func (t *Tx) Wrap(op string, err error) error {
	if msg := t.d.Invalid(err); msg != "" {
		return core.Errorf(core.EINVALID, "%s: %s", op, msg)
	}
	return fmt.Errorf("%s: %w", op, err)
}

// Lookup maps the error of a single-row lookup: no row is not_found with the
// message msg, anything else is wrapped with op.
func (t *Tx) Lookup(err error, op, msg string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return core.Errorf(core.ENOTFOUND, "%s", msg)
	}
	return t.Wrap(op, err)
}

// Exists returns not_found "what id not found" when the query, whose first
// argument is id, finds no row.
func (t *Tx) Exists(what, query string, id core.ID, args ...any) error {
	var one int
	err := t.c.QueryRow(query, append([]any{int64(id)}, args...)...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return NotFound(what, id)
	}
	if err != nil {
		return t.Wrap("find "+what, err)
	}
	return nil
}

// checkWorkspace returns not_found when the workspace does not exist, to tell
// that from the other foreign keys of a failed insert.
func (t *Tx) checkWorkspace(ws core.ID) error {
	return t.Exists("workspace", "SELECT 1 FROM workspaces WHERE id = ?", ws)
}

// inWorkspace returns not_found "what id not found" unless the user, client,
// project or task (what) id is in the workspace.
func (t *Tx) inWorkspace(what string, id, ws core.ID) error {
	return t.Exists(what, inWorkspaceQueries[what], id, int64(ws))
}

var inWorkspaceQueries = map[string]string{
	"user":    "SELECT 1 FROM users WHERE id = ? AND workspace_id = ?",
	"client":  "SELECT 1 FROM clients WHERE id = ? AND workspace_id = ?",
	"project": "SELECT 1 FROM projects WHERE id = ? AND workspace_id = ?",
	"task":    "SELECT 1 FROM tasks WHERE id = ? AND workspace_id = ?",
}
