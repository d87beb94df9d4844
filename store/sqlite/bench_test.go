package sqlite

import (
	"fmt"
	"path/filepath"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chatops/gateway/core"
)

// benchStore opens a store on a fresh file with a workspace, a user and a
// project.
func benchStore(b *testing.B, opts Options) (s *Store, ws, user, project core.ID) {
	b.Helper()
	s, err := Open(b.Context(), filepath.Join(b.TempDir(), "bench.db"), opts)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	err = s.Update(b.Context(), func(tx core.Tx) error {
		w, err := tx.EnsureWorkspace("Bench", t0)
		if err != nil {
			return err
		}
		u := core.User{WorkspaceID: w.ID, Name: "Alice", Role: core.RoleMember, CreatedAt: t0, UpdatedAt: t0}
		if err := tx.CreateUser(&u); err != nil {
			return err
		}
		p := core.Project{WorkspaceID: w.ID, Name: "Website", Status: core.StatusOpen, CreatedAt: t0, UpdatedAt: t0}
		if err := tx.CreateProject(&p); err != nil {
			return err
		}
		ws, user, project = w.ID, u.ID, p.ID
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return s, ws, user, project
}

// logEntry is the benchmarked Update: what a "/log" command writes, a
// finished time entry and its event.
func logEntry(tx core.Tx, ws, user, project core.ID, n int64) error {
	start := t0.Add(time.Duration(n) * time.Minute)
	end := start.Add(time.Minute)
	e := core.TimeEntry{WorkspaceID: ws, UserID: user, ProjectID: project, Start: start, End: &end,
		DurationSeconds: 60, Note: "benchmark", Tags: []string{"bench"}, Source: "api", CreatedAt: end, UpdatedAt: end}
	if err := tx.CreateEntry(&e); err != nil {
		return err
	}
	ev := core.Event{ID: "evt_" + strconv.FormatInt(n, 10), Type: core.EventTimeEntryCreated, Timestamp: end, WorkspaceID: ws,
		Actor: core.EventActor{ID: user, Name: "Alice", Source: "api"},
		Data:  []byte(`{"id":"` + e.ID.String() + `","duration":60,"description":"benchmark"}`), UserID: user, ProjectID: project}
	return tx.AppendEvent(&ev)
}

func report(b *testing.B, s *Store) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "updates/s")
	if n := s.batches.Load(); n > 0 {
		b.ReportMetric(float64(s.requests.Load())/float64(n), "updates/commit")
	}
}

// BenchmarkUpdate runs one durable Update at a time: each waits for its own
// commit (and fsync).
func BenchmarkUpdate(b *testing.B) {
	for _, sync := range []string{"FULL", "NORMAL"} {
		b.Run("sync="+sync, func(b *testing.B) {
			s, ws, user, project := benchStore(b, Options{Synchronous: sync})
			s.batches.Store(0)
			s.requests.Store(0)
			var n int64
			for b.Loop() {
				n++
				if err := s.Update(b.Context(), func(tx core.Tx) error { return logEntry(tx, ws, user, project, n) }); err != nil {
					b.Fatal(err)
				}
			}
			report(b, s)
		})
	}
}

// BenchmarkUpdateParallel runs Updates from many goroutines at once: they
// share commits (group commit).
func BenchmarkUpdateParallel(b *testing.B) {
	for _, par := range []int{1, 8, 64} {
		for _, batch := range []int{0, 1} {
			name := fmt.Sprintf("goroutines=%d", par*runtime.GOMAXPROCS(0))
			if batch == 1 {
				name += "/no-group-commit"
			}
			b.Run(name, func(b *testing.B) {
				s, ws, user, project := benchStore(b, Options{BatchMax: batch})
				s.batches.Store(0)
				s.requests.Store(0)
				var n atomic.Int64
				b.SetParallelism(par)
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						i := n.Add(1)
						if err := s.Update(b.Context(), func(tx core.Tx) error { return logEntry(tx, ws, user, project, i) }); err != nil {
							b.Error(err)
							return
						}
					}
				})
				report(b, s)
			})
		}
	}
}

// BenchmarkView reads one entry by id from many goroutines.
func BenchmarkView(b *testing.B) {
	s, ws, user, project := benchStore(b, Options{})
	var id core.ID
	err := s.Update(b.Context(), func(tx core.Tx) error {
		if err := logEntry(tx, ws, user, project, 0); err != nil {
			return err
		}
		e, err := tx.RunningEntry(ws, user)
		if core.ErrorCode(err) != core.ENOTFOUND {
			return fmt.Errorf("running entry: %v %v", e, err)
		}
		es, err := tx.ListEntries(ws, core.EntryFilter{}, core.Page{Limit: 1})
		if err != nil {
			return err
		}
		id = es[0].ID
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := s.View(b.Context(), func(tx core.Tx) error { _, err := tx.Entry(ws, id); return err }); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "views/s")
}
