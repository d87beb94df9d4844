package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/chatops/gateway/core"
)

var errDeliberate = errors.New("storetest: deliberate failure")

// writeAll is what one Update of the concurrency tests writes: a finished
// time entry and its event.
func writeAll(tx core.Tx, ws, user, project core.ID, id string, start time.Time) (seq int64, err error) {
	e := core.TimeEntry{WorkspaceID: ws, UserID: user, ProjectID: project, Start: start, End: ptr(start.Add(time.Minute)),
		DurationSeconds: 60, Note: id, CreatedAt: start, UpdatedAt: start}
	if err := tx.CreateEntry(&e); err != nil {
		return 0, err
	}
	ev := core.Event{ID: id, Type: core.EventTimeEntryCreated, Timestamp: start, WorkspaceID: ws,
		Actor: core.EventActor{ID: user, Name: "Alice", Source: "test"}, Data: []byte(fmt.Sprintf(`{"id":"%d"}`, e.ID)),
		UserID: user, ProjectID: project}
	if err := tx.AppendEvent(&ev); err != nil {
		return 0, err
	}
	return ev.Seq, nil
}

// allEvents reads the whole outbox, page by page.
func allEvents(t *testing.T, s core.Store) []core.Event {
	t.Helper()
	var out []core.Event
	after := int64(0)
	for {
		page := events(t, s, after, 500)
		if len(page) == 0 {
			return out
		}
		out = append(out, page...)
		after = page[len(page)-1].Seq
	}
}

var txTests = []test{
	{"Tx/FailedUpdateWritesNothing", func(t *testing.T, s core.Store) {
		f := setup(t, s)
		before := len(allEvents(t, s))
		err := s.Update(t.Context(), func(tx core.Tx) error {
			p := core.Project{WorkspaceID: f.ws, Name: "Ghost", Status: core.StatusOpen, CreatedAt: t0, UpdatedAt: t0}
			if err := tx.CreateProject(&p); err != nil {
				return err
			}
			k := core.Task{WorkspaceID: f.ws, ProjectID: p.ID, Name: "Ghost task", Status: core.StatusOpen, CreatedAt: t0, UpdatedAt: t0}
			if err := tx.CreateTask(&k); err != nil {
				return err
			}
			if _, err := writeAll(tx, f.ws, f.user.ID, p.ID, "evt_ghost", t0); err != nil {
				return err
			}
			if err := tx.PushUndo(&core.UndoRecord{WorkspaceID: f.ws, UserID: f.user.ID, Action: "ghost", CreatedAt: t0}); err != nil {
				return err
			}
			if _, err := tx.Remember(f.ws, "ghost", t0); err != nil {
				return err
			}
			if err := tx.AddIdentity(f.ws, f.user.ID, slackAlice); err != nil {
				return err
			}
			// The transaction sees its own writes.
			if _, err := tx.ProjectByName(f.ws, "ghost"); err != nil {
				return fmt.Errorf("own write not visible: %w", err)
			}
			return fmt.Errorf("wrapped: %w", errDeliberate)
		})
		if !errors.Is(err, errDeliberate) {
			t.Fatalf("Update returned %v, want fn's error", err)
		}
		wantCode(t, readErr(t, s, func(tx core.Tx) error { _, err := tx.ProjectByName(f.ws, "Ghost"); return err }), core.ENOTFOUND)
		wantCode(t, readErr(t, s, func(tx core.Tx) error { _, err := tx.TaskByName(f.ws, 0, "Ghost task"); return err }), core.ENOTFOUND)
		wantCode(t, readErr(t, s, func(tx core.Tx) error { _, err := tx.LastUndo(f.ws, f.user.ID, time.Time{}); return err }), core.ENOTFOUND)
		wantCode(t, readErr(t, s, func(tx core.Tx) error {
			_, err := tx.UserByIdentity(f.ws, slackAlice.Provider, slackAlice.Subject)
			return err
		}), core.ENOTFOUND)
		if n := read(t, s, func(tx core.Tx) ([]core.TimeEntry, error) {
			return tx.ListEntries(f.ws, core.EntryFilter{}, core.Page{})
		}); len(n) != 0 {
			t.Errorf("entries of a failed Update were kept: %v", n)
		}
		if n := len(allEvents(t, s)); n != before {
			t.Errorf("outbox has %d events, want %d", n, before)
		}
		// Nothing is left behind: the same writes succeed now, and the
		// event's id is free.
		write(t, s, func(tx core.Tx) (int64, error) { return writeAll(tx, f.ws, f.user.ID, 0, "evt_ghost", t0) })
		if !write(t, s, func(tx core.Tx) (bool, error) { return tx.Remember(f.ws, "ghost", t0) }) {
			t.Error("a key remembered in a failed Update was kept")
		}
	}},
	{"Tx/FailedMethodLeavesTxUsable", func(t *testing.T, s core.Store) {
		f := setup(t, s)
		addProject(t, s, f.ws, "Website")
		write(t, s, func(tx core.Tx) (any, error) {
			dup := core.Project{WorkspaceID: f.ws, Name: "WEBSITE", Status: core.StatusOpen, CreatedAt: t0, UpdatedAt: t0}
			if err := tx.CreateProject(&dup); core.ErrorCode(err) != core.ECONFLICT {
				return nil, fmt.Errorf("duplicate project: got %v, want conflict", err)
			}
			if _, err := tx.Project(f.ws, 9999); core.ErrorCode(err) != core.ENOTFOUND {
				return nil, fmt.Errorf("missing project: got %v, want not_found", err)
			}
			p := core.Project{WorkspaceID: f.ws, Name: "Blog", Status: core.StatusOpen, CreatedAt: t0, UpdatedAt: t0}
			return nil, tx.CreateProject(&p)
		})
		read(t, s, func(tx core.Tx) (core.Project, error) { return tx.ProjectByName(f.ws, "Blog") })
	}},
	{"Tx/ViewSeesOnlyCommitted", func(t *testing.T, s core.Store) {
		f := setup(t, s)
		written, release := make(chan struct{}), make(chan struct{})
		done := make(chan error, 1)
		go func() {
			done <- s.Update(context.Background(), func(tx core.Tx) error {
				p := core.Project{WorkspaceID: f.ws, Name: "Pending", Status: core.StatusOpen, CreatedAt: t0, UpdatedAt: t0}
				if err := tx.CreateProject(&p); err != nil {
					return err
				}
				close(written)
				select {
				case <-release:
					return nil
				case <-time.After(30 * time.Second):
					return errors.New("never released")
				}
			})
		}()
		select {
		case <-written:
		case err := <-done:
			t.Fatalf("Update ended early: %v", err)
		case <-time.After(30 * time.Second):
			t.Fatal("Update never ran")
		}
		err := readErr(t, s, func(tx core.Tx) error { _, err := tx.ProjectByName(f.ws, "Pending"); return err })
		close(release)
		wantCode(t, err, core.ENOTFOUND)
		if err := <-done; err != nil {
			t.Fatalf("Update: %v", err)
		}
		read(t, s, func(tx core.Tx) (core.Project, error) { return tx.ProjectByName(f.ws, "Pending") })
	}},
	{"Tx/ViewIsReadOnly", func(t *testing.T, s core.Store) {
		f := setup(t, s)
		err := readErr(t, s, func(tx core.Tx) error {
			p := core.Project{WorkspaceID: f.ws, Name: "Sneaky", Status: core.StatusOpen, CreatedAt: t0, UpdatedAt: t0}
			return tx.CreateProject(&p)
		})
		if err == nil {
			t.Error("a write in View succeeded")
		}
		wantCode(t, readErr(t, s, func(tx core.Tx) error { _, err := tx.ProjectByName(f.ws, "Sneaky"); return err }), core.ENOTFOUND)
	}},
	{"Tx/CanceledContext", func(t *testing.T, s core.Store) {
		setup(t, s)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		ran := false
		if err := s.Update(ctx, func(core.Tx) error { ran = true; return nil }); !errors.Is(err, context.Canceled) {
			t.Errorf("Update with a canceled context: %v, want context.Canceled", err)
		}
		if ran {
			t.Error("Update ran fn with a canceled context")
		}
		if err := s.View(ctx, func(core.Tx) error { return nil }); !errors.Is(err, context.Canceled) {
			t.Errorf("View with a canceled context: %v, want context.Canceled", err)
		}
	}},
	{"Tx/ConcurrentUpdatesAllCommit", func(t *testing.T, s core.Store) {
		f := setup(t, s)
		p := addProject(t, s, f.ws, "Busy")
		const goroutines, each = 50, 20
		before := len(allEvents(t, s))
		seqs := make([][]int64, goroutines)
		errs := make(chan error, goroutines*each)
		var wg sync.WaitGroup
		for g := range goroutines {
			wg.Go(func() {
				for i := range each {
					id := fmt.Sprintf("evt_%d_%d", g, i)
					err := s.Update(t.Context(), func(tx core.Tx) error {
						seq, err := writeAll(tx, f.ws, f.user.ID, p.ID, id, at(time.Duration(g*each+i)*time.Minute))
						if err == nil {
							seqs[g] = append(seqs[g], seq)
						}
						return err
					})
					if err != nil {
						errs <- fmt.Errorf("%s: %w", id, err)
						seqs[g] = seqs[g][:i]
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		if n := read(t, s, func(tx core.Tx) (int, error) { return tx.CountEntries(f.ws, p.ID, 0) }); n != goroutines*each {
			t.Errorf("%d entries, want %d", n, goroutines*each)
		}
		evs := allEvents(t, s)[before:]
		if len(evs) != goroutines*each {
			t.Fatalf("%d events, want %d", len(evs), goroutines*each)
		}
		bySeq := make(map[int64]string)
		for i, e := range evs {
			if i > 0 && e.Seq != evs[i-1].Seq+1 {
				t.Fatalf("seqs not consecutive: %d after %d", e.Seq, evs[i-1].Seq)
			}
			bySeq[e.Seq] = e.ID
		}
		for g := range goroutines {
			if len(seqs[g]) != each {
				t.Fatalf("goroutine %d saw %d seqs, want %d", g, len(seqs[g]), each)
			}
			if !slices.IsSorted(seqs[g]) {
				t.Errorf("goroutine %d: seqs of its sequential Updates not increasing: %v", g, seqs[g])
			}
			for i, seq := range seqs[g] {
				if want := fmt.Sprintf("evt_%d_%d", g, i); bySeq[seq] != want {
					t.Errorf("seq %d is event %q, want %q", seq, bySeq[seq], want)
				}
			}
		}
	}},
	{"Tx/ConcurrentFailureRollsBackOnlyItself", func(t *testing.T, s core.Store) {
		f := setup(t, s)
		p := addProject(t, s, f.ws, "Busy")
		addProject(t, s, f.ws, "Taken")
		const goroutines, each = 20, 15
		before := len(allEvents(t, s))
		type result struct {
			id   string
			fail string // "" for success, else "fn" or "conflict"
			err  error
		}
		results := make(chan result, goroutines*each)
		var wg sync.WaitGroup
		for g := range goroutines {
			wg.Go(func() {
				for i := range each {
					r := result{id: fmt.Sprintf("evt_%d_%d", g, i)}
					switch (g*each + i) % 5 {
					case 1:
						r.fail = "fn"
					case 3:
						r.fail = "conflict"
					}
					r.err = s.Update(t.Context(), func(tx core.Tx) error {
						if _, err := writeAll(tx, f.ws, f.user.ID, p.ID, r.id, at(time.Duration(g*each+i)*time.Minute)); err != nil {
							return err
						}
						switch r.fail {
						case "fn":
							return errDeliberate
						case "conflict":
							dup := core.Project{WorkspaceID: f.ws, Name: "taken", Status: core.StatusOpen, CreatedAt: t0, UpdatedAt: t0}
							return tx.CreateProject(&dup)
						}
						return nil
					})
					results <- r
				}
			})
		}
		wg.Wait()
		close(results)
		kept := make(map[string]bool)
		for r := range results {
			switch r.fail {
			case "":
				if r.err != nil {
					t.Errorf("%s: %v", r.id, r.err)
				}
				kept[r.id] = true
			case "fn":
				if !errors.Is(r.err, errDeliberate) {
					t.Errorf("%s: got %v, want fn's error", r.id, r.err)
				}
			case "conflict":
				if core.ErrorCode(r.err) != core.ECONFLICT {
					t.Errorf("%s: got %v, want conflict", r.id, r.err)
				}
			}
		}
		evs := allEvents(t, s)[before:]
		if len(evs) != len(kept) {
			t.Errorf("%d events, want %d", len(evs), len(kept))
		}
		for i, e := range evs {
			if !kept[e.ID] {
				t.Errorf("event %s of a failed Update was kept", e.ID)
			}
			if i > 0 && e.Seq <= evs[i-1].Seq {
				t.Errorf("seq %d after %d", e.Seq, evs[i-1].Seq)
			}
		}
		entries := 0
		after := core.ID(0)
		for {
			page := read(t, s, func(tx core.Tx) ([]core.TimeEntry, error) {
				return tx.ListEntries(f.ws, core.EntryFilter{ProjectID: p.ID}, core.Page{After: after, Limit: core.MaxPageLimit})
			})
			if len(page) == 0 {
				break
			}
			for _, e := range page {
				if !kept[e.Note] {
					t.Errorf("entry %q of a failed Update was kept", e.Note)
				}
			}
			entries += len(page)
			after = page[len(page)-1].ID
		}
		if entries != len(kept) {
			t.Errorf("%d entries, want %d", entries, len(kept))
		}
	}},
}
