package postgres

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"math/rand/v2"
	"runtime/debug"
	"sync/atomic"
	"time"

	"github.com/chatops/gateway/core"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Options tune a Store. The zero value is ready to use.
type Options struct {
	// MaxConns is the most connections the pool opens; default 20. Every
	// Update and View holds one for its whole transaction.
	MaxConns int32
	// MinConns is how many connections the pool keeps open even when idle;
	// default 0.
	MinConns int32
	// ConnectTimeout bounds the making of one connection; default 5s. While
	// the database is unreachable, Update and View fail after about this
	// long, and work again once it is back: the pool replaces its broken
	// connections by itself.
	ConnectTimeout time.Duration
	// Logger receives what no caller sees (retried transactions, a panic in
	// an Update's function, which is also returned to its caller); default:
	// discarded.
	Logger *slog.Logger
}

func (o Options) withDefaults() Options {
	if o.MaxConns <= 0 {
		o.MaxConns = 20
	}
	if o.MinConns < 0 {
		o.MinConns = 0
	}
	if o.MinConns > o.MaxConns {
		o.MinConns = o.MaxConns
	}
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = 5 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return o
}

// ErrClosed is returned by Update and View after Close.
var ErrClosed = errors.New("postgres: store is closed")

// maxAttempts is how many times Update runs a transaction that PostgreSQL
// aborted for a deadlock or serialization failure, or that failed with a
// conflict after finding a uniqueness rule broken. Each run after a conflict
// sees what the winner of the race committed, so races settle in a run or
// two: the first command of a new user in a new project may meet one race
// for the user, one for the project, one for the task.
const maxAttempts = 5

// Store is a core.Store on a PostgreSQL database. It is safe for concurrent
// use, also by several processes on one database.
type Store struct {
	opts Options
	pool *pgxpool.Pool
	// ns is the advisory lock namespace of the store's schema, so that
	// stores in other schemas of the same database do not share locks.
	ns int32
	// outboxSeq is the regclass of the outbox's Seq sequence.
	outboxSeq string

	closed atomic.Bool
}

var _ core.Store = (*Store)(nil)

// Advisory locks, in the namespace of the store's schema.
const (
	lockMigrate   = 1 // migrations (transaction-level)
	lockOutbox    = 2 // shared by writers holding a Seq, exclusive for the reader's barrier
	lockWorkspace = 3 // EnsureWorkspace, so that two processes make one workspace
)

// Open connects to the database at url (postgres://… or postgresql://…),
// applies the pending migrations and returns the store. The ctx bounds only
// the opening.
func Open(ctx context.Context, url string, opts Options) (*Store, error) {
	o := opts.withDefaults()
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	cfg.MaxConns = o.MaxConns
	cfg.MinConns = o.MinConns
	cfg.ConnConfig.ConnectTimeout = o.ConnectTimeout
	cfg.HealthCheckPeriod = 10 * time.Second
	if cfg.ConnConfig.RuntimeParams["application_name"] == "" {
		// What pg_stat_activity shows for the gateway's connections.
		cfg.ConnConfig.RuntimeParams["application_name"] = "chatops-gateway"
	}
	cfg.AfterConnect = func(ctx context.Context, c *pgx.Conn) error {
		// Times come back in UTC, as from the SQLite store.
		c.TypeMap().RegisterType(&pgtype.Type{Name: "timestamptz", OID: pgtype.TimestamptzOID,
			Codec: &pgtype.TimestamptzCodec{ScanLocation: time.UTC}})
		return nil
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	s := &Store{opts: o, pool: pool}
	if err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: %w", err)
	}
	return s, nil
}

// namespace is the advisory lock namespace of a schema.
func namespace(schema string) int32 {
	h := fnv.New32a()
	h.Write([]byte("chatops-gateway/" + schema))
	return int32(h.Sum32())
}

// Close waits for the running Updates and Views, then closes the pool.
// Update and View return ErrClosed after Close.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	s.pool.Close() // waits for every acquired connection
	return nil
}

// begin takes a connection from the pool and begins a transaction on it;
// ErrClosed after Close. A pooled connection that the database dropped
// (a restart, a failover, a network cut) fails at BEGIN, before anything
// ran: the pool discards it and begin tries the next, so that callers see
// an error only while the database is unreachable.
func (s *Store) begin(ctx context.Context, opts pgx.TxOptions) (*pgxpool.Conn, pgx.Tx, error) {
	for range s.opts.MaxConns + 1 {
		if s.closed.Load() {
			return nil, nil, ErrClosed
		}
		c, err := s.pool.Acquire(ctx)
		if err != nil {
			if s.closed.Load() {
				return nil, nil, ErrClosed
			}
			return nil, nil, err
		}
		ptx, err := c.BeginTx(ctx, opts)
		if err == nil {
			return c, ptx, nil
		}
		dropped := c.Conn().IsClosed()
		c.Release()
		if !dropped || ctx.Err() != nil {
			return nil, nil, fmt.Errorf("begin: %w", err)
		}
	}
	return nil, nil, errors.New("begin: every pooled connection was dropped")
}

// Update runs fn in a read-write transaction; see core.Store and the
// package documentation. If ctx is done before fn starts, Update returns
// ctx's error and fn never runs. fn may run more than once (see the package
// documentation); Update returns the result of the last run. The Tx is valid
// only until fn returns.
func (s *Store) Update(ctx context.Context, fn func(core.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.closed.Load() {
		return ErrClosed
	}
	for attempt := 1; ; attempt++ {
		again, err := s.update(ctx, fn)
		if !again || attempt == maxAttempts || ctx.Err() != nil {
			return err
		}
		s.opts.Logger.Debug("postgres: running an update again", "attempt", attempt+1, "reason", err)
		// A little jitter, so that two transactions that deadlocked do not
		// meet again at once.
		time.Sleep(time.Duration(rand.IntN(2000*attempt)) * time.Microsecond)
	}
}

// finishTimeout bounds COMMIT and ROLLBACK, which run even when the caller's
// context is done: a commit is never abandoned halfway by a cancellation.
const finishTimeout = 15 * time.Second

// update runs fn once; again reports whether the transaction should run
// again.
func (s *Store) update(ctx context.Context, fn func(core.Tx) error) (again bool, err error) {
	c, ptx, err := s.begin(ctx, pgx.TxOptions{})
	if errors.Is(err, ErrClosed) {
		return false, err
	}
	if err != nil {
		return false, fmt.Errorf("update: %w", err)
	}
	defer c.Release()
	t := newTx(ctx, ptx, s, true)
	ferr := s.call(fn, t)
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), finishTimeout)
	defer cancel()
	if ferr != nil || t.retry || t.broken != nil {
		if rerr := ptx.Rollback(fctx); rerr != nil {
			// The connection is unusable; the pool discards it.
			s.opts.Logger.Warn("postgres: rollback", "err", rerr)
		}
		switch {
		case t.retry:
			return true, cmpErr(ferr, errors.New("update: transaction aborted by the database; run again"))
		case ferr != nil && core.ErrorCode(ferr) == core.ECONFLICT && t.uniqueSeen:
			return true, ferr
		case ferr != nil:
			return false, ferr
		}
		return false, fmt.Errorf("update: %w", t.broken)
	}
	if err := ptx.Commit(fctx); err != nil {
		if retryable(err) {
			return true, fmt.Errorf("update: commit: %w", err)
		}
		return false, fmt.Errorf("update: commit: %w", err)
	}
	return false, nil
}

// call runs fn, turning a panic into an error so that the connection goes
// back to the pool cleanly.
func (s *Store) call(fn func(core.Tx) error, t *tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			s.opts.Logger.Error("postgres: panic in update", "panic", p, "stack", string(debug.Stack()))
			err = fmt.Errorf("update: panic: %v", p)
		}
	}()
	return fn(t)
}

// cmpErr returns err if it is set, else def.
func cmpErr(err, def error) error {
	if err != nil {
		return err
	}
	return def
}

// viewOptions make a View one consistent snapshot that cannot write.
var viewOptions = pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}

// View runs fn in a read-only transaction: fn sees the data committed when
// its first read ran, and nothing written after.
func (s *Store) View(ctx context.Context, fn func(core.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c, ptx, err := s.begin(ctx, viewOptions)
	if errors.Is(err, ErrClosed) {
		return err
	}
	if err != nil {
		return fmt.Errorf("view: %w", err)
	}
	defer c.Release()
	defer func() {
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), finishTimeout)
		defer cancel()
		_ = ptx.Rollback(fctx) // a broken connection is discarded by the pool
	}()
	return fn(newTx(ctx, ptx, s, false))
}
