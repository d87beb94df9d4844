package delivery

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/webhooks"
)

// DefaultRetrySchedule is the delay before each attempt: the first at once,
// the last about three days after the event.
var DefaultRetrySchedule = []time.Duration{0, 5 * time.Second, 5 * time.Minute, 30 * time.Minute,
	2 * time.Hour, 5 * time.Hour, 10 * time.Hour, 14 * time.Hour, 20 * time.Hour, 24 * time.Hour}

// Policy is the retry and disable rules.
type Policy struct {
	// Schedule is the delay before each attempt (GATEWAY_RETRY_SCHEDULE);
	// a delivery is given up when it is used up.
	Schedule []time.Duration
	// DisableAfter consecutive failed attempts disable a subscription
	// (GATEWAY_DISABLE_AFTER).
	DisableAfter int
}

// Outcome is what one attempt found.
type Outcome struct {
	// Status is the receiver's status code, 0 when there is none.
	Status int
	// Latency is how long the sender took.
	Latency time.Duration
	// Class names the kind of failure ("http_status", "redirect",
	// "timeout", "connection", "refused_target", "sender", "render",
	// "payload_too_large", "signing"); empty on success.
	Class string
	// Err says what failed, for people; it never holds the target URL.
	Err string
	// Response is the start of the receiver's answer.
	Response string
	// RetryAfter, when HasRetryAfter, is how long the receiver asked to
	// be left alone (a 429 or 503 with Retry-After, a rate-limited chat
	// API); it replaces the schedule's delay.
	RetryAfter    time.Duration
	HasRetryAfter bool
	// Permanent failures are not retried: the body cannot be made or sent.
	Permanent bool
	// Validated is set on a success that echoed the subscription's
	// validation code.
	Validated bool
}

// OK reports whether the attempt succeeded.
func (o Outcome) OK() bool { return o.Class == "" }

// Decision is what an attempt changes.
type Decision struct {
	// Delivery is the delivery after the attempt: delivered, failed (given
	// up), or pending with its next attempt.
	Delivery core.Delivery
	// Subscription is the subscription after the attempt, nil when it
	// stays as it was: a success for a healthy subscription, whose last
	// delivery is read from the log.
	Subscription *core.Subscription
	// Alerts are the status changes its owner hears about.
	Alerts []webhooks.Alert
}

// Decide applies the policy to an attempt at d, for sub as it is now, that
// found o at now; jitter in [0, 1) spreads the next attempt (Backoff). It
// does no I/O: the engine saves the decision and writes its alerts.
//
// A success delivers d and ends sub's failure streak (pending turns
// active). A failure retries d on the schedule, or after Retry-After, until
// the schedule is used up or the failure is permanent, when d is failed.
// Except for pings, a failure of an active or pending sub adds to its
// streak: a 410 Gone disables it at once, DisableAfter failures in a row
// disable it, and the first failure of a streak turns it pending with a
// webhook.failing alert. A delivery that would be given up for a disabled
// sub is held instead, and goes out when sub is enabled again.
func Decide(d core.Delivery, sub core.Subscription, o Outcome, now time.Time, p Policy, jitter float64) Decision {
	d.Attempts++
	if o.OK() && !o.Validated && sub.Status == core.SubActive && sub.Failures == 0 {
		d.State, d.DeliveredAt = core.DeliveryDelivered, &now
		return Decision{Delivery: d}
	}
	sub.LastDeliveryAt, sub.LastStatusCode, sub.LastError = &now, o.Status, o.Err
	if o.OK() {
		d.State, d.DeliveredAt = core.DeliveryDelivered, &now
		sub.Failures = 0
		if sub.Status == core.SubPending {
			sub.Status = core.SubActive
		}
		return Decision{Delivery: d, Subscription: &sub}
	}
	next, more := Backoff(p.Schedule, d.Attempts, jitter)
	if o.HasRetryAfter {
		next = o.RetryAfter
	}
	if o.Permanent || !more {
		d.State = core.DeliveryFailed
	} else {
		d.NextAttemptAt = now.Add(next)
	}
	ping := d.EventType == core.EventWebhookPing
	var alerts []webhooks.Alert
	if !ping && (sub.Status == core.SubActive || sub.Status == core.SubPending) {
		sub.Failures++
		reason := ""
		switch {
		case o.Status == http.StatusGone:
			reason = "the receiver answered 410 Gone"
		case sub.Failures >= p.DisableAfter:
			reason = fmt.Sprintf("%d consecutive failed attempts", sub.Failures)
		case sub.Status == core.SubActive:
			sub.Status = core.SubPending
			alerts = append(alerts, webhooks.Alert{Type: core.EventWebhookFailing, Reason: o.Err, NextAttemptAt: d.NextAttemptAt})
		}
		if reason != "" {
			webhooks.MarkDisabled(&sub, reason)
			alerts = append(alerts, webhooks.Alert{Type: core.EventWebhookDisabled, Reason: reason})
		}
	}
	if sub.Status == core.SubDisabled && d.State == core.DeliveryFailed && !ping {
		d.State, d.NextAttemptAt = core.DeliveryPending, now
	}
	return Decision{Delivery: d, Subscription: &sub, Alerts: alerts}
}

// Backoff returns the delay before the next attempt after `attempts`
// attempts have been made, and false when the schedule is used up. jitter in
// [0, 1) spreads retries by up to ±10% so that a recovering receiver is not
// hit by every retry at once.
func Backoff(schedule []time.Duration, attempts int, jitter float64) (time.Duration, bool) {
	if attempts < 0 || attempts >= len(schedule) {
		return 0, false
	}
	d := schedule[attempts]
	return d + time.Duration((jitter*0.2-0.1)*float64(d)), true
}

// maxRetryAfter caps how far a receiver can push its next attempt.
const maxRetryAfter = 24 * time.Hour

// RetryAfter reads a Retry-After header (seconds or an HTTP date) on a 429
// or 503 answer, and reports whether it applies.
func RetryAfter(status int, h http.Header, now time.Time) (time.Duration, bool) {
	if status != http.StatusTooManyRequests && status != http.StatusServiceUnavailable {
		return 0, false
	}
	v := h.Get("Retry-After")
	if v == "" {
		return 0, false
	}
	var d time.Duration
	if secs, err := strconv.Atoi(v); err == nil {
		d = time.Duration(secs) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	} else {
		return 0, false
	}
	return min(max(d, 0), maxRetryAfter), true
}
