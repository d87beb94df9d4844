// Package deliverytest runs the webhooks service and the delivery engine
// together for tests: a temporary SQLite store, a clock the test moves,
// real HTTP receivers, and Pump, which dispatches and delivers until
// nothing is due.
package deliverytest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/delivery"
	"github.com/chatops/gateway/store/sqlite"
	"github.com/chatops/gateway/webhooks"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// Clock is a clock a test moves.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// Add moves the clock by d.
func (c *Clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// Set sets the clock.
func (c *Clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// Env is a workspace with an admin, its webhooks service and an engine.
type Env struct {
	T      testing.TB
	Ctx    context.Context
	Store  core.Store
	Core   *core.Service
	Hooks  *webhooks.Service
	Engine *delivery.Engine
	Clock  *Clock
	Admin  core.Actor
}

// New returns an Env on a new SQLite store in t.TempDir(). Private targets
// are allowed (receivers are on loopback); the retry schedule is five
// attempts a minute apart, and three failures disable. Tweaks change the
// options before the service and the engine are made.
func New(t testing.TB, tweak ...func(*webhooks.Options, *delivery.Options)) *Env {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "wh.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	c := &Clock{t: time.Now().UTC().Truncate(time.Second)}
	svc := core.NewService(st, core.Options{Now: c.Now})
	wo := webhooks.Options{Now: c.Now, AllowPrivateTargets: true, PublicURL: "http://gw.test"}
	do := delivery.Options{Now: c.Now, AllowPrivateTargets: true,
		RetrySchedule: []time.Duration{0, time.Minute, time.Minute, time.Minute, time.Minute}, DisableAfter: 3, Timeout: 5 * time.Second}
	for _, f := range tweak {
		f(&wo, &do)
	}
	hooks := webhooks.New(svc, wo)
	e := &Env{T: t, Ctx: ctx, Store: st, Core: svc, Hooks: hooks, Engine: delivery.New(st, hooks, do), Clock: c}
	e.Admin = e.User("boss", core.RoleAdmin)
	return e
}

// User returns a user with a role, made by an API token.
func (e *Env) User(name string, role core.Role) core.Actor {
	e.T.Helper()
	_, u, err := e.Core.IssueToken(e.Ctx, core.Actor{Source: "cli"}, core.TokenRequest{User: name, Role: role})
	if err != nil {
		e.T.Fatal(err)
	}
	// Subscriptions made from now on come after this user's event.
	e.Clock.Add(time.Millisecond)
	return core.Actor{User: u, Source: "api"}
}

// Pump dispatches and delivers until nothing is due at the current time.
func (e *Env) Pump() {
	e.T.Helper()
	for range 100 {
		n, err := e.Engine.DispatchOnce(e.Ctx)
		if err != nil {
			e.T.Fatal(err)
		}
		m, err := e.Engine.DeliverOnce(e.Ctx)
		if err != nil {
			e.T.Fatal(err)
		}
		if n == 0 && m == 0 {
			return
		}
	}
	e.T.Fatal("engine did not settle")
}

// Create makes a subscription that must be accepted.
func (e *Env) Create(a core.Actor, in webhooks.Input) core.Subscription {
	e.T.Helper()
	sub, err := e.Hooks.Create(e.Ctx, a, in)
	if err != nil {
		e.T.Fatal(err)
	}
	return sub
}

// Get reads a subscription as the admin.
func (e *Env) Get(id core.ID) core.Subscription {
	e.T.Helper()
	sub, err := e.Hooks.Get(e.Ctx, e.Admin, id)
	if err != nil {
		e.T.Fatal(err)
	}
	return sub
}

// Do runs a command that must succeed.
func (e *Env) Do(a core.Actor, cmd core.Command) {
	e.T.Helper()
	if _, err := e.Core.Execute(e.Ctx, a, cmd); err != nil {
		e.T.Fatal(err)
	}
}

// Events is the JSON of a list of event filters.
func Events(names ...string) json.RawMessage {
	b, _ := json.Marshal(names)
	return b
}

// Received is one request a receiver got.
type Received struct {
	Header http.Header
	Body   []byte
	Msg    map[string]any
}

// Type is the type of a standard body.
func (r Received) Type() string { s, _ := r.Msg["type"].(string); return s }

// Types lists the types of standard bodies.
func Types(rs []Received) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Type())
	}
	return out
}

// Verify checks both signatures of a delivery against the secrets, and
// its headers.
func (r Received) Verify(t testing.TB, standardSecret, togglSecret string) {
	t.Helper()
	wh, err := standardwebhooks.NewWebhook(standardSecret)
	if err != nil {
		t.Fatal(err)
	}
	if err := wh.Verify(r.Body, r.Header); err != nil {
		t.Errorf("standard webhooks signature of %s: %v", r.Type(), err)
	}
	if got, want := r.Header.Get("X-Webhook-Signature-256"), webhooks.TogglSignature(togglSecret, r.Body); got != want {
		t.Errorf("X-Webhook-Signature-256 = %q, want %q", got, want)
	}
	if r.Header.Get("webhook-id") == "" || r.Header.Get("Content-Type") != "application/json" || !strings.HasPrefix(r.Header.Get("User-Agent"), "gateway/") {
		t.Errorf("headers = %v", r.Header)
	}
}

// Receiver is a real HTTP server that records what it gets and answers as
// its reply says (200 at first).
type Receiver struct {
	srv   *httptest.Server
	mu    sync.Mutex
	got   []Received
	reply func(w http.ResponseWriter, r Received)
}

// NewReceiver starts a Receiver that stops with the test.
func NewReceiver(t testing.TB) *Receiver {
	rc := &Receiver{reply: func(w http.ResponseWriter, r Received) { w.WriteHeader(200) }}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rec := Received{Header: r.Header.Clone(), Body: body}
		_ = json.Unmarshal(body, &rec.Msg)
		rc.mu.Lock()
		rc.got = append(rc.got, rec)
		reply := rc.reply
		rc.mu.Unlock()
		reply(w, rec)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

// URL is the receiver's URL.
func (rc *Receiver) URL() string { return rc.srv.URL }

// SetReply sets how the receiver answers.
func (rc *Receiver) SetReply(f func(w http.ResponseWriter, r Received)) {
	rc.mu.Lock()
	rc.reply = f
	rc.mu.Unlock()
}

// Take returns and forgets what the receiver got.
func (rc *Receiver) Take() []Received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	got := rc.got
	rc.got = nil
	return got
}

// EchoValidation answers a ping by echoing its validation code.
func EchoValidation(w http.ResponseWriter, r Received) {
	if code, ok := r.Msg["validation_code"].(string); ok {
		_ = json.NewEncoder(w).Encode(map[string]string{"validation_code": code})
		return
	}
	w.WriteHeader(200)
}
