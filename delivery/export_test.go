package delivery

import (
	"context"

	"github.com/chatops/gateway/core"
)

// RedactErrForTest is redactErr, for the external tests.
var RedactErrForTest = redactErr

// RecordTogetherForTest claims what is due, sends nothing, and records
// outcomes for the claimed deliveries as one batch of the recorder, as if
// the attempts had finished together: the i-th delivery claimed gets o[i],
// or the last of o. It returns each record's error, in claim order.
func (e *Engine) RecordTogetherForTest(ctx context.Context, o ...Outcome) ([]error, error) {
	jobs := make(chan *job, e.opts.BatchSize)
	if _, err := e.claim(ctx, e.opts.BatchSize, jobs); err != nil {
		return nil, err
	}
	close(jobs)
	var batch []*recordReq
	for j := range jobs {
		batch = append(batch, &recordReq{j: j, o: o[min(len(batch), len(o)-1)], now: e.now(), jitter: 0.5, err: make(chan error, 1)})
	}
	e.recordAll(batch)
	errs := make([]error, len(batch))
	for i, r := range batch {
		errs[i] = <-r.err
	}
	return errs, nil
}

// ClaimAndDeliverLateForTest claims what is due, runs advance (a clock
// moved past the leases, say), then has deliver take each job, as a worker
// of Run would after a wait. It returns how many jobs it took.
func (e *Engine) ClaimAndDeliverLateForTest(ctx context.Context, advance func()) (int, error) {
	jobs := make(chan *job, e.opts.BatchSize)
	n, err := e.claim(ctx, e.opts.BatchSize, jobs)
	close(jobs)
	if err != nil {
		return 0, err
	}
	advance()
	rec := e.startRecorder()
	for j := range jobs {
		e.deliver(j, rec)
	}
	rec.stop()
	return n, nil
}

// HandForTest hands ds (with the events and subscriptions in evs and subs,
// reading the others) as the engine hands claimed deliveries to its
// workers, and returns the ids of the deliveries handed, in order.
func (e *Engine) HandForTest(ctx context.Context, ds []core.Delivery, evs map[int64]core.Event, subs map[core.ID]core.Subscription) ([]core.ID, error) {
	jobs := make(chan *job, len(ds))
	_, err := e.hand(ctx, ds, evs, subs, jobs)
	close(jobs)
	var ids []core.ID
	for j := range jobs {
		ids = append(ids, j.d.ID)
	}
	return ids, err
}
