package delivery

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/webhooks"
)

// dispatchBatch is how many outbox events one dispatch reads.
const dispatchBatch = 500

// DispatchOnce turns the next outbox events into deliveries for every
// subscription that receives them (webhooks.Router), due after the
// schedule's first delay (a ping, not before PingDelay after its
// subscription was created), and advances the dispatch cursor, in one
// transaction. It returns how many events it read.
func (e *Engine) DispatchOnce(ctx context.Context) (int, error) {
	d, err := e.dispatch(ctx, 0)
	return d.events, err
}

// dispatched is what one dispatch did: how many events it read, the
// deliveries it claimed, and the events and subscriptions it had in hand.
type dispatched struct {
	events  int
	claimed []core.Delivery
	evs     map[int64]core.Event
	subs    map[core.ID]core.Subscription
}

// dispatch is DispatchOnce; when it read events and claim > 0, it also
// claims up to claim due deliveries in the same transaction (those it
// made among them, when they are due at once), as the claim loop would:
// the first attempt of a new event needs no transaction of its own to be
// claimed, nor one to read its event and subscription again.
func (e *Engine) dispatch(ctx context.Context, claim int) (dispatched, error) {
	var out dispatched
	var created int
	err := e.store.Update(ctx, func(tx core.Tx) error {
		out, created = dispatched{}, 0
		cursor, err := tx.DispatchCursor()
		if err != nil {
			return err
		}
		evs, err := tx.Events(cursor, dispatchBatch)
		if err != nil || len(evs) == 0 {
			return err
		}
		out.events = len(evs)
		r := webhooks.NewRouter(tx)
		now := e.now()
		first := now.Add(e.opts.RetrySchedule[0])
		if claim > 0 {
			out.evs, out.subs = make(map[int64]core.Event, len(evs)), map[core.ID]core.Subscription{}
		}
		// The deliveries are made subscription by subscription, each one's
		// in event order: CreateDelivery locks its subscription's row (FOR
		// SHARE on PostgreSQL), and a record that changes several
		// subscriptions locks them in the same order, by id, so the two
		// cannot deadlock.
		type recipient struct {
			ev  core.Event
			sub core.Subscription
		}
		var all []recipient
		for _, ev := range evs {
			subs, err := r.Recipients(ev)
			if err != nil {
				return err
			}
			for _, sub := range subs {
				all = append(all, recipient{ev, sub})
			}
		}
		slices.SortStableFunc(all, func(a, b recipient) int { return cmp.Compare(a.sub.ID, b.sub.ID) })
		for _, rc := range all {
			ev, sub := rc.ev, rc.sub
			due := first
			if ev.Type == core.EventWebhookPing {
				// Not before the creating request was answered (PingDelay).
				due = maxTime(due, sub.CreatedAt.Add(e.opts.PingDelay))
			}
			if _, err := tx.CreateDelivery(&core.Delivery{WorkspaceID: ev.WorkspaceID, SubscriptionID: sub.ID,
				EventSeq: ev.Seq, EventID: ev.ID, EventType: ev.Type, State: core.DeliveryPending,
				NextAttemptAt: due, CreatedAt: now, UpdatedAt: now}); err != nil {
				return err
			}
			created++
			if claim > 0 {
				out.evs[ev.Seq], out.subs[sub.ID] = ev, sub
			}
		}
		if err := tx.SetDispatchCursor(evs[len(evs)-1].Seq); err != nil {
			return err
		}
		if claim == 0 || created == 0 {
			return nil
		}
		if out.claimed, err = tx.ClaimDeliveries(now, now.Add(e.opts.Lease), claim); err != nil {
			return err
		}
		// The recipients were read before CreateDelivery locked their
		// rows (FOR SHARE on PostgreSQL): a secret rotated or a URL
		// changed in between is in the rows now. The attempts handed
		// over are made with the subscriptions of the claimed deliveries
		// read again, under that lock; the others are not handed.
		locked := make(map[core.ID]core.Subscription, len(out.subs))
		for _, d := range out.claimed {
			sub, ok := out.subs[d.SubscriptionID]
			if _, done := locked[d.SubscriptionID]; !ok || done {
				continue
			}
			if locked[sub.ID], err = tx.PeekSubscription(sub.WorkspaceID, sub.ID); err != nil {
				return err
			}
		}
		out.subs = locked
		return nil
	})
	if err != nil {
		return dispatched{}, fmt.Errorf("dispatch: %w", err)
	}
	e.metrics.dispatched.Add(float64(created))
	return out, nil
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
