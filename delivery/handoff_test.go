package delivery_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/delivery"
	"github.com/chatops/gateway/delivery/deliverytest"
	"github.com/chatops/gateway/webhooks"
)

// txLog notes, for each transaction of the engine, whether it advanced the
// dispatch cursor and how many deliveries it claimed, and counts Views.
type txLog struct {
	core.Store
	mu     sync.Mutex
	claims []claimTx
	views  int
}

type claimTx struct {
	dispatch bool
	claimed  int
}

func (s *txLog) Update(ctx context.Context, fn func(core.Tx) error) error {
	return s.Store.Update(ctx, func(tx core.Tx) error {
		lt := &loggedTx{Tx: tx}
		err := fn(lt)
		if err == nil && lt.claimed > 0 {
			s.mu.Lock()
			s.claims = append(s.claims, claimTx{lt.dispatch, lt.claimed})
			s.mu.Unlock()
		}
		return err
	})
}

func (s *txLog) View(ctx context.Context, fn func(core.Tx) error) error {
	s.mu.Lock()
	s.views++
	s.mu.Unlock()
	return s.Store.View(ctx, fn)
}

type loggedTx struct {
	core.Tx
	dispatch bool
	claimed  int
}

func (t *loggedTx) SetDispatchCursor(seq int64) error {
	t.dispatch = true
	return t.Tx.SetDispatchCursor(seq)
}

func (t *loggedTx) ClaimDeliveries(now, leaseUntil time.Time, limit int) ([]core.Delivery, error) {
	ds, err := t.Tx.ClaimDeliveries(now, leaseUntil, limit)
	t.claimed += len(ds)
	return ds, err
}

// The first attempt of a new event is claimed by the transaction that
// dispatches the event, and sent with the event and subscription that
// dispatch had in hand: no claim transaction and no read of its own.
func TestDispatchClaimsTheFirstAttemptItself(t *testing.T) {
	e := deliverytest.New(t)
	log := &txLog{Store: e.Store}
	eng := delivery.New(log, e.Hooks, delivery.Options{Now: e.Clock.Now, AllowPrivateTargets: true, PollInterval: time.Hour})
	rc := deliverytest.NewReceiver(t)
	sub := e.Create(e.Admin, webhooks.Input{URL: rc.URL(), Events: deliverytest.Events("project.created"), Validated: true})
	e.Do(e.Admin, core.AddProject{Project: "Handed over"})

	got := runUntilReceived(t, eng, rc)
	if len(got) != 1 || got[0].Type() != "project.created" {
		t.Fatalf("delivered %v, want the one project.created", deliverytest.Types(got))
	}
	got[0].Verify(t, sub.Secret, sub.Secret)
	log.mu.Lock()
	defer log.mu.Unlock()
	if len(log.claims) != 1 || !log.claims[0].dispatch || log.claims[0].claimed != 1 {
		t.Errorf("claims %+v: want one, in the dispatching transaction", log.claims)
	}
	if log.views != 0 {
		t.Errorf("%d Views: the dispatch had the event and subscription in hand", log.views)
	}
}

// rotateStore gives a subscription a new secret just before a delivery is
// made for it, in the dispatching transaction: as a rotation committed
// after the dispatch read its recipients and before CreateDelivery locked
// the subscription's row would be seen on PostgreSQL.
type rotateStore struct {
	core.Store
	secret string
}

func (s *rotateStore) Update(ctx context.Context, fn func(core.Tx) error) error {
	return s.Store.Update(ctx, func(tx core.Tx) error { return fn(rotateTx{tx, s}) })
}

type rotateTx struct {
	core.Tx
	s *rotateStore
}

func (t rotateTx) CreateDelivery(d *core.Delivery) (bool, error) {
	sub, err := t.Tx.PeekSubscription(d.WorkspaceID, d.SubscriptionID)
	if err != nil {
		return false, err
	}
	if sub.Secret != t.s.secret {
		sub.Secret = t.s.secret
		if err := t.Tx.UpdateSubscription(&sub); err != nil {
			return false, err
		}
	}
	return t.Tx.CreateDelivery(d)
}

// The first attempt handed over by the dispatch is signed with the
// subscription as it is once its delivery is made (its row locked), not as
// the dispatch read it to route the event.
func TestHandedOverAttemptUsesTheLockedSubscription(t *testing.T) {
	e := deliverytest.New(t)
	rs := &rotateStore{Store: e.Store, secret: webhooks.NewSecret()}
	eng := delivery.New(rs, e.Hooks, delivery.Options{Now: e.Clock.Now, AllowPrivateTargets: true, PollInterval: time.Hour})
	rc := deliverytest.NewReceiver(t)
	e.Create(e.Admin, webhooks.Input{URL: rc.URL(), Events: deliverytest.Events("project.created"), Validated: true})
	e.Do(e.Admin, core.AddProject{Project: "Rotated"})

	got := runUntilReceived(t, eng, rc)
	if len(got) != 1 {
		t.Fatalf("delivered %v, want the one project.created", deliverytest.Types(got))
	}
	got[0].Verify(t, rs.secret, rs.secret)
}

// runUntilReceived runs eng until rc has received something (10 s at
// most), stops it, and returns what rc received.
func runUntilReceived(t *testing.T, eng *delivery.Engine, rc *deliverytest.Receiver) []deliverytest.Received {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { _ = eng.Run(ctx) })
	eng.Wake()
	var got []deliverytest.Received
	for deadline := time.Now().Add(10 * time.Second); len(got) == 0 && time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		got = rc.Take()
	}
	cancel()
	wg.Wait()
	return got
}

// A dispatch makes its deliveries subscription by subscription, by id
// (CreateDelivery locks each one's row on PostgreSQL, and a record locks
// several in that order too), not in event order.
func TestDispatchMakesDeliveriesInSubscriptionOrder(t *testing.T) {
	e := deliverytest.New(t)
	log := &lockLog{Store: e.Store}
	eng := delivery.New(log, e.Hooks, delivery.Options{Now: e.Clock.Now, AllowPrivateTargets: true})
	tasks := e.Create(e.Admin, webhooks.Input{Name: "tasks", URL: "https://receiver.example/tasks", Events: deliverytest.Events("task.created"), Validated: true})
	projects := e.Create(e.Admin, webhooks.Input{Name: "projects", URL: "https://receiver.example/projects", Events: deliverytest.Events("project.created"), Validated: true})
	e.Do(e.Admin, core.AddProject{Project: "Website"})               // for projects
	e.Do(e.Admin, core.AddTask{Task: "Fix bug", Project: "Website"}) // for tasks
	e.Do(e.Admin, core.AddProject{Project: "Shop"})                  // for projects
	if _, err := eng.DispatchOnce(e.Ctx); err != nil {
		t.Fatal(err)
	}
	var made [][]string
	for _, calls := range log.txs {
		if creates := slices.DeleteFunc(calls, func(c string) bool { return !strings.HasPrefix(c, "create ") }); len(creates) > 0 {
			made = append(made, creates)
		}
	}
	want := []string{fmt.Sprint("create ", tasks.ID), fmt.Sprint("create ", projects.ID), fmt.Sprint("create ", projects.ID)}
	if tasks.ID > projects.ID || len(made) != 1 || !slices.Equal(made[0], want) {
		t.Fatalf("deliveries made %v, want %v in one dispatch", made, want)
	}
}

// failingViews is a store whose Views fail.
type failingViews struct{ core.Store }

func (failingViews) View(context.Context, func(core.Tx) error) error {
	return errors.New("the disk is gone")
}

// The hand-over gives the workers every delivery that has its event and
// subscription in hand even when reading the others fails (they wait for
// their lease), and leaves out one whose subscription is gone.
func TestHandGivesWhatItCan(t *testing.T) {
	e := deliverytest.New(t)
	sub := e.Create(e.Admin, webhooks.Input{URL: "https://receiver.example/hook", Events: deliverytest.Events("project.created"), Validated: true})
	e.Do(e.Admin, core.AddProject{Project: "One"})
	e.Do(e.Admin, core.AddProject{Project: "Two"})
	eng := delivery.New(e.Store, e.Hooks, delivery.Options{Now: e.Clock.Now})
	if _, err := eng.DispatchOnce(e.Ctx); err != nil {
		t.Fatal(err)
	}
	var ds []core.Delivery
	evs := map[int64]core.Event{}
	now := e.Clock.Now()
	if err := e.Store.Update(e.Ctx, func(tx core.Tx) error {
		var err error
		if ds, err = tx.ClaimDeliveries(now, now.Add(time.Minute), 10); err != nil {
			return err
		}
		all, err := tx.Events(0, 100)
		for _, ev := range all {
			evs[ev.Seq] = ev
		}
		return err
	}); err != nil || len(ds) != 2 {
		t.Fatalf("claimed %d: %v", len(ds), err)
	}

	inHand := map[int64]core.Event{ds[0].EventSeq: evs[ds[0].EventSeq]}
	failing := delivery.New(failingViews{e.Store}, e.Hooks, delivery.Options{Now: e.Clock.Now})
	ids, err := failing.HandForTest(e.Ctx, ds, inHand, map[core.ID]core.Subscription{sub.ID: sub})
	if err == nil || !slices.Equal(ids, []core.ID{ds[0].ID}) {
		t.Errorf("with the read failing: handed %v (%v); want %v and the error", ids, err, ds[0].ID)
	}

	gone := ds[1]
	gone.SubscriptionID = sub.ID + 100
	ids, err = eng.HandForTest(e.Ctx, []core.Delivery{ds[0], gone}, nil, nil)
	if err != nil || !slices.Equal(ids, []core.ID{ds[0].ID}) {
		t.Errorf("with a subscription gone: handed %v (%v); want %v", ids, err, ds[0].ID)
	}
}
