package ratelimit

import (
	"net/http/httptest"
	"strconv"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	for in, want := range map[string]Rate{
		"50/s:100": {50, time.Second, 100},
		"20/s:40":  {20, time.Second, 40},
		"10/min":   {10, time.Minute, 10},
		"6/m":      {6, time.Minute, 6},
		"100/h:5":  {100, time.Hour, 5},
		" 3 / s ":  {3, time.Second, 3},
		"off":      {},
		"0":        {},
	} {
		got, err := Parse(in)
		if err != nil || got != want {
			t.Errorf("Parse(%q) = %+v, %v; want %+v", in, got, err, want)
		}
		if back, err := Parse(got.String()); err != nil || back != got {
			t.Errorf("Parse(%q.String()=%q) = %+v, %v", in, got.String(), back, err)
		}
	}
	for _, bad := range []string{"", "50", "50/d", "-1/s", "0/s", "x/s", "50/s:", "50/s:0", "50/s:-3", "9999999/s", "1/s:99999999999999999999"} {
		if r, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) = %+v, want an error", bad, r)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"50/s:100", "10/min", "off", "6/m", "1/h:2", "::", "/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := Parse(s)
		if err != nil {
			return
		}
		if !r.Off() && (r.Events <= 0 || r.Burst <= 0 || r.Per <= 0 || r.Limit() <= 0) {
			t.Fatalf("Parse(%q) = %+v: not a usable rate", s, r)
		}
		if back, err := Parse(r.String()); err != nil || back != r {
			t.Fatalf("Parse(%q) = %+v; its String %q parses to %+v, %v", s, r, r.String(), back, err)
		}
	})
}

// clock is a settable time for the buckets.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestKeyedFloodAndRefill(t *testing.T) {
	c := &clock{t: time.Unix(1_700_000_000, 0)}
	k := NewKeyed(Rate{Events: 50, Per: time.Second, Burst: 100}, 0, c.now)
	allowed := 0
	var wait time.Duration
	for range 1000 {
		if ok, d := k.Allow("tok"); ok {
			allowed++
		} else {
			wait = d
		}
	}
	if allowed != 100 {
		t.Fatalf("a flood at one instant got %d through, want the burst, 100", allowed)
	}
	if wait != 20*time.Millisecond || RetryAfter(wait) != 1 {
		t.Fatalf("wait %v (Retry-After %d), want 20ms (1)", wait, RetryAfter(wait))
	}
	if ok, _ := k.Allow("other"); !ok {
		t.Fatal("another key was refused: buckets are per key")
	}
	c.t = c.t.Add(time.Second)
	allowed = 0
	for range 1000 {
		if ok, _ := k.Allow("tok"); ok {
			allowed++
		}
	}
	if allowed != 50 {
		t.Fatalf("a second later %d got through, want 50", allowed)
	}
}

// TestKeyedDocumentedRateNeverRefused sends at exactly the rate, for a
// long while: never refused.
func TestKeyedDocumentedRateNeverRefused(t *testing.T) {
	for _, r := range []Rate{{50, time.Second, 100}, {20, time.Second, 40}, {10, time.Minute, 10}, {6, time.Minute, 6}} {
		c := &clock{t: time.Unix(1_700_000_000, 0)}
		k := NewKeyed(r, 0, c.now)
		step := r.Per / time.Duration(r.Events)
		for i := range 10_000 {
			if ok, _ := k.Allow("k"); !ok {
				t.Fatalf("%v: request %d at the documented rate refused", r, i)
			}
			c.t = c.t.Add(step)
		}
	}
}

func TestKeyedAuthFailureBlock(t *testing.T) {
	c := &clock{t: time.Unix(1_700_000_000, 0)}
	k := NewKeyed(Rate{Events: 10, Per: time.Minute, Burst: 10}, 0, c.now)
	if b, _ := k.Blocked("1.2.3.4"); b {
		t.Fatal("an unseen address is blocked")
	}
	for i := range 10 {
		if b, _ := k.Blocked("1.2.3.4"); b {
			t.Fatalf("blocked after %d failures, want after 10", i)
		}
		k.Allow("1.2.3.4")
	}
	b, d := k.Blocked("1.2.3.4")
	if !b || RetryAfter(d) != 6 {
		t.Fatalf("after 10 failures: blocked %v, Retry-After %d; want true, 6", b, RetryAfter(d))
	}
	c.t = c.t.Add(6 * time.Second)
	if b, _ := k.Blocked("1.2.3.4"); b {
		t.Fatal("still blocked once a token refilled")
	}
}

func TestKeyedBounded(t *testing.T) {
	c := &clock{t: time.Unix(1_700_000_000, 0)}
	k := NewKeyed(Rate{Events: 1, Per: time.Minute, Burst: 1}, 100, c.now)
	k.Allow("hot")
	for i := range 10_000 {
		k.Allow(strconv.Itoa(i))
		if i%10 == 0 {
			if ok, _ := k.Allow("hot"); ok {
				t.Fatal("the recently used key lost its bucket")
			}
		}
	}
	if n := k.Len(); n > 100 {
		t.Fatalf("%d keys remembered, want at most 100", n)
	}
}

func TestOffAllowsAll(t *testing.T) {
	k := NewKeyed(Rate{}, 0, nil)
	for range 10_000 {
		if ok, _ := k.Allow("k"); !ok {
			t.Fatal("an off rate refused")
		}
	}
	var nilK *Keyed
	if ok, _ := nilK.Allow("k"); !ok {
		t.Fatal("a nil Keyed refused")
	}
}

func TestGate(t *testing.T) {
	var g Gate
	release, ok := g.TryAcquire("s1")
	if !ok {
		t.Fatal("first acquire refused")
	}
	if _, ok := g.TryAcquire("s1"); ok {
		t.Fatal("second acquire while held succeeded")
	}
	if r2, ok := g.TryAcquire("s2"); !ok {
		t.Fatal("another key refused")
	} else {
		r2()
	}
	release()
	release() // a second call is harmless
	if _, ok := g.TryAcquire("s1"); !ok {
		t.Fatal("acquire after release refused")
	}
}

func TestClientAddr(t *testing.T) {
	trusted, err := ParseCIDRs("10.0.0.0/8, 192.168.1.1")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ peer, xff, want string }{
		{"203.0.113.9:5000", "1.1.1.1", "203.0.113.9"},             // an untrusted peer's header is ignored
		{"10.1.2.3:5000", "1.1.1.1", "1.1.1.1"},                    // a trusted proxy's is read
		{"10.1.2.3:5000", "6.6.6.6, 1.1.1.1, 10.9.9.9", "1.1.1.1"}, // from the right, past trusted hops
		{"10.1.2.3:5000", "", "10.1.2.3"},
		{"10.1.2.3:5000", "junk", "10.1.2.3"},
		{"192.168.1.1:80", "2001:db8::1", "2001:db8::1"},
		{"[::ffff:10.0.0.1]:80", "8.8.8.8", "8.8.8.8"},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = c.peer
		if c.xff != "" {
			r.Header.Set("X-Forwarded-For", c.xff)
		}
		if got := ClientAddr(r, trusted); got != c.want {
			t.Errorf("peer %s, X-Forwarded-For %q: %s, want %s", c.peer, c.xff, got, c.want)
		}
	}
	if _, err := ParseCIDRs("10.0.0.0/8,nope"); err == nil {
		t.Error("a bad CIDR list parsed")
	}
}
