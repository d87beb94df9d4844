package delivery_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/delivery"
	"github.com/chatops/gateway/delivery/deliverytest"
	"github.com/chatops/gateway/webhooks"
)

// recordStore counts the transactions that record attempts, remembers the
// deliveries recorded in the order first seen, and fails the records of
// the failNth of them (from 1; 0: none).
type recordStore struct {
	core.Store
	failNth   int
	seen      []core.ID
	recordTxs int
}

func (s *recordStore) Update(ctx context.Context, fn func(core.Tx) error) error {
	records := false
	return s.Store.Update(ctx, func(tx core.Tx) error {
		err := fn(recordTx{tx, s, &records})
		if records {
			s.recordTxs++
		}
		return err
	})
}

type recordTx struct {
	core.Tx
	s       *recordStore
	records *bool
}

func (t recordTx) AddAttempt(a *core.Attempt) error {
	*t.records = true
	i := slices.Index(t.s.seen, a.DeliveryID)
	if i < 0 {
		i = len(t.s.seen)
		t.s.seen = append(t.s.seen, a.DeliveryID)
	}
	if i == t.s.failNth-1 {
		return errors.New("the disk is full")
	}
	return t.Tx.AddAttempt(a)
}

// Attempts that finish together are recorded in one transaction; when one
// of them cannot be recorded, the others still are, each on its own, and
// only that one is left to be sent again after its lease.
func TestAttemptsFinishingTogetherAreRecordedTogether(t *testing.T) {
	e := deliverytest.New(t)
	rs := &recordStore{Store: e.Store}
	eng := delivery.New(rs, e.Hooks, delivery.Options{Now: e.Clock.Now, RetrySchedule: []time.Duration{0, time.Minute}})
	e.Create(e.Admin, webhooks.Input{URL: "https://receiver.example/hook", Events: deliverytest.Events("project.created"), Validated: true})
	round := func(projects ...string) []error {
		t.Helper()
		rs.seen, rs.recordTxs = nil, 0
		for _, p := range projects {
			e.Do(e.Admin, core.AddProject{Project: p})
		}
		if _, err := eng.DispatchOnce(e.Ctx); err != nil {
			t.Fatal(err)
		}
		errs, err := eng.RecordTogetherForTest(e.Ctx, delivery.Outcome{Status: 200})
		if err != nil || len(errs) != len(projects) || len(rs.seen) != len(projects) {
			t.Fatalf("records: %v, %v; deliveries recorded %v", errs, err, rs.seen)
		}
		return errs
	}
	states := func() (s []string) {
		t.Helper()
		err := e.Store.View(e.Ctx, func(tx core.Tx) error {
			for _, id := range rs.seen {
				d, err := tx.Delivery(id)
				if err != nil {
					return err
				}
				s = append(s, d.State)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	delivered, pending := core.DeliveryDelivered, core.DeliveryPending

	if errs := round("One", "Two", "Three"); errors.Join(errs...) != nil {
		t.Fatalf("records: %v", errs)
	}
	if rs.recordTxs != 1 {
		t.Errorf("3 attempts finishing together were recorded in %d transactions, want 1", rs.recordTxs)
	}
	if s := states(); !slices.Equal(s, []string{delivered, delivered, delivered}) {
		t.Errorf("deliveries %v", s)
	}

	rs.failNth = 2
	errs := round("Four", "Five", "Six")
	if errs[0] != nil || errs[1] == nil || errs[2] != nil {
		t.Fatalf("records: %v, want only the second to fail", errs)
	}
	if s := states(); !slices.Equal(s, []string{delivered, pending, delivered}) {
		t.Errorf("deliveries %v: the one whose record failed stays pending, the others are delivered", s)
	}
	if rs.recordTxs != 4 {
		t.Errorf("record transactions %d, want 4: the batch, then each alone", rs.recordTxs)
	}
}

// lockLog notes, in each transaction, when a subscription is locked
// (Subscription), a delivery finished and a delivery made, as "lock N",
// "finish N" and "create N" with the subscription's id.
type lockLog struct {
	core.Store
	mu  sync.Mutex
	txs [][]string
}

func (s *lockLog) Update(ctx context.Context, fn func(core.Tx) error) error {
	lt := &lockTx{}
	err := s.Store.Update(ctx, func(tx core.Tx) error {
		lt.Tx, lt.calls = tx, nil
		return fn(lt)
	})
	s.mu.Lock()
	s.txs = append(s.txs, lt.calls)
	s.mu.Unlock()
	return err
}

type lockTx struct {
	core.Tx
	calls []string
}

func (t *lockTx) Subscription(ws, id core.ID) (core.Subscription, error) {
	t.calls = append(t.calls, fmt.Sprint("lock ", id))
	return t.Tx.Subscription(ws, id)
}

func (t *lockTx) FinishDelivery(d *core.Delivery) (bool, error) {
	t.calls = append(t.calls, fmt.Sprint("finish ", d.SubscriptionID))
	return t.Tx.FinishDelivery(d)
}

func (t *lockTx) CreateDelivery(d *core.Delivery) (bool, error) {
	t.calls = append(t.calls, fmt.Sprint("create ", d.SubscriptionID))
	return t.Tx.CreateDelivery(d)
}

// A batch locks a subscription before it writes any of its deliveries, as
// an enable does (the row, then its pending deliveries): when its records
// change the subscription (a failure after a success: it turns pending),
// and when there are several even if none changes it. On PostgreSQL the
// other order deadlocks with an enable running at the same time. A single
// record that leaves the row as it is writes unlocked.
func TestRecordsLockTheSubscriptionBeforeItsDeliveries(t *testing.T) {
	ok, failed := delivery.Outcome{Status: 200}, delivery.Outcome{Status: 500, Class: "http_status", Err: "answered 500"}
	for _, tc := range []struct {
		name     string
		outcomes []delivery.Outcome
		lock     bool
		status   string
	}{
		{"a failure after a success", []delivery.Outcome{ok, failed}, true, core.SubPending},
		{"two successes", []delivery.Outcome{ok, ok}, true, core.SubActive},
		{"one success", []delivery.Outcome{ok}, false, core.SubActive},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := deliverytest.New(t)
			ll := &lockLog{Store: e.Store}
			eng := delivery.New(ll, e.Hooks, delivery.Options{Now: e.Clock.Now, RetrySchedule: []time.Duration{0, time.Minute}})
			sub := e.Create(e.Admin, webhooks.Input{URL: "https://receiver.example/hook", Events: deliverytest.Events("project.created"), Validated: true})
			for i := range tc.outcomes {
				e.Do(e.Admin, core.AddProject{Project: fmt.Sprint("Project ", i)})
			}
			if _, err := eng.DispatchOnce(e.Ctx); err != nil {
				t.Fatal(err)
			}
			ll.mu.Lock()
			ll.txs = nil
			ll.mu.Unlock()
			errs, err := eng.RecordTogetherForTest(e.Ctx, tc.outcomes...)
			if err != nil || len(errs) != len(tc.outcomes) || errors.Join(errs...) != nil {
				t.Fatalf("records: %v, %v", errs, err)
			}
			ll.mu.Lock()
			defer ll.mu.Unlock()
			var recorded []string
			for _, calls := range ll.txs {
				if slices.Contains(calls, fmt.Sprint("finish ", sub.ID)) {
					recorded = calls
				}
			}
			want := fmt.Sprint("finish ", sub.ID)
			if tc.lock {
				want = fmt.Sprint("lock ", sub.ID)
			}
			if len(recorded) == 0 || recorded[0] != want {
				t.Fatalf("the recording transaction did %q; want it to begin with %q", recorded, want)
			}
			got, err := e.Hooks.Get(e.Ctx, e.Admin, sub.ID)
			if err != nil || got.Status != tc.status {
				t.Errorf("subscription %q, %v: want %q", got.Status, err, tc.status)
			}
		})
	}
}

// A job whose lease ran out while it waited for a worker is not sent (it
// may have been claimed again meanwhile); the next claim sends it, once.
func TestAJobPastItsLeaseIsNotSent(t *testing.T) {
	e := deliverytest.New(t)
	eng := delivery.New(e.Store, e.Hooks, delivery.Options{Now: e.Clock.Now, AllowPrivateTargets: true, Lease: time.Minute})
	rc := deliverytest.NewReceiver(t)
	e.Create(e.Admin, webhooks.Input{URL: rc.URL(), Events: deliverytest.Events("project.created"), Validated: true})
	e.Do(e.Admin, core.AddProject{Project: "Late"})
	if _, err := eng.DispatchOnce(e.Ctx); err != nil {
		t.Fatal(err)
	}
	n, err := eng.ClaimAndDeliverLateForTest(e.Ctx, func() { e.Clock.Add(time.Minute) })
	if err != nil || n != 1 {
		t.Fatalf("claimed %d: %v", n, err)
	}
	if got := rc.Take(); len(got) != 0 {
		t.Fatalf("sent %v after its lease ran out", deliverytest.Types(got))
	}
	if n, err := eng.DeliverOnce(e.Ctx); err != nil || n != 1 {
		t.Fatalf("the next claim took %d: %v", n, err)
	}
	if got := rc.Take(); len(got) != 1 || got[0].Type() != "project.created" {
		t.Fatalf("then sent %v, want the project.created once", deliverytest.Types(got))
	}
}
