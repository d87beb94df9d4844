package delivery_test

import (
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/delivery"
	"github.com/chatops/gateway/webhooks"
)

// TestDecide covers every transition of the retry and disable policy. The
// schedule has three attempts a minute or more apart; three failures in a
// row disable; jitter 0.5 leaves the schedule's delays as they are.
func TestDecide(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	now := t0.Add(time.Hour)
	policy := delivery.Policy{Schedule: []time.Duration{0, time.Minute, 5 * time.Minute}, DisableAfter: 3}
	base := core.Delivery{ID: 7, WorkspaceID: 1, SubscriptionID: 2, EventSeq: 3, EventID: "evt_1", EventType: core.EventProjectCreated,
		State: core.DeliveryPending, NextAttemptAt: t0, CreatedAt: t0, UpdatedAt: t0}
	baseSub := core.Subscription{ID: 2, WorkspaceID: 1, Enabled: true, Status: core.SubActive, Format: core.FormatStandard}
	ok := delivery.Outcome{Status: 200}
	fail500 := delivery.Outcome{Status: 500, Class: "http_status", Err: "answered 500"}

	// delivered, retry, failed and held are the delivery after an attempt
	// that was its nth.
	delivered := func(n int) func(*core.Delivery) {
		return func(d *core.Delivery) { d.Attempts, d.State, d.DeliveredAt = n, core.DeliveryDelivered, &now }
	}
	retry := func(n int, after time.Duration) func(*core.Delivery) {
		return func(d *core.Delivery) { d.Attempts, d.NextAttemptAt = n, now.Add(after) }
	}
	failed := func(n int) func(*core.Delivery) {
		return func(d *core.Delivery) { d.Attempts, d.State = n, core.DeliveryFailed }
	}
	held := func(n int) func(*core.Delivery) {
		return func(d *core.Delivery) { d.Attempts, d.NextAttemptAt = n, now }
	}
	attempts := func(n int) func(*core.Delivery) { return func(d *core.Delivery) { d.Attempts = n } }
	// last sets the subscription's last delivery to o, with a status and
	// a streak.
	last := func(o delivery.Outcome, status string, failures int) func(*core.Subscription) {
		return func(s *core.Subscription) {
			s.LastDeliveryAt, s.LastStatusCode, s.LastError = &now, o.Status, o.Err
			s.Status, s.Failures = status, failures
		}
	}
	disabled := func(o delivery.Outcome, failures int, reason string) func(*core.Subscription) {
		return func(s *core.Subscription) {
			last(o, core.SubDisabled, failures)(s)
			s.Enabled, s.DisabledReason = false, reason
		}
	}
	failing := func(o delivery.Outcome, next time.Time) []webhooks.Alert {
		return []webhooks.Alert{{Type: core.EventWebhookFailing, Reason: o.Err, NextAttemptAt: next}}
	}
	disabledAlert := func(reason string) []webhooks.Alert {
		return []webhooks.Alert{{Type: core.EventWebhookDisabled, Reason: reason}}
	}
	status := func(status string, failures int) func(*core.Subscription) {
		return func(s *core.Subscription) { s.Status, s.Failures = status, failures }
	}
	ping := func(d *core.Delivery) { d.EventType = core.EventWebhookPing }
	both := func(fs ...func(*core.Delivery)) func(*core.Delivery) {
		return func(d *core.Delivery) {
			for _, f := range fs {
				f(d)
			}
		}
	}
	redirect := delivery.Outcome{Status: 302, Class: "redirect", Err: "answered 302; redirects are not followed"}
	network := delivery.Outcome{Class: "connection", Err: `Post "[url]": connection refused`}
	gone := delivery.Outcome{Status: http.StatusGone, Class: "http_status", Err: "answered 410"}
	tooMany := delivery.Outcome{Status: 429, Class: "http_status", Err: "answered 429", RetryAfter: 30 * time.Minute, HasRetryAfter: true}
	tooLarge := delivery.Outcome{Class: "payload_too_large", Err: "body of 300000 bytes is over the 262144-byte cap", Permanent: true}

	for _, tc := range []struct {
		name       string
		d          func(*core.Delivery)     // the claimed delivery, from base
		sub        func(*core.Subscription) // the subscription, from baseSub
		o          delivery.Outcome
		jitter     float64                  // 0.5 when zero
		wantD      func(*core.Delivery)     // from base
		wantSub    func(*core.Subscription) // from baseSub; nil: unchanged
		wantAlerts []webhooks.Alert
	}{
		{name: "2xx for a healthy subscription changes only the delivery",
			o: ok, wantD: delivered(1)},
		{name: "2xx ends a streak: pending turns active",
			sub: status(core.SubPending, 2), o: ok, wantD: delivered(1), wantSub: last(ok, core.SubActive, 0)},
		{name: "2xx that echoes the validation code changes the subscription",
			sub: status(core.SubNotValidated, 0), o: delivery.Outcome{Status: 200, Validated: true},
			wantD: delivered(1), wantSub: last(ok, core.SubNotValidated, 0)},
		{name: "5xx retries on the schedule; the first failure turns active pending, alerted once",
			o: fail500, wantD: retry(1, time.Minute), wantSub: last(fail500, core.SubPending, 1), wantAlerts: failing(fail500, now.Add(time.Minute))},
		{name: "network error is a failure like 5xx",
			o: network, wantD: retry(1, time.Minute), wantSub: last(network, core.SubPending, 1), wantAlerts: failing(network, now.Add(time.Minute))},
		{name: "3xx is a failure: redirects are not followed",
			o: redirect, wantD: retry(1, time.Minute), wantSub: last(redirect, core.SubPending, 1), wantAlerts: failing(redirect, now.Add(time.Minute))},
		{name: "a failure while pending adds to the streak without a second alert",
			d: attempts(1), sub: status(core.SubPending, 1), o: fail500, wantD: retry(2, 5*time.Minute), wantSub: last(fail500, core.SubPending, 2)},
		{name: "jitter spreads the delay by up to 10%",
			o: fail500, jitter: 0.0001, wantD: retry(1, 54*time.Second+1200*time.Microsecond),
			wantSub: last(fail500, core.SubPending, 1), wantAlerts: failing(fail500, now.Add(54*time.Second+1200*time.Microsecond))},
		{name: "429 with Retry-After delays the next attempt by it",
			o: tooMany, wantD: retry(1, 30*time.Minute), wantSub: last(tooMany, core.SubPending, 1), wantAlerts: failing(tooMany, now.Add(30*time.Minute))},
		{name: "Retry-After does not outlast the schedule",
			d: attempts(2), sub: status(core.SubPending, 1), o: tooMany, wantD: failed(3), wantSub: last(tooMany, core.SubPending, 2)},
		{name: "schedule run out: the delivery is given up",
			d: attempts(2), sub: status(core.SubPending, 1), o: fail500, wantD: failed(3), wantSub: last(fail500, core.SubPending, 2)},
		{name: "the first failure on the last attempt alerts with the delivery's old time",
			d: attempts(2), o: fail500, wantD: failed(3), wantSub: last(fail500, core.SubPending, 1), wantAlerts: failing(fail500, t0)},
		{name: "410 Gone disables at once",
			o: gone, wantD: retry(1, time.Minute), wantSub: disabled(gone, 1, "the receiver answered 410 Gone"),
			wantAlerts: disabledAlert("the receiver answered 410 Gone")},
		{name: "410 Gone on the last attempt holds the delivery for enable",
			d: attempts(2), o: gone, wantD: held(3), wantSub: disabled(gone, 1, "the receiver answered 410 Gone"),
			wantAlerts: disabledAlert("the receiver answered 410 Gone")},
		{name: "DisableAfter failures in a row disable",
			sub: status(core.SubPending, 2), o: fail500, wantD: retry(1, time.Minute), wantSub: disabled(fail500, 3, "3 consecutive failed attempts"),
			wantAlerts: disabledAlert("3 consecutive failed attempts")},
		{name: "disabling on the last attempt holds the delivery for enable",
			d: attempts(2), sub: status(core.SubPending, 2), o: fail500, wantD: held(3), wantSub: disabled(fail500, 3, "3 consecutive failed attempts"),
			wantAlerts: disabledAlert("3 consecutive failed attempts")},
		{name: "payload refused: permanent, given up at once, and counted",
			o: tooLarge, wantD: failed(1), wantSub: last(tooLarge, core.SubPending, 1), wantAlerts: failing(tooLarge, t0)},
		{name: "a permanent failure while disabled is held, not counted",
			sub: func(s *core.Subscription) {
				s.Enabled, s.Status, s.DisabledReason = false, core.SubDisabled, "disabled by boss"
			},
			o: tooLarge, wantD: held(1),
			wantSub: func(s *core.Subscription) { disabled(tooLarge, 0, "disabled by boss")(s) }},
		{name: "a failed ping is retried but does not count against the subscription",
			d: ping, sub: status(core.SubNotValidated, 0), o: fail500, wantD: both(ping, retry(1, time.Minute)), wantSub: last(fail500, core.SubNotValidated, 0)},
		{name: "a ping is given up when the schedule runs out, even for a disabled subscription",
			d: both(ping, attempts(2)),
			sub: func(s *core.Subscription) {
				s.Enabled, s.Status, s.DisabledReason = false, core.SubDisabled, "disabled by boss"
			},
			o: fail500, wantD: both(ping, failed(3)), wantSub: func(s *core.Subscription) { disabled(fail500, 0, "disabled by boss")(s) }},
		{name: "410 Gone for a ping does not disable",
			d: ping, o: gone, wantD: both(ping, retry(1, time.Minute)), wantSub: last(gone, core.SubActive, 0)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, sub := base, baseSub
			if tc.d != nil {
				tc.d(&d)
			}
			if tc.sub != nil {
				tc.sub(&sub)
			}
			jitter := tc.jitter
			if jitter == 0 {
				jitter = 0.5
			}
			got := delivery.Decide(d, sub, tc.o, now, policy, jitter)
			wantD := base
			tc.wantD(&wantD)
			if !reflect.DeepEqual(got.Delivery, wantD) {
				t.Errorf("delivery\n got %+v\nwant %+v", got.Delivery, wantD)
			}
			switch {
			case tc.wantSub == nil && got.Subscription != nil:
				t.Errorf("subscription changed: %+v", *got.Subscription)
			case tc.wantSub != nil && got.Subscription == nil:
				t.Error("subscription unchanged")
			case tc.wantSub != nil:
				wantSub := baseSub
				tc.wantSub(&wantSub)
				if !reflect.DeepEqual(*got.Subscription, wantSub) {
					t.Errorf("subscription\n got %+v\nwant %+v", *got.Subscription, wantSub)
				}
			}
			if !reflect.DeepEqual(got.Alerts, tc.wantAlerts) {
				t.Errorf("alerts %+v, want %+v", got.Alerts, tc.wantAlerts)
			}
		})
	}
}

func TestBackoffAndRetryAfter(t *testing.T) {
	schedule := []time.Duration{0, 10 * time.Second, time.Hour}
	if d, ok := delivery.Backoff(schedule, 1, 0.5); !ok || d != 10*time.Second {
		t.Errorf("attempt 1: %v %v", d, ok)
	}
	if d, _ := delivery.Backoff(schedule, 2, 0); d != 54*time.Minute {
		t.Errorf("jitter low: %v", d)
	}
	if _, ok := delivery.Backoff(schedule, 3, 0.5); ok {
		t.Error("schedule not used up after 3 attempts")
	}
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	h := http.Header{"Retry-After": {"120"}}
	if d, ok := delivery.RetryAfter(503, h, now); !ok || d != 2*time.Minute {
		t.Errorf("seconds: %v %v", d, ok)
	}
	h.Set("Retry-After", now.Add(time.Hour).Format(http.TimeFormat))
	if d, ok := delivery.RetryAfter(429, h, now); !ok || d != time.Hour {
		t.Errorf("date: %v %v", d, ok)
	}
	if _, ok := delivery.RetryAfter(500, h, now); ok {
		t.Error("Retry-After honoured on a 500")
	}
	h.Set("Retry-After", "999999999")
	if d, _ := delivery.RetryAfter(429, h, now); d != 24*time.Hour {
		t.Errorf("cap: %v", d)
	}
}
