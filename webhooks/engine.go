package webhooks

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/chatops/gateway/core"
)

// Wake tells the engine that the outbox may hold new events.
func (s *Service) Wake() { signal(s.wakeDispatch) }

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
func (s *Service) Run(ctx context.Context) error {
	jobs := make(chan *job, s.opts.Workers)
	var senders sync.WaitGroup
	for range s.opts.Workers {
		senders.Go(func() {
			for j := range jobs {
				s.deliver(j)
			}
		})
	}
	var loops sync.WaitGroup
	loops.Go(func() { s.dispatchLoop(ctx) })
	loops.Go(func() { s.claimLoop(ctx, jobs) })
	loops.Wait()
	close(jobs)
	senders.Wait()
	return nil
}

func (s *Service) wait(ctx context.Context, c chan struct{}) bool {
	t := time.NewTimer(s.opts.PollInterval)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-c:
	case <-t.C:
	}
	return true
}

func (s *Service) dispatchLoop(ctx context.Context) {
	for {
		n, err := s.DispatchOnce(ctx)
		if err != nil && ctx.Err() == nil {
			s.opts.Logger.Error("dispatch failed", "err", err)
		}
		if n > 0 {
			signal(s.wakeClaim)
			continue
		}
		if !s.wait(ctx, s.wakeDispatch) {
			return
		}
	}
}

// dispatchBatch is how many outbox events one dispatch reads.
const dispatchBatch = 500

// DispatchOnce turns the next outbox events into deliveries for every
// subscription that receives them, and advances the dispatch cursor, in one
// transaction. It returns how many events it read.
func (s *Service) DispatchOnce(ctx context.Context) (int, error) {
	var n, created int
	err := s.store.Update(ctx, func(tx core.Tx) error {
		cursor, err := tx.DispatchCursor()
		if err != nil {
			return err
		}
		evs, err := tx.Events(cursor, dispatchBatch)
		if err != nil || len(evs) == 0 {
			return err
		}
		n, created = len(evs), 0
		r := newRouter(tx)
		subs := map[core.ID][]routed{}
		now := s.now()
		first := now.Add(s.opts.RetrySchedule[0]) // the delay before the first attempt
		for _, ev := range evs {
			list, ok := subs[ev.WorkspaceID]
			if !ok {
				if list, err = loadRouted(tx, ev.WorkspaceID); err != nil {
					return err
				}
				subs[ev.WorkspaceID] = list
			}
			for _, rs := range list {
				if ev.Timestamp.Before(rs.sub.CreatedAt) {
					continue // made before the subscription; Replay sends such events on request
				}
				ok, err := r.receives(rs.sub, rs.filters, ev)
				if err != nil {
					return err
				}
				if !ok {
					continue
				}
				if _, err := tx.CreateDelivery(&core.Delivery{WorkspaceID: ev.WorkspaceID, SubscriptionID: rs.sub.ID,
					EventSeq: ev.Seq, EventID: ev.ID, EventType: ev.Type, State: core.DeliveryPending,
					NextAttemptAt: first, CreatedAt: now, UpdatedAt: now}); err != nil {
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
	s.metrics.dispatched.Add(float64(created))
	return n, nil
}

// routed is a subscription with its parsed filters.
type routed struct {
	sub     core.Subscription
	filters Filters
}

func loadRouted(tx core.Tx, ws core.ID) ([]routed, error) {
	var out []routed
	p := core.Page{Limit: core.MaxPageLimit}
	for {
		subs, err := tx.ListSubscriptions(ws, 0, p)
		if err != nil {
			return nil, err
		}
		for _, sub := range subs {
			f, err := ParseFilters(sub.Events)
			if err != nil {
				continue // stored filters were checked when saved
			}
			out = append(out, routed{sub, f})
		}
		if len(subs) < p.Limit {
			return out, nil
		}
		p.After = subs[len(subs)-1].ID
	}
}

// router decides which subscriptions receive an event, caching what it
// looks up within one transaction.
type router struct {
	tx     core.Tx
	users  map[core.ID]core.User
	member map[[2]core.ID]bool
}

func newRouter(tx core.Tx) *router {
	return &router{tx: tx, users: map[core.ID]core.User{}, member: map[[2]core.ID]bool{}}
}

// eventSubscription returns the subscription a webhook.* event is about.
func eventSubscription(ev core.Event) core.ID {
	var d struct {
		SubscriptionID core.ID `json:"subscription_id"`
		Webhook        struct {
			ID core.ID `json:"id"`
		} `json:"webhook"`
	}
	_ = json.Unmarshal(ev.Data, &d)
	if d.SubscriptionID != 0 {
		return d.SubscriptionID
	}
	return d.Webhook.ID
}

// receives reports whether sub gets ev: a ping only its own; webhook.*
// alerts, to subscriptions that name them, about the owner's other
// subscriptions, and for an admin's workspace-scoped ones about everyone's; domain
// events when the filters match and the owner may see the event (admins see
// all; members their own entries and timers, and the projects they belong
// to; a user-scoped subscription only its owner's own activity).
func (r *router) receives(sub core.Subscription, f Filters, ev core.Event) (bool, error) {
	entity, _ := core.SplitEventType(ev.Type)
	if ev.Type == core.EventWebhookPing {
		return eventSubscription(ev) == sub.ID, nil
	}
	if !f.Match(ev.Type) {
		return false, nil
	}
	if entity == "webhook" && (eventSubscription(ev) == sub.ID || ev.UserID == sub.OwnerID) {
		// A subscription's own alerts go to its owner's other subscriptions.
		return eventSubscription(ev) != sub.ID, nil
	}
	if sub.Scope == core.ScopeUser && ev.UserID != sub.OwnerID && ev.Actor.ID != sub.OwnerID {
		return false, nil
	}
	owner, ok := r.users[sub.OwnerID]
	if !ok {
		u, err := r.tx.User(sub.WorkspaceID, sub.OwnerID)
		if core.ErrorCode(err) == core.ENOTFOUND {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		owner = u
		r.users[sub.OwnerID] = u
	}
	if entity == "webhook" {
		// Another user's subscription: admins receive every event.
		return owner.Role == core.RoleAdmin, nil
	}
	switch {
	case owner.Role == core.RoleAdmin:
		return true, nil
	case ev.UserID != 0:
		return ev.UserID == owner.ID, nil
	case ev.ProjectID != 0:
		return r.belongs(owner, ev.WorkspaceID, ev.ProjectID)
	}
	return true, nil
}

// belongs reports whether a member belongs to a project: they made it or
// have time in it.
func (r *router) belongs(u core.User, ws, project core.ID) (bool, error) {
	key := [2]core.ID{u.ID, project}
	if v, ok := r.member[key]; ok {
		return v, nil
	}
	p, err := r.tx.Project(ws, project)
	if err != nil && core.ErrorCode(err) != core.ENOTFOUND {
		return false, err
	}
	v := err == nil && p.CreatedBy == u.ID
	if !v {
		es, err := r.tx.ListEntries(ws, core.EntryFilter{UserID: u.ID, ProjectID: project}, core.Page{Limit: 1})
		if err != nil {
			return false, err
		}
		v = len(es) > 0
	}
	r.member[key] = v
	return v, nil
}

// job is one claimed delivery with what sending it needs.
type job struct {
	d   core.Delivery
	ev  core.Event
	sub core.Subscription
}

func (s *Service) claimLoop(ctx context.Context, jobs chan<- *job) {
	for ctx.Err() == nil {
		free := cap(jobs) - len(jobs)
		n := 0
		if free > 0 {
			var err error
			n, err = s.claim(ctx, min(free, s.opts.BatchSize), jobs)
			if err != nil && ctx.Err() == nil {
				s.opts.Logger.Error("claim failed", "err", err)
			}
		}
		if n > 0 && n == min(free, s.opts.BatchSize) {
			continue
		}
		if !s.wait(ctx, s.wakeClaim) {
			return
		}
	}
}

// claim leases due deliveries and hands them to the senders.
func (s *Service) claim(ctx context.Context, limit int, jobs chan<- *job) (int, error) {
	var ds []core.Delivery
	now := s.now()
	err := s.store.Update(ctx, func(tx core.Tx) error {
		var err error
		ds, err = tx.ClaimDeliveries(now, now.Add(s.opts.Lease), limit)
		return err
	})
	if err != nil || len(ds) == 0 {
		return 0, err
	}
	batch := make([]*job, 0, len(ds))
	err = s.store.View(ctx, func(tx core.Tx) error {
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

// outcome is what one attempt found.
type outcome struct {
	status     int
	latency    time.Duration
	class      string
	err        string
	response   string
	retryAfter time.Duration
	hasRetry   bool
	permanent  bool
	validated  bool
}

func (o outcome) ok() bool { return o.class == "" }

// deliver makes one attempt and records it.
func (s *Service) deliver(j *job) {
	o := s.attempt(j)
	if err := s.record(j, o); err != nil {
		s.opts.Logger.Error("record attempt failed", "webhook_id", j.sub.ID, "event_id", j.ev.ID, "err", err)
	}
}

// responseExcerpt is how much of a response the log keeps.
const responseExcerpt = 4 << 10

// attempt renders, signs and POSTs one delivery.
func (s *Service) attempt(j *job) outcome {
	render := s.renderers[j.sub.Format]
	if render == nil {
		return outcome{class: "render", err: "no renderer for format " + j.sub.Format, permanent: true}
	}
	extra := map[string]any{}
	code := ""
	if j.ev.Type == core.EventWebhookPing {
		var d map[string]any
		_ = json.Unmarshal(j.ev.Data, &d)
		if c, ok := d["validation_code"].(string); ok && j.sub.ValidatedAt == nil {
			code = c
			extra["validation_code"] = c
			extra["validation_code_url"] = d["validation_code_url"]
		}
	}
	body, err := render(j.ev, j.sub, extra)
	if err != nil {
		return outcome{class: "render", err: err.Error(), permanent: true}
	}
	if len(body) > MaxPayloadBytes {
		return outcome{class: "payload_too_large", err: fmt.Sprintf("body of %d bytes is over the %d-byte cap", len(body), MaxPayloadBytes), permanent: true}
	}
	now := s.now()
	sig, err := Sign(j.sub.Secrets(now), j.ev.ID, now, body)
	if err != nil {
		return outcome{class: "signing", err: err.Error(), permanent: true}
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.opts.Timeout)
	defer cancel()
	if scheme, _, ok := strings.Cut(j.sub.URL, ":"); ok && !strings.EqualFold(scheme, "http") && !strings.EqualFold(scheme, "https") {
		return s.send(ctx, scheme, j.sub, body)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, j.sub.URL, bytes.NewReader(body))
	if err != nil {
		return outcome{class: "connection", err: "bad url: " + err.Error(), permanent: true}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "gateway/"+s.opts.Version)
	req.Header.Set("webhook-id", sig.ID)
	req.Header.Set("webhook-timestamp", sig.Timestamp)
	req.Header.Set("webhook-signature", sig.Standard)
	req.Header.Set("X-Webhook-Signature-256", sig.Toggl)
	start := time.Now()
	resp, err := s.opts.Client.Do(req)
	o := outcome{latency: time.Since(start)}
	if err != nil {
		o.class, o.err = classify(err), redactErr(err, j.sub.URL)
		s.metrics.attemptLatency.Observe(o.latency.Seconds())
		return o
	}
	excerpt, _ := io.ReadAll(io.LimitReader(resp.Body, responseExcerpt))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	o.latency = time.Since(start)
	s.metrics.attemptLatency.Observe(o.latency.Seconds())
	o.status, o.response = resp.StatusCode, string(excerpt)
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		if code != "" {
			var v struct {
				Code string `json:"validation_code"`
			}
			o.validated = json.Unmarshal(excerpt, &v) == nil && v.Code == code
		}
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		o.class, o.err = "redirect", fmt.Sprintf("answered %d; redirects are not followed", resp.StatusCode)
	default:
		o.class, o.err = "http_status", fmt.Sprintf("answered %d", resp.StatusCode)
		o.retryAfter, o.hasRetry = RetryAfter(resp.StatusCode, resp.Header, s.now())
	}
	return o
}

// Sender delivers a rendered body to a target that is not an http(s) URL,
// such as "slack:CHANNEL_ID" (Options.Senders). It returns the receiver's
// status code (0 when there is none), its answer (the log keeps an
// excerpt), and an error when the delivery failed. An error with a method
// RetryAfter() time.Duration delays the next attempt by that much, like a
// 429 with Retry-After; a 410 status disables the subscription at once.
type Sender func(ctx context.Context, sub core.Subscription, body []byte) (status int, response []byte, err error)

// send delivers through the Sender of the target's scheme.
func (s *Service) send(ctx context.Context, scheme string, sub core.Subscription, body []byte) outcome {
	send := s.opts.Senders[scheme]
	if send == nil {
		return outcome{class: "connection", err: fmt.Sprintf("no sender for %s: targets", scheme), permanent: true}
	}
	start := time.Now()
	status, response, err := send(ctx, sub, body)
	o := outcome{status: status, latency: time.Since(start), response: string(response[:min(len(response), responseExcerpt)])}
	s.metrics.attemptLatency.Observe(o.latency.Seconds())
	if err != nil {
		o.class, o.err = "sender", err.Error()
		if errors.Is(err, context.DeadlineExceeded) {
			o.class = "timeout"
		}
		var ra interface{ RetryAfter() time.Duration }
		if errors.As(err, &ra) {
			o.retryAfter, o.hasRetry = ra.RetryAfter(), true
		}
	}
	return o
}

// classify names the kind of a transport error.
func classify(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, ErrPrivateTarget):
		return "refused_target"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	}
	return "connection"
}

// redactErr keeps an error's reason without repeating the URL, which may
// hold a token in its path or query. The HTTP client names the URL as it
// parsed it (scheme and host lower-cased, say), not as it was given, so its
// *url.Error is taken apart rather than searched for the given string.
func redactErr(err error, raw string) string {
	if ue, ok := errors.AsType[*url.Error](err); ok {
		return fmt.Sprintf("%s %q: %s", ue.Op, "[url]", redactErr(ue.Err, raw))
	}
	return strings.ReplaceAll(err.Error(), raw, "[url]")
}

// attempt is the log row of an attempt at delivery d (Attempts already
// counting it) with outcome o.
func attempt(d core.Delivery, o outcome, at time.Time) *core.Attempt {
	return &core.Attempt{WorkspaceID: d.WorkspaceID, SubscriptionID: d.SubscriptionID, DeliveryID: d.ID,
		EventID: d.EventID, EventType: d.EventType, Attempt: d.Attempts, At: at, StatusCode: o.status,
		LatencyMillis: o.latency.Milliseconds(), ErrorClass: o.class, Error: o.err, Response: o.response}
}

// actorGateway is the actor of events the engine itself causes.
var actorGateway = core.Actor{User: core.User{Name: "gateway"}, Source: "webhooks"}

// record writes an attempt and its consequences: the delivery's next state,
// and the subscription's streak and status, with the alert events a status
// change emits.
func (s *Service) record(j *job, o outcome) error {
	now := s.now()
	ping := j.ev.Type == core.EventWebhookPing
	alerted := false
	// The common case, a success for a healthy subscription, changes only
	// the delivery: the subscription's last delivery is read from the log.
	fast := o.ok() && !o.validated
	final := false
	err := s.store.Update(context.Background(), func(tx core.Tx) error {
		alerted, final = false, false
		sub, err := tx.Subscription(j.d.WorkspaceID, j.d.SubscriptionID)
		if core.ErrorCode(err) == core.ENOTFOUND {
			return nil // deleted meanwhile
		}
		if err != nil {
			return err
		}
		if fast && sub.Status == core.SubActive && sub.Failures == 0 {
			d := j.d
			d.Attempts++
			d.State, d.DeliveredAt, d.UpdatedAt = core.DeliveryDelivered, &now, now // FinishDelivery drops the lease
			if err := tx.AddAttempt(attempt(d, o, now)); err != nil {
				return err
			}
			_, err := tx.FinishDelivery(&d)
			return err
		}
		d := j.d
		d.Attempts++
		d.UpdatedAt = now // FinishDelivery drops the lease
		if err := tx.AddAttempt(attempt(d, o, now)); err != nil {
			return err
		}
		sub.LastDeliveryAt, sub.LastStatusCode, sub.LastError = &now, o.status, o.err
		if o.ok() {
			d.State, d.DeliveredAt = core.DeliveryDelivered, &now
			sub.Failures = 0
			if sub.Status == core.SubPending {
				sub.Status = core.SubActive
			}
			if o.validated {
				if err := s.validated(tx, &sub); err != nil {
					return err
				}
			}
		} else {
			next, more := Backoff(s.opts.RetrySchedule, d.Attempts, rand.Float64())
			if o.hasRetry {
				next = o.retryAfter
			}
			switch {
			case o.permanent || !more:
				d.State, final = core.DeliveryFailed, true
			default:
				d.NextAttemptAt = now.Add(next)
			}
			if !ping && (sub.Status == core.SubActive || sub.Status == core.SubPending) {
				sub.Failures++
				switch {
				case o.status == http.StatusGone:
					err = s.disable(tx, actorGateway, &sub, "the receiver answered 410 Gone")
				case sub.Failures >= s.opts.DisableAfter:
					err = s.disable(tx, actorGateway, &sub, fmt.Sprintf("%d consecutive failed attempts", sub.Failures))
				case sub.Status == core.SubActive:
					sub.Status = core.SubPending
					s.opts.Logger.Warn("webhook failing", "webhook_id", sub.ID, "error", o.err)
					err = s.appendEvent(tx, actorGateway, core.EventWebhookFailing, sub, map[string]any{
						"reason": o.err, "last_error": o.err, "status_code": o.status, "next_attempt_at": d.NextAttemptAt})
				}
				if err != nil {
					return err
				}
				alerted = sub.Status != core.SubActive
			}
			if sub.Status == core.SubDisabled && d.State == core.DeliveryFailed && !ping {
				// Disabling never loses events: the delivery waits, held,
				// and goes out when the subscription is enabled again.
				d.State, d.NextAttemptAt, final = core.DeliveryPending, now, false
			}
		}
		sub.UpdatedAt = now
		// A replay that came in during the attempt keeps its own schedule:
		// the attempt is logged and counts for the subscription, but the
		// delivery is not overwritten.
		if _, err := tx.FinishDelivery(&d); err != nil {
			return err
		}
		return tx.UpdateSubscription(&sub)
	})
	if err != nil {
		return err
	}
	if alerted {
		s.Wake()
	}
	switch {
	case o.ok():
		s.metrics.outcomes.WithLabelValues("delivered").Inc()
		s.metrics.eventToDelivery.Observe(now.Sub(j.ev.Timestamp).Seconds())
	case final:
		s.metrics.outcomes.WithLabelValues("failed").Inc()
	default:
		s.metrics.outcomes.WithLabelValues("retry").Inc()
	}
	return nil
}

// DeliverOnce claims the deliveries due now (up to one batch), sends them
// concurrently, records every attempt, and returns how many it sent. Run
// does the same continuously; tests and tools drive the engine with it.
func (s *Service) DeliverOnce(ctx context.Context) (int, error) {
	jobs := make(chan *job, s.opts.BatchSize)
	n, err := s.claim(ctx, s.opts.BatchSize, jobs)
	close(jobs)
	var wg sync.WaitGroup
	for j := range jobs {
		wg.Go(func() { s.deliver(j) })
	}
	wg.Wait()
	return n, err
}
