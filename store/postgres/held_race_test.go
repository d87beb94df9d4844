package postgres

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/store/postgres/pgtest"
	"github.com/jackc/pgx/v5"
)

// A subscription enabled while a dispatch transaction is queueing its
// deliveries (held, for it was disabled when they were inserted) must not
// leave them held once both committed: the dispatch's rows are invisible to
// the enabling transaction's un-hold until they commit. Found by
// loadgen -mode drain: hundreds of deliveries stayed pending and held for
// an enabled, active subscription, and were never sent.
func TestEnableDuringDispatchLeavesNothingHeld(t *testing.T) {
	enableDuringQueueing(t, func(tx core.Tx, d *core.Delivery) error {
		_, err := tx.CreateDelivery(d)
		return err
	})
}

// The same for a replay: RequeueDelivery takes its held flag from the
// subscription as CreateDelivery does.
func TestEnableDuringReplayLeavesNothingHeld(t *testing.T) {
	enableDuringQueueing(t, func(tx core.Tx, d *core.Delivery) error { return tx.RequeueDelivery(d) })
}

// enableDuringQueueing enables a disabled subscription while another
// transaction queues a delivery of it with queue, and checks that the
// delivery can be claimed once both committed.
func enableDuringQueueing(t *testing.T, queue func(core.Tx, *core.Delivery) error) {
	t.Helper()
	url := pgtest.Schema(t)
	s := openTest(t, url, Options{})
	ws, user := fixture(t, s)
	sub := subscription(t, s, ws, user, false, core.SubDisabled)

	inserted, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	var wg sync.WaitGroup
	wg.Go(func() { // the dispatcher
		err := s.Update(context.Background(), func(tx core.Tx) error {
			d := core.Delivery{WorkspaceID: ws, SubscriptionID: sub.ID, EventSeq: 1, EventID: "evt_1",
				EventType: core.EventTimeEntryCreated, State: core.DeliveryPending, NextAttemptAt: t0, CreatedAt: t0, UpdatedAt: t0}
			if err := queue(tx, &d); err != nil {
				return err
			}
			once.Do(func() { close(inserted) })
			<-release
			return nil
		})
		if err != nil {
			t.Error(err)
		}
	})
	<-inserted
	enabled := make(chan error, 1)
	go func() {
		enabled <- s.Update(context.Background(), func(tx core.Tx) error {
			en := sub
			en.Enabled, en.Status, en.UpdatedAt = true, core.SubActive, t0.Add(time.Second)
			return tx.UpdateSubscription(&en)
		})
	}()
	// Let the enabling transaction run as far as it can: until it commits,
	// or waits for a row lock on the subscriptions of this schema.
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var enableErr error
	done := false
	for deadline := time.Now().Add(20 * time.Second); !done; {
		select {
		case enableErr = <-enabled:
			done = true
			continue
		default:
		}
		var waiting int
		if err := conn.QueryRow(t.Context(), `SELECT count(*) FROM pg_locks w JOIN pg_locks l ON l.pid = w.pid
			WHERE NOT w.granted AND l.locktype = 'tuple' AND l.relation = 'subscriptions'::regclass`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the enabling transaction neither committed nor waited")
		}
		time.Sleep(time.Millisecond) // polling the server, not waiting for time to pass
	}
	close(release)
	wg.Wait()
	if !done {
		enableErr = <-enabled
	}
	if enableErr != nil {
		t.Fatal(enableErr)
	}
	update(t, s, func(tx core.Tx) error {
		ds, err := tx.ClaimDeliveries(t0.Add(time.Minute), t0.Add(time.Hour), 10)
		if err != nil {
			return err
		}
		if len(ds) != 1 {
			t.Errorf("claimed %d deliveries of an enabled subscription, want 1 (left held)", len(ds))
		}
		return nil
	})
}
