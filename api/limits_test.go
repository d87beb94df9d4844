package api_test

import (
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/mux"

	"github.com/chatops/gateway/api"
	"github.com/chatops/gateway/internal/ratelimit"
)

type limitClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *limitClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *limitClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Tests and replays of one subscription: 6 a minute, one at a time; a
// refused one writes nothing, and a caller who may not see the
// subscription uses none of its allowance.
func TestWebhookTestAndReplayAreLimited(t *testing.T) {
	e := newHookEnv(t)
	clock := &limitClock{t: time.Unix(1_800_000_000, 0)}
	s := api.New(e.svc, api.Options{Webhooks: e.wh, WebhookActions: ratelimit.NewKeyed(ratelimit.Rate{Events: 6, Per: time.Minute, Burst: 6}, 0, clock.now)})
	r := mux.NewRouter()
	s.Register(r)
	e.srv = httptest.NewServer(r)
	t.Cleanup(e.srv.Close)

	rc := newHookReceiver(t)
	hid := hookStr(e.ok("POST", "/api/v1/webhooks", e.member, `{"url":"`+rc.URL()+`","events":["*"]}`, 201), "id")
	test := "/api/v1/webhooks/" + hid + "/test"
	for range 10 {
		e.refuse("POST", test, e.other, "", 404, "not_found")
	}
	before := e.outbox()
	for i := range 6 {
		e.ok("POST", test, e.member, "", 200)
		if n := e.outbox() - before; n != i+1 {
			t.Fatalf("after %d tests %d events, want one each", i+1, n)
		}
	}
	for _, path := range []string{test, "/api/v1/webhooks/" + hid + "/replay"} {
		e.refuse("POST", path, e.member, "{}", 429, ratelimit.CodeRateLimited)
		if _, _, h := e.send("POST", path, e.member, "application/json", "{}"); h.Get("Retry-After") != "10" {
			t.Fatalf("%s: Retry-After %q, want 10", path, h.Get("Retry-After"))
		}
	}
	// The rate: one more every 10 s, never refused.
	for range 12 {
		clock.add(10 * time.Second)
		e.ok("POST", test, e.member, "", 200)
	}

	clock.add(time.Minute)
	release := api.HoldWebhookForTest(s, hid)
	e.refuse("POST", test, e.member, "", 409, "conflict")
	e.refuse("POST", "/api/v1/webhooks/"+hid+"/replay", e.member, "{}", 409, "conflict")
	release()
	e.ok("POST", test, e.member, "", 200)
}
