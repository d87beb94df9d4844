package sqlite

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/store/internal/sqltx"
	"github.com/chatops/gateway/store/storetest"
)

func openTest(t *testing.T, path string, opts Options) *Store {
	t.Helper()
	s, err := Open(t.Context(), path, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) core.Store {
		return openTest(t, filepath.Join(t.TempDir(), "gateway.db"), Options{})
	})
}

// The suite passes also when every Update commits alone.
func TestConformanceNoBatching(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	storetest.Run(t, func(t *testing.T) core.Store {
		return openTest(t, filepath.Join(t.TempDir(), "gateway.db"), Options{BatchMax: 1, Readers: 1})
	})
}

var t0 = time.Date(2025, 3, 14, 9, 26, 53, 589793000, time.UTC)

func TestReopenKeepsData(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "odd?name#with%chars.db")
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var ws core.Workspace
	var p core.Project
	err = s.Update(ctx, func(tx core.Tx) error {
		var err error
		if ws, err = tx.EnsureWorkspace("Acme", t0); err != nil {
			return err
		}
		p = core.Project{WorkspaceID: ws.ID, Name: "Website", Status: core.StatusOpen, CreatedAt: t0, UpdatedAt: t0}
		if err := tx.CreateProject(&p); err != nil {
			return err
		}
		return tx.AppendEvent(&core.Event{ID: "evt_1", Type: core.EventProjectCreated, Timestamp: t0, WorkspaceID: ws.ID})
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Update(ctx, func(core.Tx) error { return nil }); !errors.Is(err, ErrClosed) {
		t.Errorf("Update after Close: %v, want ErrClosed", err)
	}
	if err := s.View(ctx, func(core.Tx) error { return nil }); !errors.Is(err, ErrClosed) {
		t.Errorf("View after Close: %v, want ErrClosed", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}

	s = openTest(t, path, Options{})
	err = s.View(ctx, func(tx core.Tx) error {
		got, err := tx.ProjectByName(ws.ID, "website")
		if err != nil {
			return err
		}
		if got.ID != p.ID || !got.CreatedAt.Equal(t0) {
			t.Errorf("reopened project %+v, want %+v", got, p)
		}
		evs, err := tx.Events(0, 10)
		if err != nil {
			return err
		}
		if len(evs) != 1 || evs[0].ID != "evt_1" {
			t.Errorf("reopened events %+v", evs)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestMigrationsAreIdempotent(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "gateway.db")
	if err := Migrate(ctx, path); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	if err := Migrate(ctx, path); err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
	s1 := openTest(t, path, Options{})
	if err := s1.Close(); err != nil {
		t.Fatal(err)
	}
	s2 := openTest(t, path, Options{})
	ms, err := sqltx.Migrations(migrationFiles)
	if err != nil {
		t.Fatal(err)
	}
	var n, max int
	err = s2.w.c.QueryRowContext(ctx, "SELECT count(*), max(version) FROM schema_migrations").Scan(&n, &max)
	if err != nil {
		t.Fatal(err)
	}
	if n != len(ms) || max != ms[len(ms)-1].Version {
		t.Errorf("schema_migrations has %d rows up to %d, want %d up to %d", n, max, len(ms), ms[len(ms)-1].Version)
	}
}

func TestMigrateRefusesNewerDatabase(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "gateway.db")
	s := openTest(t, path, Options{})
	if _, err := s.w.c.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'future', 0)"); err != nil {
		t.Fatal(err)
	}
	if err := Migrate(ctx, path); err == nil {
		t.Error("Migrate accepted a database with an unknown migration")
	}
}

func TestPragmas(t *testing.T) {
	ctx := t.Context()
	s := openTest(t, filepath.Join(t.TempDir(), "gateway.db"), Options{})
	for pragma, want := range map[string]string{"journal_mode": "wal", "foreign_keys": "1", "synchronous": "2", "busy_timeout": "5000"} {
		var got string
		if err := s.w.c.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("PRAGMA %s = %s, want %s", pragma, got, want)
		}
	}
	if _, err := Open(ctx, filepath.Join(t.TempDir(), "x.db"), Options{Synchronous: "SOMETIMES"}); err == nil {
		t.Error("Open accepted synchronous=SOMETIMES")
	}
}

func TestPanicInUpdate(t *testing.T) {
	ctx := t.Context()
	s := openTest(t, filepath.Join(t.TempDir(), "gateway.db"), Options{})
	var ws core.Workspace
	err := s.Update(ctx, func(tx core.Tx) (err error) {
		ws, err = tx.EnsureWorkspace("Acme", t0)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Update(ctx, func(tx core.Tx) error {
		p := core.Project{WorkspaceID: ws.ID, Name: "Doomed", Status: core.StatusOpen, CreatedAt: t0, UpdatedAt: t0}
		if err := tx.CreateProject(&p); err != nil {
			return err
		}
		panic("boom")
	})
	if core.ErrorCode(err) != core.EINTERNAL {
		t.Fatalf("Update that panicked returned %v, want an internal error", err)
	}
	// The writer lives on, and the panicking Update left nothing.
	err = s.Update(ctx, func(tx core.Tx) error {
		if _, err := tx.ProjectByName(ws.ID, "Doomed"); core.ErrorCode(err) != core.ENOTFOUND {
			t.Errorf("project of a panicking Update: %v, want not_found", err)
		}
		p := core.Project{WorkspaceID: ws.ID, Name: "Doomed", Status: core.StatusOpen, CreatedAt: t0, UpdatedAt: t0}
		return tx.CreateProject(&p)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Close lets the Updates already queued finish.
func TestCloseFinishesQueuedUpdates(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "gateway.db")
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var ws core.Workspace
	if err := s.Update(ctx, func(tx core.Tx) (err error) { ws, err = tx.EnsureWorkspace("Acme", t0); return err }); err != nil {
		t.Fatal(err)
	}
	const n = 200
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			errs[i] = s.Update(ctx, func(tx core.Tx) error {
				_, err := tx.Remember(ws.ID, string(rune('a'+i%26))+time.Duration(i).String(), t0)
				return err
			})
		})
	}
	time.Sleep(time.Millisecond)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, ErrClosed):
			t.Errorf("Update during Close: %v", err)
		}
	}
	s = openTest(t, path, Options{})
	var kept int
	if err := s.w.c.QueryRowContext(ctx, "SELECT count(*) FROM dedupe_keys").Scan(&kept); err != nil {
		t.Fatal(err)
	}
	if kept != ok {
		t.Errorf("%d Updates succeeded but %d were kept", ok, kept)
	}
}

// An Update whose context ends while it waits in the queue returns the
// context's error, and its fn never runs.
func TestUpdateAbandonedInQueue(t *testing.T) {
	ctx := t.Context()
	s := openTest(t, filepath.Join(t.TempDir(), "gateway.db"), Options{})
	hold, held := make(chan struct{}), make(chan struct{})
	first := make(chan error, 1)
	go func() {
		first <- s.Update(ctx, func(core.Tx) error { close(held); <-hold; return nil })
	}()
	<-held
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	ran := false
	err := s.Update(short, func(core.Tx) error { ran = true; return nil })
	close(hold)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("abandoned Update: %v, want deadline exceeded", err)
	}
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	// Another Update goes through the writer after the abandoned one.
	if err := s.Update(ctx, func(core.Tx) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if ran {
		t.Error("the abandoned Update's fn ran")
	}
}

// Memory counts the page cache and statements of the writer and of the
// read connections open, and the cache grows with the pages read.
func TestMemory(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "gateway.db"), Options{Readers: 2})
	ctx := t.Context()
	if m := s.Memory(); m.Readers != 0 || m.ReadersCache != 0 || m.WriterCache <= 0 || m.WriterStatements < 0 {
		t.Fatalf("after Open: %+v; want the writer's cache (the migrations read it) and no reader", m)
	}
	var ws core.Workspace
	err := s.Update(ctx, func(tx core.Tx) error {
		var err error
		if ws, err = tx.EnsureWorkspace("Acme", t0); err != nil {
			return err
		}
		for i := range 2000 {
			p := core.Project{WorkspaceID: ws.ID, Name: fmt.Sprintf("Project %04d with a name long enough to fill pages", i), Status: core.StatusOpen, CreatedAt: t0, UpdatedAt: t0}
			if err := tx.CreateProject(&p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	before := s.Memory()
	if err := s.View(ctx, func(tx core.Tx) error {
		_, err := tx.ListProjects(ws.ID, core.Page{Limit: core.MaxPageLimit})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	m := s.Memory()
	if m.Readers != 1 || m.ReadersCache < 8*4096 || m.ReadersStatements <= 0 {
		t.Errorf("after a View that read pages: %+v; want one reader holding them and its statement", m)
	}
	if before.WriterCache < 8*4096 || m.WriterCache < 8*4096 {
		t.Errorf("writer cache %d after writing 2,000 rows, %d after the View", before.WriterCache, m.WriterCache)
	}
}

// The connections' page caches share one budget, the sum of their
// cache_size, not one cache_size each: this SQLite is built with
// SQLITE_ENABLE_MEMORY_MANAGEMENT, so pcache1 keeps every connection's
// pages in one LRU group, and a connection at its own cache_size takes the
// group's least recently used page, whichever connection holds it. A View
// that reads more than a cache_size takes the writer's older pages; while
// the reader is idle it keeps them (its cache is reset only when its next
// read transaction starts), and the writer, under its own cache_size with
// the budget spent, drops each page it reads once done with it. The same
// way a writer takes an idle reader's pages. No page is pinned; the total
// stays within the budget.
func TestCachesShareOneBudget(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "gateway.db"), Options{Readers: 1})
	ctx := t.Context()
	var ws core.Workspace
	if err := s.Update(ctx, func(tx core.Tx) error {
		var err error
		ws, err = tx.EnsureWorkspace("Acme", t0)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	name := strings.Repeat("n", 200)
	n := 0
	add := func(rows int) {
		t.Helper()
		for range rows / 1000 {
			if err := s.Update(ctx, func(tx core.Tx) error {
				for range 1000 {
					n++
					p := core.Project{WorkspaceID: ws.ID, Name: fmt.Sprintf("%s %06d", name, n), Status: core.StatusOpen, CreatedAt: t0, UpdatedAt: t0}
					if err := tx.CreateProject(&p); err != nil {
						return err
					}
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		}
	}
	add(8000) // some 4 MB: the writer's cache is full
	full := s.Memory().WriterCache
	if err := s.View(ctx, func(tx core.Tx) error {
		var after core.ID
		for {
			ps, err := tx.ListProjects(ws.ID, core.Page{After: after, Limit: core.MaxPageLimit})
			if err != nil || len(ps) == 0 {
				return err
			}
			after = ps[len(ps)-1].ID
		}
	}); err != nil {
		t.Fatal(err)
	}
	// The reader's own cache_size, in the writer's bytes per KiB.
	readerFull := full * readerCacheKiB / 2000
	read := s.Memory()
	if read.ReadersCache < 2*readerFull || read.WriterCache > full-readerFull {
		t.Errorf("after a View of some 4 MB: %+v; want the reader holding more than its own cache_size (%d), taken from the writer (%d when full)", read, readerFull, full)
	}
	add(8000)
	m := s.Memory()
	t.Logf("writer full %d; after the View %+v; after more writes %+v", full, read, m)
	if m.ReadersCache < read.ReadersCache || m.WriterCache >= full {
		t.Errorf("after more writes: %+v; want the idle reader to keep the pages it took", m)
	}
	for _, m := range []Memory{read, m} {
		if total := m.WriterCache + m.ReadersCache; total > (full+readerFull)*11/10 {
			t.Errorf("writer and reader hold %d: over the budget of the writer's cache (%d) and the reader's (%d)", total, full, readerFull)
		}
	}
}
