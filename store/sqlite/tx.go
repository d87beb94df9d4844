package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/chatops/gateway/core"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// tx is a core.Tx on one connection inside a transaction that Update or
// View began.
type tx struct {
	ctx context.Context
	c   *conn
}

var _ core.Tx = (*tx)(nil)

func (t *tx) exec(query string, args ...any) (sql.Result, error) {
	return t.c.exec(t.ctx, query, args...)
}

// affected runs a write and returns how many rows it changed.
func (t *tx) affected(query string, args ...any) (int64, error) {
	res, err := t.exec(query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// insert runs an INSERT and returns the new row's id.
func (t *tx) insert(query string, args ...any) (core.ID, error) {
	res, err := t.exec(query, args...)
	if err != nil {
		return 0, err
	}
	id, err := res.LastInsertId()
	return core.ID(id), err
}

func (t *tx) query(query string, args ...any) (*sql.Rows, error) {
	st, err := t.c.stmt(t.ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(t.ctx, args...)
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

// errRow is a row that fails to scan with err.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// row runs a query for at most one row; Scan returns sql.ErrNoRows when there
// is none.
func (t *tx) row(query string, args ...any) scanner {
	st, err := t.c.stmt(t.ctx, query)
	if err != nil {
		return errRow{err}
	}
	return st.QueryRowContext(t.ctx, args...)
}

// list runs a query and scans every row with scan.
func list[T any](t *tx, scan func(scanner, *T) error, query string, args ...any) ([]T, error) {
	rows, err := t.query(query, args...)
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

// atomic runs fn, a method made of several statements, inside a savepoint so
// that it changes all or nothing even when the caller goes on after its
// error.
func (t *tx) atomic(fn func() error) error {
	if _, err := t.exec("SAVEPOINT m"); err != nil {
		return fmt.Errorf("savepoint: %w", err)
	}
	ferr := fn()
	if ferr != nil {
		if _, err := t.exec("ROLLBACK TO m"); err != nil {
			return errors.Join(ferr, fmt.Errorf("rollback to savepoint: %w", err))
		}
	}
	if _, err := t.exec("RELEASE m"); err != nil {
		return errors.Join(ferr, fmt.Errorf("release savepoint: %w", err))
	}
	return ferr
}

// Values as stored.

// ts is how a time is stored: unix microseconds.
func ts(t time.Time) int64 { return t.UnixMicro() }

// fromTS is the time of a stored value, in UTC.
func fromTS(us int64) time.Time { return time.UnixMicro(us).UTC() }

// tsOrNil stores a nil time as NULL.
func tsOrNil(t *time.Time) any {
	if t == nil {
		return nil
	}
	return ts(*t)
}

// idOrNil stores the zero ID as NULL.
func idOrNil(id core.ID) any {
	if id == 0 {
		return nil
	}
	return int64(id)
}

// Scan destinations that convert without reflection or allocation.

// idCol scans an INTEGER or NULL (zero) into a core.ID: (*idCol)(&x.ID).
type idCol core.ID

func (c *idCol) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*c = 0
	case int64:
		*c = idCol(v)
	default:
		return fmt.Errorf("id column holds %T", src)
	}
	return nil
}

// timeCol scans unix microseconds into a time.Time: (*timeCol)(&x.At).
type timeCol time.Time

func (c *timeCol) Scan(src any) error {
	v, ok := src.(int64)
	if !ok {
		return fmt.Errorf("time column holds %T", src)
	}
	*c = timeCol(fromTS(v))
	return nil
}

// nullTimeCol scans unix microseconds or NULL into a *time.Time.
type nullTimeCol struct{ p **time.Time }

func (c nullTimeCol) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*c.p = nil
	case int64:
		t := fromTS(v)
		*c.p = &t
	default:
		return fmt.Errorf("time column holds %T", src)
	}
	return nil
}

// textCol scans TEXT or NULL (empty) into a string.
type textCol string

func (c *textCol) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*c = ""
	case string:
		*c = textCol(v)
	case []byte:
		*c = textCol(v)
	default:
		return fmt.Errorf("text column holds %T", src)
	}
	return nil
}

// tagsCol scans a JSON array of strings into a non-nil []string.
type tagsCol []string

func (c *tagsCol) Scan(src any) error {
	var s string
	switch v := src.(type) {
	case nil:
	case string:
		s = v
	case []byte:
		s = string(v)
	default:
		return fmt.Errorf("tags column holds %T", src)
	}
	if s == "" || s == "[]" || s == "null" {
		*c = []string{}
		return nil
	}
	var tags []string
	if err := json.Unmarshal([]byte(s), &tags); err != nil {
		return fmt.Errorf("tags column: %w", err)
	}
	if tags == nil {
		tags = []string{}
	}
	*c = tags
	return nil
}

// tagsJSON is how tags are stored: a JSON array, "[]" for none.
func tagsJSON(tags []string) (string, error) {
	if len(tags) == 0 {
		return "[]", nil
	}
	b, err := json.Marshal(tags)
	return string(b), err
}

// Errors.

// sqliteCode returns the extended result code of a SQLite error, 0 for other
// errors.
func sqliteCode(err error) int {
	var e *sqlite.Error
	if errors.As(err, &e) {
		return e.Code()
	}
	return 0
}

const sqliteConstraintPrimaryKey = sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY

// isUnique reports whether err broke a UNIQUE or PRIMARY KEY constraint.
func isUnique(err error) bool {
	c := sqliteCode(err)
	return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}

// isForeignKey reports whether err broke a FOREIGN KEY constraint.
func isForeignKey(err error) bool {
	return sqliteCode(err) == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
}

// notFound returns a not_found error for one thing: "project 42 not found".
func notFound(what string, id core.ID) error {
	return core.Errorf(core.ENOTFOUND, "%s %d not found", what, id)
}

// lookup maps the error of a single-row lookup: no row is not_found with
// the message msg, anything else is wrapped with op.
func lookup(err error, op, msg string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return core.Errorf(core.ENOTFOUND, "%s", msg)
	}
	return fmt.Errorf("%s: %w", op, err)
}

// checkWorkspace returns not_found when the workspace does not exist, to tell
// that from the other foreign keys of a failed insert.
func (t *tx) checkWorkspace(ws core.ID) error {
	return t.exists("workspace", "SELECT 1 FROM workspaces WHERE id = ?", ws)
}

// exists returns not_found "what id not found" when the query finds no row.
func (t *tx) exists(what, query string, id core.ID, args ...any) error {
	var one int
	err := t.row(query, append([]any{int64(id)}, args...)...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return notFound(what, id)
	}
	if err != nil {
		return fmt.Errorf("find %s: %w", what, err)
	}
	return nil
}
