package delivery

import (
	"context"
	"fmt"
	"time"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/webhooks"
)

// MaxPayloadBytes is the largest body a delivery sends: a larger one is
// sent with its data cut to ids (webhooks.Service.RenderCapped), and one
// still larger (a renderer that ignores the data) is refused for good.
const MaxPayloadBytes = 256 << 10

// job is one claimed delivery with what sending it needs.
type job struct {
	d   core.Delivery
	ev  core.Event
	sub core.Subscription
}

// claim leases due deliveries and hands them to the workers.
func (e *Engine) claim(ctx context.Context, limit int, jobs chan<- *job) (int, error) {
	var ds []core.Delivery
	now := e.now()
	err := e.store.Update(ctx, func(tx core.Tx) error {
		var err error
		ds, err = tx.ClaimDeliveries(now, now.Add(e.opts.Lease), limit)
		return err
	})
	if err != nil || len(ds) == 0 {
		return 0, err
	}
	batch := make([]*job, 0, len(ds))
	err = e.store.View(ctx, func(tx core.Tx) error {
		subs := map[core.ID]core.Subscription{}
		for _, d := range ds {
			ev, err := tx.Event(d.EventSeq)
			if err != nil {
				return err
			}
			sub, ok := subs[d.SubscriptionID]
			if !ok {
				if sub, err = tx.Subscription(d.WorkspaceID, d.SubscriptionID); err != nil {
					return err
				}
				subs[d.SubscriptionID] = sub
			}
			batch = append(batch, &job{d: d, ev: ev, sub: sub})
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("load claimed deliveries: %w", err)
	}
	for _, j := range batch {
		jobs <- j
	}
	return len(batch), nil
}

// deliver makes one attempt and records it.
func (e *Engine) deliver(j *job) {
	o := e.attempt(j)
	if err := e.record(j, o); err != nil {
		e.opts.Logger.Error("record attempt failed", "webhook_id", j.sub.ID, "event_id", j.ev.ID, "err", err)
	}
}

// attempt renders and signs one delivery, and sends it through the sender
// of its target.
func (e *Engine) attempt(j *job) Outcome {
	body, code, truncated, err := e.hooks.RenderCapped(j.ev, j.sub, MaxPayloadBytes)
	if truncated {
		e.opts.Logger.Info("event over the payload cap sent with its data cut to ids", "webhook_id", j.sub.ID, "event_id", j.ev.ID)
	}
	if err != nil {
		return Outcome{Class: "render", Err: err.Error(), Permanent: true}
	}
	if len(body) > MaxPayloadBytes {
		return Outcome{Class: "payload_too_large", Err: fmt.Sprintf("body of %d bytes is over the %d-byte cap", len(body), MaxPayloadBytes), Permanent: true}
	}
	now := e.now()
	sig, err := webhooks.Sign(j.sub.Secrets(now), j.ev.ID, now, body)
	if err != nil {
		return Outcome{Class: "signing", Err: err.Error(), Permanent: true}
	}
	s := e.sender(j.sub.URL)
	if s == nil {
		return noSender(j.sub.URL)
	}
	ctx, cancel := context.WithTimeout(context.Background(), e.opts.Timeout)
	defer cancel()
	start := time.Now()
	o := s.Send(ctx, &Message{Sub: j.sub, Body: body, Signature: sig})
	o.Latency = time.Since(start)
	e.metrics.attemptLatency.Observe(o.Latency.Seconds())
	o.Response = o.Response[:min(len(o.Response), responseExcerpt)]
	o.Validated = code != "" && o.OK() && webhooks.Echoes([]byte(o.Response), code)
	return o
}

// record writes an attempt and what it changes (Decide): the delivery's
// next state, and the subscription's streak and status with the alert
// events a status change emits.
func (e *Engine) record(j *job, o Outcome) error {
	now := e.now()
	jitter := e.opts.Jitter()
	var dec Decision
	err := e.store.Update(context.Background(), func(tx core.Tx) error {
		dec = Decision{}
		// Most outcomes leave the subscription as it is (a success for a
		// healthy one): decide on the row as it is, unlocked, and only
		// when the decision changes it, lock it, read it again and decide
		// on that. On PostgreSQL every record locked the row, and the
		// workers of one subscription recorded one after another.
		sub, err := tx.PeekSubscription(j.d.WorkspaceID, j.d.SubscriptionID)
		if err == nil {
			if dec = Decide(j.d, sub, o, now, e.policy, jitter); dec.Subscription != nil {
				sub, err = tx.Subscription(j.d.WorkspaceID, j.d.SubscriptionID)
				dec = Decide(j.d, sub, o, now, e.policy, jitter)
			}
		}
		if core.ErrorCode(err) == core.ENOTFOUND {
			dec = Decision{}
			return nil // deleted meanwhile
		}
		if err != nil {
			return err
		}
		d := dec.Delivery
		d.UpdatedAt = now // FinishDelivery drops the lease
		if err := tx.AddAttempt(attemptRow(d, o, now)); err != nil {
			return err
		}
		if s := dec.Subscription; s != nil {
			if o.Validated {
				if err := e.hooks.MarkValidated(tx, s); err != nil {
					return err
				}
			}
			for _, a := range dec.Alerts {
				if err := e.hooks.Alert(tx, *s, a); err != nil {
					return err
				}
			}
			s.UpdatedAt = now
		}
		// A replay that came in during the attempt keeps its own schedule:
		// the attempt is logged and counts for the subscription, but the
		// delivery is not overwritten.
		if _, err := tx.FinishDelivery(&d); err != nil {
			return err
		}
		if dec.Subscription == nil {
			return nil
		}
		return tx.UpdateSubscription(dec.Subscription)
	})
	if err != nil {
		return err
	}
	if len(dec.Alerts) > 0 {
		e.Wake()
	}
	switch {
	case o.OK():
		e.metrics.outcomes.WithLabelValues("delivered").Inc()
		e.metrics.eventToDelivery.Observe(now.Sub(j.ev.Timestamp).Seconds())
	case dec.Delivery.State == core.DeliveryFailed:
		e.metrics.outcomes.WithLabelValues("failed").Inc()
	default:
		e.metrics.outcomes.WithLabelValues("retry").Inc()
	}
	return nil
}

// attemptRow is the log row of attempt d.Attempts at delivery d, which
// found o.
func attemptRow(d core.Delivery, o Outcome, at time.Time) *core.Attempt {
	return &core.Attempt{WorkspaceID: d.WorkspaceID, SubscriptionID: d.SubscriptionID, DeliveryID: d.ID,
		EventID: d.EventID, EventType: d.EventType, Attempt: d.Attempts, At: at, StatusCode: o.Status,
		LatencyMillis: o.Latency.Milliseconds(), ErrorClass: o.Class, Error: o.Err, Response: o.Response}
}
