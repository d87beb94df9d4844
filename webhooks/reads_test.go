package webhooks_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/delivery"
	"github.com/chatops/gateway/delivery/deliverytest"
	"github.com/chatops/gateway/webhooks"
)

// How much the webhooks service reads from the store: a page of List
// costs a bounded number of reads, and ChannelHears and ChannelSubscriptions
// read the channel's subscriptions, not the workspace's.

// readCounter wraps a store and counts, in every transaction, the reads of
// the attempt log (ListAttempts, LastAttempts) and the subscription rows
// read (by Subscription, PeekSubscription, ListSubscriptions and
// ListChannelSubscriptions).
type readCounter struct {
	core.Store
	attemptReads, subRows int
}

func (c *readCounter) View(ctx context.Context, fn func(core.Tx) error) error {
	return c.Store.View(ctx, func(tx core.Tx) error { return fn(countingTx{tx, c}) })
}

func (c *readCounter) Update(ctx context.Context, fn func(core.Tx) error) error {
	return c.Store.Update(ctx, func(tx core.Tx) error { return fn(countingTx{tx, c}) })
}

// reset returns the counts so far and starts again from zero.
func (c *readCounter) reset() (attemptReads, subRows int) {
	attemptReads, subRows = c.attemptReads, c.subRows
	c.attemptReads, c.subRows = 0, 0
	return attemptReads, subRows
}

type countingTx struct {
	core.Tx
	c *readCounter
}

func (t countingTx) ListAttempts(ws, sub core.ID, p core.Page) ([]core.Attempt, error) {
	t.c.attemptReads++
	return t.Tx.ListAttempts(ws, sub, p)
}

func (t countingTx) LastAttempts(ws core.ID, subs []core.ID) (map[core.ID]core.Attempt, error) {
	t.c.attemptReads++
	return t.Tx.LastAttempts(ws, subs)
}

func (t countingTx) Subscription(ws, id core.ID) (core.Subscription, error) {
	t.c.subRows++
	return t.Tx.Subscription(ws, id)
}

func (t countingTx) PeekSubscription(ws, id core.ID) (core.Subscription, error) {
	t.c.subRows++
	return t.Tx.PeekSubscription(ws, id)
}

func (t countingTx) ListSubscriptions(ws, owner core.ID, p core.Page) ([]core.Subscription, error) {
	subs, err := t.Tx.ListSubscriptions(ws, owner, p)
	t.c.subRows += len(subs)
	return subs, err
}

func (t countingTx) ListChannelSubscriptions(ws core.ID, channel string) ([]core.Subscription, error) {
	subs, err := t.Tx.ListChannelSubscriptions(ws, channel)
	t.c.subRows += len(subs)
	return subs, err
}

// countedEnv is a deliverytest.Env whose users may have 20 subscriptions,
// with a second webhooks service, counted, on a readCounter of its store.
func countedEnv(t *testing.T) (*deliverytest.Env, *webhooks.Service, *readCounter) {
	e := deliverytest.New(t, func(o *webhooks.Options, _ *delivery.Options) { o.MaxPerUser = 20 })
	c := &readCounter{Store: e.Store}
	svc := core.NewService(c, core.Options{Now: e.Clock.Now})
	hooks := webhooks.New(svc, webhooks.Options{Now: e.Clock.Now, AllowPrivateTargets: true, PublicURL: "http://gw.test", MaxPerUser: 20})
	return e, hooks, c
}

// TestListReadsTheAttemptLogOncePerPage: List gives each subscription its
// last delivery from the newest attempt of the log, as Get does and as it
// did with a read per subscription, but reads the log once per page.
func TestListReadsTheAttemptLogOncePerPage(t *testing.T) {
	e, hooks, c := countedEnv(t)
	ok, failing := deliverytest.NewReceiver(t), deliverytest.NewReceiver(t)
	failing.SetReply(func(w http.ResponseWriter, _ deliverytest.Received) {
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("down for maintenance"))
	})
	var subs []core.Subscription
	for i := range 12 {
		// Some succeed, some fail, some receive nothing.
		url, events := ok.URL(), "project.*"
		switch i % 3 {
		case 1:
			url = failing.URL()
		case 2:
			events = "tag.*"
		}
		subs = append(subs, e.Create(e.Admin, webhooks.Input{Name: fmt.Sprint("hook ", i), URL: url + fmt.Sprint("/", i),
			Events: deliverytest.Events(events), Validated: true}))
	}
	e.Do(e.Admin, core.AddProject{Project: "A"})
	e.Pump()
	e.Clock.Add(time.Minute + time.Second) // a second attempt of the failing ones
	e.Do(e.Admin, core.AddProject{Project: "B"})
	e.Pump()
	// One without an attempt keeps the last delivery its row holds.
	err := e.Store.Update(e.Ctx, func(tx core.Tx) error {
		sub, err := tx.Subscription(subs[2].WorkspaceID, subs[2].ID)
		if err != nil {
			return err
		}
		at := e.Clock.Now().Add(-time.Hour).UTC()
		sub.LastDeliveryAt, sub.LastStatusCode, sub.LastError = &at, 410, "410 Gone"
		return tx.UpdateSubscription(&sub)
	})
	if err != nil {
		t.Fatal(err)
	}

	// What each shows: its row, with the newest attempt of its log (read
	// as before, one at a time, ListAttempts' first) as last delivery.
	want := map[core.ID]string{}
	err = e.Store.View(e.Ctx, func(tx core.Tx) error {
		for _, s := range subs {
			sub, err := tx.Subscription(s.WorkspaceID, s.ID)
			if err != nil {
				return err
			}
			last, err := tx.ListAttempts(sub.WorkspaceID, sub.ID, core.Page{Limit: 1})
			if err != nil {
				return err
			}
			if len(last) == 1 {
				at := last[0].At
				sub.LastDeliveryAt, sub.LastStatusCode, sub.LastError = &at, last[0].StatusCode, last[0].Error
			}
			b, _ := json.Marshal(webhooks.ViewOf(sub))
			want[sub.ID] = string(b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	withLast := 0
	for _, s := range subs {
		var v webhooks.View
		_ = json.Unmarshal([]byte(want[s.ID]), &v)
		if v.LastDelivery != nil {
			withLast++
		}
	}
	if withLast != 9 {
		t.Fatalf("%d of 12 webhooks have a last delivery, want 9 (8 with attempts, 1 from its row)", withLast)
	}

	c.reset()
	seen := 0
	for p := (core.Page{Limit: 5}); ; {
		page, next, err := hooks.List(e.Ctx, e.Admin, p)
		if err != nil {
			t.Fatal(err)
		}
		if reads, _ := c.reset(); reads > 1 {
			t.Errorf("a page of %d webhooks read the attempt log %d times, want once", len(page), reads)
		}
		for _, sub := range page {
			seen++
			if b, _ := json.Marshal(webhooks.ViewOf(sub)); string(b) != want[sub.ID] {
				t.Errorf("listed\n%s\nwant\n%s", b, want[sub.ID])
			}
			got, err := hooks.Get(e.Ctx, e.Admin, sub.ID)
			if err != nil {
				t.Fatal(err)
			}
			if b, _ := json.Marshal(webhooks.ViewOf(got)); string(b) != want[sub.ID] {
				t.Errorf("got\n%s\nwant\n%s", b, want[sub.ID])
			}
			c.reset()
		}
		if next == 0 {
			break
		}
		p.After = next
	}
	if seen != len(subs) {
		t.Errorf("listed %d webhooks, want %d", seen, len(subs))
	}
}

// TestChannelHearsReadsOnlyTheChannelsSubscriptions: whether a channel
// hears a start or stop is decided from the channel's own subscriptions,
// with the same answers, however many others the workspace has.
func TestChannelHearsReadsOnlyTheChannelsSubscriptions(t *testing.T) {
	e, hooks, c := countedEnv(t)
	bob := e.User("bob", core.RoleMember)
	ann := e.User("ann", core.RoleMember)
	rc := deliverytest.NewReceiver(t)
	n := 0
	add := func(a core.Actor, channel, events string, enabled bool) {
		t.Helper()
		n++
		e.Create(a, webhooks.Input{Name: fmt.Sprint("hook ", n), URL: rc.URL() + fmt.Sprint("/", n), Channel: channel,
			Events: deliverytest.Events(events), Validated: true, Enabled: &enabled})
	}
	const general, random = "slack:T1:CGENERAL", "slack:T1:CRANDOM"
	for range 10 {
		add(e.Admin, "", "tracker.*", true) // not a channel's
	}
	add(e.Admin, random, "tracker.*", true)
	add(e.Admin, general, "tracker.*", false) // off
	add(bob, general, "tracker.stopped", true)
	add(ann, general, "project.*", true)

	for _, tc := range []struct {
		channel string
		event   string
		user    core.User
		want    bool
		rows    int
	}{
		{general, core.EventTrackerStopped, bob.User, true, 3},
		{general, core.EventTrackerStarted, bob.User, false, 3}, // bob's hears only stops
		{general, core.EventTrackerStopped, ann.User, false, 3}, // bob may not see ann's timer
		{general, core.EventTrackerStopped, e.Admin.User, false, 3},
		{random, core.EventTrackerStarted, ann.User, true, 1}, // an admin's sees everyone's
		{"slack:T1:CQUIET", core.EventTrackerStarted, ann.User, false, 0},
		{"", core.EventTrackerStarted, ann.User, false, 0},
	} {
		c.reset()
		got, err := hooks.ChannelHears(e.Ctx, core.Channel{Key: tc.channel}, tc.event, tc.user)
		if err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("%s hears %s of %s: %v, want %v", tc.channel, tc.event, tc.user.Name, got, tc.want)
		}
		if _, rows := c.reset(); rows != tc.rows {
			t.Errorf("%s, %s of %s: read %d subscriptions, want the channel's %d", tc.channel, tc.event, tc.user.Name, rows, tc.rows)
		}
	}
}

// TestChannelSubscriptionsShowWhatListShows: notify list and notify off see
// a channel's subscriptions as List shows them to the actor (an admin every
// one, a member their own, each with its last delivery), read from the
// channel's subscriptions only, however many others the workspace has.
func TestChannelSubscriptionsShowWhatListShows(t *testing.T) {
	e, hooks, c := countedEnv(t)
	bob := e.User("bob", core.RoleMember)
	ann := e.User("ann", core.RoleMember)
	rc := deliverytest.NewReceiver(t)
	n := 0
	add := func(a core.Actor, channel string) core.ID {
		t.Helper()
		n++
		return e.Create(a, webhooks.Input{Name: fmt.Sprint("hook ", n), URL: rc.URL() + fmt.Sprint("/", n), Channel: channel,
			Events: deliverytest.Events("project.*"), Validated: true}).ID
	}
	const general, random = "slack:T1:CGENERAL", "slack:T1:CRANDOM"
	for range 10 {
		add(e.Admin, "") // not a channel's
	}
	add(bob, "")
	adminGeneral := add(e.Admin, general)
	bobGeneral := add(bob, general)
	annGeneral := add(ann, general)
	bobRandom := add(bob, random)
	e.Do(e.Admin, core.AddProject{Project: "A"}) // adminGeneral has a delivery
	e.Pump()

	// What List shows the actor, by id.
	listed := func(a core.Actor) map[core.ID]core.Subscription {
		t.Helper()
		m := map[core.ID]core.Subscription{}
		for p := (core.Page{}); ; {
			subs, next, err := hooks.List(e.Ctx, a, p)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range subs {
				m[s.ID] = s
			}
			if next == 0 {
				return m
			}
			p.After = next
		}
	}
	if s := listed(e.Admin)[adminGeneral]; s.LastDeliveryAt == nil || s.LastStatusCode != http.StatusOK {
		t.Fatalf("admin's channel webhook has no delivery: %+v", s)
	}
	for _, tc := range []struct {
		actor   core.Actor
		channel string
		want    []core.ID
		rows    int
	}{
		{e.Admin, general, []core.ID{adminGeneral, bobGeneral, annGeneral}, 3},
		{bob, general, []core.ID{bobGeneral}, 3}, // not the admin's or ann's
		{ann, general, []core.ID{annGeneral}, 3},
		{e.Admin, random, []core.ID{bobRandom}, 1},
		{bob, random, []core.ID{bobRandom}, 1},
		{ann, random, nil, 1},
		{e.Admin, "slack:T1:CQUIET", nil, 0},
	} {
		c.reset()
		got, err := hooks.ChannelSubscriptions(e.Ctx, tc.actor, core.Channel{Key: tc.channel})
		if err != nil {
			t.Fatal(err)
		}
		var ids []core.ID
		for _, s := range got {
			ids = append(ids, s.ID)
		}
		if fmt.Sprint(ids) != fmt.Sprint(tc.want) {
			t.Errorf("%s sees in %s %v, want %v", tc.actor.User.Name, tc.channel, ids, tc.want)
		}
		if _, rows := c.reset(); rows != tc.rows {
			t.Errorf("%s in %s: read %d subscriptions, want the channel's %d", tc.actor.User.Name, tc.channel, rows, tc.rows)
		}
		list := listed(tc.actor)
		for _, s := range got {
			if !reflect.DeepEqual(s, list[s.ID]) {
				t.Errorf("%s in %s:\n%+v\nList shows\n%+v", tc.actor.User.Name, tc.channel, s, list[s.ID])
			}
		}
	}

	// notify off: bob removes his own only, by id or all at once.
	if n, err := hooks.UnsubscribeChannel(e.Ctx, bob, core.Channel{Key: general}, annGeneral); err != nil || n != 0 {
		t.Errorf("bob's notify off #%d (ann's) = %d, %v; want 0", annGeneral, n, err)
	}
	if n, err := hooks.UnsubscribeChannel(e.Ctx, bob, core.Channel{Key: general}, 0); err != nil || n != 1 {
		t.Errorf("bob's notify off = %d, %v; want 1", n, err)
	}
	got, err := hooks.ChannelSubscriptions(e.Ctx, e.Admin, core.Channel{Key: general})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != adminGeneral || got[1].ID != annGeneral {
		t.Errorf("after bob's notify off the channel has %+v, want #%d and #%d", got, adminGeneral, annGeneral)
	}
}
