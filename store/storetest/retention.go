package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/chatops/gateway/core"
)

// Retention (PruneAttempts, PruneDeliveries, PruneEvents,
// PruneSubscriptionAttempts, PruneSubscriptionDeliveries) and web sessions.

// deliver queues ev for sub in state, last changed at updated, with one
// attempt at updated, and returns the delivery.
func deliver(t *testing.T, s core.Store, sub core.Subscription, ev core.Event, state string, updated time.Time) core.Delivery {
	t.Helper()
	return write(t, s, func(tx core.Tx) (core.Delivery, error) {
		d := core.Delivery{WorkspaceID: sub.WorkspaceID, SubscriptionID: sub.ID, EventSeq: ev.Seq, EventID: ev.ID,
			EventType: ev.Type, State: state, Attempts: 1, NextAttemptAt: updated, CreatedAt: ev.Timestamp, UpdatedAt: updated}
		if _, err := tx.CreateDelivery(&d); err != nil {
			return d, err
		}
		return d, tx.AddAttempt(&core.Attempt{WorkspaceID: sub.WorkspaceID, SubscriptionID: sub.ID, DeliveryID: d.ID,
			EventID: ev.ID, EventType: ev.Type, Attempt: 1, At: updated, StatusCode: 200})
	})
}

// pruneAll runs a Prune method in batches of limit until it deletes fewer
// and returns the total.
func pruneAll(t *testing.T, s core.Store, limit int, fn func(core.Tx, int) (int, error)) int {
	t.Helper()
	total := 0
	for {
		n := write(t, s, func(tx core.Tx) (int, error) { return fn(tx, limit) })
		if n > limit {
			t.Fatalf("one batch of at most %d deleted %d", limit, n)
		}
		total += n
		if n < limit {
			return total
		}
	}
}

// attemptCount counts a subscription's attempts.
func attemptCount(t *testing.T, s core.Store, ws, sub core.ID) int {
	t.Helper()
	return len(read(t, s, func(tx core.Tx) ([]core.Attempt, error) {
		return tx.ListAttempts(ws, sub, core.Page{Limit: core.MaxPageLimit})
	}))
}

var retentionTests = []test{
	{"Retention/PruneSubscriptionHistory", func(t *testing.T, s core.Store) {
		f := setup(t, s)
		busy := addSub(t, s, f.ws, f.user.ID, "busy", nil)
		other := addSub(t, s, f.ws, f.user.ID, "other", nil)
		for i := range 5 {
			ev := appendEvent(t, s, core.Event{ID: fmt.Sprint("evt_", i), Type: "tracker.started", Timestamp: at(0), WorkspaceID: f.ws})
			state := core.DeliveryDelivered
			if i == 1 {
				state = core.DeliveryFailed
			}
			if i == 4 {
				state = core.DeliveryPending // a retry still counts its attempts
			}
			deliver(t, s, busy, ev, state, at(0))
			deliver(t, s, other, ev, core.DeliveryDelivered, at(0))
		}
		// 4 finished attempts, then 4 finished deliveries, 3 at most a batch.
		batches := func(prune func(tx core.Tx) (int, error)) (got []int) {
			for {
				n := write(t, s, prune)
				got = append(got, n)
				if n == 0 {
					return got
				}
			}
		}
		if got := batches(func(tx core.Tx) (int, error) { return tx.PruneSubscriptionAttempts(f.ws, busy.ID, 3) }); fmt.Sprint(got) != "[3 1 0]" {
			t.Errorf("attempts deleted %v per batch, want [3 1 0]", got)
		}
		if got := batches(func(tx core.Tx) (int, error) { return tx.PruneSubscriptionDeliveries(f.ws, busy.ID, 3) }); fmt.Sprint(got) != "[3 1 0]" {
			t.Errorf("deliveries deleted %v per batch, want [3 1 0]", got)
		}
		if n := attemptCount(t, s, f.ws, busy.ID); n != 1 {
			t.Errorf("busy kept %d attempts, want the pending delivery's 1", n)
		}
		if n := countPending(t, s); n != 1 {
			t.Errorf("%d pending deliveries, want 1", n)
		}
		if n := attemptCount(t, s, f.ws, other.ID); n != 5 {
			t.Errorf("the other subscription kept %d attempts, want 5", n)
		}
		for _, prune := range []func(core.Tx) (int, error){
			func(tx core.Tx) (int, error) { return tx.PruneSubscriptionAttempts(f.ws+1, other.ID, 10) },
			func(tx core.Tx) (int, error) { return tx.PruneSubscriptionDeliveries(f.ws+1, other.ID, 10) },
		} {
			if n := write(t, s, prune); n != 0 {
				t.Errorf("another workspace's prune deleted %d of this one's rows", n)
			}
		}
	}},
	{"Retention/PrunesOnlyWhatNobodyIsOwed", func(t *testing.T, s core.Store) {
		f := setup(t, s)
		live := addSub(t, s, f.ws, f.user.ID, "live", nil)
		off := addSub(t, s, f.ws, f.user.ID, "off", func(sub *core.Subscription) { sub.Enabled = false; sub.Status = core.SubDisabled })
		old, cutoff := at(-48*time.Hour), at(-24*time.Hour)
		ev := func(name string, ts time.Time) core.Event {
			return appendEvent(t, s, core.Event{ID: "evt_" + name, Type: "tracker.started", Timestamp: ts, WorkspaceID: f.ws,
				Actor: core.EventActor{ID: f.user.ID, Name: "Alice", Source: "test"}})
		}
		done := ev("done", old)        // delivered to live: goes
		failed := ev("failed", old)    // given up: goes
		owed := ev("owed", old)        // still queued for the disabled subscription: stays
		none := ev("none", old)        // nobody receives it: goes
		recent := ev("recent", at(0))  // within retention: stays
		undispatched := ev("new", old) // past the cursor: stays
		write(t, s, func(tx core.Tx) (any, error) { return nil, tx.SetDispatchCursor(recent.Seq) })
		deliver(t, s, live, done, core.DeliveryDelivered, old)
		deliver(t, s, live, failed, core.DeliveryFailed, old)
		deliver(t, s, live, owed, core.DeliveryDelivered, old)
		deliver(t, s, off, owed, core.DeliveryPending, old)
		deliver(t, s, live, recent, core.DeliveryDelivered, at(0))

		if n := pruneAll(t, s, 2, func(tx core.Tx, l int) (int, error) { return tx.PruneAttempts(cutoff, l) }); n != 3 {
			t.Errorf("pruned %d attempts, want 3 (done, failed, owed to live)", n)
		}
		if n := pruneAll(t, s, 2, func(tx core.Tx, l int) (int, error) { return tx.PruneDeliveries(cutoff, l) }); n != 3 {
			t.Errorf("pruned %d deliveries, want 3", n)
		}
		if n := pruneAll(t, s, 2, func(tx core.Tx, l int) (int, error) { return tx.PruneEvents(cutoff, l) }); n != 3 {
			t.Errorf("pruned %d events, want 3 (done, failed, none)", n)
		}
		var kept []string
		for _, e := range events(t, s, 0, 100) {
			kept = append(kept, e.ID)
		}
		if fmt.Sprint(kept) != fmt.Sprint([]string{owed.ID, recent.ID, undispatched.ID}) {
			t.Errorf("kept events %v, want %v", kept, []string{owed.ID, recent.ID, undispatched.ID})
		}
		_ = none
		if n := attemptCount(t, s, f.ws, off.ID); n != 1 {
			t.Errorf("the disabled subscription's pending delivery kept %d attempts, want 1", n)
		}
		if n := attemptCount(t, s, f.ws, live.ID); n != 1 {
			t.Errorf("live kept %d attempts, want 1 (the recent one)", n)
		}
		if n := read(t, s, func(tx core.Tx) (int, error) { return tx.CountPendingDeliveries() }); n != 1 {
			t.Errorf("%d pending deliveries, want 1", n)
		}
		// The owed event goes once the subscription is given up on.
		write(t, s, func(tx core.Tx) (any, error) { return nil, tx.DeleteSubscription(f.ws, off.ID) })
		if n := pruneAll(t, s, 10, func(tx core.Tx, l int) (int, error) { return tx.PruneEvents(cutoff, l) }); n != 1 {
			t.Errorf("after the subscription went: pruned %d events, want 1", n)
		}
	}},
	{"Retention/NoCursorKeepsEverything", func(t *testing.T, s core.Store) {
		f := setup(t, s)
		appendEvent(t, s, core.Event{ID: "evt_1", Type: "tracker.started", Timestamp: at(-time.Hour), WorkspaceID: f.ws})
		if n := write(t, s, func(tx core.Tx) (int, error) { return tx.PruneEvents(at(0), 10) }); n != 0 {
			t.Errorf("pruned %d events the dispatcher never saw", n)
		}
	}},
	{"Sessions/Lifecycle", func(t *testing.T, s core.Store) {
		f := setup(t, s)
		tok := write(t, s, func(tx core.Tx) (core.Token, error) {
			k := core.Token{WorkspaceID: f.ws, UserID: f.user.ID, Hash: "tokenhash", CreatedAt: t0}
			return k, tx.CreateToken(&k)
		})
		mk := func(hash string, expires time.Time) core.Session {
			return core.Session{Hash: hash, WorkspaceID: f.ws, UserID: f.user.ID, TokenID: tok.ID, CreatedAt: t0, ExpiresAt: expires}
		}
		for _, sess := range []core.Session{mk("a", at(time.Hour)), mk("b", at(-time.Minute)), mk("c", at(2*time.Hour))} {
			write(t, s, func(tx core.Tx) (any, error) { return nil, tx.CreateSession(&sess) })
		}
		wantCode(t, writeErr(t, s, func(tx core.Tx) error { s := mk("a", t0); return tx.CreateSession(&s) }), core.ECONFLICT)
		ghost := mk("g", t0)
		ghost.TokenID = tok.ID + 100
		wantCode(t, writeErr(t, s, func(tx core.Tx) error { return tx.CreateSession(&ghost) }), core.ENOTFOUND)

		got := read(t, s, func(tx core.Tx) (core.Session, error) { return tx.SessionByHash("a") })
		if got.UserID != f.user.ID || got.TokenID != tok.ID || got.WorkspaceID != f.ws {
			t.Errorf("session %+v", got)
		}
		sameTime(t, "expires", got.ExpiresAt, at(time.Hour))
		wantCode(t, readErr(t, s, func(tx core.Tx) error { _, err := tx.SessionByHash("nope"); return err }), core.ENOTFOUND)

		if n := write(t, s, func(tx core.Tx) (int, error) { return tx.PruneSessions(t0, 10) }); n != 1 {
			t.Errorf("pruned %d sessions, want 1 (b)", n)
		}
		write(t, s, func(tx core.Tx) (any, error) { return nil, tx.DeleteSession("a") })
		write(t, s, func(tx core.Tx) (any, error) { return nil, tx.DeleteSession("a") }) // gone already: no error
		wantCode(t, readErr(t, s, func(tx core.Tx) error { _, err := tx.SessionByHash("a"); return err }), core.ENOTFOUND)
		// Revoking the token ends its sessions.
		write(t, s, func(tx core.Tx) (any, error) { return nil, tx.DeleteToken(f.ws, 0, tok.ID) })
		wantCode(t, readErr(t, s, func(tx core.Tx) error { _, err := tx.SessionByHash("c"); return err }), core.ENOTFOUND)
	}},
}
