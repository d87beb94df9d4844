package sqlite

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/chatops/gateway/core"
)

// The database, its WAL and shared-memory files are 0600 whatever the umask,
// and so is a file made 0644 before.
func TestFilesArePrivate(t *testing.T) {
	old := syscall.Umask(0)
	t.Cleanup(func() { syscall.Umask(old) })
	dir := t.TempDir()
	path := filepath.Join(dir, "gateway.db")
	s := openTest(t, path, Options{})
	if err := s.Update(t.Context(), func(tx core.Tx) error { _, err := tx.EnsureWorkspace("Acme", t0); return err }); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", filepath.Base(f), fi.Mode().Perm())
		}
	}
	// An older file, made with a loose mode, is tightened at open.
	loose := filepath.Join(dir, "old.db")
	if err := os.WriteFile(loose, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	openTest(t, loose, Options{})
	if fi, err := os.Stat(loose); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("old file: %v, %v; want 0600", fi.Mode().Perm(), err)
	}
}

// A backup taken while writers go on is a consistent database (each
// writer's keys a gapless prefix) that holds every key acknowledged before
// the backup began; the file is 0600, and an existing file is not
// overwritten.
func TestBackupUnderLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "gateway.db")
	s := openTest(t, path, Options{})
	ws := write(t, s, func(tx core.Tx) (core.Workspace, error) { return tx.EnsureWorkspace("Acme", t0) })

	const writers = 4
	var acked [writers]atomic.Int64 // keys 0..acked-1 of each writer are acknowledged
	ctx, stop := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := 0; ctx.Err() == nil; i++ {
				err := s.Update(context.Background(), func(tx core.Tx) error {
					_, err := tx.Remember(ws.ID, fmt.Sprintf("w%d:%d", w, i), t0)
					return err
				})
				if err != nil {
					t.Errorf("writer %d: %v", w, err)
					return
				}
				acked[w].Store(int64(i + 1))
			}
		})
	}
	// Wait until every writer has some keys acknowledged.
	for w := range writers {
		for acked[w].Load() < 50 {
			if t.Context().Err() != nil {
				t.Fatal("writers stalled")
			}
			s.View(t.Context(), func(core.Tx) error { return nil })
		}
	}
	var before [writers]int64
	for w := range writers {
		before[w] = acked[w].Load()
	}
	dest := filepath.Join(dir, "backup.db")
	err := Backup(t.Context(), path, dest)
	stop()
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(dest); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("backup file: %v, %v; want mode 0600", fi, err)
	}
	if err := Backup(t.Context(), path, dest); err == nil {
		t.Error("a second backup overwrote the first")
	}

	b := openTest(t, dest, Options{})
	var ok string
	if err := b.w.c.QueryRowContext(t.Context(), "PRAGMA integrity_check").Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("integrity check of the backup: %q, %v", ok, err)
	}
	for w := range writers {
		// Count the writer's keys in the backup, then check they are 0..n-1.
		var n int64
		if err := b.w.c.QueryRowContext(t.Context(), "SELECT count(*) FROM dedupe_keys WHERE key LIKE ?", fmt.Sprintf("w%d:%%", w)).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n < before[w] {
			t.Errorf("writer %d: the backup holds %d keys, %d were acknowledged before it began", w, n, before[w])
		}
		seen := read(t, b, func(tx core.Tx) (bool, error) {
			for i := range n {
				if seen, err := tx.Remembered(ws.ID, fmt.Sprintf("w%d:%d", w, i)); err != nil || !seen {
					return false, err
				}
			}
			return true, nil
		})
		if !seen {
			t.Errorf("writer %d: the backup's %d keys are not 0..%d: not a consistent snapshot", w, n, n-1)
		}
	}
	t.Logf("backup taken under load: writers had %v keys acknowledged when it began", before)
}

func write[T any](t *testing.T, s *Store, fn func(core.Tx) (T, error)) T {
	t.Helper()
	var v T
	if err := s.Update(t.Context(), func(tx core.Tx) (err error) { v, err = fn(tx); return err }); err != nil {
		t.Fatal(err)
	}
	return v
}

func read[T any](t *testing.T, s *Store, fn func(core.Tx) (T, error)) T {
	t.Helper()
	var v T
	if err := s.View(t.Context(), func(tx core.Tx) (err error) { v, err = fn(tx); return err }); err != nil {
		t.Fatal(err)
	}
	return v
}
