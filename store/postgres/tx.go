package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/store/internal/sqltx"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// tx is a core.Tx on one pooled connection inside a transaction that Update
// or View began: the shared sqltx.Tx, with PostgreSQL's locking methods
// (locks.go, outbox.go).
type tx struct {
	sqltx.Tx
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
	// sharedSubs are the subscriptions this transaction locked FOR SHARE
	// (CreateDelivery).
	sharedSubs map[core.ID]bool
	// broken is set when a savepoint could not be rolled back: the
	// transaction is in an unknown state and must not commit.
	broken error
}

var _ core.Tx = (*tx)(nil)

func newTx(ctx context.Context, ptx pgx.Tx, s *Store, writable bool) *tx {
	t := &tx{ctx: ctx, tx: ptx, s: s, writable: writable}
	// In an Update, a read that leads to a write of the same row locks it
	// until the transaction ends (NO KEY, so that inserts referring to it
	// are not held up); a View takes no lock.
	lock := ""
	if writable {
		lock = " FOR NO KEY UPDATE"
	}
	t.Tx = sqltx.New(t, dialect{}, lock)
	return t
}

// statements holds the `$n` spelling of every statement run: each is
// rebound once.
var statements sqltx.Rebinder

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

// The sqltx.Conn of the transaction.

func (t *tx) Exec(query string, args ...any) (int64, error) {
	tag, err := t.tx.Exec(t.ctx, statements.Rebind(query), args...)
	t.note(err)
	return tag.RowsAffected(), err
}

// Guard runs the statement inside a savepoint; see guard.
func (t *tx) Guard(query string, args ...any) (int64, error) {
	tag, err := t.guard("", nil, query, args...)
	return tag.RowsAffected(), err
}

// Insert runs the INSERT … RETURNING inside a savepoint; see guard.
func (t *tx) Insert(query string, args ...any) (int64, error) {
	var id int64
	_, err := t.guard("", func(r pgx.Row) error { return r.Scan(&id) }, query, args...)
	return id, err
}

// InsertRow runs the INSERT … RETURNING as a query, unguarded.
func (t *tx) InsertRow(query string, args ...any) (int64, error) {
	var id int64
	err := t.QueryRow(query, args...).Scan(&id)
	return id, err
}

func (t *tx) Query(query string, args ...any) (sqltx.Rows, error) {
	rows, err := t.tx.Query(t.ctx, statements.Rebind(query), args...)
	t.note(err)
	if err != nil {
		return nil, err
	}
	return noteRows{rows, t}, nil
}

func (t *tx) QueryRow(query string, args ...any) sqltx.Row {
	return noteRow{t.tx.QueryRow(t.ctx, statements.Rebind(query), args...), t}
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

// noteRows are pgx.Rows whose error is noted.
type noteRows struct {
	pgx.Rows
	t *tx
}

func (r noteRows) Err() error {
	err := r.Rows.Err()
	r.t.note(err)
	return err
}

func (r noteRows) Close() error {
	r.Rows.Close()
	return nil
}

// Atomic runs fn inside a savepoint.
func (t *tx) Atomic(fn func() error) error {
	if _, err := t.Exec("SAVEPOINT m"); err != nil {
		return fmt.Errorf("savepoint: %w", err)
	}
	if ferr := fn(); ferr != nil {
		t.undo("m", ferr)
		return ferr
	}
	if _, err := t.Exec("RELEASE SAVEPOINT m"); err != nil {
		return fmt.Errorf("release savepoint: %w", err)
	}
	return nil
}

// Savepoints.

// guard runs one statement that may break a constraint inside a savepoint
// sent in the same round trip, so that its failure leaves the transaction
// usable; pre, when set, is a statement without arguments run before the
// savepoint, in the same round trip. With scan set, the statement's one row
// (if any) is scanned with it; a statement that returns no row gives
// pgx.ErrNoRows, and is not a failure of the transaction.
func (t *tx) guard(pre string, scan func(pgx.Row) error, query string, args ...any) (pgconn.CommandTag, error) {
	b := &pgx.Batch{}
	if pre != "" {
		b.Queue(pre)
	}
	b.Queue("SAVEPOINT g")
	b.Queue(statements.Rebind(query), args...)
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

// retryable reports whether the database aborted a transaction that may
// succeed when run again.
func retryable(err error) bool {
	c := pgCode(err)
	return c == codeSerialization || c == codeDeadlock
}

// dialect is PostgreSQL's sqltx.Dialect.
type dialect struct{}

// Time passes a time as it is: a timestamptz.
func (dialect) Time(v time.Time) any { return v }

func (dialect) IsUnique(err error) bool     { return pgCode(err) == codeUnique }
func (dialect) IsForeignKey(err error) bool { return pgCode(err) == codeForeignKey }

func (dialect) IsPrimaryKey(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && strings.HasSuffix(e.ConstraintName, "_pkey")
}

// Invalid: values PostgreSQL cannot store are a NUL character in a text,
// invalid UTF-8, malformed JSON and a time out of range.
func (dialect) Invalid(err error) string {
	switch pgCode(err) {
	case codeBadEncoding, codeUntranslated:
		return "text must be UTF-8 without NUL characters"
	case codeBadText:
		return "a value is malformed"
	case codeTimeOverflow:
		return "a time is out of range"
	}
	return ""
}

// Text keeps text from outside (a receiver's response, an error that quotes
// one): PostgreSQL's text holds neither NUL nor invalid UTF-8 (a response
// cut at 4 KiB may end inside a character), which become U+FFFD rather than
// fail the recording of an attempt, and with it the delivery.
func (dialect) Text(s string) string {
	if strings.IndexByte(s, 0) < 0 && utf8.ValidString(s) {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}

// SkipLocked: processes pruning at once delete disjoint rows.
func (dialect) SkipLocked() string { return " FOR UPDATE SKIP LOCKED" }

// IDs reads the JSON array, passed as text, with jsonb_array_elements_text.
func (dialect) IDs(arg string) string {
	return "SELECT CAST(value AS bigint) AS listed_id FROM jsonb_array_elements_text(CAST(CAST(" + arg + " AS text) AS jsonb))"
}

// UserIdentities aggregates a user's identities in the user's row: one
// round trip for both.
func (dialect) UserIdentities() string {
	return `coalesce((SELECT json_agg(json_build_object('provider', i.provider, 'subject', i.subject)
		ORDER BY i.provider, i.subject) FROM identities i WHERE i.user_id = users.id), '[]')`
}

// ClaimDeliveries is claimQuery (locks.go).
func (dialect) ClaimDeliveries() string { return claimQuery }
