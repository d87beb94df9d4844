package delivery

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
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
	return e.hand(ctx, ds, nil, nil, jobs)
}

// hand gives claimed deliveries to the workers, in claim order, with
// their events and subscriptions: those in evs and subs as they are, the
// others read in one View. A delivery whose event or subscription is gone
// (deleted meanwhile) is left out; when the View fails, the deliveries
// that had what they need are handed all the same, and the others wait
// for their lease to run out.
func (e *Engine) hand(ctx context.Context, ds []core.Delivery, evs map[int64]core.Event, subs map[core.ID]core.Subscription, jobs chan<- *job) (int, error) {
	batch := make([]*job, len(ds))
	var missing []core.Delivery
	for i, d := range ds {
		ev, ok := evs[d.EventSeq]
		sub, known := subs[d.SubscriptionID]
		if ok && known {
			batch[i] = &job{d: d, ev: ev, sub: sub}
		} else {
			missing = append(missing, d)
		}
	}
	var herr error
	if len(missing) > 0 {
		err := e.store.View(ctx, func(tx core.Tx) error {
			read, err := eventsOf(tx, missing)
			if err != nil {
				return err
			}
			if subs == nil {
				subs = map[core.ID]core.Subscription{}
			}
			for i, d := range ds {
				if batch[i] != nil {
					continue
				}
				ev, ok := evs[d.EventSeq]
				if !ok {
					if ev, ok = read[d.EventSeq]; !ok {
						if ev, err = tx.Event(d.EventSeq); core.ErrorCode(err) == core.ENOTFOUND {
							continue
						} else if err != nil {
							return err
						}
					}
				}
				sub, ok := subs[d.SubscriptionID]
				if !ok {
					if sub, err = tx.Subscription(d.WorkspaceID, d.SubscriptionID); core.ErrorCode(err) == core.ENOTFOUND {
						continue
					} else if err != nil {
						return err
					}
					subs[d.SubscriptionID] = sub
				}
				batch[i] = &job{d: d, ev: ev, sub: sub}
			}
			return nil
		})
		if err != nil {
			herr = fmt.Errorf("load claimed deliveries: %w", err)
		}
	}
	n := 0
	for _, j := range batch {
		if j != nil {
			jobs <- j
			n++
		}
	}
	return n, herr
}

// eventsOf reads the events of claimed deliveries with one query when
// their Seqs lie close together, as they do when deliveries follow the
// commands (one read per delivery was a round trip each on PostgreSQL).
// Events it does not return are read one by one.
func eventsOf(tx core.Tx, ds []core.Delivery) (map[int64]core.Event, error) {
	lo, hi := ds[0].EventSeq, ds[0].EventSeq
	for _, d := range ds[1:] {
		lo, hi = min(lo, d.EventSeq), max(hi, d.EventSeq)
	}
	span := hi - lo + 1
	if span > int64(2*len(ds)) || span > core.MaxPageLimit {
		return nil, nil
	}
	list, err := tx.Events(lo-1, int(span))
	if err != nil {
		return nil, err
	}
	evs := make(map[int64]core.Event, len(list))
	for _, ev := range list {
		evs[ev.Seq] = ev
	}
	return evs, nil
}

// deliver makes one attempt and has rec record it. A job whose lease ran
// out while it waited for a worker is not sent: the delivery may have been
// claimed again, here or by another instance, and sending it too would send
// it twice; the next claim after the lease takes it.
func (e *Engine) deliver(j *job, rec *recorder) {
	if l := j.d.LeaseUntil; l != nil && !e.now().Before(*l) {
		e.opts.Logger.Warn("lease ran out before the attempt; left to the next claim",
			"webhook_id", j.sub.ID, "event_id", j.ev.ID, "lease_until", *l)
		return
	}
	o := e.attempt(j)
	if err := rec.record(j, o, e.now(), e.opts.Jitter()); err != nil {
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

// maxRecordBatch is the most attempts one transaction records.
const maxRecordBatch = 64

// recorders is how many record transactions may run at once: on
// PostgreSQL, one would wait for a pooled connection behind every
// command, and the deliveries would fall behind the commands.
const recorders = 4

// recorder records attempts for the workers: the attempts that finish
// while the records before them are being written wait, and are then
// written together in one transaction (group commit; up to recorders
// transactions at once), so that a busy engine does not pay a
// transaction, with its commit and on PostgreSQL its round trips and WAL
// flush, for every delivery. Each worker still waits until its attempt is
// recorded, so the number of deliveries sent and not yet recorded stays
// at most Workers, as before.
type recorder struct {
	e     *Engine
	reqs  chan *recordReq
	loops sync.WaitGroup
}

// recordReq is one attempt to record: the delivery, what its attempt
// found, when, and the jitter of its retry.
type recordReq struct {
	j      *job
	o      Outcome
	now    time.Time
	jitter float64
	dec    Decision
	err    chan error
}

// startRecorder starts a recorder; stop it after the last record.
func (e *Engine) startRecorder() *recorder {
	r := &recorder{e: e, reqs: make(chan *recordReq)}
	for range recorders {
		r.loops.Go(r.loop)
	}
	return r
}

// stop ends the recorder once every record handed to it is written.
func (r *recorder) stop() {
	close(r.reqs)
	r.loops.Wait()
}

// record writes attempt o of j, with what it changes, and returns when it
// is committed.
func (r *recorder) record(j *job, o Outcome, now time.Time, jitter float64) error {
	req := &recordReq{j: j, o: o, now: now, jitter: jitter, err: make(chan error, 1)}
	r.reqs <- req
	return <-req.err
}

func (r *recorder) loop() {
	batch := make([]*recordReq, 0, maxRecordBatch)
	for req := range r.reqs {
		batch = append(batch[:0], req)
	more:
		for len(batch) < maxRecordBatch {
			select {
			case req, ok := <-r.reqs:
				if !ok {
					break more
				}
				batch = append(batch, req)
			default:
				break more
			}
		}
		r.e.recordAll(batch)
	}
}

// recordAll records a batch of attempts in one transaction. When that
// fails, it records them one by one, so that one bad record fails alone.
func (e *Engine) recordAll(batch []*recordReq) {
	// Subscriptions in one order in every batch: two batches that lock
	// the same two subscriptions do not deadlock. A subscription's own
	// attempts keep their order.
	slices.SortStableFunc(batch, func(a, b *recordReq) int {
		return cmp.Compare(a.j.d.SubscriptionID, b.j.d.SubscriptionID)
	})
	err := e.recordTx(batch)
	if err == nil {
		for _, req := range batch {
			e.recorded(req)
			req.err <- nil
		}
		return
	}
	if len(batch) == 1 {
		batch[0].err <- err
		return
	}
	for _, req := range batch {
		err := e.recordTx([]*recordReq{req})
		if err == nil {
			e.recorded(req)
		}
		req.err <- err
	}
}

// recordTx writes, in one transaction, each attempt and what it changes
// (Decide): the delivery's next state, and the subscription's streak and
// status with the alert events a status change emits.
//
// The batch comes ordered by subscription, and each subscription's records
// are written by recordSub: with its row locked first, once for them all,
// unless there is one record and it leaves the row as it is. So a batch
// locks a subscription before its deliveries, as an enable does, and the
// subscriptions in id order, as a dispatch does: neither can deadlock with
// it on PostgreSQL. On PostgreSQL every record used to lock the row, and
// the workers of one subscription recorded one after another.
func (e *Engine) recordTx(batch []*recordReq) error {
	return e.store.Update(context.Background(), func(tx core.Tx) error {
		for _, req := range batch {
			req.dec = Decision{}
		}
		for len(batch) > 0 {
			n := 1
			for n < len(batch) && batch[n].j.d.SubscriptionID == batch[0].j.d.SubscriptionID {
				n++
			}
			if err := e.recordSub(tx, batch[:n]); err != nil {
				return err
			}
			batch = batch[n:]
		}
		return nil
	})
}

// recordSub writes the records of one subscription's attempts (group, in
// order) in tx, locking the subscription first when there are several or
// one changes it.
func (e *Engine) recordSub(tx core.Tx, group []*recordReq) error {
	d0 := group[0].j.d
	sub, err := tx.PeekSubscription(d0.WorkspaceID, d0.SubscriptionID)
	if core.ErrorCode(err) == core.ENOTFOUND {
		return nil // deleted meanwhile: nothing to record
	}
	if err != nil {
		return err
	}
	// Several deliveries are written under the lock: an enable or a
	// disable locks the row, then updates its pending deliveries in an
	// order of its own, and two written here unlocked could be taken the
	// other way round (a deadlock on PostgreSQL). One is written unlocked
	// when its decision, on the row as read, leaves the row as it is.
	lockFirst := len(group) > 1
	for _, req := range group {
		if lockFirst {
			break
		}
		lockFirst = Decide(req.j.d, sub, req.o, req.now, e.policy, req.jitter).Subscription != nil
	}
	lock := func() error {
		sub, err = tx.Subscription(d0.WorkspaceID, d0.SubscriptionID)
		return err
	}
	if lockFirst {
		if err := lock(); err != nil {
			if core.ErrorCode(err) == core.ENOTFOUND {
				return nil
			}
			return err
		}
	}
	for _, req := range group {
		// Decide is a function of its arguments: unlocked (one record
		// that leaves the row as it is), no decision here changes it.
		dec := Decide(req.j.d, sub, req.o, req.now, e.policy, req.jitter)
		if err := e.write(tx, dec, req.o, req.now); err != nil {
			return err
		}
		req.dec = dec
		if dec.Subscription != nil {
			// The next record is decided on the row as this one left it.
			if err := lock(); err != nil {
				return err
			}
		}
	}
	return nil
}

// write writes one attempt's decision.
func (e *Engine) write(tx core.Tx, dec Decision, o Outcome, now time.Time) error {
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
}

// recorded counts a committed record, and wakes the dispatcher for the
// alert events it wrote.
func (e *Engine) recorded(req *recordReq) {
	if len(req.dec.Alerts) > 0 {
		e.Wake()
	}
	switch {
	case req.o.OK():
		e.metrics.outcomes.WithLabelValues("delivered").Inc()
		e.metrics.eventToDelivery.Observe(req.now.Sub(req.j.ev.Timestamp).Seconds())
	case req.dec.Delivery.State == core.DeliveryFailed:
		e.metrics.outcomes.WithLabelValues("failed").Inc()
	default:
		e.metrics.outcomes.WithLabelValues("retry").Inc()
	}
}

// attemptRow is the log row of attempt d.Attempts at delivery d, which
// found o.
func attemptRow(d core.Delivery, o Outcome, at time.Time) *core.Attempt {
	return &core.Attempt{WorkspaceID: d.WorkspaceID, SubscriptionID: d.SubscriptionID, DeliveryID: d.ID,
		EventID: d.EventID, EventType: d.EventType, Attempt: d.Attempts, At: at, StatusCode: o.Status,
		LatencyMillis: o.Latency.Milliseconds(), ErrorClass: o.Class, Error: o.Err, Response: o.Response}
}
