package storetest

import (
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/chatops/gateway/core"
)

// addSub creates an active, enabled subscription named name owned by owner;
// change, when set, adjusts it before it is saved.
func addSub(t *testing.T, s core.Store, ws, owner core.ID, name string, change func(*core.Subscription)) core.Subscription {
	t.Helper()
	sub := core.Subscription{WorkspaceID: ws, OwnerID: owner, Name: name, URL: "https://example.com/hooks/" + name,
		Events: json.RawMessage(`["tracker.*"]`), Format: core.FormatStandard, Scope: core.ScopeUser,
		Enabled: true, Status: core.SubActive, Secret: "whsec_" + name, ValidatedAt: ptr(t0), CreatedAt: t0, UpdatedAt: t0}
	if change != nil {
		change(&sub)
	}
	return write(t, s, func(tx core.Tx) (core.Subscription, error) {
		err := tx.CreateSubscription(&sub)
		return sub, err
	})
}

func getSub(t *testing.T, s core.Store, ws, id core.ID) core.Subscription {
	t.Helper()
	return read(t, s, func(tx core.Tx) (core.Subscription, error) { return tx.Subscription(ws, id) })
}

func subID(s core.Subscription) core.ID { return s.ID }

// sameOptTime fails unless got and want are both nil or the same time.
func sameOptTime(t *testing.T, what string, got, want *time.Time) {
	t.Helper()
	switch {
	case got == nil && want == nil:
	case got == nil || want == nil:
		t.Errorf("%s: got %v, want %v", what, got, want)
	default:
		sameTime(t, what, *got, *want)
	}
}

func sameSub(t *testing.T, got, want core.Subscription) {
	t.Helper()
	if got.ID != want.ID || got.WorkspaceID != want.WorkspaceID || got.OwnerID != want.OwnerID || got.Name != want.Name ||
		got.URL != want.URL || got.Format != want.Format || got.Scope != want.Scope || got.Enabled != want.Enabled ||
		got.Status != want.Status || got.Secret != want.Secret || got.PreviousSecret != want.PreviousSecret ||
		got.ValidationCode != want.ValidationCode || got.Failures != want.Failures ||
		got.DisabledReason != want.DisabledReason || got.LastStatusCode != want.LastStatusCode ||
		got.LastError != want.LastError || got.Channel != want.Channel {
		t.Errorf("got webhook %+v,\nwant %+v", got, want)
	}
	if !sameJSON(got.Events, want.Events) {
		t.Errorf("webhook %d events %s, want %s", got.ID, got.Events, want.Events)
	}
	sameOptTime(t, "previous_secret_until", got.PreviousSecretUntil, want.PreviousSecretUntil)
	sameOptTime(t, "validated_at", got.ValidatedAt, want.ValidatedAt)
	sameOptTime(t, "last_delivery_at", got.LastDeliveryAt, want.LastDeliveryAt)
	sameTime(t, "webhook created_at", got.CreatedAt, want.CreatedAt)
	sameTime(t, "webhook updated_at", got.UpdatedAt, want.UpdatedAt)
}

// addDelivery queues event seq for sub, due at due, and fails unless it is
// new.
func addDelivery(t *testing.T, s core.Store, sub core.Subscription, seq int64, typ string, due time.Time) core.Delivery {
	t.Helper()
	d := newDelivery(sub, seq, typ, due)
	created := write(t, s, func(tx core.Tx) (bool, error) { return tx.CreateDelivery(&d) })
	if !created || d.ID == 0 {
		t.Fatalf("CreateDelivery(%d, %d) = %v, id %d", sub.ID, seq, created, d.ID)
	}
	return d
}

func newDelivery(sub core.Subscription, seq int64, typ string, due time.Time) core.Delivery {
	return core.Delivery{WorkspaceID: sub.WorkspaceID, SubscriptionID: sub.ID, EventSeq: seq,
		EventID: fmt.Sprintf("evt_%d", seq), EventType: typ, State: core.DeliveryPending,
		NextAttemptAt: due, CreatedAt: t0, UpdatedAt: t0}
}

func getDelivery(t *testing.T, s core.Store, id core.ID) core.Delivery {
	t.Helper()
	return read(t, s, func(tx core.Tx) (core.Delivery, error) { return tx.Delivery(id) })
}

func deliveryID(d core.Delivery) core.ID { return d.ID }

func sameDelivery(t *testing.T, got, want core.Delivery) {
	t.Helper()
	if got.ID != want.ID || got.WorkspaceID != want.WorkspaceID || got.SubscriptionID != want.SubscriptionID ||
		got.EventSeq != want.EventSeq || got.EventID != want.EventID || got.EventType != want.EventType ||
		got.State != want.State || got.Attempts != want.Attempts {
		t.Errorf("got delivery %+v,\nwant %+v", got, want)
	}
	sameTime(t, "next_attempt_at", got.NextAttemptAt, want.NextAttemptAt)
	sameOptTime(t, "lease_until", got.LeaseUntil, want.LeaseUntil)
	sameTime(t, "delivery created_at", got.CreatedAt, want.CreatedAt)
	sameTime(t, "delivery updated_at", got.UpdatedAt, want.UpdatedAt)
	sameOptTime(t, "delivered_at", got.DeliveredAt, want.DeliveredAt)
}

// claim runs ClaimDeliveries in an Update and checks the leases it set.
func claim(t *testing.T, s core.Store, now, leaseUntil time.Time, limit int) []core.Delivery {
	t.Helper()
	ds := write(t, s, func(tx core.Tx) ([]core.Delivery, error) { return tx.ClaimDeliveries(now, leaseUntil, limit) })
	if len(ds) > limit {
		t.Fatalf("claimed %d deliveries with limit %d", len(ds), limit)
	}
	for _, d := range ds {
		if d.LeaseUntil == nil || !d.LeaseUntil.Equal(leaseUntil) {
			t.Errorf("claimed delivery %d has lease %v, want %v", d.ID, d.LeaseUntil, leaseUntil)
		}
		if d.State != core.DeliveryPending {
			t.Errorf("claimed delivery %d is %s", d.ID, d.State)
		}
	}
	return ds
}

func countPending(t *testing.T, s core.Store) int {
	t.Helper()
	return read(t, s, func(tx core.Tx) (int, error) { return tx.CountPendingDeliveries() })
}

func addAttempt(t *testing.T, s core.Store, d core.Delivery, n int, at time.Time) core.Attempt {
	t.Helper()
	return write(t, s, func(tx core.Tx) (core.Attempt, error) {
		a := core.Attempt{WorkspaceID: d.WorkspaceID, SubscriptionID: d.SubscriptionID, DeliveryID: d.ID,
			EventID: d.EventID, EventType: d.EventType, Attempt: n, At: at, StatusCode: 500, LatencyMillis: 42,
			ErrorClass: "http_status", Error: "500 Internal Server Error", Response: `{"error":"boom"}`}
		err := tx.AddAttempt(&a)
		return a, err
	})
}

func listAttempts(t *testing.T, s core.Store, ws, sub core.ID, p core.Page) []core.Attempt {
	t.Helper()
	return read(t, s, func(tx core.Tx) ([]core.Attempt, error) { return tx.ListAttempts(ws, sub, p) })
}

func attemptID(a core.Attempt) core.ID { return a.ID }

var webhookTests = []test{
	{"Webhooks/CreateGetUpdateDelete", func(t *testing.T, s core.Store) {
		f := setup(t, s)
		sub := addSub(t, s, f.ws, f.user.ID, "Billing", func(sub *core.Subscription) {
			sub.Events = json.RawMessage(`["tracker.*", {"entity": "task", "action": "*"}, "time_entry.add"]`)
			sub.Format, sub.Scope, sub.Status, sub.ValidatedAt = core.FormatToggl, core.ScopeWorkspace, core.SubNotValidated, nil
			sub.ValidationCode, sub.Channel = "code-123", "slack:T1:C1"
		})
		if sub.ID == 0 {
			t.Fatal("CreateSubscription set no id")
		}
		sameSub(t, getSub(t, s, f.ws, sub.ID), sub)
		wantCode(t, readErr(t, s, func(tx core.Tx) error { _, err := tx.Subscription(f.ws, sub.ID+100); return err }), core.ENOTFOUND)
		wantCode(t, readErr(t, s, func(tx core.Tx) error { _, err := tx.Subscription(f.ws+100, sub.ID); return err }), core.ENOTFOUND)

		// Every field round-trips through an update.
		sub.Name, sub.URL, sub.Events = "Billing v2", "https://example.org/v2", json.RawMessage(`["*"]`)
		sub.Format, sub.Scope, sub.Enabled, sub.Status = core.FormatSlack, core.ScopeUser, false, core.SubDisabled
		sub.Secret, sub.PreviousSecret, sub.PreviousSecretUntil = "whsec_new", "whsec_Billing", ptr(at(24*time.Hour+time.Microsecond))
		sub.ValidationCode, sub.ValidatedAt, sub.Failures = "", ptr(at(time.Minute)), 3
		sub.DisabledReason, sub.LastDeliveryAt, sub.LastStatusCode = "3 consecutive failed attempts", ptr(at(2*time.Minute)), 503
		sub.LastError, sub.Channel, sub.UpdatedAt = "503 Service Unavailable", "", at(time.Hour)
		write(t, s, func(tx core.Tx) (any, error) { return nil, tx.UpdateSubscription(&sub) })
		got := getSub(t, s, f.ws, sub.ID)
		sameSub(t, got, sub)
		if secrets := got.Secrets(at(time.Hour)); !slices.Equal(secrets, []string{"whsec_new", "whsec_Billing"}) {
			t.Errorf("Secrets during the rotation = %v", secrets)
		}

		// And back to empty.
		sub.PreviousSecret, sub.PreviousSecretUntil, sub.ValidatedAt, sub.LastDeliveryAt = "", nil, nil, nil
		sub.Failures, sub.LastStatusCode, sub.LastError, sub.DisabledReason = 0, 0, "", ""
		sub.Events = nil
		write(t, s, func(tx core.Tx) (any, error) { return nil, tx.UpdateSubscription(&sub) })
		sameSub(t, getSub(t, s, f.ws, sub.ID), sub)

		ghost := sub
		ghost.ID, ghost.Name = sub.ID+100, "Ghost"
		wantCode(t, writeErr(t, s, func(tx core.Tx) error { return tx.UpdateSubscription(&ghost) }), core.ENOTFOUND)

		write(t, s, func(tx core.Tx) (any, error) { return nil, tx.DeleteSubscription(f.ws, sub.ID) })
		wantCode(t, readErr(t, s, func(tx core.Tx) error { _, err := tx.Subscription(f.ws, sub.ID); return err }), core.ENOTFOUND)
		wantCode(t, writeErr(t, s, func(tx core.Tx) error { return tx.DeleteSubscription(f.ws, sub.ID) }), core.ENOTFOUND)
		// The name is free again.
		addSub(t, s, f.ws, f.user.ID, "billing v2", nil)
	}},
	{"Webhooks/NameConflict", func(t *testing.T, s core.Store) {
		f := setup(t, s)
		bob := addUser(t, s, f.ws, "Bob")
		addSub(t, s, f.ws, f.user.ID, "Billing", nil)
		// Names are unique in the workspace, whoever owns them.
		err := writeErr(t, s, func(tx core.Tx) error {
			return tx.CreateSubscription(&core.Subscription{WorkspaceID: f.ws, OwnerID: bob.ID, Name: " BILLING ",
				URL: "https://example.com", Format: core.FormatStandard, Scope: core.ScopeUser, Status: core.SubActive,
				Secret: "whsec_x", CreatedAt: t0, UpdatedAt: t0})
		})
		wantCode(t, err, core.ECONFLICT)
		other := addSub(t, s, f.ws, bob.ID, "Payroll", nil)
		other.Name = "billing"
		wantCode(t, writeErr(t, s, func(tx core.Tx) error { return tx.UpdateSubscription(&other) }), core.ECONFLICT)
		if got := getSub(t, s, f.ws, other.ID); got.Name != "Payroll" {
			t.Errorf("a conflicting update renamed the webhook to %q", got.Name)
		}
		wantCode(t, writeErr(t, s, func(tx core.Tx) error {
			sub := core.Subscription{WorkspaceID: f.ws, OwnerID: 9999, Name: "Orphan", URL: "https://example.com",
				Format: core.FormatStandard, Scope: core.ScopeUser, Status: core.SubActive, CreatedAt: t0, UpdatedAt: t0}
			return tx.CreateSubscription(&sub)
		}), core.ENOTFOUND)
	}},
	{"Webhooks/ListAndCountByOwner", func(t *testing.T, s core.Store) {
		f := setup(t, s)
		bob := addUser(t, s, f.ws, "Bob")
		var all, alices []core.ID
		for i := range 5 {
			owner := f.user.ID
			if i%2 == 1 {
				owner = bob.ID
			}
			sub := addSub(t, s, f.ws, owner, fmt.Sprintf("hook-%d", i), nil)
			all = append(all, sub.ID)
			if owner == f.user.ID {
				alices = append(alices, sub.ID)
			}
		}
		list := func(owner core.ID, p core.Page) []core.Subscription {
			t.Helper()
			return read(t, s, func(tx core.Tx) ([]core.Subscription, error) { return tx.ListSubscriptions(f.ws, owner, p) })
		}
		got := list(0, core.Page{})
		wantIDs(t, "all webhooks", ids(got, subID), all)
		if len(got) > 0 && got[0].Secret == "" {
			t.Error("listed webhooks lack their secret")
		}
		wantIDs(t, "alice's webhooks", ids(list(f.user.ID, core.Page{}), subID), alices)
		wantIDs(t, "alice's webhooks after the first", ids(list(f.user.ID, core.Page{After: alices[0], Limit: 1}), subID), alices[1:2])
		wantIDs(t, "a page of 2", ids(list(0, core.Page{After: all[1], Limit: 2}), subID), all[2:4])
		if got := list(0, core.Page{After: all[4]}); len(got) != 0 {
			t.Errorf("webhooks after the last: %v", ids(got, subID))
		}
		for _, c := range []struct {
			owner core.ID
			want  int
		}{{f.user.ID, 3}, {bob.ID, 2}, {9999, 0}} {
			if n := read(t, s, func(tx core.Tx) (int, error) { return tx.CountSubscriptions(f.ws, c.owner) }); n != c.want {
				t.Errorf("CountSubscriptions(owner %d) = %d, want %d", c.owner, n, c.want)
			}
		}
		if n := read(t, s, func(tx core.Tx) (int, error) { return tx.CountSubscriptions(f.ws+100, f.user.ID) }); n != 0 {
			t.Errorf("CountSubscriptions in another workspace = %d", n)
		}
		if got := list(0, core.Page{}); len(got) != 5 {
			t.Fatalf("listed %d webhooks", len(got))
		}
		if got := read(t, s, func(tx core.Tx) ([]core.Subscription, error) {
			return tx.ListSubscriptions(f.ws+100, 0, core.Page{})
		}); len(got) != 0 {
			t.Errorf("webhooks of another workspace: %v", ids(got, subID))
		}
	}},
	{"Webhooks/ListChannelSubscriptions", func(t *testing.T, s core.Store) {
		f := setup(t, s)
		bob := addUser(t, s, f.ws, "Bob")
		inChannel := func(key string) func(*core.Subscription) {
			return func(sub *core.Subscription) { sub.Channel = key }
		}
		first := addSub(t, s, f.ws, f.user.ID, "general 1", inChannel("slack:T1:C1"))
		addSub(t, s, f.ws, f.user.ID, "plain", nil)
		other := addSub(t, s, f.ws, bob.ID, "random", inChannel("slack:T1:C2"))
		second := addSub(t, s, f.ws, bob.ID, "general 2", func(sub *core.Subscription) {
			sub.Channel, sub.Enabled, sub.Status, sub.Format = "slack:T1:C1", false, core.SubDisabled, core.FormatSlack
		})
		list := func(ws core.ID, channel string) []core.Subscription {
			t.Helper()
			return read(t, s, func(tx core.Tx) ([]core.Subscription, error) { return tx.ListChannelSubscriptions(ws, channel) })
		}
		// Every one of the channel, whoever owns it and whatever its state,
		// by id, with every field (the secret too).
		got := list(f.ws, "slack:T1:C1")
		wantIDs(t, "channel C1", ids(got, subID), []core.ID{first.ID, second.ID})
		if len(got) == 2 {
			sameSub(t, got[0], first)
			sameSub(t, got[1], second)
		}
		wantIDs(t, "channel C2", ids(list(f.ws, "slack:T1:C2"), subID), []core.ID{other.ID})
		// The key is matched exactly.
		for _, key := range []string{"slack:T1:C3", "slack:t1:c1", "slack:T1:C1 ", "slack:T1"} {
			if got := list(f.ws, key); len(got) != 0 {
				t.Errorf("channel %q: %v", key, ids(got, subID))
			}
		}
		if got := list(f.ws+100, "slack:T1:C1"); len(got) != 0 {
			t.Errorf("channel webhooks of another workspace: %v", ids(got, subID))
		}
		// The empty channel is no channel: not the webhooks without one.
		if got := list(f.ws, ""); len(got) != 0 {
			t.Errorf("channel \"\": %v", ids(got, subID))
		}
	}},
	{"Webhooks/DispatchCursor", func(t *testing.T, s core.Store) {
		if got := read(t, s, func(tx core.Tx) (int64, error) { return tx.DispatchCursor() }); got != 0 {
			t.Fatalf("DispatchCursor on a new store = %d, want 0", got)
		}
		for _, seq := range []int64{42, 7, 1 << 40} {
			got := write(t, s, func(tx core.Tx) (int64, error) {
				if _, err := tx.DispatchCursor(); err != nil {
					return 0, err
				}
				if err := tx.SetDispatchCursor(seq); err != nil {
					return 0, err
				}
				return tx.DispatchCursor()
			})
			if got != seq {
				t.Errorf("DispatchCursor in the Update that set %d = %d", seq, got)
			}
			if got := read(t, s, func(tx core.Tx) (int64, error) { return tx.DispatchCursor() }); got != seq {
				t.Errorf("DispatchCursor after setting %d = %d", seq, got)
			}
		}
		// A failed Update does not move it.
		err := s.Update(t.Context(), func(tx core.Tx) error {
			if err := tx.SetDispatchCursor(99); err != nil {
				return err
			}
			return errDeliberate
		})
		if err == nil {
			t.Fatal("Update returned nil")
		}
		if got := read(t, s, func(tx core.Tx) (int64, error) { return tx.DispatchCursor() }); got != 1<<40 {
			t.Errorf("DispatchCursor after a failed Update = %d", got)
		}
	}},
	{"Deliveries/CreateOncePerEvent", func(t *testing.T, s core.Store) {
		f := setup(t, s)
		sub := addSub(t, s, f.ws, f.user.ID, "Billing", nil)
		other := addSub(t, s, f.ws, f.user.ID, "Payroll", nil)
		d := addDelivery(t, s, sub, 7, core.EventTrackerStarted, at(time.Minute))
		sameDelivery(t, getDelivery(t, s, d.ID), d)
		again := newDelivery(sub, 7, core.EventTrackerStarted, at(time.Hour))
		if created := write(t, s, func(tx core.Tx) (bool, error) { return tx.CreateDelivery(&again) }); created {
			t.Fatal("a second CreateDelivery of the same event reported a new delivery")
		}
		sameDelivery(t, getDelivery(t, s, d.ID), d) // unchanged
		// The same event for another subscription is another delivery.
		d2 := addDelivery(t, s, other, 7, core.EventTrackerStarted, at(time.Minute))
		if d2.ID == d.ID {
			t.Fatalf("two subscriptions share delivery %d", d.ID)
		}
		if n := countPending(t, s); n != 2 {
			t.Errorf("CountPendingDeliveries = %d, want 2", n)
		}
		wantCode(t, readErr(t, s, func(tx core.Tx) error { _, err := tx.Delivery(d2.ID + 100); return err }), core.ENOTFOUND)
		orphan := newDelivery(sub, 8, core.EventTrackerStarted, t0)
		orphan.SubscriptionID = other.ID + 100
		wantCode(t, writeErr(t, s, func(tx core.Tx) error { _, err := tx.CreateDelivery(&orphan); return err }), core.ENOTFOUND)

		// UpdateDelivery saves what an attempt changes.
		d.State, d.Attempts, d.NextAttemptAt, d.LeaseUntil = core.DeliveryDelivered, 2, at(5*time.Minute), nil
		d.DeliveredAt, d.UpdatedAt = ptr(at(3*time.Minute)), at(3*time.Minute)
		write(t, s, func(tx core.Tx) (any, error) { return nil, tx.UpdateDelivery(&d) })
		sameDelivery(t, getDelivery(t, s, d.ID), d)
		if n := countPending(t, s); n != 1 {
			t.Errorf("CountPendingDeliveries after one delivered = %d, want 1", n)
		}
		d2.LeaseUntil, d2.Attempts = ptr(at(time.Hour)), 1
		write(t, s, func(tx core.Tx) (any, error) { return nil, tx.UpdateDelivery(&d2) })
		sameDelivery(t, getDelivery(t, s, d2.ID), d2)
		ghost := d
		ghost.ID = d2.ID + 100
		wantCode(t, writeErr(t, s, func(tx core.Tx) error { return tx.UpdateDelivery(&ghost) }), core.ENOTFOUND)
	}},
	{"Deliveries/ClaimDueAndLeased", func(t *testing.T, s core.Store) {
		f := setup(t, s)
		sub := addSub(t, s, f.ws, f.user.ID, "Billing", nil)
		// Made out of due order, to see that claims go by due time.
		late := addDelivery(t, s, sub, 1, core.EventTrackerStarted, at(time.Hour))
		second := addDelivery(t, s, sub, 2, core.EventTrackerStarted, at(time.Minute))
		first := addDelivery(t, s, sub, 3, core.EventTrackerStarted, t0)
		third := addDelivery(t, s, sub, 4, core.EventTrackerStarted, at(time.Minute)) // same time: by id
		if got := claim(t, s, at(-time.Second), at(time.Minute), 10); len(got) != 0 {
			t.Fatalf("claimed %v before anything was due", ids(got, deliveryID))
		}
		lease := at(2 * time.Minute)
		got := claim(t, s, at(time.Minute), lease, 2)
		wantIDs(t, "first claim", ids(got, deliveryID), []core.ID{first.ID, second.ID})
		if len(got) == 2 {
			want := first
			want.LeaseUntil = &lease
			sameDelivery(t, got[0], want)
		}
		if d := getDelivery(t, s, first.ID); d.LeaseUntil == nil || !d.LeaseUntil.Equal(lease) {
			t.Errorf("stored lease of a claimed delivery: %v", d.LeaseUntil)
		}
		// Leased deliveries are skipped while their lease runs.
		got = claim(t, s, at(time.Minute), lease, 10)
		wantIDs(t, "second claim", ids(got, deliveryID), []core.ID{third.ID})
		if got := claim(t, s, at(90*time.Second), at(3*time.Minute), 10); len(got) != 0 {
			t.Errorf("claimed leased deliveries %v", ids(got, deliveryID))
		}
		// Once the lease has run out, anyone may claim them again.
		got = claim(t, s, lease, at(3*time.Minute), 10)
		wantIDs(t, "claim after the lease", ids(got, deliveryID), []core.ID{first.ID, second.ID, third.ID})
		// A delivered delivery is never claimed, a rescheduled one when due.
		d := got[0]
		d.State, d.DeliveredAt, d.LeaseUntil, d.Attempts = core.DeliveryDelivered, ptr(lease), nil, 1
		write(t, s, func(tx core.Tx) (any, error) { return nil, tx.UpdateDelivery(&d) })
		d = got[1]
		d.NextAttemptAt, d.LeaseUntil, d.Attempts = at(2*time.Hour), nil, 1
		write(t, s, func(tx core.Tx) (any, error) { return nil, tx.UpdateDelivery(&d) })
		d = got[2]
		d.State, d.LeaseUntil, d.Attempts = core.DeliveryFailed, nil, 10
		write(t, s, func(tx core.Tx) (any, error) { return nil, tx.UpdateDelivery(&d) })
		got = claim(t, s, at(time.Hour), at(time.Hour+time.Minute), 10)
		wantIDs(t, "claim at the hour", ids(got, deliveryID), []core.ID{late.ID})
		got = claim(t, s, at(3*time.Hour), at(3*time.Hour+time.Minute), 10)
		wantIDs(t, "claim later", ids(got, deliveryID), []core.ID{late.ID, second.ID})
		if n := countPending(t, s); n != 2 {
			t.Errorf("CountPendingDeliveries = %d, want 2 (leased ones are pending)", n)
		}
		if got := claim(t, s, at(4*time.Hour), at(5*time.Hour), 0); len(got) != 0 {
			t.Errorf("claim with limit 0 returned %v", ids(got, deliveryID))
		}
	}},
	{"Deliveries/ClaimHonorsSubscriptionStatus", func(t *testing.T, s core.Store) {
		f := setup(t, s)
		active := addSub(t, s, f.ws, f.user.ID, "active", nil)
		pending := addSub(t, s, f.ws, f.user.ID, "pending", func(sub *core.Subscription) { sub.Status = core.SubPending })
		off := addSub(t, s, f.ws, f.user.ID, "off", func(sub *core.Subscription) { sub.Enabled = false })
		disabled := addSub(t, s, f.ws, f.user.ID, "disabled", func(sub *core.Subscription) { sub.Status = core.SubDisabled })
		unvalidated := addSub(t, s, f.ws, f.user.ID, "unvalidated", func(sub *core.Subscription) {
			sub.Status, sub.ValidatedAt = core.SubNotValidated, nil
		})
		var want []core.ID
		var held []core.Delivery
		seq := int64(0)
		for _, c := range []struct {
			sub     core.Subscription
			typ     string
			claimed bool
		}{
			{active, core.EventTrackerStarted, true},
			{active, core.EventWebhookPing, true},
			{pending, core.EventTrackerStopped, true},
			{off, core.EventTrackerStarted, false},
			{off, core.EventWebhookPing, false},
			{disabled, core.EventTrackerStarted, false},
			{disabled, core.EventWebhookPing, false},
			{unvalidated, core.EventTrackerStarted, false},
			{unvalidated, core.EventWebhookPing, true},
		} {
			seq++
			d := addDelivery(t, s, c.sub, seq, c.typ, t0)
			if c.claimed {
				want = append(want, d.ID)
			} else {
				held = append(held, d)
			}
		}
		got := claim(t, s, t0, at(time.Minute), 100)
		wantIDs(t, "claimed", ids(got, deliveryID), want)
		if n := countPending(t, s); n != 9 {
			t.Errorf("CountPendingDeliveries = %d, want 9: held deliveries stay queued", n)
		}
		// Turned on and validated, the others go out.
		for _, sub := range []core.Subscription{off, disabled, unvalidated} {
			sub.Enabled, sub.Status = true, core.SubActive
			write(t, s, func(tx core.Tx) (any, error) { return nil, tx.UpdateSubscription(&sub) })
		}
		got = claim(t, s, t0, at(time.Minute), 100)
		wantIDs(t, "claimed once all are active", ids(got, deliveryID), ids(held, deliveryID))
	}},
	{"Deliveries/ClaimFollowsStatusChanges", func(t *testing.T, s core.Store) {
		f := setup(t, s)
		sub := addSub(t, s, f.ws, f.user.ID, "Billing", nil)
		event := addDelivery(t, s, sub, 1, core.EventTrackerStarted, t0)
		ping := addDelivery(t, s, sub, 2, core.EventWebhookPing, t0)
		set := func(enabled bool, status string) {
			t.Helper()
			sub.Enabled, sub.Status = enabled, status
			write(t, s, func(tx core.Tx) (any, error) { return nil, tx.UpdateSubscription(&sub) })
		}
		// Each step claims at a later time, past the leases of the one before.
		step := time.Duration(0)
		claimIDs := func() []core.ID {
			t.Helper()
			step += time.Minute
			return ids(claim(t, s, at(step), at(step+time.Second), 10), deliveryID)
		}
		set(false, core.SubActive)
		wantIDs(t, "claimed while off", claimIDs(), nil)
		set(true, core.SubDisabled)
		wantIDs(t, "claimed while disabled", claimIDs(), nil)
		// Replayed while disabled, it waits too.
		replayed := newDelivery(sub, 3, core.EventTrackerStopped, t0)
		write(t, s, func(tx core.Tx) (any, error) { return nil, tx.RequeueDelivery(&replayed) })
		wantIDs(t, "claimed after a replay while disabled", claimIDs(), nil)
		set(true, core.SubNotValidated)
		wantIDs(t, "claimed while not validated", claimIDs(), []core.ID{ping.ID})
		set(true, core.SubPending)
		wantIDs(t, "claimed once validated", claimIDs(), []core.ID{event.ID, ping.ID, replayed.ID})
		set(true, core.SubActive)
		wantIDs(t, "claimed when active", claimIDs(), []core.ID{event.ID, ping.ID, replayed.ID})
		set(false, core.SubDisabled)
		queued := addDelivery(t, s, sub, 4, core.EventTrackerStarted, t0)
		wantIDs(t, "claimed after disabling again", claimIDs(), nil)
		if n := countPending(t, s); n != 4 {
			t.Errorf("CountPendingDeliveries = %d, want 4", n)
		}
		set(true, core.SubActive)
		wantIDs(t, "claimed after enabling again", claimIDs(), []core.ID{event.ID, ping.ID, replayed.ID, queued.ID})
	}},
	{"Deliveries/Reschedule", func(t *testing.T, s core.Store) {
		f := setup(t, s)
		sub := addSub(t, s, f.ws, f.user.ID, "Billing", func(sub *core.Subscription) { sub.Enabled, sub.Status = false, core.SubDisabled })
		other := addSub(t, s, f.ws, f.user.ID, "Payroll", nil)
		a := addDelivery(t, s, sub, 1, core.EventTrackerStarted, at(time.Hour))
		b := addDelivery(t, s, sub, 2, core.EventTrackerStarted, at(2*time.Hour))
		done := addDelivery(t, s, sub, 3, core.EventTrackerStarted, t0)
		done.State, done.DeliveredAt = core.DeliveryDelivered, ptr(t0)
		write(t, s, func(tx core.Tx) (any, error) { return nil, tx.UpdateDelivery(&done) })
		// An expired lease, from a worker that died.
		b.LeaseUntil = ptr(at(time.Minute))
		write(t, s, func(tx core.Tx) (any, error) { return nil, tx.UpdateDelivery(&b) })
		o := addDelivery(t, s, other, 1, core.EventTrackerStarted, at(3*time.Hour))

		sub.Enabled, sub.Status = true, core.SubActive
		n := write(t, s, func(tx core.Tx) (int, error) {
			if err := tx.UpdateSubscription(&sub); err != nil {
				return 0, err
			}
			return tx.RescheduleDeliveries(f.ws, sub.ID, at(5*time.Minute))
		})
		if n != 2 {
			t.Errorf("RescheduleDeliveries = %d, want 2 (the pending ones)", n)
		}
		for _, d := range []core.Delivery{a, b} {
			got := getDelivery(t, s, d.ID)
			sameTime(t, "rescheduled next_attempt_at", got.NextAttemptAt, at(5*time.Minute))
			if got.LeaseUntil != nil {
				t.Errorf("rescheduled delivery %d keeps its expired lease %v", d.ID, got.LeaseUntil)
			}
		}
		sameTime(t, "delivered next_attempt_at", getDelivery(t, s, done.ID).NextAttemptAt, done.NextAttemptAt)
		sameTime(t, "other webhook's next_attempt_at", getDelivery(t, s, o.ID).NextAttemptAt, o.NextAttemptAt)
		got := claim(t, s, at(5*time.Minute), at(6*time.Minute), 10)
		wantIDs(t, "claimed after reschedule", ids(got, deliveryID), []core.ID{a.ID, b.ID})
		if n := write(t, s, func(tx core.Tx) (int, error) { return tx.RescheduleDeliveries(f.ws+100, sub.ID, t0) }); n != 0 {
			t.Errorf("RescheduleDeliveries in another workspace = %d", n)
		}
	}},
	{"Deliveries/FinishOverTheClaim", func(t *testing.T, s core.Store) {
		f := setup(t, s)
		sub := addSub(t, s, f.ws, f.user.ID, "Billing", nil)
		finish := func(d core.Delivery) bool {
			t.Helper()
			d.State, d.Attempts, d.DeliveredAt, d.UpdatedAt = core.DeliveryDelivered, d.Attempts+1, ptr(at(30*time.Second)), at(30*time.Second)
			return write(t, s, func(tx core.Tx) (bool, error) { return tx.FinishDelivery(&d) })
		}

		// The common case: finished over the claim it made.
		a := addDelivery(t, s, sub, 1, core.EventTrackerStarted, t0)
		claimed := claim(t, s, t0, at(time.Minute), 10)
		if len(claimed) != 1 || claimed[0].ID != a.ID || claimed[0].Version == a.Version {
			t.Fatalf("claimed %+v (created with version %d)", claimed, a.Version)
		}
		if !finish(claimed[0]) {
			t.Fatal("FinishDelivery over its own claim reported false")
		}
		got := getDelivery(t, s, a.ID)
		if got.State != core.DeliveryDelivered || got.Attempts != 1 || got.LeaseUntil != nil || got.DeliveredAt == nil {
			t.Errorf("finished delivery %+v", got)
		}

		// A replay during the attempt wins: the delivery stays pending from
		// scratch, and the worker's lease is dropped so it goes out at once.
		b := addDelivery(t, s, sub, 2, core.EventTrackerStarted, t0)
		claimed = claim(t, s, t0, at(time.Minute), 10)
		if len(claimed) != 1 || claimed[0].ID != b.ID {
			t.Fatalf("claimed %v, want %d", ids(claimed, deliveryID), b.ID)
		}
		re := newDelivery(sub, 2, core.EventTrackerStarted, at(10*time.Second))
		re.UpdatedAt = at(10 * time.Second)
		write(t, s, func(tx core.Tx) (any, error) { return nil, tx.RequeueDelivery(&re) })
		if got := getDelivery(t, s, b.ID); got.LeaseUntil == nil {
			t.Fatal("the requeue dropped the lease of the worker sending the delivery")
		}
		if finish(claimed[0]) {
			t.Fatal("FinishDelivery overwrote a replay that came in during the attempt")
		}
		got = getDelivery(t, s, b.ID)
		if got.State != core.DeliveryPending || got.Attempts != 0 || got.LeaseUntil != nil || got.DeliveredAt != nil {
			t.Errorf("replayed delivery after the attempt %+v, want pending from scratch, no lease", got)
		}
		wantIDs(t, "claimed after the replay", ids(claim(t, s, at(40*time.Second), at(2*time.Minute), 10), deliveryID), []core.ID{b.ID})

		// A worker whose lease ran out, and another claimed the delivery,
		// leaves the new claim alone.
		c := addDelivery(t, s, sub, 3, core.EventTrackerStarted, t0)
		first := claim(t, s, t0, at(time.Minute), 10)
		if len(first) != 1 || first[0].ID != c.ID {
			t.Fatalf("claimed %v, want %d", ids(first, deliveryID), c.ID)
		}
		second := claim(t, s, at(2*time.Minute), at(3*time.Minute), 10)
		var again core.Delivery
		for _, d := range second {
			if d.ID == c.ID {
				again = d
			}
		}
		if again.ID == 0 {
			t.Fatalf("the expired lease was not claimed again: %v", ids(second, deliveryID))
		}
		if finish(first[0]) {
			t.Fatal("FinishDelivery of an expired claim overwrote the new one")
		}
		if got := getDelivery(t, s, c.ID); got.State != core.DeliveryPending || got.LeaseUntil == nil || !got.LeaseUntil.Equal(at(3*time.Minute)) {
			t.Errorf("delivery after the stale finish %+v, want the second claim's lease", got)
		}
		if !finish(again) {
			t.Error("FinishDelivery of the current claim reported false")
		}

		ghost := first[0]
		ghost.ID = 99999
		wantCode(t, writeErr(t, s, func(tx core.Tx) error { _, err := tx.FinishDelivery(&ghost); return err }), core.ENOTFOUND)
	}},
	{"Deliveries/RequeueDelivered", func(t *testing.T, s core.Store) {
		f := setup(t, s)
		sub := addSub(t, s, f.ws, f.user.ID, "Billing", nil)
		d := addDelivery(t, s, sub, 1, core.EventTrackerStarted, t0)
		claimed := claim(t, s, t0, at(time.Minute), 10)
		if len(claimed) != 1 {
			t.Fatalf("claimed %d", len(claimed))
		}
		d = claimed[0]
		d.State, d.Attempts, d.LeaseUntil, d.DeliveredAt, d.UpdatedAt = core.DeliveryDelivered, 1, nil, ptr(at(time.Second)), at(time.Second)
		write(t, s, func(tx core.Tx) (any, error) { return nil, tx.UpdateDelivery(&d) })
		if n := countPending(t, s); n != 0 {
			t.Fatalf("CountPendingDeliveries after delivery = %d", n)
		}

		// Replay: the same event to the same subscription is the same delivery, pending again.
		re := newDelivery(sub, 1, core.EventTrackerStarted, at(time.Hour))
		re.CreatedAt, re.UpdatedAt = at(time.Hour), at(time.Hour)
		write(t, s, func(tx core.Tx) (any, error) { return nil, tx.RequeueDelivery(&re) })
		if re.ID != d.ID {
			t.Fatalf("RequeueDelivery set id %d, want the delivery's %d", re.ID, d.ID)
		}
		got := getDelivery(t, s, d.ID)
		if got.State != core.DeliveryPending || got.LeaseUntil != nil || got.DeliveredAt != nil {
			t.Errorf("requeued delivery %+v", got)
		}
		sameTime(t, "requeued next_attempt_at", got.NextAttemptAt, at(time.Hour))
		sameTime(t, "requeued created_at", got.CreatedAt, t0)
		sameTime(t, "requeued updated_at", got.UpdatedAt, at(time.Hour))
		if n := countPending(t, s); n != 1 {
			t.Errorf("CountPendingDeliveries after requeue = %d, want 1", n)
		}
		if got := claim(t, s, at(time.Minute), at(2*time.Minute), 10); len(got) != 0 {
			t.Errorf("requeued delivery claimed before it is due: %v", ids(got, deliveryID))
		}
		wantIDs(t, "claimed after requeue", ids(claim(t, s, at(time.Hour), at(2*time.Hour), 10), deliveryID), []core.ID{d.ID})

		// Requeue of an event never queued creates its delivery.
		fresh := newDelivery(sub, 2, core.EventTrackerStopped, at(time.Hour))
		write(t, s, func(tx core.Tx) (any, error) { return nil, tx.RequeueDelivery(&fresh) })
		if fresh.ID == 0 || fresh.ID == d.ID {
			t.Fatalf("RequeueDelivery of a new event set id %d", fresh.ID)
		}
		got = getDelivery(t, s, fresh.ID)
		if got.State != core.DeliveryPending || got.EventSeq != 2 || got.EventID != "evt_2" || got.EventType != core.EventTrackerStopped {
			t.Errorf("requeued new delivery %+v", got)
		}
		orphan := newDelivery(sub, 3, core.EventTrackerStarted, t0)
		orphan.SubscriptionID = sub.ID + 100
		wantCode(t, writeErr(t, s, func(tx core.Tx) error { return tx.RequeueDelivery(&orphan) }), core.ENOTFOUND)
	}},
	{"Deliveries/DeleteSubscriptionCascades", func(t *testing.T, s core.Store) {
		f := setup(t, s)
		sub := addSub(t, s, f.ws, f.user.ID, "Billing", nil)
		other := addSub(t, s, f.ws, f.user.ID, "Payroll", nil)
		var gone []core.Delivery
		for seq := range int64(3) {
			d := addDelivery(t, s, sub, seq+1, core.EventTrackerStarted, t0)
			addAttempt(t, s, d, 1, t0)
			gone = append(gone, d)
		}
		kept := addDelivery(t, s, other, 1, core.EventTrackerStarted, t0)
		keptAttempt := addAttempt(t, s, kept, 1, t0)
		write(t, s, func(tx core.Tx) (any, error) { return nil, tx.DeleteSubscription(f.ws, sub.ID) })
		for _, d := range gone {
			wantCode(t, readErr(t, s, func(tx core.Tx) error { _, err := tx.Delivery(d.ID); return err }), core.ENOTFOUND)
		}
		if got := listAttempts(t, s, f.ws, sub.ID, core.Page{}); len(got) != 0 {
			t.Errorf("attempts of a deleted webhook: %v", ids(got, attemptID))
		}
		if n := countPending(t, s); n != 1 {
			t.Errorf("CountPendingDeliveries = %d, want 1", n)
		}
		sameDelivery(t, getDelivery(t, s, kept.ID), kept)
		wantIDs(t, "other webhook's attempts", ids(listAttempts(t, s, f.ws, other.ID, core.Page{}), attemptID), []core.ID{keptAttempt.ID})
		wantIDs(t, "claimed", ids(claim(t, s, t0, at(time.Minute), 10), deliveryID), []core.ID{kept.ID})
	}},
	{"Attempts/NewestFirstInPages", func(t *testing.T, s core.Store) {
		f := setup(t, s)
		sub := addSub(t, s, f.ws, f.user.ID, "Billing", nil)
		other := addSub(t, s, f.ws, f.user.ID, "Payroll", nil)
		d := addDelivery(t, s, sub, 1, core.EventTrackerStarted, t0)
		od := addDelivery(t, s, other, 1, core.EventTrackerStarted, t0)
		if got := listAttempts(t, s, f.ws, sub.ID, core.Page{}); len(got) != 0 {
			t.Errorf("attempts of a new webhook: %v", ids(got, attemptID))
		}
		var made []core.Attempt
		for i := range 5 {
			a := addAttempt(t, s, d, i+1, at(time.Duration(i)*time.Minute))
			if a.ID == 0 {
				t.Fatal("AddAttempt set no id")
			}
			made = append(made, a)
			addAttempt(t, s, od, i+1, t0)
		}
		newest := slices.Clone(made)
		slices.Reverse(newest)
		all := listAttempts(t, s, f.ws, sub.ID, core.Page{})
		wantIDs(t, "attempts", ids(all, attemptID), ids(newest, attemptID))
		if len(all) == 5 {
			got, want := all[0], newest[0]
			if got != (core.Attempt{ID: want.ID, WorkspaceID: f.ws, SubscriptionID: sub.ID, DeliveryID: d.ID, EventID: d.EventID,
				EventType: d.EventType, Attempt: 5, At: got.At, StatusCode: 500, LatencyMillis: 42, ErrorClass: "http_status",
				Error: "500 Internal Server Error", Response: `{"error":"boom"}`}) {
				t.Errorf("got attempt %+v, want %+v", got, want)
			}
			sameTime(t, "attempt at", got.At, want.At)
		}
		var paged []core.ID
		var after core.ID
		for range 10 {
			page := listAttempts(t, s, f.ws, sub.ID, core.Page{After: after, Limit: 2})
			if len(page) > 2 {
				t.Fatalf("page of %d with limit 2", len(page))
			}
			if len(page) == 0 {
				break
			}
			paged = append(paged, ids(page, attemptID)...)
			after = page[len(page)-1].ID
		}
		wantIDs(t, "paged attempts", paged, ids(newest, attemptID))
		if got := listAttempts(t, s, f.ws+100, sub.ID, core.Page{}); len(got) != 0 {
			t.Errorf("attempts in another workspace: %v", ids(got, attemptID))
		}
		wantCode(t, writeErr(t, s, func(tx core.Tx) error {
			return tx.AddAttempt(&core.Attempt{WorkspaceID: f.ws, SubscriptionID: other.ID + 100, DeliveryID: d.ID, At: t0})
		}), core.ENOTFOUND)
	}},
	{"Attempts/LastAttempts", func(t *testing.T, s core.Store) {
		f := setup(t, s)
		var subs []core.Subscription
		var ds []core.Delivery
		for i := range 4 {
			sub := addSub(t, s, f.ws, f.user.ID, fmt.Sprintf("hook-%d", i), nil)
			subs = append(subs, sub)
			ds = append(ds, addDelivery(t, s, sub, 1, core.EventTrackerStarted, t0))
		}
		last := func(ws core.ID, of ...core.ID) map[core.ID]core.Attempt {
			t.Helper()
			return read(t, s, func(tx core.Tx) (map[core.ID]core.Attempt, error) { return tx.LastAttempts(ws, of) })
		}
		all := ids(subs, subID)
		if got := last(f.ws, all...); len(got) != 0 {
			t.Errorf("last attempts of new webhooks: %v", got)
		}
		if got := last(f.ws); len(got) != 0 {
			t.Errorf("last attempts of no webhooks: %v", got)
		}
		// Interleaved, and the newest by id of hook-0 the earliest by time:
		// newest is what ListAttempts lists first (highest id), as for hook-1
		// the one attempt it has. hook-2 and hook-3 have none.
		for i := range 3 {
			addAttempt(t, s, ds[0], i+1, at(time.Duration(3-i)*time.Minute))
			if i == 1 {
				addAttempt(t, s, ds[1], 1, at(time.Hour))
			}
		}
		want := map[core.ID]core.Attempt{}
		for _, sub := range subs[:2] {
			want[sub.ID] = listAttempts(t, s, f.ws, sub.ID, core.Page{Limit: 1})[0]
		}
		same := func(what string, got map[core.ID]core.Attempt, want map[core.ID]core.Attempt) {
			t.Helper()
			if len(got) != len(want) {
				t.Errorf("%s: last attempts of %d webhooks, want %d: %v", what, len(got), len(want), got)
			}
			for sub, w := range want {
				g, ok := got[sub]
				if !ok {
					t.Errorf("%s: no last attempt of webhook %d", what, sub)
					continue
				}
				sameTime(t, "attempt at", g.At, w.At)
				g.At = w.At
				if g != w {
					t.Errorf("%s: last attempt of webhook %d %+v, want %+v", what, sub, g, w)
				}
			}
		}
		same("all", last(f.ws, all...), want)
		// In any order, with repeats and ids of no webhook.
		same("shuffled", last(f.ws, all[3], all[1], 9999, all[0], all[1], 0), want)
		same("one", last(f.ws, all[1]), map[core.ID]core.Attempt{all[1]: want[all[1]]})
		same("none with attempts", last(f.ws, all[2], all[3]), nil)
		same("another workspace", last(f.ws+100, all...), nil)
		// A page's worth at once.
		many := make([]core.ID, core.MaxPageLimit)
		for i := range many {
			many[i] = all[i%len(all)] + core.ID(i/len(all))*10000
		}
		same("a full page", last(f.ws, many...), want)
	}},
	{"Events/EventAndBetween", func(t *testing.T, s core.Store) {
		f := setup(t, s)
		var evs []core.Event
		for i := range 6 {
			evs = append(evs, appendEvent(t, s, core.Event{ID: fmt.Sprintf("evt_%d", i), Type: core.EventTrackerStarted,
				Timestamp: at(time.Duration(i) * time.Minute), WorkspaceID: f.ws,
				Actor: core.EventActor{ID: f.user.ID, Name: "Alice", Source: "slack"},
				Data:  json.RawMessage(fmt.Sprintf(`{"n":%d}`, i)), UserID: f.user.ID}))
		}
		// One written late with an early timestamp: order is by Seq.
		evs = append(evs, appendEvent(t, s, core.Event{ID: "evt_late", Type: core.EventTrackerStopped,
			Timestamp: at(2*time.Minute + 30*time.Second), WorkspaceID: f.ws, Actor: core.EventActor{Source: "api"}}))
		for _, e := range evs {
			sameEvent(t, read(t, s, func(tx core.Tx) (core.Event, error) { return tx.Event(e.Seq) }), e)
		}
		wantCode(t, readErr(t, s, func(tx core.Tx) error { _, err := tx.Event(evs[6].Seq + 100); return err }), core.ENOTFOUND)

		between := func(from, to time.Time, after int64, limit int) []string {
			t.Helper()
			got := read(t, s, func(tx core.Tx) ([]core.Event, error) { return tx.EventsBetween(from, to, after, limit) })
			var out []string
			for i, e := range got {
				if i > 0 && e.Seq <= got[i-1].Seq {
					t.Errorf("EventsBetween out of order: %d after %d", e.Seq, got[i-1].Seq)
				}
				out = append(out, e.ID)
			}
			return out
		}
		// from and to are inclusive.
		if got, want := between(at(time.Minute), at(3*time.Minute), 0, 0), []string{"evt_1", "evt_2", "evt_3", "evt_late"}; !slices.Equal(got, want) {
			t.Errorf("EventsBetween(1m, 3m) = %v, want %v", got, want)
		}
		if got, want := between(at(time.Minute), at(3*time.Minute), evs[1].Seq, 2), []string{"evt_2", "evt_3"}; !slices.Equal(got, want) {
			t.Errorf("EventsBetween(1m, 3m, after evt_1, 2) = %v, want %v", got, want)
		}
		if got := between(at(10*time.Minute), at(20*time.Minute), 0, 10); len(got) != 0 {
			t.Errorf("EventsBetween in an empty range = %v", got)
		}
		if got := between(t0, at(time.Hour), 0, 0); len(got) != 7 {
			t.Errorf("EventsBetween over everything = %v", got)
		}
		got := read(t, s, func(tx core.Tx) ([]core.Event, error) { return tx.EventsBetween(t0, at(time.Hour), 0, 0) })
		for i := range got {
			sameEvent(t, got[i], evs[i])
		}
	}},
	{"Deliveries/ConcurrentClaimsNeverOverlap", func(t *testing.T, s core.Store) {
		f := setup(t, s)
		sub := addSub(t, s, f.ws, f.user.ID, "Billing", nil)
		const total = 500
		write(t, s, func(tx core.Tx) (any, error) {
			for seq := range int64(total) {
				d := newDelivery(sub, seq+1, core.EventTrackerStarted, at(time.Duration(seq%7)*time.Second))
				if _, err := tx.CreateDelivery(&d); err != nil {
					return nil, err
				}
			}
			return nil, nil
		})
		const workers, batch = 8, 10
		var (
			mu      sync.Mutex
			claimed = map[core.ID]int{}
			sum     int // with repeats: past total, a store is handing out leased deliveries
			wg      sync.WaitGroup
			errs    = make(chan error, workers)
		)
		for range workers {
			wg.Go(func() {
				for {
					var ds []core.Delivery
					err := s.Update(t.Context(), func(tx core.Tx) error {
						var err error
						ds, err = tx.ClaimDeliveries(at(time.Minute), at(time.Hour), batch)
						return err
					})
					if err != nil {
						errs <- err
						return
					}
					if len(ds) == 0 {
						return
					}
					if len(ds) > batch {
						errs <- fmt.Errorf("claimed %d with limit %d", len(ds), batch)
						return
					}
					mu.Lock()
					for _, d := range ds {
						claimed[d.ID]++
					}
					sum += len(ds)
					over := sum > total
					mu.Unlock()
					if over {
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if len(claimed) != total {
			t.Errorf("claimed %d distinct deliveries, want %d", len(claimed), total)
		}
		for id, n := range claimed {
			if n != 1 {
				t.Errorf("delivery %d claimed %d times while leased", id, n)
			}
		}
		if got := claim(t, s, at(time.Minute), at(time.Hour), 10); len(got) != 0 {
			t.Errorf("claimed %d more while all are leased", len(got))
		}
	}},
}
