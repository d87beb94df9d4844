package delivery_test

import (
	"context"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/delivery"
	"github.com/chatops/gateway/delivery/deliverytest"
	"github.com/chatops/gateway/webhooks"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

func TestSyncValidationThenSignedEvents(t *testing.T) {
	e := deliverytest.New(t)
	rc := deliverytest.NewReceiver(t)
	rc.SetReply(deliverytest.EchoValidation)
	sub := e.Create(e.Admin, webhooks.Input{Name: "Billing", URL: rc.URL(), Events: deliverytest.Events("tracker.*", "time_entry.created")})
	if sub.Status != core.SubNotValidated || !strings.HasPrefix(sub.Secret, "whsec_") {
		t.Fatalf("new subscription = %+v", sub)
	}
	e.Pump()
	pings := rc.Take()
	if len(pings) != 1 || pings[0].Type() != core.EventWebhookPing || pings[0].Msg["validation_code_url"] == nil {
		t.Fatalf("pings = %v", deliverytest.Types(pings))
	}
	pings[0].Verify(t, sub.Secret, sub.Secret)
	if got := e.Get(sub.ID); got.Status != core.SubActive || got.ValidatedAt == nil {
		t.Fatalf("after echo: %+v", got)
	}

	ana := e.User("ana", core.RoleMember)
	e.Do(ana, core.Track{Task: "Fix", Project: "Web"})
	e.Do(ana, core.Stop{})
	e.Do(ana, core.Log{Amount: core.Amount{Duration: time.Hour}})
	e.Pump()
	got := rc.Take()
	slices.SortFunc(got, func(a, b deliverytest.Received) int { return strings.Compare(a.Type(), b.Type()) }) // sent concurrently
	if want := []string{"time_entry.created", "tracker.started", "tracker.stopped"}; !slices.Equal(deliverytest.Types(got), want) {
		t.Fatalf("delivered %v, want %v", deliverytest.Types(got), want)
	}
	for _, r := range got {
		r.Verify(t, sub.Secret, sub.Secret)
		if r.Header.Get("webhook-id") != r.Msg["id"] {
			t.Errorf("webhook-id %q is not the event id %v", r.Header.Get("webhook-id"), r.Msg["id"])
		}
	}
	data := got[1].Msg["data"].(map[string]any)
	if data["task"].(map[string]any)["name"] != "Fix" || got[1].Msg["actor"].(map[string]any)["name"] != "ana" {
		t.Errorf("body = %s", got[1].Body)
	}
}

func TestFailingReceiverGoesPendingThenDisabledAndCatchesUpOnEnable(t *testing.T) {
	e := deliverytest.New(t)
	rc := deliverytest.NewReceiver(t)
	alerts := deliverytest.NewReceiver(t)
	sub := e.Create(e.Admin, webhooks.Input{URL: rc.URL(), Events: deliverytest.Events("project.*"), Validated: true})
	watch := e.Create(e.Admin, webhooks.Input{URL: alerts.URL(), Events: deliverytest.Events("webhook.*"), Validated: true})
	rc.SetReply(func(w http.ResponseWriter, r deliverytest.Received) { http.Error(w, "down for maintenance", 500) })

	e.Do(e.Admin, core.AddProject{Project: "One"})
	e.Pump()
	if s := e.Get(sub.ID); s.Status != core.SubPending || s.LastStatusCode != 500 {
		t.Fatalf("after 1 failure: %+v", s)
	}
	for i := 2; i <= 3; i++ {
		e.Clock.Add(time.Minute + 10*time.Second)
		e.Pump()
	}
	s := e.Get(sub.ID)
	if s.Status != core.SubDisabled || s.Enabled || !strings.Contains(s.DisabledReason, "3 consecutive") {
		t.Fatalf("after 3 failures: %+v", s)
	}
	if got := rc.Take(); len(got) != 3 || got[0].Header.Get("webhook-id") != got[2].Header.Get("webhook-id") {
		t.Fatalf("attempts %d, ids must be equal", len(got))
	}
	// One alert per state change, not per attempt.
	if got := deliverytest.Types(alerts.Take()); !slices.Equal(got, []string{"webhook.failing", "webhook.disabled"}) {
		t.Fatalf("alerts %v", got)
	}
	log, _, err := e.Hooks.Deliveries(e.Ctx, e.Admin, sub.ID, core.Page{})
	if err != nil || len(log) != 3 || log[0].StatusCode != 500 || log[0].Response != "down for maintenance\n" || log[0].ErrorClass != "http_status" {
		t.Fatalf("delivery log %+v %v", log, err)
	}

	// Events while disabled are kept, and go out after enable.
	e.Do(e.Admin, core.AddProject{Project: "Two"})
	e.Clock.Add(2 * time.Minute)
	e.Pump()
	if got := rc.Take(); len(got) != 0 {
		t.Fatalf("disabled subscription received %v", deliverytest.Types(got))
	}
	rc.SetReply(func(w http.ResponseWriter, r deliverytest.Received) { w.WriteHeader(204) })
	if _, err := e.Hooks.Enable(e.Ctx, e.Admin, sub.ID); err != nil {
		t.Fatal(err)
	}
	e.Pump()
	got := rc.Take()
	names := []string{}
	for _, r := range got {
		names = append(names, r.Msg["data"].(map[string]any)["project"].(map[string]any)["name"].(string))
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"One", "Two"}) {
		t.Fatalf("after enable: %v", names)
	}
	if s := e.Get(sub.ID); s.Status != core.SubActive {
		t.Fatalf("after enable: %+v", s)
	}
	if got := deliverytest.Types(alerts.Take()); !slices.Equal(got, []string{"webhook.enabled"}) {
		t.Fatalf("enable alerts %v", got)
	}
	_ = watch
}

func TestGoneDisablesAtOnce(t *testing.T) {
	e := deliverytest.New(t)
	rc := deliverytest.NewReceiver(t)
	rc.SetReply(func(w http.ResponseWriter, r deliverytest.Received) { w.WriteHeader(http.StatusGone) })
	sub := e.Create(e.Admin, webhooks.Input{URL: rc.URL(), Events: deliverytest.Events("*"), Validated: true})
	e.Do(e.Admin, core.AddProject{Project: "X"})
	e.Pump()
	if s := e.Get(sub.ID); s.Status != core.SubDisabled || !strings.Contains(s.DisabledReason, "410") {
		t.Fatalf("after 410: %+v", s)
	}
}

func TestRedirectIsAFailureAndRetryAfterIsHonoured(t *testing.T) {
	e := deliverytest.New(t, func(_ *webhooks.Options, o *delivery.Options) { o.DisableAfter = 10 })
	rc := deliverytest.NewReceiver(t)
	rc.SetReply(func(w http.ResponseWriter, r deliverytest.Received) {
		w.Header().Set("Location", "http://example.com/")
		w.WriteHeader(http.StatusFound)
	})
	sub := e.Create(e.Admin, webhooks.Input{URL: rc.URL(), Events: deliverytest.Events("*"), Validated: true})
	e.Do(e.Admin, core.AddProject{Project: "X"})
	e.Pump()
	log, _, _ := e.Hooks.Deliveries(e.Ctx, e.Admin, sub.ID, core.Page{})
	if len(log) != 1 || log[0].ErrorClass != "redirect" || log[0].StatusCode != 302 {
		t.Fatalf("log = %+v", log)
	}
	rc.Take()

	rc.SetReply(func(w http.ResponseWriter, r deliverytest.Received) {
		w.Header().Set("Retry-After", "300")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	e.Clock.Add(time.Minute + 10*time.Second) // the schedule's next attempt
	e.Pump()
	if n := len(rc.Take()); n != 1 {
		t.Fatalf("%d attempts, want 1", n)
	}
	e.Clock.Add(2 * time.Minute) // past the schedule, inside Retry-After
	e.Pump()
	if n := len(rc.Take()); n != 0 {
		t.Fatalf("retried %d times before Retry-After passed", n)
	}
	e.Clock.Add(4 * time.Minute)
	e.Pump()
	if n := len(rc.Take()); n != 1 {
		t.Fatalf("%d attempts after Retry-After, want 1", n)
	}
}

func TestRotateSecretSignsWithBothDuringOverlap(t *testing.T) {
	e := deliverytest.New(t)
	rc := deliverytest.NewReceiver(t)
	sub := e.Create(e.Admin, webhooks.Input{URL: rc.URL(), Events: deliverytest.Events("project.created"), Validated: true})
	rotated, err := e.Hooks.RotateSecret(e.Ctx, e.Admin, sub.ID)
	if err != nil || rotated.Secret == sub.Secret {
		t.Fatalf("rotate: %+v %v", rotated, err)
	}
	e.Do(e.Admin, core.AddProject{Project: "A"})
	e.Pump()
	got := rc.Take()
	if len(got) != 1 || len(strings.Fields(got[0].Header.Get("webhook-signature"))) != 2 {
		t.Fatalf("deliveries %d, signature %q", len(got), got[0].Header.Get("webhook-signature"))
	}
	got[0].Verify(t, sub.Secret, rotated.Secret)     // old key still verifies
	got[0].Verify(t, rotated.Secret, rotated.Secret) // and the new one

	e.Clock.Add(webhooks.RotationOverlap + time.Second)
	e.Do(e.Admin, core.AddProject{Project: "B"})
	e.Pump()
	got = rc.Take()
	if len(got) != 1 || len(strings.Fields(got[0].Header.Get("webhook-signature"))) != 1 {
		t.Fatalf("after the overlap: %v", got[0].Header.Get("webhook-signature"))
	}
	wh, _ := standardwebhooks.NewWebhook(sub.Secret)
	if wh.VerifyIgnoringTimestamp(got[0].Body, got[0].Header) == nil {
		t.Fatal("the old secret still verifies after the overlap")
	}
}

// A replay asked for while the event is on its way is sent again after
// that attempt, not swallowed by its outcome.
func TestReplayDuringAnAttemptIsSentAgain(t *testing.T) {
	e := deliverytest.New(t)
	rc := deliverytest.NewReceiver(t)
	inFlight, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	rc.SetReply(func(w http.ResponseWriter, r deliverytest.Received) {
		once.Do(func() { close(inFlight); <-release })
		w.WriteHeader(200)
	})
	sub := e.Create(e.Admin, webhooks.Input{URL: rc.URL(), Events: deliverytest.Events("project.created"), Validated: true})
	start := e.Clock.Now()
	e.Do(e.Admin, core.AddProject{Project: "A"})
	if _, err := e.Engine.DispatchOnce(e.Ctx); err != nil {
		t.Fatal(err)
	}
	sent := make(chan error, 1)
	go func() { _, err := e.Engine.DeliverOnce(e.Ctx); sent <- err }()
	<-inFlight
	if n, err := e.Hooks.Replay(e.Ctx, e.Admin, sub.ID, start, start.Add(time.Minute)); err != nil || n != 1 {
		t.Fatalf("replay queued %d, %v", n, err)
	}
	close(release)
	if err := <-sent; err != nil {
		t.Fatal(err)
	}
	e.Pump()
	got := rc.Take()
	if len(got) != 2 || got[0].Header.Get("webhook-id") != got[1].Header.Get("webhook-id") {
		t.Fatalf("receiver got %d requests (%v), want the attempt and the replay, with one webhook-id", len(got), deliverytest.Types(got))
	}
}

// Disabling never loses events: not with a schedule that runs out on the
// attempt that disables, and not on a 410.
func TestDisablingKeepsTheEventThatDisabled(t *testing.T) {
	for _, tc := range []struct {
		name  string
		reply int
	}{{"schedule runs out", 500}, {"410 Gone", http.StatusGone}} {
		t.Run(tc.name, func(t *testing.T) {
			e := deliverytest.New(t, func(_ *webhooks.Options, o *delivery.Options) {
				o.RetrySchedule, o.DisableAfter = []time.Duration{0, time.Minute, time.Minute}, 3
			})
			rc := deliverytest.NewReceiver(t)
			rc.SetReply(func(w http.ResponseWriter, r deliverytest.Received) { w.WriteHeader(tc.reply) })
			sub := e.Create(e.Admin, webhooks.Input{URL: rc.URL(), Events: deliverytest.Events("project.*"), Validated: true})
			e.Do(e.Admin, core.AddProject{Project: "Kept"})
			for range 3 {
				e.Pump()
				e.Clock.Add(time.Minute + 10*time.Second)
			}
			if s := e.Get(sub.ID); s.Status != core.SubDisabled {
				t.Fatalf("subscription %+v, want disabled", s)
			}
			rc.Take()
			rc.SetReply(func(w http.ResponseWriter, r deliverytest.Received) { w.WriteHeader(200) })
			if _, err := e.Hooks.Enable(e.Ctx, e.Admin, sub.ID); err != nil {
				t.Fatal(err)
			}
			e.Pump()
			got := rc.Take()
			if len(got) != 1 || got[0].Msg["data"].(map[string]any)["project"].(map[string]any)["name"] != "Kept" {
				t.Fatalf("after enable the receiver got %v, want the event that disabled it", deliverytest.Types(got))
			}
		})
	}
}

// A delivery error never repeats the URL, which may hold a secret, even when
// the HTTP client spells the URL differently from how it was given.
func TestDeliveryErrorsHideTheURL(t *testing.T) {
	e := deliverytest.New(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens: the connection is refused
	sub := e.Create(e.Admin, webhooks.Input{URL: "HTTP://" + addr + "/hook/secret-path-s3cr3t?key=k3y", Events: deliverytest.Events("project.*"), Validated: true})
	e.Do(e.Admin, core.AddProject{Project: "P"})
	e.Pump()
	log, _, err := e.Hooks.Deliveries(e.Ctx, e.Admin, sub.ID, core.Page{})
	if err != nil || len(log) == 0 {
		t.Fatalf("delivery log %v, %v", log, err)
	}
	for _, a := range log {
		if strings.Contains(a.Error, "s3cr3t") || strings.Contains(a.Error, "k3y") || !strings.Contains(a.Error, "[url]") {
			t.Errorf("attempt error %q shows the URL", a.Error)
		}
	}
	if s := e.Get(sub.ID); strings.Contains(s.LastError, "s3cr3t") {
		t.Errorf("last error %q shows the URL", s.LastError)
	}
}

// Deliveries never reach a private address, whatever a name resolved to
// when the subscription was made: the dialer checks every connection.
func TestDialRefusesPrivateAddresses(t *testing.T) {
	rc := deliverytest.NewReceiver(t)
	_, err := delivery.NewHTTPClient(time.Second, false).Post(rc.URL(), "application/json", strings.NewReader("{}"))
	if err == nil || !strings.Contains(err.Error(), webhooks.ErrPrivateTarget.Error()) {
		t.Fatalf("dial to loopback: %v", err)
	}
	if said := delivery.RedactErrForTest(err, rc.URL()); strings.Contains(said, "127.0.0.1") || !strings.Contains(said, webhooks.ErrPrivateTarget.Error()) {
		t.Fatalf("the delivery log would say %q", said)
	}
	if n := len(rc.Take()); n != 0 {
		t.Fatalf("receiver got %d requests", n)
	}
}

// A body over MaxPayloadBytes even with its data cut to ids (a renderer
// that ignores the data) is never sent: the attempt fails for good, and
// counts against the subscription.
func TestPayloadTooLargeIsRefused(t *testing.T) {
	e := deliverytest.New(t, func(o *webhooks.Options, _ *delivery.Options) {
		o.Renderers = map[string]webhooks.Renderer{"big": func(core.Event, core.Subscription, map[string]any) ([]byte, error) {
			return make([]byte, delivery.MaxPayloadBytes+1), nil
		}}
	})
	rc := deliverytest.NewReceiver(t)
	sub := e.Create(e.Admin, webhooks.Input{URL: rc.URL(), Events: deliverytest.Events("project.*"), Format: "big", Validated: true})
	e.Do(e.Admin, core.AddProject{Project: "Huge"})
	e.Pump()
	e.Clock.Add(time.Hour)
	e.Pump()
	if got := rc.Take(); len(got) != 0 {
		t.Fatalf("the receiver got %d requests", len(got))
	}
	log, _, err := e.Hooks.Deliveries(e.Ctx, e.Admin, sub.ID, core.Page{})
	if err != nil || len(log) != 1 || log[0].ErrorClass != "payload_too_large" {
		t.Fatalf("delivery log %+v, %v", log, err)
	}
	if s := e.Get(sub.ID); s.Status != core.SubPending || s.Failures != 1 {
		t.Fatalf("subscription %+v, want pending after one failure", s)
	}
}

// A target whose scheme the engine has no sender for fails for good, and
// its error names the scheme only.
func TestTargetWithoutASenderFails(t *testing.T) {
	post := func(context.Context, core.Subscription, []byte) (int, []byte, error) { return 200, nil, nil }
	e := deliverytest.New(t, func(o *webhooks.Options, _ *delivery.Options) {
		o.Targets = map[string]webhooks.Target{"chat": delivery.Channel{Scheme: "chat", Format: core.FormatStandard, Post: post}}
	})
	sub := e.Create(e.Admin, webhooks.Input{URL: "chat:room-s3cr3t", Events: deliverytest.Events("project.*"), Validated: true})
	e.Do(e.Admin, core.AddProject{Project: "P"})
	e.Pump()
	log, _, err := e.Hooks.Deliveries(e.Ctx, e.Admin, sub.ID, core.Page{})
	if err != nil || len(log) != 1 || log[0].ErrorClass != "connection" || log[0].Error != "no sender for chat: targets" {
		t.Fatalf("delivery log %+v, %v", log, err)
	}
}

// A chat sender's failure keeps its reason; a rate limit asks for a delay.
func TestChannelSend(t *testing.T) {
	m := &delivery.Message{Sub: core.Subscription{URL: "slack:C1"}, Body: []byte(`{}`)}
	limited := delivery.Channel{Scheme: "slack", Post: func(context.Context, core.Subscription, []byte) (int, []byte, error) {
		return 429, []byte(`{"ok":false}`), rateLimited{}
	}}
	if o := limited.Send(context.Background(), m); o.Class != "sender" || o.Status != 429 || o.Err != "rate limited" ||
		!o.HasRetryAfter || o.RetryAfter != time.Minute || o.Response != `{"ok":false}` || o.Permanent {
		t.Errorf("rate limited: %+v", o)
	}
	slow := delivery.Channel{Scheme: "slack", Post: func(ctx context.Context, _ core.Subscription, _ []byte) (int, []byte, error) {
		return 0, nil, context.DeadlineExceeded
	}}
	if o := slow.Send(context.Background(), m); o.Class != "timeout" {
		t.Errorf("timeout: %+v", o)
	}
	if o := (delivery.Channel{Scheme: "slack"}).Send(context.Background(), m); o.Class != "connection" || !o.Permanent || o.Err != "no sender for slack: targets" {
		t.Errorf("no way to post: %+v", o)
	}
}

type rateLimited struct{}

func (rateLimited) Error() string             { return "rate limited" }
func (rateLimited) RetryAfter() time.Duration { return time.Minute }
