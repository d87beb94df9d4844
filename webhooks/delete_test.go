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
// PruneSubscriptionHistory deleted, in order.
type pruneLog struct {
	core.Store
	deleted []int
}

func (p *pruneLog) Update(ctx context.Context, fn func(core.Tx) error) error {
	return p.Store.Update(ctx, func(tx core.Tx) error { return fn(pruneTx{tx, p}) })
}

type pruneTx struct {
	core.Tx
	p *pruneLog
}

func (t pruneTx) PruneSubscriptionHistory(ws, id core.ID, limit int) (int, error) {
	n, err := t.Tx.PruneSubscriptionHistory(ws, id, limit)
	t.p.deleted = append(t.p.deleted, n)
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
	// deliveries, 3 at most a transaction, then nothing left.
	if want := []int{3, 3, 1, 3, 3, 1, 0}; !slices.Equal(log.deleted, want) {
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
