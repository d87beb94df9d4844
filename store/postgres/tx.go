package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/chatops/gateway/core"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// tx is a core.Tx on one pooled connection inside a transaction that Update
// or View began.
type tx struct {
	ctx      context.Context
	tx       pgx.Tx
	s        *Store
	writable bool

	// uniqueSeen is set when a statement broke a unique index, or a
	// check found a unique thing taken (AddIdentity): a conflict that fn
	// then returns may come from a concurrent commit, and Update runs fn
	// again.
	uniqueSeen bool
	// retry is set when PostgreSQL aborted the transaction (or a
	// savepoint's part of it) for a deadlock or a serialization failure.
	retry bool
	// outboxLocked is set once the transaction holds the outbox lock
	// shared (AppendEvent).
	outboxLocked bool
	// broken is set when a savepoint could not be rolled back: the
	// transaction is in an unknown state and must not commit.
	broken error
}

var _ core.Tx = (*tx)(nil)

// note records what an error says about the transaction.
func (t *tx) note(err error) {
	switch pgCode(err) {
	case "":
	case codeUnique:
		t.uniqueSeen = true
	case codeSerialization, codeDeadlock:
		t.retry = true
	}
}

func (t *tx) exec(query string, args ...any) (pgconn.CommandTag, error) {
	tag, err := t.tx.Exec(t.ctx, query, args...)
	t.note(err)
	return tag, err
}

// affected runs a write and returns how many rows it changed.
func (t *tx) affected(query string, args ...any) (int64, error) {
	tag, err := t.exec(query, args...)
	return tag.RowsAffected(), err
}

func (t *tx) query(query string, args ...any) (pgx.Rows, error) {
	rows, err := t.tx.Query(t.ctx, query, args...)
	t.note(err)
	return rows, err
}

// noteRow is a pgx.Row whose error is noted.
type noteRow struct {
	r pgx.Row
	t *tx
}

func (r noteRow) Scan(dest ...any) error {
	err := r.r.Scan(dest...)
	r.t.note(err)
	return err
}

// row runs a query for at most one row; Scan returns pgx.ErrNoRows when
// there is none.
func (t *tx) row(query string, args ...any) pgx.Row {
	return noteRow{t.tx.QueryRow(t.ctx, query, args...), t}
}

// list runs a query and scans every row with scan.
func list[T any](t *tx, scan func(pgx.Row, *T) error, query string, args ...any) ([]T, error) {
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
	err = rows.Err()
	t.note(err)
	return out, err
}

// forUpdate is the locking clause of a read that leads to a write of the
// same row: in an Update the row is locked until the transaction ends (NO
// KEY, so that inserts referring to it are not held up); a View takes no
// lock.
func (t *tx) forUpdate() string {
	if t.writable {
		return " FOR NO KEY UPDATE"
	}
	return ""
}

// Savepoints.

// guard runs one statement that may break a constraint inside a savepoint
// sent in the same round trip, so that its failure leaves the transaction
// usable. With scan set, the statement's one row (if any) is scanned with
// it; a statement that returns no row gives pgx.ErrNoRows, and is not a
// failure of the transaction.
func (t *tx) guard(scan func(pgx.Row) error, query string, args ...any) (pgconn.CommandTag, error) {
	return t.guardAfter("", scan, query, args...)
}

// guardAfter is guard with a statement without arguments (pre, when set) run
// before the savepoint, in the same round trip.
func (t *tx) guardAfter(pre string, scan func(pgx.Row) error, query string, args ...any) (pgconn.CommandTag, error) {
	b := &pgx.Batch{}
	if pre != "" {
		b.Queue(pre)
	}
	b.Queue("SAVEPOINT g")
	b.Queue(query, args...)
	b.Queue("RELEASE SAVEPOINT g")
	br := t.tx.SendBatch(t.ctx, b)
	var tag pgconn.CommandTag
	var err error
	if pre != "" {
		_, err = br.Exec()
	}
	if err == nil {
		_, err = br.Exec()
	}
	if err != nil {
		br.Close()
		t.note(err)
		return tag, err
	}
	if scan != nil {
		err = scan(br.QueryRow())
	} else {
		tag, err = br.Exec()
	}
	_, relErr := br.Exec()
	cerr := br.Close()
	if relErr == nil && cerr == nil {
		// The savepoint is released: whatever err is (none, no row, a
		// scan error), the transaction is fine.
		return tag, err
	}
	// The statement failed in the database: undo its part.
	err = cmpErr(err, cmpErr(relErr, cerr))
	t.note(err)
	t.undo("g", err)
	return tag, err
}

// undo rolls back to a savepoint after err and releases it; when that
// fails too, the transaction is broken.
func (t *tx) undo(name string, cause error) {
	if _, err := t.tx.Exec(t.ctx, "ROLLBACK TO SAVEPOINT "+name+"; RELEASE SAVEPOINT "+name); err != nil {
		t.broken = errors.Join(cause, fmt.Errorf("rollback to savepoint: %w", err))
	}
}

// atomic runs fn, a method made of several statements, inside a savepoint so
// that it changes all or nothing even when the caller goes on after its
// error.
func (t *tx) atomic(fn func() error) error {
	if _, err := t.exec("SAVEPOINT m"); err != nil {
		return fmt.Errorf("savepoint: %w", err)
	}
	if ferr := fn(); ferr != nil {
		t.undo("m", ferr)
		return ferr
	}
	if _, err := t.exec("RELEASE SAVEPOINT m"); err != nil {
		return fmt.Errorf("release savepoint: %w", err)
	}
	return nil
}

// Values as stored.

// idOrNil stores the zero ID as NULL.
func idOrNil(id core.ID) any {
	if id == 0 {
		return nil
	}
	return int64(id)
}

// tagsJSON is how tags are stored: a JSON array, "[]" for none.
func tagsJSON(tags []string) (string, error) {
	if len(tags) == 0 {
		return "[]", nil
	}
	b, err := json.Marshal(tags)
	return string(b), err
}

// parseTags reads a stored JSON array of tags into a non-nil slice.
func parseTags(b []byte) ([]string, error) {
	var tags []string
	if len(b) > 0 {
		if err := json.Unmarshal(b, &tags); err != nil {
			return nil, fmt.Errorf("tags column: %w", err)
		}
	}
	if tags == nil {
		tags = []string{}
	}
	return tags, nil
}

// jsonOrNil stores absent JSON as NULL and any other as the text given.
func jsonOrNil(b json.RawMessage) any {
	if b == nil {
		return nil
	}
	return string(b)
}

// Errors.

// SQLSTATE codes the store tells apart.
const (
	codeUnique        = "23505"
	codeForeignKey    = "23503"
	codeSerialization = "40001"
	codeDeadlock      = "40P01"
	codeBadEncoding   = "22021" // a NUL byte, or invalid UTF-8
	codeBadText       = "22P02" // e.g. invalid JSON
	codeUntranslated  = "22P05" // \u0000 in jsonb
	codeTimeOverflow  = "22008"
)

// pgCode returns the SQLSTATE of a PostgreSQL error, "" for other errors.
func pgCode(err error) string {
	var e *pgconn.PgError
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// constraint returns the name of the constraint a PostgreSQL error broke.
func constraint(err error) string {
	var e *pgconn.PgError
	if errors.As(err, &e) {
		return e.ConstraintName
	}
	return ""
}

func isUnique(err error) bool     { return pgCode(err) == codeUnique }
func isForeignKey(err error) bool { return pgCode(err) == codeForeignKey }

// retryable reports whether the database aborted a transaction that may
// succeed when run again.
func retryable(err error) bool {
	c := pgCode(err)
	return c == codeSerialization || c == codeDeadlock
}

// wrap wraps the error of an operation: values PostgreSQL cannot store (a
// NUL character in a text, a time out of range) are invalid, anything else
// is an internal error of op.
func wrap(op string, err error) error {
	switch pgCode(err) {
	case codeBadEncoding, codeUntranslated:
		return core.Errorf(core.EINVALID, "%s: text must be UTF-8 without NUL characters", op)
	case codeBadText:
		return core.Errorf(core.EINVALID, "%s: a value is malformed", op)
	case codeTimeOverflow:
		return core.Errorf(core.EINVALID, "%s: a time is out of range", op)
	}
	return fmt.Errorf("%s: %w", op, err)
}

// notFound returns a not_found error for one thing: "project 42 not found".
func notFound(what string, id core.ID) error {
	return core.Errorf(core.ENOTFOUND, "%s %d not found", what, id)
}

// lookup maps the error of a single-row lookup: no row is not_found with
// the message msg, anything else is wrapped with op.
func lookup(err error, op, msg string) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return core.Errorf(core.ENOTFOUND, "%s", msg)
	}
	return wrap(op, err)
}

// checkWorkspace returns not_found when the workspace does not exist, to tell
// that from the other foreign keys of a failed insert.
func (t *tx) checkWorkspace(ws core.ID) error {
	return t.exists("workspace", "SELECT 1 FROM workspaces WHERE id = $1", ws)
}

// exists returns not_found "what id not found" when the query finds no row.
// The query's first parameter is id.
func (t *tx) exists(what, query string, id core.ID, args ...any) error {
	var one int32
	err := t.row(query, append([]any{int64(id)}, args...)...).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		return notFound(what, id)
	}
	if err != nil {
		return wrap("find "+what, err)
	}
	return nil
}
