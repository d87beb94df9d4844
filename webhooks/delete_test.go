package webhooks_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/delivery/deliverytest"
	"github.com/chatops/gateway/webhooks"
)

// pruneLog wraps a store and notes how many rows each
// PruneSubscriptionAttempts and PruneSubscriptionDeliveries deleted, in
// order, and can run something before each.
type pruneLog struct {
	core.Store
	deleted []string
	before  func(tx core.Tx) error // in the transaction, before each prune
}

func (p *pruneLog) Update(ctx context.Context, fn func(core.Tx) error) error {
	return p.Store.Update(ctx, func(tx core.Tx) error { return fn(pruneTx{tx, p}) })
}

type pruneTx struct {
	core.Tx
	p *pruneLog
}

// feed runs the log's before, if any.
func (t pruneTx) feed() error {
	if t.p.before == nil {
		return nil
	}
	return t.p.before(t.Tx)
}

func (t pruneTx) PruneSubscriptionAttempts(ws, id core.ID, limit int) (int, error) {
	if err := t.feed(); err != nil {
		return 0, err
	}
	n, err := t.Tx.PruneSubscriptionAttempts(ws, id, limit)
	t.p.deleted = append(t.p.deleted, fmt.Sprint("attempts ", n))
	return n, err
}

func (t pruneTx) PruneSubscriptionDeliveries(ws, id core.ID, limit int) (int, error) {
	if err := t.feed(); err != nil {
		return 0, err
	}
	n, err := t.Tx.PruneSubscriptionDeliveries(ws, id, limit)
	t.p.deleted = append(t.p.deleted, fmt.Sprint("deliveries ", n))
	return n, err
}

// Delete removes a webhook's finished history a batch per transaction (its
// attempts, then its deliveries), and the rest (a pending delivery and its
// attempt) with the webhook; another webhook's history stays.
func TestDeleteRemovesHistoryInBatches(t *testing.T) {
	defer webhooks.SetHistoryBatchForTest(3)()
	e := deliverytest.New(t)
	log := &pruneLog{Store: e.Store}
	svc := core.NewService(log, core.Options{Now: e.Clock.Now})
	hooks := webhooks.New(svc, webhooks.Options{Now: e.Clock.Now, AllowPrivateTargets: true, PublicURL: "http://gw.test"})
	rc := deliverytest.NewReceiver(t)
	busy := e.Create(e.Admin, webhooks.Input{Name: "busy", URL: rc.URL() + "/busy", Events: deliverytest.Events("project.*"), Validated: true})
	other := e.Create(e.Admin, webhooks.Input{Name: "other", URL: rc.URL() + "/other", Events: deliverytest.Events("project.*"), Validated: true})
	for i := range 7 {
		e.Do(e.Admin, core.AddProject{Project: fmt.Sprint("Project ", i)})
	}
	e.Pump()
	rc.SetReply(func(w http.ResponseWriter, _ deliverytest.Received) { w.WriteHeader(http.StatusServiceUnavailable) })
	e.Do(e.Admin, core.AddProject{Project: "Pending"})
	e.Pump() // one failed attempt each; the delivery stays pending

	attempts := func(sub core.ID) (n int) {
		t.Helper()
		err := e.Store.View(e.Ctx, func(tx core.Tx) error {
			as, err := tx.ListAttempts(e.Admin.User.WorkspaceID, sub, core.Page{Limit: core.MaxPageLimit})
			n = len(as)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if a, b := attempts(busy.ID), attempts(other.ID); a != 8 || b != 8 {
		t.Fatalf("attempts before: %d and %d, want 8 each", a, b)
	}

	if err := hooks.Delete(e.Ctx, e.Admin, busy.ID); err != nil {
		t.Fatal(err)
	}
	// 7 finished attempts (not the pending delivery's), then 7 finished
	// deliveries, 3 at most a transaction, each kind until a batch is not
	// full.
	if want := []string{"attempts 3", "attempts 3", "attempts 1", "deliveries 3", "deliveries 3", "deliveries 1"}; !slices.Equal(log.deleted, want) {
		t.Errorf("rows deleted per transaction %v, want %v", log.deleted, want)
	}
	if _, err := hooks.Get(e.Ctx, e.Admin, busy.ID); core.ErrorCode(err) != core.ENOTFOUND {
		t.Errorf("Get after Delete: %v, want not_found", err)
	}
	if n := attempts(busy.ID); n != 0 {
		t.Errorf("%d attempts of the deleted webhook left", n)
	}
	if n := attempts(other.ID); n != 8 {
		t.Errorf("the other webhook kept %d attempts, want 8", n)
	}
	var pending int
	if err := e.Store.View(e.Ctx, func(tx core.Tx) (err error) {
		pending, err = tx.CountPendingDeliveries()
		return err
	}); err != nil || pending != 1 {
		t.Errorf("%d pending deliveries (%v), want the other webhook's 1", pending, err)
	}
}

// A webhook that keeps receiving events while it is being deleted adds
// history between the batches: Delete still ends, after a bounded number
// of batches, and what came meanwhile goes with the webhook.
func TestDeleteEndsWhileHistoryGrows(t *testing.T) {
	defer webhooks.SetHistoryBatchForTest(3)()
	e := deliverytest.New(t)
	log := &pruneLog{Store: e.Store}
	svc := core.NewService(log, core.Options{Now: e.Clock.Now})
	hooks := webhooks.New(svc, webhooks.Options{Now: e.Clock.Now, AllowPrivateTargets: true, PublicURL: "http://gw.test"})
	busy := e.Create(e.Admin, webhooks.Input{Name: "busy", URL: "https://receiver.example/busy", Events: deliverytest.Events("project.*"), Validated: true})
	seq := int64(1000)
	log.before = func(tx core.Tx) error {
		if len(log.deleted) > 100 {
			return nil // the old loop would never end: stop feeding it
		}
		for range 2 { // two deliveries and attempts a batch: less than it deletes
			seq++
			now := e.Clock.Now()
			d := core.Delivery{WorkspaceID: busy.WorkspaceID, SubscriptionID: busy.ID, EventSeq: seq, EventID: fmt.Sprint("evt_", seq),
				EventType: core.EventProjectCreated, State: core.DeliveryDelivered, Attempts: 1, NextAttemptAt: now, CreatedAt: now, UpdatedAt: now, DeliveredAt: &now}
			if _, err := tx.CreateDelivery(&d); err != nil {
				return err
			}
			if err := tx.AddAttempt(&core.Attempt{WorkspaceID: d.WorkspaceID, SubscriptionID: d.SubscriptionID, DeliveryID: d.ID,
				EventID: d.EventID, EventType: d.EventType, Attempt: 1, At: now, StatusCode: 200}); err != nil {
				return err
			}
		}
		return nil
	}
	if err := hooks.Delete(e.Ctx, e.Admin, busy.ID); err != nil {
		t.Fatal(err)
	}
	if len(log.deleted) > 10 {
		t.Errorf("%d batches while the history grew by 2 a batch: %v", len(log.deleted), log.deleted)
	}
	if _, err := hooks.Get(e.Ctx, e.Admin, busy.ID); core.ErrorCode(err) != core.ENOTFOUND {
		t.Errorf("Get after Delete: %v, want not_found", err)
	}
}
