package slack_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chatops/gateway/adapters/slack"
	"github.com/chatops/gateway/core"
)

// scheduledEvents reads testdata/scheduled_events.json: a scheduled
// report, a reminder and a long-timer notice.
func scheduledEvents(t *testing.T) []core.Event {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "scheduled_events.json"))
	if err != nil {
		t.Fatal(err)
	}
	var evs []core.Event
	if err := json.Unmarshal(b, &evs); err != nil {
		t.Fatal(err)
	}
	return evs
}

// TestScheduledGolden renders the scheduler's messages in Block Kit and
// compares them with testdata/scheduled.TYPE.json; -update rewrites them.
// Names are escaped, so "<!channel>" in one pings nobody.
func TestScheduledGolden(t *testing.T) {
	for _, ev := range scheduledEvents(t) {
		t.Run(ev.Type, func(t *testing.T) {
			b, err := slack.RenderEvent(ev, core.Subscription{Format: core.FormatSlack}, nil)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, "scheduled."+ev.Type+".json", b)
			if strings.Contains(string(b), "<!channel>") || strings.Contains(string(b), "<login>") {
				t.Fatalf("unescaped name in %s", b)
			}
			var msg slack.Message
			if err := json.Unmarshal(b, &msg); err != nil || msg.Text == "" || len(msg.Blocks.BlockSet) < 2 {
				t.Fatalf("not a Slack message with blocks: %v %s", err, b)
			}
		})
	}
}

// A report with more projects than a section takes sums the rest in its
// last field.
func TestReportFieldsStayWithinSlacksLimit(t *testing.T) {
	var rows []core.SummaryRow
	for i := range 14 {
		rows = append(rows, core.SummaryRow{Project: string(rune('A' + i)), Seconds: 3600})
	}
	msg := slack.ReportMessage(core.TeamReport{Title: "Team report · Today", Users: []core.UserReport{{Name: "Ana", Seconds: 14 * 3600, Projects: rows}},
		Projects: rows, Total: 14 * 3600})
	b, _ := json.Marshal(msg)
	if !strings.Contains(string(b), "_5 more_\\n5h") {
		t.Fatalf("no summed last field: %s", b)
	}
	var v struct {
		Blocks []struct {
			Fields []any `json:"fields"`
		} `json:"blocks"`
	}
	_ = json.Unmarshal(b, &v)
	for _, bl := range v.Blocks {
		if len(bl.Fields) > 10 {
			t.Fatalf("a section with %d fields", len(bl.Fields))
		}
	}
}

// A team report for many people stays within Slack's 50 blocks: past 45
// people the rest are summed in one section, and nobody's time is lost.
func TestReportBlocksStayWithinSlacksLimit(t *testing.T) {
	for _, n := range []int{46, 47, 60} {
		var users []core.UserReport
		for i := range n {
			users = append(users, core.UserReport{Name: fmt.Sprintf("user%02d", i), Seconds: 3600,
				Projects: []core.SummaryRow{{Project: "Web", Seconds: 3600}}})
		}
		msg := slack.ReportMessage(core.TeamReport{Title: "Team report · Today", Users: users,
			Projects: []core.SummaryRow{{Project: "Web", Seconds: int64(n) * 3600}}, Total: int64(n) * 3600})
		b, err := json.Marshal(msg)
		if err != nil {
			t.Fatal(err)
		}
		var v struct {
			Blocks []json.RawMessage `json:"blocks"`
		}
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatal(err)
		}
		if len(v.Blocks) > 50 {
			t.Errorf("%d people: %d blocks", n, len(v.Blocks))
		}
		more := fmt.Sprintf("_%d more people_ — %dh", n-45, n-45)
		if summed := strings.Contains(string(b), more); summed != (n > 46) {
			t.Errorf("%d people: summed %q %v: %s", n, more, summed, b)
		}
	}
}

// An event that is not a scheduled message, or without its report, is a
// render error, never a panic.
func TestScheduledBadData(t *testing.T) {
	for _, ev := range []core.Event{
		{Type: core.EventReportScheduled, Data: json.RawMessage(`{"subscription_id": 1}`)},
		{Type: core.EventReminderDue, Data: json.RawMessage(`[1,2]`)},
	} {
		if _, err := slack.RenderEvent(ev, core.Subscription{}, nil); err == nil {
			t.Errorf("%s %s rendered", ev.Type, ev.Data)
		}
	}
}
