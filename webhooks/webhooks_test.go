package webhooks_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/store/sqlite"
	"github.com/chatops/gateway/webhooks"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// received is one request a receiver got.
type received struct {
	header http.Header
	body   []byte
	msg    map[string]any
}

func (r received) typ() string { s, _ := r.msg["type"].(string); return s }

// receiver is a real HTTP server that records what it gets and answers
// with reply.
type receiver struct {
	t     testing.TB
	srv   *httptest.Server
	mu    sync.Mutex
	got   []received
	reply func(w http.ResponseWriter, r received)
}

func newReceiver(t *testing.T) *receiver {
	rc := &receiver{t: t, reply: func(w http.ResponseWriter, r received) { w.WriteHeader(200) }}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rec := received{header: r.Header.Clone(), body: body}
		_ = json.Unmarshal(body, &rec.msg)
		rc.mu.Lock()
		rc.got = append(rc.got, rec)
		reply := rc.reply
		rc.mu.Unlock()
		reply(w, rec)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) setReply(f func(w http.ResponseWriter, r received)) {
	rc.mu.Lock()
	rc.reply = f
	rc.mu.Unlock()
}

// take returns and forgets what the receiver got.
func (rc *receiver) take() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	got := rc.got
	rc.got = nil
	return got
}

func types(rs []received) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.typ())
	}
	return out
}

// echoValidation answers a ping by echoing its validation code.
func echoValidation(w http.ResponseWriter, r received) {
	if code, ok := r.msg["validation_code"].(string); ok {
		_ = json.NewEncoder(w).Encode(map[string]string{"validation_code": code})
		return
	}
	w.WriteHeader(200)
}

type env struct {
	t     testing.TB
	ctx   context.Context
	store core.Store
	svc   *core.Service
	wh    *webhooks.Service
	clock *clock
	admin core.Actor
}

func newEnv(t testing.TB, tweak ...func(*webhooks.Options)) *env {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "wh.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	c := &clock{t: time.Now().UTC().Truncate(time.Second)}
	svc := core.NewService(st, core.Options{Now: c.Now})
	opts := webhooks.Options{Now: c.Now, AllowPrivateTargets: true, PublicURL: "http://gw.test",
		RetrySchedule: []time.Duration{0, time.Minute, time.Minute, time.Minute, time.Minute}, DisableAfter: 3, Timeout: 5 * time.Second}
	for _, f := range tweak {
		f(&opts)
	}
	e := &env{t: t, ctx: ctx, store: st, svc: svc, wh: webhooks.New(svc, opts), clock: c}
	e.admin = e.user("boss", core.RoleAdmin)
	return e
}

func (e *env) user(name string, role core.Role) core.Actor {
	e.t.Helper()
	_, u, err := e.svc.IssueToken(e.ctx, core.Actor{Source: "cli"}, core.TokenRequest{User: name, Role: role})
	if err != nil {
		e.t.Fatal(err)
	}
	// Subscriptions made from now on come after this user's event.
	e.clock.Add(time.Millisecond)
	return core.Actor{User: u, Source: "api"}
}

// pump dispatches and delivers until nothing is due at the current time.
func (e *env) pump() {
	e.t.Helper()
	for range 100 {
		n, err := e.wh.DispatchOnce(e.ctx)
		if err != nil {
			e.t.Fatal(err)
		}
		m, err := e.wh.DeliverOnce(e.ctx)
		if err != nil {
			e.t.Fatal(err)
		}
		if n == 0 && m == 0 {
			return
		}
	}
	e.t.Fatal("engine did not settle")
}

func (e *env) create(a core.Actor, in webhooks.Input) core.Subscription {
	e.t.Helper()
	sub, err := e.wh.Create(e.ctx, a, in)
	if err != nil {
		e.t.Fatal(err)
	}
	return sub
}

func (e *env) get(id core.ID) core.Subscription {
	e.t.Helper()
	sub, err := e.wh.Get(e.ctx, e.admin, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return sub
}

func (e *env) do(a core.Actor, cmd core.Command) {
	e.t.Helper()
	if _, err := e.svc.Execute(e.ctx, a, cmd); err != nil {
		e.t.Fatal(err)
	}
}

func events(names ...string) json.RawMessage {
	b, _ := json.Marshal(names)
	return b
}

// verify checks both signatures of a delivery against the secrets.
func verify(t *testing.T, r received, standardSecret, togglSecret string) {
	t.Helper()
	wh, err := standardwebhooks.NewWebhook(standardSecret)
	if err != nil {
		t.Fatal(err)
	}
	if err := wh.Verify(r.body, r.header); err != nil {
		t.Errorf("standard webhooks signature of %s: %v", r.typ(), err)
	}
	if got, want := r.header.Get("X-Webhook-Signature-256"), webhooks.TogglSignature(togglSecret, r.body); got != want {
		t.Errorf("X-Webhook-Signature-256 = %q, want %q", got, want)
	}
	if r.header.Get("webhook-id") == "" || r.header.Get("Content-Type") != "application/json" || !strings.HasPrefix(r.header.Get("User-Agent"), "gateway/") {
		t.Errorf("headers = %v", r.header)
	}
}

func TestSignReproducesPublishedVectors(t *testing.T) {
	// Standard Webhooks' test vector.
	sig, err := webhooks.Sign([]string{"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}, "msg_p5jXN8AQM9LWM0D4loKWxJek",
		time.Unix(1614265330, 0), []byte(`{"test": 2432232314}`))
	if err != nil || sig.Standard != "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=" || sig.Timestamp != "1614265330" {
		t.Fatalf("standard = %+v, %v", sig, err)
	}
	// Toggl Track's examples (developer docs, "Validating Received Events").
	for body, want := range map[string]string{
		`{"event_id":0,"created_at":"2022-06-25T03:58:10.207820267Z","creator_id":6,"metadata":{"request_type":"POST","event_user_id":6},"payload":"ping","subscription_id":6}`:                                                                                        "sha256=55343383e52a9cd2f56bd4e9fb5b6ce6982fb45955f26ea816cf7495d98c5fd2",
		`{"event_id":0,"created_at":"2022-06-25T03:58:10.207820267Z","creator_id":6,"metadata":{"request_type":"POST","event_user_id":6},"payload":"ping","subscription_id":6,"timestamp":"2022-06-25T03:58:10.207820267Z","url_callback":"https://callback-url.com"}`: "sha256=bf829606cda0ca6923defb5ca70a43135adc7e8887486a201a19cb50ca6006b1",
	} {
		if got := webhooks.TogglSignature("PGuRrhCFajIyEvFlreKL", []byte(body)); got != want {
			t.Errorf("toggl = %s, want %s", got, want)
		}
	}
	// Two secrets during a rotation: two v1 signatures, Toggl with the newest.
	a, b := webhooks.NewSecret(), webhooks.NewSecret()
	sig, err = webhooks.Sign([]string{a, b}, "evt_1", time.Now(), []byte(`{}`))
	if err != nil || len(strings.Fields(sig.Standard)) != 2 || sig.Toggl != webhooks.TogglSignature(a, []byte(`{}`)) {
		t.Fatalf("rotation = %+v, %v", sig, err)
	}
}

func TestSyncValidationThenSignedEvents(t *testing.T) {
	e := newEnv(t)
	rc := newReceiver(t)
	rc.setReply(echoValidation)
	sub := e.create(e.admin, webhooks.Input{Name: "Billing", URL: rc.srv.URL, Events: events("tracker.*", "time_entry.created")})
	if sub.Status != core.SubNotValidated || !strings.HasPrefix(sub.Secret, "whsec_") {
		t.Fatalf("new subscription = %+v", sub)
	}
	e.pump()
	pings := rc.take()
	if len(pings) != 1 || pings[0].typ() != core.EventWebhookPing || pings[0].msg["validation_code_url"] == nil {
		t.Fatalf("pings = %v", types(pings))
	}
	verify(t, pings[0], sub.Secret, sub.Secret)
	if got := e.get(sub.ID); got.Status != core.SubActive || got.ValidatedAt == nil {
		t.Fatalf("after echo: %+v", got)
	}

	ana := e.user("ana", core.RoleMember)
	e.do(ana, core.Track{Task: "Fix", Project: "Web"})
	e.do(ana, core.Stop{})
	e.do(ana, core.Log{Amount: core.Amount{Duration: time.Hour}})
	e.pump()
	got := rc.take()
	slices.SortFunc(got, func(a, b received) int { return strings.Compare(a.typ(), b.typ()) }) // sent concurrently
	if want := []string{"time_entry.created", "tracker.started", "tracker.stopped"}; !slices.Equal(types(got), want) {
		t.Fatalf("delivered %v, want %v", types(got), want)
	}
	for _, r := range got {
		verify(t, r, sub.Secret, sub.Secret)
		if r.header.Get("webhook-id") != r.msg["id"] {
			t.Errorf("webhook-id %q is not the event id %v", r.header.Get("webhook-id"), r.msg["id"])
		}
	}
	data := got[1].msg["data"].(map[string]any)
	if data["task"].(map[string]any)["name"] != "Fix" || got[1].msg["actor"].(map[string]any)["name"] != "ana" {
		t.Errorf("body = %s", got[1].body)
	}
}

func TestAsyncValidationHoldsEventsUntilValidated(t *testing.T) {
	e := newEnv(t)
	rc := newReceiver(t) // answers 200 without the code
	sub := e.create(e.admin, webhooks.Input{URL: rc.srv.URL, Events: events("*")})
	e.pump()
	pings := rc.take()
	if len(pings) != 1 {
		t.Fatalf("pings = %v", types(pings))
	}
	e.do(e.admin, core.AddProject{Project: "Ops"})
	e.pump()
	if got := rc.take(); len(got) != 0 {
		t.Fatalf("a not validated subscription received %v", types(got))
	}
	if err := e.wh.Validate(e.ctx, sub.ID, "wrong"); core.ErrorCode(err) != core.ENOTFOUND {
		t.Fatalf("wrong code: %v", err)
	}
	url := pings[0].msg["validation_code_url"].(string)
	code := url[strings.LastIndex(url, "/")+1:]
	if !strings.HasPrefix(url, "http://gw.test/api/v1/webhooks/"+sub.ID.String()+"/validate/") {
		t.Fatalf("validation url %q", url)
	}
	if err := e.wh.Validate(e.ctx, sub.ID, code); err != nil {
		t.Fatal(err)
	}
	e.pump()
	if got := rc.take(); !slices.Equal(types(got), []string{"project.created"}) {
		t.Fatalf("after validation: %v", types(got))
	}
}

func TestFailingReceiverGoesPendingThenDisabledAndCatchesUpOnEnable(t *testing.T) {
	e := newEnv(t)
	rc := newReceiver(t)
	alerts := newReceiver(t)
	sub := e.create(e.admin, webhooks.Input{URL: rc.srv.URL, Events: events("project.*"), Validated: true})
	watch := e.create(e.admin, webhooks.Input{URL: alerts.srv.URL, Events: events("webhook.*"), Validated: true})
	rc.setReply(func(w http.ResponseWriter, r received) { http.Error(w, "down for maintenance", 500) })

	e.do(e.admin, core.AddProject{Project: "One"})
	e.pump()
	if s := e.get(sub.ID); s.Status != core.SubPending || s.LastStatusCode != 500 {
		t.Fatalf("after 1 failure: %+v", s)
	}
	for i := 2; i <= 3; i++ {
		e.clock.Add(time.Minute + 10*time.Second)
		e.pump()
	}
	s := e.get(sub.ID)
	if s.Status != core.SubDisabled || s.Enabled || !strings.Contains(s.DisabledReason, "3 consecutive") {
		t.Fatalf("after 3 failures: %+v", s)
	}
	if got := rc.take(); len(got) != 3 || got[0].header.Get("webhook-id") != got[2].header.Get("webhook-id") {
		t.Fatalf("attempts %d, ids must be equal", len(got))
	}
	// One alert per state change, not per attempt.
	if got := types(alerts.take()); !slices.Equal(got, []string{"webhook.failing", "webhook.disabled"}) {
		t.Fatalf("alerts %v", got)
	}
	log, _, err := e.wh.Deliveries(e.ctx, e.admin, sub.ID, core.Page{})
	if err != nil || len(log) != 3 || log[0].StatusCode != 500 || log[0].Response != "down for maintenance\n" || log[0].ErrorClass != "http_status" {
		t.Fatalf("delivery log %+v %v", log, err)
	}

	// Events while disabled are kept, and go out after enable.
	e.do(e.admin, core.AddProject{Project: "Two"})
	e.clock.Add(2 * time.Minute)
	e.pump()
	if got := rc.take(); len(got) != 0 {
		t.Fatalf("disabled subscription received %v", types(got))
	}
	rc.setReply(func(w http.ResponseWriter, r received) { w.WriteHeader(204) })
	if _, err := e.wh.Enable(e.ctx, e.admin, sub.ID); err != nil {
		t.Fatal(err)
	}
	e.pump()
	got := rc.take()
	names := []string{}
	for _, r := range got {
		names = append(names, r.msg["data"].(map[string]any)["project"].(map[string]any)["name"].(string))
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"One", "Two"}) {
		t.Fatalf("after enable: %v", names)
	}
	if s := e.get(sub.ID); s.Status != core.SubActive {
		t.Fatalf("after enable: %+v", s)
	}
	if got := types(alerts.take()); !slices.Equal(got, []string{"webhook.enabled"}) {
		t.Fatalf("enable alerts %v", got)
	}
	_ = watch
}

func TestGoneDisablesAtOnce(t *testing.T) {
	e := newEnv(t)
	rc := newReceiver(t)
	rc.setReply(func(w http.ResponseWriter, r received) { w.WriteHeader(http.StatusGone) })
	sub := e.create(e.admin, webhooks.Input{URL: rc.srv.URL, Events: events("*"), Validated: true})
	e.do(e.admin, core.AddProject{Project: "X"})
	e.pump()
	if s := e.get(sub.ID); s.Status != core.SubDisabled || !strings.Contains(s.DisabledReason, "410") {
		t.Fatalf("after 410: %+v", s)
	}
}

func TestRedirectIsAFailureAndRetryAfterIsHonoured(t *testing.T) {
	e := newEnv(t, func(o *webhooks.Options) { o.DisableAfter = 10 })
	rc := newReceiver(t)
	rc.setReply(func(w http.ResponseWriter, r received) {
		w.Header().Set("Location", "http://example.com/")
		w.WriteHeader(http.StatusFound)
	})
	sub := e.create(e.admin, webhooks.Input{URL: rc.srv.URL, Events: events("*"), Validated: true})
	e.do(e.admin, core.AddProject{Project: "X"})
	e.pump()
	log, _, _ := e.wh.Deliveries(e.ctx, e.admin, sub.ID, core.Page{})
	if len(log) != 1 || log[0].ErrorClass != "redirect" || log[0].StatusCode != 302 {
		t.Fatalf("log = %+v", log)
	}
	rc.take()

	rc.setReply(func(w http.ResponseWriter, r received) {
		w.Header().Set("Retry-After", "300")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	e.clock.Add(time.Minute + 10*time.Second) // the schedule's next attempt
	e.pump()
	if n := len(rc.take()); n != 1 {
		t.Fatalf("%d attempts, want 1", n)
	}
	e.clock.Add(2 * time.Minute) // past the schedule, inside Retry-After
	e.pump()
	if n := len(rc.take()); n != 0 {
		t.Fatalf("retried %d times before Retry-After passed", n)
	}
	e.clock.Add(4 * time.Minute)
	e.pump()
	if n := len(rc.take()); n != 1 {
		t.Fatalf("%d attempts after Retry-After, want 1", n)
	}
}

func TestRotateSecretSignsWithBothDuringOverlap(t *testing.T) {
	e := newEnv(t)
	rc := newReceiver(t)
	sub := e.create(e.admin, webhooks.Input{URL: rc.srv.URL, Events: events("project.created"), Validated: true})
	rotated, err := e.wh.RotateSecret(e.ctx, e.admin, sub.ID)
	if err != nil || rotated.Secret == sub.Secret {
		t.Fatalf("rotate: %+v %v", rotated, err)
	}
	e.do(e.admin, core.AddProject{Project: "A"})
	e.pump()
	got := rc.take()
	if len(got) != 1 || len(strings.Fields(got[0].header.Get("webhook-signature"))) != 2 {
		t.Fatalf("deliveries %d, signature %q", len(got), got[0].header.Get("webhook-signature"))
	}
	verify(t, got[0], sub.Secret, rotated.Secret)     // old key still verifies
	verify(t, got[0], rotated.Secret, rotated.Secret) // and the new one

	e.clock.Add(webhooks.RotationOverlap + time.Second)
	e.do(e.admin, core.AddProject{Project: "B"})
	e.pump()
	got = rc.take()
	if len(got) != 1 || len(strings.Fields(got[0].header.Get("webhook-signature"))) != 1 {
		t.Fatalf("after the overlap: %v", got[0].header.Get("webhook-signature"))
	}
	wh, _ := standardwebhooks.NewWebhook(sub.Secret)
	if wh.VerifyIgnoringTimestamp(got[0].body, got[0].header) == nil {
		t.Fatal("the old secret still verifies after the overlap")
	}
}

func TestReplayResendsWindowWithSameIDs(t *testing.T) {
	e := newEnv(t)
	rc := newReceiver(t)
	sub := e.create(e.admin, webhooks.Input{URL: rc.srv.URL, Events: events("project.created"), Validated: true})
	start := e.clock.Now()
	e.do(e.admin, core.AddProject{Project: "A"})
	e.do(e.admin, core.AddProject{Project: "B"})
	e.clock.Add(time.Hour)
	e.do(e.admin, core.AddProject{Project: "C"}) // outside the window
	e.pump()
	first := rc.take()
	if len(first) != 3 {
		t.Fatalf("first delivery %v", types(first))
	}
	n, err := e.wh.Replay(e.ctx, e.admin, sub.ID, start, start.Add(time.Minute))
	if err != nil || n != 2 {
		t.Fatalf("replay queued %d, %v", n, err)
	}
	e.pump()
	ids := func(rs []received) []string {
		var out []string
		for _, r := range rs {
			out = append(out, r.header.Get("webhook-id"))
		}
		slices.Sort(out)
		return out
	}
	var inWindow []received
	for _, r := range first {
		if name := r.msg["data"].(map[string]any)["project"].(map[string]any)["name"]; name != "C" {
			inWindow = append(inWindow, r)
		}
	}
	if again := rc.take(); !slices.Equal(ids(again), ids(inWindow)) {
		t.Fatalf("replayed ids %v, want %v", ids(again), ids(inWindow))
	}
}

// A replay asked for while the event is on its way is sent again after
// that attempt, not swallowed by its outcome.
func TestReplayDuringAnAttemptIsSentAgain(t *testing.T) {
	e := newEnv(t)
	rc := newReceiver(t)
	inFlight, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	rc.setReply(func(w http.ResponseWriter, r received) {
		once.Do(func() { close(inFlight); <-release })
		w.WriteHeader(200)
	})
	sub := e.create(e.admin, webhooks.Input{URL: rc.srv.URL, Events: events("project.created"), Validated: true})
	start := e.clock.Now()
	e.do(e.admin, core.AddProject{Project: "A"})
	if _, err := e.wh.DispatchOnce(e.ctx); err != nil {
		t.Fatal(err)
	}
	sent := make(chan error, 1)
	go func() { _, err := e.wh.DeliverOnce(e.ctx); sent <- err }()
	<-inFlight
	if n, err := e.wh.Replay(e.ctx, e.admin, sub.ID, start, start.Add(time.Minute)); err != nil || n != 1 {
		t.Fatalf("replay queued %d, %v", n, err)
	}
	close(release)
	if err := <-sent; err != nil {
		t.Fatal(err)
	}
	e.pump()
	got := rc.take()
	if len(got) != 2 || got[0].header.Get("webhook-id") != got[1].header.Get("webhook-id") {
		t.Fatalf("receiver got %d requests (%v), want the attempt and the replay, with one webhook-id", len(got), types(got))
	}
}

func TestLimitPerUser(t *testing.T) {
	e := newEnv(t)
	rc := newReceiver(t)
	for i := range 5 {
		e.create(e.admin, webhooks.Input{Name: "hook " + string(rune('a'+i)), URL: rc.srv.URL, Events: events("*"), Validated: true})
	}
	_, err := e.wh.Create(e.ctx, e.admin, webhooks.Input{URL: rc.srv.URL, Events: events("*")})
	if core.ErrorCode(err) != core.ELIMIT || !strings.Contains(core.ErrorMessage(err), "5 webhooks") {
		t.Fatalf("6th: %v", err)
	}
	// Another user has a limit of their own.
	e.create(e.user("ana", core.RoleMember), webhooks.Input{URL: rc.srv.URL, Events: events("*"), Validated: true})
}

func TestMemberReceivesOnlyWhatTheyMaySee(t *testing.T) {
	e := newEnv(t)
	ana, bob := e.user("ana", core.RoleMember), e.user("bob", core.RoleMember)
	anaRC, adminRC := newReceiver(t), newReceiver(t)
	anaSub := e.create(ana, webhooks.Input{URL: anaRC.srv.URL, Events: events("*"), Validated: true})
	e.create(e.admin, webhooks.Input{URL: adminRC.srv.URL, Events: events("tracker.*", "project.*", "task.*"), Validated: true})

	e.do(bob, core.Track{Task: "Secret", Project: "Bobs"}) // bob's project and timer
	e.do(ana, core.Track{Task: "Mine", Project: "Anas"})
	e.pump()
	var anaGot []string
	for _, r := range anaRC.take() {
		anaGot = append(anaGot, r.typ())
		if strings.Contains(string(r.body), "Bobs") || strings.Contains(string(r.body), "Secret") {
			t.Errorf("ana received bob's %s", r.typ())
		}
	}
	slices.Sort(anaGot)
	if !slices.Equal(anaGot, []string{"project.created", "task.created", "tracker.started"}) {
		t.Errorf("ana got %v", anaGot)
	}
	if n := len(adminRC.take()); n != 6 {
		t.Errorf("admin got %d events, want 6", n)
	}
	// A member can neither see nor change another's subscription.
	if _, err := e.wh.Get(e.ctx, bob, anaSub.ID); core.ErrorCode(err) != core.ENOTFOUND {
		t.Errorf("bob reads ana's subscription: %v", err)
	}
	if _, err := e.wh.Disable(e.ctx, bob, anaSub.ID); core.ErrorCode(err) != core.ENOTFOUND {
		t.Errorf("bob disables ana's subscription: %v", err)
	}
	if list, _, _ := e.wh.List(e.ctx, bob, core.Page{}); len(list) != 0 {
		t.Errorf("bob lists %d subscriptions", len(list))
	}
}

func TestPrivateTargetsRefusedByDefault(t *testing.T) {
	e := newEnv(t, func(o *webhooks.Options) { o.AllowPrivateTargets = false })
	for _, u := range []string{"http://127.0.0.1:9/x", "http://localhost/x", "http://10.1.2.3/", "http://169.254.169.254/latest/meta-data",
		"http://[::1]/", "http://192.168.0.10/", "http://0.0.0.0/", "ftp://example.com/", "not a url", "http://user:pw@example.com/"} {
		if _, err := e.wh.Create(e.ctx, e.admin, webhooks.Input{URL: u, Events: events("*")}); core.ErrorCode(err) != core.EINVALID {
			t.Errorf("%s: %v, want invalid", u, err)
		}
	}
	// And at dial time, whatever a name resolved to before.
	rc := newReceiver(t)
	_, err := webhooks.NewHTTPClient(time.Second, false).Post(rc.srv.URL, "application/json", strings.NewReader("{}"))
	if err == nil || !strings.Contains(err.Error(), webhooks.ErrPrivateTarget.Error()) {
		t.Fatalf("dial to loopback: %v", err)
	}
	if n := len(rc.take()); n != 0 {
		t.Fatalf("receiver got %d requests", n)
	}
}

func TestTogglFormat(t *testing.T) {
	e := newEnv(t)
	rc := newReceiver(t)
	rc.setReply(echoValidation)
	sub := e.create(e.admin, webhooks.Input{URL: rc.srv.URL, Events: json.RawMessage(`[{"entity":"time_entry","action":"*"},"task.track"]`), Format: "toggl"})
	e.pump()
	ping := rc.take()
	if len(ping) != 1 || ping[0].msg["payload"] != "ping" || ping[0].msg["validation_code"] == nil {
		t.Fatalf("toggl ping %s", ping[0].body)
	}
	e.do(e.admin, core.Track{Task: "Fix", Project: "Web"})
	e.pump()
	got := rc.take()
	if len(got) != 1 {
		t.Fatalf("got %d", len(got))
	}
	md := got[0].msg["metadata"].(map[string]any)
	payload := got[0].msg["payload"].(map[string]any)
	if md["model"] != "time_entry" || md["action"] != "created" || payload["end"] != nil || got[0].msg["subscription_id"] != sub.ID.String() {
		t.Fatalf("toggl body %s", got[0].body)
	}
	verify(t, got[0], sub.Secret, sub.Secret)
}

func TestCreateRefusesBadInput(t *testing.T) {
	e := newEnv(t)
	rc := newReceiver(t)
	for name, in := range map[string]webhooks.Input{
		"unknown event":  {URL: rc.srv.URL, Events: events("tracker.exploded")},
		"empty events":   {URL: rc.srv.URL, Events: json.RawMessage(`[]`)},
		"bad format":     {URL: rc.srv.URL, Events: events("*"), Format: "xml"},
		"bad secret":     {URL: rc.srv.URL, Events: events("*"), Secret: "hunter2"},
		"bad scope":      {URL: rc.srv.URL, Events: events("*"), Scope: "galaxy"},
		"events not set": {URL: rc.srv.URL},
	} {
		if _, err := e.wh.Create(e.ctx, e.admin, in); core.ErrorCode(err) != core.EINVALID {
			t.Errorf("%s: %v", name, err)
		}
	}
	e.create(e.admin, webhooks.Input{Name: "Same", URL: rc.srv.URL, Events: events("*")})
	if _, err := e.wh.Create(e.ctx, e.admin, webhooks.Input{Name: "same", URL: rc.srv.URL, Events: events("*")}); core.ErrorCode(err) != core.ECONFLICT {
		t.Errorf("duplicate name: %v", err)
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
			e := newEnv(t, func(o *webhooks.Options) {
				o.RetrySchedule, o.DisableAfter = []time.Duration{0, time.Minute, time.Minute}, 3
			})
			rc := newReceiver(t)
			rc.setReply(func(w http.ResponseWriter, r received) { w.WriteHeader(tc.reply) })
			sub := e.create(e.admin, webhooks.Input{URL: rc.srv.URL, Events: events("project.*"), Validated: true})
			e.do(e.admin, core.AddProject{Project: "Kept"})
			for range 3 {
				e.pump()
				e.clock.Add(time.Minute + 10*time.Second)
			}
			if s := e.get(sub.ID); s.Status != core.SubDisabled {
				t.Fatalf("subscription %+v, want disabled", s)
			}
			rc.take()
			rc.setReply(func(w http.ResponseWriter, r received) { w.WriteHeader(200) })
			if _, err := e.wh.Enable(e.ctx, e.admin, sub.ID); err != nil {
				t.Fatal(err)
			}
			e.pump()
			got := rc.take()
			if len(got) != 1 || got[0].msg["data"].(map[string]any)["project"].(map[string]any)["name"] != "Kept" {
				t.Fatalf("after enable the receiver got %v, want the event that disabled it", types(got))
			}
		})
	}
}

// An admin's workspace subscription to webhook.* hears about every
// subscription's trouble; a member's only about their own.
func TestAdminReceivesEveryonesWebhookAlerts(t *testing.T) {
	e := newEnv(t)
	bob := e.user("bob", core.RoleMember)
	ann := e.user("ann", core.RoleMember)
	failing := newReceiver(t)
	failing.setReply(func(w http.ResponseWriter, r received) { w.WriteHeader(500) })
	adminAlerts, annAlerts := newReceiver(t), newReceiver(t)
	e.create(e.admin, webhooks.Input{URL: adminAlerts.srv.URL, Events: events("webhook.*"), Validated: true})
	e.create(ann, webhooks.Input{URL: annAlerts.srv.URL, Events: events("webhook.*"), Validated: true})
	e.create(bob, webhooks.Input{URL: failing.srv.URL, Events: events("project.*"), Validated: true})
	e.do(bob, core.AddProject{Project: "Bob's"})
	e.pump()
	if got := types(adminAlerts.take()); !slices.Equal(got, []string{"webhook.failing"}) {
		t.Fatalf("admin got %v, want bob's webhook.failing", got)
	}
	if got := annAlerts.take(); len(got) != 0 {
		t.Fatalf("another member got %v", types(got))
	}
}

// next_cursor is null (0) on the last page, also when it is exactly full.
func TestListsEndWithoutACursor(t *testing.T) {
	e := newEnv(t)
	rc := newReceiver(t)
	rc.setReply(func(w http.ResponseWriter, r received) { w.WriteHeader(500) })
	var subs []core.Subscription
	for i := range 3 {
		subs = append(subs, e.create(e.admin, webhooks.Input{Name: fmt.Sprint("hook ", i), URL: rc.srv.URL + fmt.Sprint("/", i),
			Events: events("project.*"), Validated: true}))
	}
	page, next, err := e.wh.List(e.ctx, e.admin, core.Page{Limit: 2})
	if err != nil || len(page) != 2 || next != page[1].ID {
		t.Fatalf("first page %d items, next %d, %v", len(page), next, err)
	}
	page, next, err = e.wh.List(e.ctx, e.admin, core.Page{Limit: 1, After: next})
	if err != nil || len(page) != 1 || next != 0 {
		t.Fatalf("last, full page: %d items, next %d, %v; want 1 item and no cursor", len(page), next, err)
	}
	e.do(e.admin, core.AddProject{Project: "P"})
	e.pump()
	e.clock.Add(time.Minute + 10*time.Second)
	e.pump()
	log, next, err := e.wh.Deliveries(e.ctx, e.admin, subs[0].ID, core.Page{Limit: 2})
	if err != nil || len(log) != 2 || next != 0 {
		t.Fatalf("delivery log of exactly one page: %d attempts, next %d, %v", len(log), next, err)
	}
	log, next, err = e.wh.Deliveries(e.ctx, e.admin, subs[0].ID, core.Page{Limit: 1})
	if err != nil || len(log) != 1 || next != log[0].ID {
		t.Fatalf("delivery log page of 1: %d attempts, next %d, %v", len(log), next, err)
	}
}

// A delivery error never repeats the URL, which may hold a secret, even when
// the HTTP client spells the URL differently from how it was given.
func TestDeliveryErrorsHideTheURL(t *testing.T) {
	e := newEnv(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens: the connection is refused
	sub := e.create(e.admin, webhooks.Input{URL: "HTTP://" + addr + "/hook/secret-path-s3cr3t?key=k3y", Events: events("project.*"), Validated: true})
	e.do(e.admin, core.AddProject{Project: "P"})
	e.pump()
	log, _, err := e.wh.Deliveries(e.ctx, e.admin, sub.ID, core.Page{})
	if err != nil || len(log) == 0 {
		t.Fatalf("delivery log %v, %v", log, err)
	}
	for _, a := range log {
		if strings.Contains(a.Error, "s3cr3t") || strings.Contains(a.Error, "k3y") || !strings.Contains(a.Error, "[url]") {
			t.Errorf("attempt error %q shows the URL", a.Error)
		}
	}
	if s := e.get(sub.ID); strings.Contains(s.LastError, "s3cr3t") {
		t.Errorf("last error %q shows the URL", s.LastError)
	}
}
