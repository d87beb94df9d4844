package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chatops/gateway/core"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// Options tune a Store. The zero value is ready to use.
type Options struct {
	// Synchronous is SQLite's synchronous setting for commits: "FULL" (the
	// default: every Update that returns nil has been fsynced), "NORMAL"
	// (faster; a power loss may undo the last commits, never corrupts),
	// "EXTRA" or "OFF".
	Synchronous string
	// BatchMax is the most Updates committed together; default 128.
	BatchMax int
	// Readers is the most Views running at once; default 4, or GOMAXPROCS
	// when that is larger.
	Readers int
	// BusyTimeout is how long to wait for another process's lock (another
	// gateway on the same file, `gateway migrate`); default 5s.
	BusyTimeout time.Duration
	// Logger receives errors that no caller sees (a panic in an Update's
	// function is also returned to its caller); default: discarded.
	Logger *slog.Logger
}

func (o Options) withDefaults() (Options, error) {
	if o.Synchronous == "" {
		o.Synchronous = "FULL"
	}
	o.Synchronous = strings.ToUpper(o.Synchronous)
	switch o.Synchronous {
	case "OFF", "NORMAL", "FULL", "EXTRA":
	default:
		return o, fmt.Errorf("sqlite: synchronous %q: want FULL, NORMAL, EXTRA or OFF", o.Synchronous)
	}
	if o.BatchMax <= 0 {
		o.BatchMax = 128
	}
	if o.Readers <= 0 {
		o.Readers = max(4, runtime.GOMAXPROCS(0))
	}
	if o.BusyTimeout <= 0 {
		o.BusyTimeout = 5 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return o, nil
}

// ErrClosed is returned by Update and View after Close.
var ErrClosed = errors.New("sqlite: store is closed")

// Store is a core.Store on one SQLite file. It is safe for concurrent use.
type Store struct {
	opts Options

	wdb     *sql.DB // one connection: the writer's
	w       *conn
	rdb     *sql.DB
	readers *pool

	mu      sync.RWMutex // guards closed and sends on queue
	closed  bool
	queue   chan *request
	stopped chan struct{} // closed when the writer has returned
	views   sync.WaitGroup

	errs []error // the writer's, reused by each commit

	// Counters of the writer, for tests and benchmarks.
	batches  atomic.Int64
	requests atomic.Int64
}

var _ core.Store = (*Store)(nil)

// dsn returns the database/sql data source name for path with the given
// pragmas. The path is written as a file: URI, escaped so that any file name
// works.
func dsn(path string, pragmas ...string) string {
	var b strings.Builder
	b.WriteString("file:")
	for _, r := range path {
		switch r {
		case '%':
			b.WriteString("%25")
		case '?':
			b.WriteString("%3f")
		case '#':
			b.WriteString("%23")
		default:
			b.WriteRune(r)
		}
	}
	q := url.Values{}
	for _, p := range pragmas {
		q.Add("_pragma", p)
	}
	b.WriteByte('?')
	b.WriteString(q.Encode())
	return b.String()
}

// openWriter opens the single write connection of path and makes sure the
// file is in WAL mode.
func openWriter(ctx context.Context, path string, o Options) (*sql.DB, *conn, error) {
	if err := createPrivate(path); err != nil {
		return nil, nil, err
	}
	db, err := sql.Open("sqlite", dsn(path,
		fmt.Sprintf("busy_timeout(%d)", o.BusyTimeout.Milliseconds()),
		"foreign_keys(1)",
		"journal_mode(WAL)",
		"synchronous("+o.Synchronous+")",
		"temp_store(MEMORY)",
	))
	if err != nil {
		return nil, nil, err
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	c, err := newConn(ctx, db)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	var mode string
	if err := c.c.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil || !strings.EqualFold(mode, "wal") {
		c.close()
		db.Close()
		if err == nil {
			err = fmt.Errorf("journal mode is %q, not wal", mode)
		}
		return nil, nil, err
	}
	if err := restrictFiles(path); err != nil {
		c.close()
		db.Close()
		return nil, nil, err
	}
	return db, c, nil
}

// Migrate applies the pending migrations to the database file at path,
// creating it when missing. Open does the same; Migrate is for running them
// alone.
func Migrate(ctx context.Context, path string) error {
	o, err := Options{}.withDefaults()
	if err != nil {
		return err
	}
	db, c, err := openWriter(ctx, path, o)
	if err != nil {
		return fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	defer db.Close()
	defer c.close()
	if err := migrate(ctx, c); err != nil {
		return fmt.Errorf("sqlite: %s: %w", path, err)
	}
	return nil
}

// readerCacheKiB is each read connection's cache_size, in KiB; the writer
// keeps SQLite's default, 2,000 KiB. The page caches share one budget, the
// sum of the connections' cache_size (see Memory), and a reader's cache is
// emptied at the start of each View after a write anyway: so the readers'
// share of the budget is small, and the process's SQLite memory stays near
// the writer's cache_size whichever connections are busy or idle.
const readerCacheKiB = 256

// Open opens (creating when missing) the SQLite database file at path,
// applies the pending migrations and starts the writer. The path must name a
// file: an in-memory database cannot be shared by the writer and the readers.
// The ctx bounds only the opening.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	wdb, w, err := openWriter(ctx, path, o)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	if err := migrate(ctx, w); err != nil {
		w.close()
		wdb.Close()
		return nil, fmt.Errorf("sqlite: %s: %w", path, err)
	}
	rdb, err := sql.Open("sqlite", dsn(path,
		fmt.Sprintf("busy_timeout(%d)", o.BusyTimeout.Milliseconds()),
		"query_only(1)",
		"temp_store(MEMORY)",
		fmt.Sprintf("cache_size(-%d)", readerCacheKiB),
	))
	if err != nil {
		w.close()
		wdb.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	rdb.SetMaxOpenConns(o.Readers)
	rdb.SetMaxIdleConns(o.Readers)
	rdb.SetConnMaxLifetime(0)
	rdb.SetConnMaxIdleTime(0)
	s := &Store{
		opts:    o,
		wdb:     wdb,
		w:       w,
		rdb:     rdb,
		readers: newPool(rdb, o.Readers),
		queue:   make(chan *request, o.BatchMax),
		stopped: make(chan struct{}),
	}
	go s.run()
	return s, nil
}

// Close finishes the Updates already queued, then closes the database. Update
// and View return ErrClosed after Close; Close waits for running Views.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.queue)
	s.mu.Unlock()
	<-s.stopped
	s.views.Wait()

	s.readers.close()
	err := s.rdb.Close()
	// Leave the file tidy: fold the WAL into the database.
	if _, cerr := s.w.c.ExecContext(context.Background(), "PRAGMA wal_checkpoint(TRUNCATE)"); cerr != nil {
		s.opts.Logger.Warn("sqlite: checkpoint on close", "err", cerr)
	}
	err = errors.Join(err, s.w.close(), s.wdb.Close())
	if err != nil {
		return fmt.Errorf("sqlite: close: %w", err)
	}
	return nil
}

// request states.
const (
	queued    int32 = iota
	taken           // the writer runs it and will answer
	abandoned       // the caller gave up before the writer took it
)

// request is one Update waiting for the writer.
type request struct {
	ctx   context.Context
	fn    func(core.Tx) error
	state atomic.Int32
	done  chan error // buffered: the writer never blocks on it
}

// Update runs fn in a read-write transaction; see core.Store. fn runs on the
// store's writer goroutine, together with other Updates committed in the same
// group: it must not call Update itself, and should be short. The Tx is valid
// only until fn returns. If ctx is done before fn starts, Update returns
// ctx's error and fn never runs; once fn has started, Update waits for the
// group's commit, so its result always says whether the writes were kept.
func (s *Store) Update(ctx context.Context, fn func(core.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r := &request{ctx: ctx, fn: fn, done: make(chan error, 1)}
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return ErrClosed
	}
	select {
	case s.queue <- r:
	case <-ctx.Done():
		s.mu.RUnlock()
		return ctx.Err()
	}
	s.mu.RUnlock()
	select {
	case err := <-r.done:
		return err
	case <-ctx.Done():
		if r.state.CompareAndSwap(queued, abandoned) {
			return ctx.Err()
		}
		return <-r.done
	}
}

// View runs fn in a read-only transaction on one of the read connections. fn
// sees the data committed when its first read ran, and nothing written after.
func (s *Store) View(ctx context.Context, fn func(core.Tx) error) (err error) {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return ErrClosed
	}
	s.views.Add(1)
	s.mu.RUnlock()
	defer s.views.Done()

	c, err := s.readers.get(ctx)
	if err != nil {
		return fmt.Errorf("view: %w", err)
	}
	if _, err := c.exec(ctx, "BEGIN"); err != nil {
		s.readers.discard(c)
		return fmt.Errorf("view: begin: %w", err)
	}
	defer func() {
		// Rollback even after a panic in fn, so the conn goes back clean.
		if _, rerr := c.exec(context.Background(), "ROLLBACK"); rerr != nil {
			s.readers.discard(c)
			return
		}
		s.readers.put(c)
	}()
	return fn(newTx(ctx, c))
}

// Stats counts the writer's work since Open.
type Stats struct {
	// Commits is how many transactions the writer committed, Updates how
	// many Updates they held (group commit: several per commit under
	// load).
	Commits, Updates int64
}

// Stats returns the writer's counts so far.
func (s *Store) Stats() Stats {
	return Stats{Commits: s.batches.Load(), Updates: s.requests.Load()}
}

// Memory is what SQLite holds in memory for the store's connections: the
// page caches and the prepared statements, of the writer and of the
// readers together. The page caches share one budget, the sum of the
// connections' cache_size (the writer's and each reader's), not one
// cache_size each: this SQLite is built with SQLITE_ENABLE_MEMORY_MANAGEMENT,
// so every connection's pages are in one LRU group, and a connection at its
// own cache_size takes the least recently used page of the group, whichever
// connection holds it. A writer thus grows past its cache_size with the
// pages of readers left idle, and a View that reads much takes the writer's;
// a reader keeps its pages until its next read transaction starts. Only the
// total is bounded: 2,000 KiB for the writer and readerCacheKiB for each
// reader open, some 3 MiB with 4 readers.
type Memory struct {
	WriterCache, WriterStatements   int64
	ReadersCache, ReadersStatements int64
	Readers                         int // read connections open
}

// Memory returns what the connections hold now.
func (s *Store) Memory() Memory {
	var m Memory
	m.WriterCache, m.WriterStatements = s.w.memory()
	for _, c := range s.readers.conns() {
		cache, stmts := c.memory()
		m.ReadersCache += cache
		m.ReadersStatements += stmts
		m.Readers++
	}
	return m
}

// run is the writer: it commits the queued requests in groups until Close
// closes the queue.
func (s *Store) run() {
	defer close(s.stopped)
	var batch []*request
	for {
		if len(batch) == 0 {
			r, ok := <-s.queue
			if !ok {
				return
			}
			if !s.take(r) {
				continue
			}
			batch = append(batch, r)
		}
		batch = s.commit(batch)
	}
}

// take claims a queued request for the writer; false when its caller gave up
// (or its context ended, which take answers).
func (s *Store) take(r *request) bool {
	if !r.state.CompareAndSwap(queued, taken) {
		return false
	}
	if err := r.ctx.Err(); err != nil {
		r.done <- err
		return false
	}
	return true
}

// poll returns the next queued request without waiting, nil when there is
// none.
func (s *Store) poll() *request {
	for {
		select {
		case r, ok := <-s.queue:
			if !ok {
				return nil
			}
			if s.take(r) {
				return r
			}
		default:
			return nil
		}
	}
}

// bg is the context of the writer's own statements. It is never canceled:
// canceling a statement inside the group's transaction would interrupt it,
// and SQLite may then roll back the whole group.
var bg = context.Background()

// commit runs a group of requests in one transaction and answers each. The
// group starts with batch and takes in every request queued meanwhile, up to
// BatchMax, so that the requests that arrive while a commit is being flushed
// share the next one. When the transaction breaks midway (an I/O error, not
// an fn error), commit answers the requests run so far and returns the rest,
// to be run again in a new transaction.
func (s *Store) commit(batch []*request) (rest []*request) {
	if _, err := s.w.exec(bg, "BEGIN IMMEDIATE"); err != nil {
		err = fmt.Errorf("update: begin: %w", err)
		for _, r := range batch {
			r.done <- err
		}
		return nil
	}
	errs := s.errs[:0]
	for i := 0; ; i++ {
		if i == len(batch) {
			if len(batch) >= s.opts.BatchMax {
				break
			}
			r := s.poll()
			if r == nil {
				break
			}
			batch = append(batch, r)
		}
		r := batch[i]
		ferr, broken := s.runOne(r)
		errs = append(errs, ferr)
		if broken != nil {
			// The transaction is in an unknown state: undo it all. The
			// requests before this one lost their writes; this one gets its
			// own error or the breakage; the rest run again.
			s.opts.Logger.Error("sqlite: update transaction broken", "err", broken)
			s.w.exec(bg, "ROLLBACK")
			broken = fmt.Errorf("update: %w", broken)
			for j := range i {
				batch[j].done <- cmpErr(errs[j], broken)
			}
			r.done <- cmpErr(ferr, broken)
			return batch[i+1:]
		}
	}
	s.errs = errs
	s.batches.Add(1)
	s.requests.Add(int64(len(batch)))
	if _, err := s.w.exec(bg, "COMMIT"); err != nil {
		s.opts.Logger.Error("sqlite: commit", "err", err, "updates", len(batch))
		s.w.exec(bg, "ROLLBACK")
		err = fmt.Errorf("update: commit: %w", err)
		for i, r := range batch {
			r.done <- cmpErr(errs[i], err)
		}
		return nil
	}
	for i, r := range batch {
		r.done <- errs[i]
	}
	clear(errs)
	return nil
}

// cmpErr returns err if it is set, else def.
func cmpErr(err, def error) error {
	if err != nil {
		return err
	}
	return def
}

// runOne runs one request inside a savepoint. ferr is what the request's
// caller gets; broken is set when the savepoint itself failed, which leaves
// the transaction in an unknown state.
func (s *Store) runOne(r *request) (ferr, broken error) {
	if _, err := s.w.exec(bg, "SAVEPOINT u"); err != nil {
		return nil, err
	}
	ferr = s.call(r)
	if ferr != nil {
		if _, err := s.w.exec(bg, "ROLLBACK TO u"); err != nil {
			return ferr, err
		}
	}
	if _, err := s.w.exec(bg, "RELEASE u"); err != nil {
		return ferr, err
	}
	return ferr, nil
}

// call runs the request's fn, turning a panic into an internal error so that
// the writer goes on.
func (s *Store) call(r *request) (err error) {
	defer func() {
		if p := recover(); p != nil {
			s.opts.Logger.Error("sqlite: panic in update", "panic", p, "stack", string(debug.Stack()))
			err = fmt.Errorf("update: panic: %v", p)
		}
	}()
	return r.fn(newTx(context.WithoutCancel(r.ctx), s.w))
}
