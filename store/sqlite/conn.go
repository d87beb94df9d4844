package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"

	msqlite "modernc.org/sqlite"
)

// conn is one database connection with its prepared statements. A conn is
// used by one goroutine at a time: the writer owns the write conn, and a View
// holds a read conn from the pool for its whole transaction.
type conn struct {
	c     *sql.Conn
	stmts map[string]*sql.Stmt
}

func newConn(ctx context.Context, db *sql.DB) (*conn, error) {
	c, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	return &conn{c: c, stmts: make(map[string]*sql.Stmt)}, nil
}

// stmt returns the statement for query, preparing it on first use.
func (c *conn) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := c.stmts[query]; ok {
		return st, nil
	}
	st, err := c.c.PrepareContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("prepare %q: %w", strings.Join(strings.Fields(query), " "), err)
	}
	c.stmts[query] = st
	return st, nil
}

// exec runs a cached statement.
func (c *conn) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// memory returns the bytes the connection's page cache and prepared
// statements hold (sqlite3_db_status).
func (c *conn) memory() (cache, stmts int64) {
	_ = c.c.Raw(func(dc any) error {
		st, ok := dc.(msqlite.DBStatus)
		if !ok {
			return nil
		}
		n, _, err := st.Status(msqlite.DBStatusCacheUsed, false)
		if err == nil {
			cache = int64(n)
		}
		if n, _, err = st.Status(msqlite.DBStatusStmtUsed, false); err == nil {
			stmts = int64(n)
		}
		return nil
	})
	return cache, stmts
}

func (c *conn) close() error {
	for _, st := range c.stmts {
		st.Close()
	}
	c.stmts = nil
	return c.c.Close()
}

// pool hands out read connections, at most n at a time, opening them lazily
// and keeping them (with their statements) for the next View.
type pool struct {
	db    *sql.DB
	idle  chan *conn
	slots chan struct{}

	mu   sync.Mutex
	open map[*conn]struct{} // every conn opened and not closed, for memory
}

func newPool(db *sql.DB, n int) *pool {
	return &pool{db: db, idle: make(chan *conn, n), slots: make(chan struct{}, n), open: map[*conn]struct{}{}}
}

// conns returns the pool's open conns, idle or out.
func (p *pool) conns() []*conn {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]*conn, 0, len(p.open))
	for c := range p.open {
		out = append(out, c)
	}
	return out
}

func (p *pool) closeConn(c *conn) {
	p.mu.Lock()
	delete(p.open, c)
	p.mu.Unlock()
	c.close()
}

func (p *pool) get(ctx context.Context) (*conn, error) {
	select {
	case p.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	select {
	case c := <-p.idle:
		return c, nil
	default:
	}
	c, err := newConn(ctx, p.db)
	if err != nil {
		<-p.slots
		return nil, err
	}
	p.mu.Lock()
	p.open[c] = struct{}{}
	p.mu.Unlock()
	return c, nil
}

// put returns a healthy conn to the pool.
func (p *pool) put(c *conn) {
	p.idle <- c
	<-p.slots
}

// discard closes a conn whose state is unknown.
func (p *pool) discard(c *conn) {
	p.closeConn(c)
	<-p.slots
}

// close closes the idle conns; no conn may be out.
func (p *pool) close() {
	for {
		select {
		case c := <-p.idle:
			p.closeConn(c)
		default:
			return
		}
	}
}
