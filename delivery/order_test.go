package delivery_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/delivery"
	"github.com/chatops/gateway/delivery/deliverytest"
	"github.com/chatops/gateway/webhooks"
)

// A new subscription's ping waits PingDelay after its creation, in the
// delivery's due time: neither the engine that dispatched it nor another
// one on the same store (a restart, a second instance) sends it earlier.
func TestFirstPingWaitsPingDelay(t *testing.T) {
	e := deliverytest.New(t, func(_ *webhooks.Options, o *delivery.Options) { o.PingDelay = delivery.DefaultPingDelay })
	rc := deliverytest.NewReceiver(t)
	rc.SetReply(deliverytest.EchoValidation)
	sub := e.Create(e.Admin, webhooks.Input{URL: rc.URL(), Events: deliverytest.Events("*")})
	e.Pump()
	if got := rc.Take(); len(got) != 0 {
		t.Fatalf("sent at creation: %v", deliverytest.Types(got))
	}
	// Another engine on the store (a restarted process) holds it too.
	other := delivery.New(e.Store, e.Hooks, delivery.Options{Now: e.Clock.Now, AllowPrivateTargets: true, PingDelay: delivery.DefaultPingDelay})
	e.Clock.Set(sub.CreatedAt.Add(delivery.DefaultPingDelay - time.Microsecond))
	if n, err := other.DeliverOnce(e.Ctx); n != 0 || err != nil {
		t.Fatalf("another engine sent %d before the delay: %v", n, err)
	}
	e.Pump()
	if got := rc.Take(); len(got) != 0 {
		t.Fatalf("sent before the delay: %v", deliverytest.Types(got))
	}
	e.Clock.Set(sub.CreatedAt.Add(delivery.DefaultPingDelay))
	e.Pump()
	got := rc.Take()
	if len(got) != 1 || got[0].Type() != core.EventWebhookPing {
		t.Fatalf("at the delay: %v", deliverytest.Types(got))
	}
	got[0].Verify(t, sub.Secret, sub.Secret)
	if s := e.Get(sub.ID); s.Status != core.SubActive {
		t.Fatalf("status %s after the echo", s.Status)
	}
	// Later pings (POST …/test) are not held.
	if _, err := e.Hooks.Test(e.Ctx, e.Admin, sub.ID); err != nil {
		t.Fatal(err)
	}
	e.Pump()
	if got := rc.Take(); len(got) != 1 {
		t.Fatalf("test ping: %v", deliverytest.Types(got))
	}
}

// replayScene makes four tracker events, two before the subscription
// existed and two after (delivered then), so that the deliveries a replay
// requeues have ids in another order than the events': the two old ones
// keep their ids, the two new ones get higher ids. It returns the
// subscription, its receiver (emptied) and the event ids in the order they
// happened.
func replayScene(t *testing.T, e *deliverytest.Env) (core.Subscription, *deliverytest.Receiver, []string) {
	t.Helper()
	rc := deliverytest.NewReceiver(t)
	ana := e.User("ana", core.RoleMember)
	e.Do(ana, core.Track{Task: "Fix", Project: "Web"})
	e.Clock.Add(time.Millisecond)
	e.Do(ana, core.Stop{})
	e.Clock.Add(time.Millisecond)
	sub := e.Create(e.Admin, webhooks.Input{URL: rc.URL(), Events: deliverytest.Events("tracker.*"), Validated: true})
	e.Clock.Add(time.Millisecond)
	e.Do(ana, core.Track{Task: "Review", Project: "Web"})
	e.Clock.Add(time.Millisecond)
	e.Do(ana, core.Stop{})
	e.Pump()
	if got := rc.Take(); len(got) != 2 {
		t.Fatalf("before the replay: %v", deliverytest.Types(got))
	}
	var ids []string
	err := e.Store.View(e.Ctx, func(tx core.Tx) error {
		evs, err := tx.Events(0, 1000)
		for _, ev := range evs {
			if ev.Type == core.EventTrackerStarted || ev.Type == core.EventTrackerStopped {
				ids = append(ids, ev.ID)
			}
		}
		return err
	})
	if err != nil || len(ids) != 4 {
		t.Fatalf("events %v: %v", ids, err)
	}
	e.Clock.Add(time.Minute)
	return sub, rc, ids
}

func receivedIDs(rs []deliverytest.Received) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Header.Get("webhook-id"))
	}
	return out
}

// A replay queues its events in the order they happened, and one worker
// sends them in that order: tracker.started before its tracker.stopped.
func TestReplaySendsEventsInOrder(t *testing.T) {
	e := deliverytest.New(t, func(_ *webhooks.Options, o *delivery.Options) { o.Workers = 1 })
	sub, rc, want := replayScene(t, e)
	if n, err := e.Hooks.Replay(e.Ctx, e.Admin, sub.ID, e.Clock.Now().Add(-time.Hour), time.Time{}); n != 4 || err != nil {
		t.Fatalf("replay = %d, %v", n, err)
	}
	e.Pump()
	if got := receivedIDs(rc.Take()); !slices.Equal(got, want) {
		t.Fatalf("replayed %v, want the order of occurrence %v", got, want)
	}
}

// The same through Run, the engine's loop, with one worker.
func TestReplayInOrderThroughRun(t *testing.T) {
	e := deliverytest.New(t, func(_ *webhooks.Options, o *delivery.Options) {
		o.Workers, o.PollInterval = 1, 5*time.Millisecond
	})
	sub, rc, want := replayScene(t, e)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { _ = e.Engine.Run(ctx) })
	defer func() { cancel(); wg.Wait() }()
	if _, err := e.Hooks.Replay(e.Ctx, e.Admin, sub.ID, e.Clock.Now().Add(-time.Hour), time.Time{}); err != nil {
		t.Fatal(err)
	}
	var got []deliverytest.Received
	for deadline := time.Now().Add(10 * time.Second); len(got) < len(want); {
		if time.Now().After(deadline) {
			t.Fatalf("after 10s the receiver has %v", receivedIDs(got))
		}
		got = append(got, rc.Take()...)
		time.Sleep(5 * time.Millisecond) // polling the receiver, with a deadline
	}
	if ids := receivedIDs(got); !slices.Equal(ids, want) {
		t.Fatalf("replayed %v, want the order of occurrence %v", ids, want)
	}
}
