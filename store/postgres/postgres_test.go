package postgres

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/parser"
	"github.com/chatops/gateway/store/internal/sqltx"
	"github.com/chatops/gateway/store/postgres/pgtest"
	"github.com/chatops/gateway/store/storetest"
)

// The tests run when GATEWAY_TEST_DATABASE_URL names a PostgreSQL database;
// each uses a schema of its own (pgtest.Schema), dropped at its end.

func openTest(t *testing.T, url string, opts Options) *Store {
	t.Helper()
	if opts.MaxConns == 0 {
		opts.MaxConns = 8
	}
	s, err := Open(t.Context(), url, opts)
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
	pgtest.URL(t)
	storetest.Run(t, func(t *testing.T) core.Store {
		return openTest(t, pgtest.Schema(t), Options{})
	})
}

var t0 = time.Date(2025, 3, 14, 9, 26, 53, 589793000, time.UTC)

// update runs fn in an Update and fails the test on an error.
func update(t *testing.T, s core.Store, fn func(core.Tx) error) {
	t.Helper()
	if err := s.Update(t.Context(), fn); err != nil {
		t.Fatalf("update: %v", err)
	}
}

// subscription makes a subscription of user's in ws, enabled or not, with
// status.
func subscription(t *testing.T, s core.Store, ws, user core.ID, enabled bool, status string) core.Subscription {
	t.Helper()
	sub := core.Subscription{WorkspaceID: ws, OwnerID: user, Name: "hook", URL: "https://example.com", Format: core.FormatStandard,
		Scope: core.ScopeWorkspace, Enabled: enabled, Status: status, Secret: "s", CreatedAt: t0, UpdatedAt: t0}
	update(t, s, func(tx core.Tx) error { return tx.CreateSubscription(&sub) })
	return sub
}

// fixture makes a workspace with one user.
func fixture(t *testing.T, s core.Store) (ws core.ID, user core.ID) {
	t.Helper()
	update(t, s, func(tx core.Tx) error {
		w, err := tx.EnsureWorkspace("Acme", t0)
		if err != nil {
			return err
		}
		u := core.User{WorkspaceID: w.ID, Name: "Alice", Role: core.RoleAdmin, CreatedAt: t0, UpdatedAt: t0}
		if err := tx.CreateUser(&u); err != nil {
			return err
		}
		ws, user = w.ID, u.ID
		return nil
	})
	return ws, user
}

func TestReopenAndClose(t *testing.T) {
	url := pgtest.Schema(t)
	s := openTest(t, url, Options{})
	ws, _ := fixture(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Update(t.Context(), func(core.Tx) error { return nil }); !errors.Is(err, ErrClosed) {
		t.Errorf("Update after Close: %v, want ErrClosed", err)
	}
	if err := s.View(t.Context(), func(core.Tx) error { return nil }); !errors.Is(err, ErrClosed) {
		t.Errorf("View after Close: %v, want ErrClosed", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	again := openTest(t, url, Options{})
	err := again.View(t.Context(), func(tx core.Tx) error {
		w, err := tx.EnsureWorkspace("Other", t0)
		if err == nil && w.ID != ws {
			err = fmt.Errorf("workspace %d after reopening, want %d", w.ID, ws)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Gateways starting at once on an empty schema apply each migration once and
// make one workspace.
func TestConcurrentOpen(t *testing.T) {
	url := pgtest.Schema(t)
	const n = 6
	stores := make([]*Store, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { stores[i], errs[i] = Open(t.Context(), url, Options{MaxConns: 2}) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Open %d: %v", i, err)
		}
		t.Cleanup(func() { stores[i].Close() })
	}
	ms, _ := sqltx.Migrations(migrationFiles)
	var applied int
	update(t, stores[0], func(txx core.Tx) error {
		return txx.(*tx).tx.QueryRow(t.Context(), "SELECT count(*) FROM schema_migrations").Scan(&applied)
	})
	if applied != len(ms) {
		t.Errorf("schema_migrations has %d rows, want %d", applied, len(ms))
	}
	ids := make([]core.ID, n)
	for i := range n {
		wg.Go(func() {
			errs[i] = stores[i].Update(t.Context(), func(tx core.Tx) error {
				w, err := tx.EnsureWorkspace(fmt.Sprint("ws", i), t0)
				ids[i] = w.ID
				return err
			})
		})
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil || ids[i] != ids[0] {
			t.Errorf("EnsureWorkspace %d = %d, %v; want %d", i, ids[i], errs[i], ids[0])
		}
	}
}

// Two stores (two pools, as two processes have) claiming from one queue
// never hold the same delivery at once.
func TestTwoStoresClaimDisjoint(t *testing.T) {
	url := pgtest.Schema(t)
	a, b := openTest(t, url, Options{}), openTest(t, url, Options{})
	ws, user := fixture(t, a)
	const total = 2000
	update(t, a, func(tx core.Tx) error {
		sub := core.Subscription{WorkspaceID: ws, OwnerID: user, Name: "hook", URL: "https://example.com", Format: core.FormatStandard,
			Scope: core.ScopeWorkspace, Enabled: true, Status: core.SubActive, Secret: "s", CreatedAt: t0, UpdatedAt: t0}
		if err := tx.CreateSubscription(&sub); err != nil {
			return err
		}
		for seq := range int64(total) {
			d := core.Delivery{WorkspaceID: ws, SubscriptionID: sub.ID, EventSeq: seq + 1, EventID: fmt.Sprint("evt_", seq),
				EventType: core.EventTimeEntryCreated, State: core.DeliveryPending, NextAttemptAt: t0, CreatedAt: t0, UpdatedAt: t0}
			if _, err := tx.CreateDelivery(&d); err != nil {
				return err
			}
		}
		return nil
	})
	var (
		mu      sync.Mutex
		claimed = map[core.ID]string{}
		dup     atomic.Int64
		wg      sync.WaitGroup
	)
	for w := range 16 {
		s := a
		if w%2 == 1 {
			s = b
		}
		wg.Go(func() {
			for {
				var ds []core.Delivery
				err := s.Update(t.Context(), func(tx core.Tx) error {
					var err error
					ds, err = tx.ClaimDeliveries(t0.Add(time.Minute), t0.Add(time.Hour), 7)
					return err
				})
				if err != nil {
					t.Error(err)
					return
				}
				if len(ds) == 0 {
					return
				}
				mu.Lock()
				for _, d := range ds {
					if by, ok := claimed[d.ID]; ok {
						t.Errorf("delivery %d claimed by worker %d after %s", d.ID, w, by)
						dup.Add(1)
					}
					claimed[d.ID] = fmt.Sprint("worker ", w)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(claimed) != total || dup.Load() != 0 {
		t.Fatalf("claimed %d distinct of %d, %d twice", len(claimed), total, dup.Load())
	}
	// Once the leases run out, anyone claims them again.
	var again []core.Delivery
	update(t, b, func(tx core.Tx) error {
		var err error
		again, err = tx.ClaimDeliveries(t0.Add(time.Hour), t0.Add(2*time.Hour), 10)
		return err
	})
	if len(again) != 10 {
		t.Errorf("claimed %d expired leases, want 10", len(again))
	}
}

// A dispatcher that reads the outbox in Updates and moves a cursor never
// skips an event, while writers commit in another order than they took
// their Seqs; two dispatchers on two pools take turns on the cursor.
func TestOutboxReadersNeverSkip(t *testing.T) {
	url := pgtest.Schema(t)
	a, b := openTest(t, url, Options{MaxConns: 12}), openTest(t, url, Options{MaxConns: 12})
	ws, user := fixture(t, a)
	const writers, each = 12, 40
	var (
		mu   sync.Mutex
		seen = map[string]int{}
		done atomic.Bool
		wg   sync.WaitGroup
	)
	dispatch := func(s *Store) {
		for {
			stop := done.Load()
			var evs []core.Event
			err := s.Update(t.Context(), func(tx core.Tx) error {
				cursor, err := tx.DispatchCursor()
				if err != nil {
					return err
				}
				evs, err = tx.Events(cursor, 50)
				if err != nil || len(evs) == 0 {
					return err
				}
				return tx.SetDispatchCursor(evs[len(evs)-1].Seq)
			})
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			for _, e := range evs {
				seen[e.ID]++
			}
			mu.Unlock()
			if stop && len(evs) == 0 {
				return
			}
		}
	}
	var readers sync.WaitGroup
	readers.Go(func() { dispatch(a) })
	readers.Go(func() { dispatch(b) })
	for w := range writers {
		s := a
		if w%2 == 1 {
			s = b
		}
		wg.Go(func() {
			for i := range each {
				err := s.Update(t.Context(), func(tx core.Tx) error {
					e := core.Event{ID: fmt.Sprintf("evt_%d_%d", w, i), Type: core.EventTagCreated, Timestamp: t0,
						WorkspaceID: ws, Actor: core.EventActor{ID: user}}
					if err := tx.AppendEvent(&e); err != nil {
						return err
					}
					// Hold the Seq a while: later Seqs commit first.
					time.Sleep(time.Duration(rand.IntN(3000)) * time.Microsecond)
					return nil
				})
				if err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	done.Store(true)
	readers.Wait()
	if len(seen) != writers*each {
		t.Errorf("dispatchers saw %d events, want %d", len(seen), writers*each)
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("event %s seen %d times", id, n)
		}
	}
}

// A key remembered by many transactions on two pools at once is new to
// exactly one of them.
func TestRememberOnceAcrossStores(t *testing.T) {
	url := pgtest.Schema(t)
	a, b := openTest(t, url, Options{}), openTest(t, url, Options{})
	ws, _ := fixture(t, a)
	for round := range 20 {
		key := fmt.Sprint("slack:trigger-", round)
		var fresh atomic.Int64
		var wg sync.WaitGroup
		for i := range 8 {
			s := a
			if i%2 == 1 {
				s = b
			}
			wg.Go(func() {
				err := s.Update(t.Context(), func(tx core.Tx) error {
					ok, err := tx.Remember(ws, key, t0)
					if ok {
						fresh.Add(1)
					}
					return err
				})
				if err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if fresh.Load() != 1 {
			t.Fatalf("key %s was new to %d transactions", key, fresh.Load())
		}
	}
}

// Find-or-create of one name by many transactions at once: the ones that
// lose the race on the unique index run again and find the winner's row, as
// they would have with one writer at a time.
func TestConflictFromConcurrentCommitRunsAgain(t *testing.T) {
	url := pgtest.Schema(t)
	a, b := openTest(t, url, Options{}), openTest(t, url, Options{})
	ws, user := fixture(t, a)
	for round := range 10 {
		name := fmt.Sprint("Project ", round)
		ids := make([]core.ID, 8)
		var wg sync.WaitGroup
		for i := range ids {
			s := a
			if i%2 == 1 {
				s = b
			}
			wg.Go(func() {
				err := s.Update(t.Context(), func(tx core.Tx) error {
					p, err := tx.ProjectByName(ws, name)
					if core.ErrorCode(err) == core.ENOTFOUND {
						p = core.Project{WorkspaceID: ws, Name: name, Status: core.StatusOpen, CreatedBy: user, CreatedAt: t0, UpdatedAt: t0}
						err = tx.CreateProject(&p)
					}
					ids[i] = p.ID
					return err
				})
				if err != nil {
					t.Errorf("round %d, transaction %d: %v", round, i, err)
				}
			})
		}
		wg.Wait()
		for i, id := range ids {
			if id != ids[0] || id == 0 {
				t.Fatalf("round %d: transaction %d got project %d, transaction 0 got %d", round, i, id, ids[0])
			}
		}
	}
}

// Two processes stopping the same timer at once: one stops it, the other
// finds no timer running, as with one writer at a time.
func TestRunningEntryIsLockedInUpdates(t *testing.T) {
	url := pgtest.Schema(t)
	a, b := openTest(t, url, Options{}), openTest(t, url, Options{})
	ws, user := fixture(t, a)
	for round := range 10 {
		update(t, a, func(tx core.Tx) error {
			e := core.TimeEntry{WorkspaceID: ws, UserID: user, Start: t0.Add(time.Duration(round) * time.Hour), CreatedAt: t0, UpdatedAt: t0}
			return tx.CreateEntry(&e)
		})
		var stopped, none atomic.Int64
		var wg sync.WaitGroup
		for i := range 6 {
			s := a
			if i%2 == 1 {
				s = b
			}
			wg.Go(func() {
				err := s.Update(t.Context(), func(tx core.Tx) error {
					e, err := tx.RunningEntry(ws, user)
					if core.ErrorCode(err) == core.ENOTFOUND {
						none.Add(1)
						return nil
					}
					if err != nil {
						return err
					}
					end := e.Start.Add(time.Minute)
					e.End = &end
					if err := tx.UpdateEntry(&e); err != nil {
						return err
					}
					stopped.Add(1)
					return nil
				})
				if err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if stopped.Load() != 1 || none.Load() != 5 {
			t.Fatalf("round %d: %d stopped the timer, %d found none; want 1 and 5", round, stopped.Load(), none.Load())
		}
	}
}

// A failed statement inside a savepoint leaves the transaction usable, and
// text PostgreSQL cannot store is an invalid error, not an internal one.
func TestNulInTextIsInvalid(t *testing.T) {
	url := pgtest.Schema(t)
	s := openTest(t, url, Options{})
	ws, _ := fixture(t, s)
	update(t, s, func(tx core.Tx) error {
		p := core.Project{WorkspaceID: ws, Name: "bad\x00name", Status: core.StatusOpen, CreatedAt: t0, UpdatedAt: t0}
		if err := tx.CreateProject(&p); core.ErrorCode(err) != core.EINVALID {
			return fmt.Errorf("project with a NUL: %v, want invalid", err)
		}
		p.Name = "good name"
		return tx.CreateProject(&p)
	})
}

// Connections the database dropped (a restart, a failover, a proxy that
// cut them) are replaced: the next transactions succeed without a new Open.
func TestPoolReplacesDroppedConnections(t *testing.T) {
	url := pgtest.Schema(t)
	s := openTest(t, url, Options{MaxConns: 4, MinConns: 4})
	ws, _ := fixture(t, s)
	var app string
	if err := s.View(t.Context(), func(txx core.Tx) error {
		return txx.(*tx).tx.QueryRow(t.Context(), "SELECT current_setting('application_name')").Scan(&app)
	}); err != nil {
		t.Fatal(err)
	}
	killer := openTest(t, pgtest.Schema(t), Options{MaxConns: 1}) // a schema of its own: the shared database may hold newer migrations
	var killed int
	err := killer.Update(t.Context(), func(txx core.Tx) error {
		return txx.(*tx).tx.QueryRow(t.Context(),
			"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1", app).Scan(&killed)
	})
	if err != nil || killed == 0 {
		t.Fatalf("terminated %d connections: %v", killed, err)
	}
	time.Sleep(100 * time.Millisecond)
	for i := range 8 {
		if err := s.Update(t.Context(), func(tx core.Tx) error { _, err := tx.Remember(ws, fmt.Sprint("after-", i), t0); return err }); err != nil {
			t.Fatalf("Update %d after the connections were dropped: %v", i, err)
		}
		if err := s.View(t.Context(), func(tx core.Tx) error { _, err := tx.Remembered(ws, "after-0"); return err }); err != nil {
			t.Fatalf("View %d after the connections were dropped: %v", i, err)
		}
	}
}

// The first commands of new Slack users, in a project and task nobody made
// yet, reach two processes at once: every one applies, and each identity
// gets one user, as with one writer at a time.
func TestFirstCommandsRaceAcrossStores(t *testing.T) {
	url := pgtest.Schema(t)
	a, b := openTest(t, url, Options{MaxConns: 12}), openTest(t, url, Options{MaxConns: 12})
	svcs := []*core.Service{core.NewService(a, core.Options{}), core.NewService(b, core.Options{})}
	cmd, err := parser.Parse("log 15m on Load test in Load project #load")
	if err != nil {
		t.Fatal(err)
	}
	const users, each = 6, 8
	var wg sync.WaitGroup
	for k := range users * each {
		wg.Go(func() {
			actor := core.Actor{Source: "slack", DedupeKey: fmt.Sprint("slack:first-", k), Identity: &core.ChatIdentity{
				Provider: core.ProviderSlack, Subject: fmt.Sprint("T1:U", k%users), Name: fmt.Sprint("user", k%users)}}
			if _, err := svcs[k%2].Execute(t.Context(), actor, cmd); err != nil {
				t.Errorf("command %d: %v", k, err)
			}
		})
	}
	wg.Wait()
	err = a.View(t.Context(), func(tx core.Tx) error {
		ws, err := tx.EnsureWorkspace("", t0)
		if err != nil {
			return err
		}
		us, err := tx.ListUsers(ws.ID, core.Page{})
		if err != nil {
			return err
		}
		if len(us) != users {
			return fmt.Errorf("%d users for %d identities", len(us), users)
		}
		n, err := tx.CountEntries(ws.ID, 0, 0)
		if err == nil && n != users*each {
			err = fmt.Errorf("%d entries for %d commands", n, users*each)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A receiver's response may hold NUL bytes or end inside a character (the
// log keeps its first 4 KiB): the attempt is recorded all the same.
func TestAttemptWithBinaryResponse(t *testing.T) {
	s := openTest(t, pgtest.Schema(t), Options{})
	ws, user := fixture(t, s)
	var a core.Attempt
	update(t, s, func(tx core.Tx) error {
		sub := core.Subscription{WorkspaceID: ws, OwnerID: user, Name: "hook", URL: "https://example.com", Format: core.FormatStandard,
			Scope: core.ScopeWorkspace, Enabled: true, Status: core.SubActive, Secret: "s", CreatedAt: t0, UpdatedAt: t0}
		if err := tx.CreateSubscription(&sub); err != nil {
			return err
		}
		a = core.Attempt{WorkspaceID: ws, SubscriptionID: sub.ID, DeliveryID: 1, EventID: "evt_1", Attempt: 1, At: t0,
			StatusCode: 200, Response: "ok\x00bin\xe2\x82", Error: "\xff"}
		if err := tx.AddAttempt(&a); err != nil {
			return err
		}
		sub.LastError = "answered \x00"
		return tx.UpdateSubscription(&sub)
	})
	err := s.View(t.Context(), func(tx core.Tx) error {
		as, err := tx.ListAttempts(ws, a.SubscriptionID, core.Page{})
		if err == nil && (len(as) != 1 || as[0].Response != "ok\uFFFDbin\uFFFD" || as[0].Error != "\uFFFD") {
			err = fmt.Errorf("attempts %+v", as)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
