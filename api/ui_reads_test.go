package api_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/chatops/gateway/core"
)

// How often a console page reads subscriptions from the store: once per
// page, not once per row it lists.

// subCounter wraps a store and counts the subscription reads of every
// transaction (Subscription, PeekSubscription, ListSubscriptions).
type subCounter struct {
	core.Store
	reads *atomic.Int64
}

func (c subCounter) View(ctx context.Context, fn func(core.Tx) error) error {
	return c.Store.View(ctx, func(tx core.Tx) error { return fn(countingTx{tx, c.reads}) })
}

func (c subCounter) Update(ctx context.Context, fn func(core.Tx) error) error {
	return c.Store.Update(ctx, func(tx core.Tx) error { return fn(countingTx{tx, c.reads}) })
}

type countingTx struct {
	core.Tx
	reads *atomic.Int64
}

func (t countingTx) Subscription(ws, id core.ID) (core.Subscription, error) {
	t.reads.Add(1)
	return t.Tx.Subscription(ws, id)
}

func (t countingTx) PeekSubscription(ws, id core.ID) (core.Subscription, error) {
	t.reads.Add(1)
	return t.Tx.PeekSubscription(ws, id)
}

func (t countingTx) ListSubscriptions(ws, owner core.ID, p core.Page) ([]core.Subscription, error) {
	t.reads.Add(1)
	return t.Tx.ListSubscriptions(ws, owner, p)
}

// subReadsOf builds an env with rows webhooks (spread over the three
// users, who may have 5 each) whose pings failed and wait for a retry,
// lets fill add a page's rows for them, and returns the subscription reads
// of the admin's GET of path. The page must show each row's marker (what
// fill returns) and the markers in also.
func subReadsOf(t *testing.T, path string, rows int, fill func(e *uiEnv, hook string, i int) string, also ...string) int64 {
	t.Helper()
	reads := &atomic.Int64{}
	e := newUIEnv(t, uiEnvOptions{wrap: func(st core.Store) core.Store { return subCounter{st, reads} }})
	tokens := []string{e.admin, e.member, e.other}
	var markers []string
	for i := range rows {
		hook := e.hook(tokens[i%len(tokens)], "hook "+strconv.Itoa(i))
		markers = append(markers, fill(e, hook, i))
	}
	e.rc.setReply(func(w http.ResponseWriter, _ delivered) { w.WriteHeader(http.StatusServiceUnavailable) })
	e.pump()
	markers = append(markers, also...)
	c := e.login(e.admin)
	reads.Store(0)
	p := e.get(path, c)
	n := reads.Load()
	if p.status != http.StatusOK {
		t.Fatalf("%s with %d rows: %d: %.300s", path, rows, p.status, p.body)
	}
	for _, m := range markers {
		if !strings.Contains(p.body, m) {
			t.Fatalf("%s with %d rows lacks %s", path, rows, m)
		}
	}
	return n
}

// TestUIPagesReadSubscriptionsOnce: the dashboard (a row per webhook, and
// the oldest undelivered event's webhook) and the Schedules page (a row per
// schedule, named after its target subscription's channel) read the
// subscriptions once per page, a list of them: one read with 10 rows as
// with 1.
func TestUIPagesReadSubscriptionsOnce(t *testing.T) {
	pages := []struct {
		path string
		fill func(e *uiEnv, hook string, i int) string
		also []string
	}{
		{"/ui/", func(_ *uiEnv, hook string, _ int) string { return `href="/ui/webhooks/` + hook + `"` },
			[]string{"Oldest undelivered:"}},
		{"/ui/schedules", func(e *uiEnv, hook string, i int) string {
			return `id="schedule-` + e.schedule(e.boss, "C"+strconv.Itoa(i), hook) + `"`
		}, nil},
	}
	for _, pg := range pages {
		one, ten := subReadsOf(t, pg.path, 1, pg.fill, pg.also...), subReadsOf(t, pg.path, 10, pg.fill, pg.also...)
		if one != 1 || ten != 1 {
			t.Errorf("%s reads subscriptions %d times with 1 row and %d with 10, want once", pg.path, one, ten)
		}
	}
}
