package delivery

import (
	"context"
	"fmt"
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
	var n, created int
	err := e.store.Update(ctx, func(tx core.Tx) error {
		cursor, err := tx.DispatchCursor()
		if err != nil {
			return err
		}
		evs, err := tx.Events(cursor, dispatchBatch)
		if err != nil || len(evs) == 0 {
			return err
		}
		n, created = len(evs), 0
		r := webhooks.NewRouter(tx)
		now := e.now()
		first := now.Add(e.opts.RetrySchedule[0])
		for _, ev := range evs {
			subs, err := r.Recipients(ev)
			if err != nil {
				return err
			}
			for _, sub := range subs {
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
			}
		}
		return tx.SetDispatchCursor(evs[len(evs)-1].Seq)
	})
	if err != nil {
		return 0, fmt.Errorf("dispatch: %w", err)
	}
	e.metrics.dispatched.Add(float64(created))
	return n, nil
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
