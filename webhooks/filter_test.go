package webhooks_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/chatops/gateway/webhooks"
)

func TestFilters(t *testing.T) {
	cases := []struct {
		filters string
		match   []string
		miss    []string
	}{
		{`["*"]`, []string{"project.created", "tracker.started", "client.deleted"}, []string{"webhook.failing", "webhook.ping"}},
		{`["project.*"]`, []string{"project.created", "project.closed"}, []string{"task.created"}},
		{`["*.deleted"]`, []string{"project.deleted", "time_entry.deleted"}, []string{"project.created", "webhook.disabled"}},
		{`["task.track", "time_entry.add"]`, []string{"tracker.started", "time_entry.created"}, []string{"tracker.stopped"}},
		{`[{"entity": "project", "action": "*"}, {"entity": "*", "action": "stopped"}]`, []string{"project.updated", "tracker.stopped"}, []string{"tracker.started"}},
		{`["webhook.*"]`, []string{"webhook.failing", "webhook.disabled"}, []string{"project.created"}},
		{`["TRACKER.STARTED"]`, []string{"tracker.started"}, nil},
	}
	for _, c := range cases {
		f, err := webhooks.ParseFilters([]byte(c.filters))
		if err != nil {
			t.Fatalf("%s: %v", c.filters, err)
		}
		for _, m := range c.match {
			if !f.Match(m) {
				t.Errorf("%s does not match %s", c.filters, m)
			}
		}
		for _, m := range c.miss {
			if f.Match(m) {
				t.Errorf("%s matches %s", c.filters, m)
			}
		}
	}
	for _, bad := range []string{`[]`, `{}`, `["nope"]`, `["tracker.exploded"]`, `[42]`, `[{"entity": "x"}]`, `not json`} {
		if _, err := webhooks.ParseFilters([]byte(bad)); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
	// Stored as given.
	f, _ := webhooks.ParseFilters([]byte(`[ "task.track", {"entity":"project","action":"*"} ]`))
	if b, _ := f.MarshalJSON(); string(b) != `["task.track",{"entity":"project","action":"*"}]` {
		t.Errorf("stored as %s", b)
	}
}

func TestBackoffAndRetryAfter(t *testing.T) {
	schedule := []time.Duration{0, 10 * time.Second, time.Hour}
	if d, ok := webhooks.Backoff(schedule, 1, 0.5); !ok || d != 10*time.Second {
		t.Errorf("attempt 1: %v %v", d, ok)
	}
	if d, _ := webhooks.Backoff(schedule, 2, 0); d != 54*time.Minute {
		t.Errorf("jitter low: %v", d)
	}
	if _, ok := webhooks.Backoff(schedule, 3, 0.5); ok {
		t.Error("schedule not used up after 3 attempts")
	}
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	h := http.Header{"Retry-After": {"120"}}
	if d, ok := webhooks.RetryAfter(503, h, now); !ok || d != 2*time.Minute {
		t.Errorf("seconds: %v %v", d, ok)
	}
	h.Set("Retry-After", now.Add(time.Hour).Format(http.TimeFormat))
	if d, ok := webhooks.RetryAfter(429, h, now); !ok || d != time.Hour {
		t.Errorf("date: %v %v", d, ok)
	}
	if _, ok := webhooks.RetryAfter(500, h, now); ok {
		t.Error("Retry-After honoured on a 500")
	}
	h.Set("Retry-After", "999999999")
	if d, _ := webhooks.RetryAfter(429, h, now); d != 24*time.Hour {
		t.Errorf("cap: %v", d)
	}
}
