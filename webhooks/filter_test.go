package webhooks_test

import (
	"testing"

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
