package delivery

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/webhooks"
)

// Options configure an Engine. The zero value is useful.
type Options struct {
	// Now returns the current time.
	Now func() time.Time
	// Jitter returns a number in [0, 1) that spreads a retry (Backoff).
	// Default rand.Float64.
	Jitter func() float64
	// Logger receives failures of the engine itself.
	Logger *slog.Logger
	// RetrySchedule is the delay before each attempt (GATEWAY_RETRY_SCHEDULE).
	// Default DefaultRetrySchedule.
	RetrySchedule []time.Duration
	// DisableAfter consecutive failed attempts disable a subscription.
	// Default 3.
	DisableAfter int
	// Timeout bounds one attempt (GATEWAY_DELIVERY_TIMEOUT). Default 15s.
	Timeout time.Duration
	// Workers is how many deliveries are in flight at once. Default 64.
	Workers int
	// BatchSize is how many deliveries one claim takes. Default 100.
	BatchSize int
	// Lease is how long a claimed delivery stays with its worker before
	// anyone may claim it again. Default Timeout + 5s.
	Lease time.Duration
	// PollInterval is how often an idle engine looks for work it was not
	// told about (other processes, due retries). Default 250ms.
	PollInterval time.Duration
	// AllowPrivateTargets lets deliveries reach loopback and private
	// addresses (GATEWAY_ALLOW_PRIVATE_TARGETS).
	AllowPrivateTargets bool
	// Client sends to http(s) URLs. Default NewHTTPClient(Timeout,
	// AllowPrivateTargets).
	Client *http.Client
	// Version goes into the User-Agent header.
	Version string
	// Senders deliver to targets that are not http(s) URLs, keyed by the
	// target's scheme: "slack" sends "slack:CHANNEL_ID" targets (Channel).
	Senders map[string]Sender
	// PingDelay holds back the first attempt of a ping to a new
	// subscription until PingDelay after the subscription was created, so
	// that the ping does not overtake the API's answer to the request that
	// created it: a receiver configured with the secret from that answer
	// can verify the ping. Default 0, no delay (tests that move the clock
	// want none); the server uses DefaultPingDelay.
	PingDelay time.Duration
}

// DefaultPingDelay is the server's PingDelay. The wait is kept in the
// delivery's due time, computed from the subscription's creation time, so
// it holds whichever process dispatches the ping and across a restart.
const DefaultPingDelay = 2 * time.Second

// Engine turns outbox events into deliveries and sends them.
type Engine struct {
	store        core.Store
	hooks        *webhooks.Service
	opts         Options
	policy       Policy
	http         Sender
	metrics      *metrics
	wakeDispatch chan struct{}
	wakeClaim    chan struct{}
	// slotsWanted is set while the claim loop waits for a worker to free
	// a slot (the workers' queue was full): only then does a finished
	// attempt wake it, instead of after every attempt.
	slotsWanted atomic.Bool
}

// New returns an Engine that reads and writes st and delivers what the
// subscriptions of hooks receive. Give st without NotifyStore, so that the
// engine's own writes do not wake it.
func New(st core.Store, hooks *webhooks.Service, opts Options) *Engine {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Jitter == nil {
		opts.Jitter = rand.Float64
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if len(opts.RetrySchedule) == 0 {
		opts.RetrySchedule = DefaultRetrySchedule
	}
	if opts.DisableAfter <= 0 {
		opts.DisableAfter = 3
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 15 * time.Second
	}
	if opts.Workers <= 0 {
		opts.Workers = 64
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 100
	}
	if opts.Lease <= 0 {
		opts.Lease = opts.Timeout + 5*time.Second
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = 250 * time.Millisecond
	}
	if opts.Client == nil {
		opts.Client = NewHTTPClient(opts.Timeout, opts.AllowPrivateTargets)
	}
	e := &Engine{store: st, hooks: hooks, opts: opts,
		policy:       Policy{Schedule: opts.RetrySchedule, DisableAfter: opts.DisableAfter},
		wakeDispatch: make(chan struct{}, 1), wakeClaim: make(chan struct{}, 1)}
	e.http = &HTTP{Client: opts.Client, UserAgent: "gateway/" + opts.Version, Now: e.now}
	e.metrics = newMetrics(st)
	return e
}

func (e *Engine) now() time.Time { return e.opts.Now().UTC().Truncate(time.Microsecond) }

// sender returns the sender of a target, nil when there is none.
func (e *Engine) sender(target string) Sender {
	scheme, _, ok := strings.Cut(target, ":")
	if !ok || strings.EqualFold(scheme, "http") || strings.EqualFold(scheme, "https") {
		return e.http
	}
	return e.opts.Senders[scheme]
}

// Wake tells the engine that the outbox may hold new events.
func (e *Engine) Wake() { signal(e.wakeDispatch) }

func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// NotifyStore wraps a store so that every committed Update wakes the
// engine: events reach subscribers without waiting for a poll.
func NotifyStore(st core.Store, wake func()) core.Store { return &notifyStore{Store: st, wake: wake} }

type notifyStore struct {
	core.Store
	wake func()
}

func (n *notifyStore) Update(ctx context.Context, fn func(core.Tx) error) error {
	err := n.Store.Update(ctx, fn)
	if err == nil {
		n.wake()
	}
	return err
}

// Run dispatches and delivers until ctx is done, then lets the attempts in
// flight finish, hands back what it had claimed but not sent, and returns.
func (e *Engine) Run(ctx context.Context) error {
	jobs := make(chan *job, e.opts.Workers)
	rec := e.startRecorder()
	defer rec.stop()
	var workers sync.WaitGroup
	for range e.opts.Workers {
		workers.Go(func() {
			for j := range jobs {
				e.deliver(j, rec)
				// A slot is free: a backlog is claimed now, not at the
				// next poll.
				if e.slotsWanted.CompareAndSwap(true, false) {
					signal(e.wakeClaim)
				}
			}
		})
	}
	var loops sync.WaitGroup
	loops.Go(func() { e.dispatchLoop(ctx, jobs) })
	loops.Go(func() { e.claimLoop(ctx, jobs) })
	loops.Wait()
	close(jobs)
	workers.Wait()
	return nil
}

// wait waits for a signal on c or a poll interval, and reports false when
// ctx is done.
func (e *Engine) wait(ctx context.Context, c chan struct{}) bool {
	t := time.NewTimer(e.opts.PollInterval)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-c:
	case <-t.C:
	}
	return true
}

// dispatchLoop dispatches new events, claims what is due with them, up to
// the free slots of the workers' queue, and hands it to the workers; the
// claim loop takes the rest.
func (e *Engine) dispatchLoop(ctx context.Context, jobs chan<- *job) {
	for {
		limit := min(cap(jobs)-len(jobs), e.opts.BatchSize)
		d, err := e.dispatch(ctx, limit)
		if err != nil && ctx.Err() == nil {
			e.opts.Logger.Error("dispatch failed", "err", err)
		}
		if len(d.claimed) > 0 {
			if _, err := e.hand(ctx, d.claimed, d.evs, d.subs, jobs); err != nil && ctx.Err() == nil {
				e.opts.Logger.Error("claim failed", "err", err)
			}
		}
		if d.events > 0 {
			if limit == 0 || len(d.claimed) == limit {
				// More may be due than this dispatch could claim.
				signal(e.wakeClaim)
			}
			continue
		}
		if !e.wait(ctx, e.wakeDispatch) {
			return
		}
	}
}

func (e *Engine) claimLoop(ctx context.Context, jobs chan<- *job) {
	for ctx.Err() == nil {
		free := cap(jobs) - len(jobs)
		if free == 0 {
			// Wait for a worker; look again in case one finished
			// before it could see the flag.
			e.slotsWanted.Store(true)
			if cap(jobs)-len(jobs) == 0 {
				if !e.wait(ctx, e.wakeClaim) {
					return
				}
				continue
			}
			free = cap(jobs) - len(jobs)
		}
		n := 0
		if free > 0 {
			var err error
			n, err = e.claim(ctx, min(free, e.opts.BatchSize), jobs)
			if err != nil && ctx.Err() == nil {
				e.opts.Logger.Error("claim failed", "err", err)
			}
		}
		if n > 0 && n == min(free, e.opts.BatchSize) {
			continue
		}
		if !e.wait(ctx, e.wakeClaim) {
			return
		}
	}
}

// DeliverOnce claims the deliveries due now (up to one batch), sends them
// with up to Workers at once, taken in claim order as Run's workers take
// them, records every attempt, and returns how many it sent. Run does the
// same continuously; tests and tools drive the engine with it.
func (e *Engine) DeliverOnce(ctx context.Context) (int, error) {
	jobs := make(chan *job, e.opts.BatchSize)
	n, err := e.claim(ctx, e.opts.BatchSize, jobs)
	close(jobs)
	rec := e.startRecorder()
	var wg sync.WaitGroup
	for range min(n, e.opts.Workers) {
		wg.Go(func() {
			for j := range jobs {
				e.deliver(j, rec)
			}
		})
	}
	wg.Wait()
	rec.stop()
	return n, err
}
