package delivery_test

import (
	"context"
	"errors"
	"slices"
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
