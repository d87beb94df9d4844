package mattermost_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chatops/gateway/adapters/mattermost"
	"github.com/chatops/gateway/core"
)

// TestScheduledGolden renders the scheduler's messages as Mattermost
// Markdown (the report as tables) and compares them with
// testdata/scheduled.TYPE.json; -update rewrites them.
func TestScheduledGolden(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "slack", "testdata", "scheduled_events.json"))
	if err != nil {
		t.Fatal(err)
	}
	var evs []core.Event
	if err := json.Unmarshal(b, &evs); err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		t.Run(ev.Type, func(t *testing.T) {
			body, err := mattermost.RenderEvent(ev, core.Subscription{Format: core.FormatMattermost}, nil)
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			if err := json.Indent(&out, body, "", "  "); err != nil {
				t.Fatal(err)
			}
			out.WriteByte('\n')
			path := filepath.Join("testdata", "scheduled."+ev.Type+".json")
			if *update {
				if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -run TestScheduledGolden -update to create it)", err)
			}
			if !bytes.Equal(out.Bytes(), want) {
				t.Errorf("%s differs (run go test -run TestScheduledGolden -update and review the diff):\n got: %s\nwant: %s", path, out.Bytes(), want)
			}
			if strings.Contains(string(body), "@all") {
				t.Fatalf("a mention survives: %s", body)
			}
		})
	}
}

// The report's table has a row per user and project, a total row per user
// and a table of projects; a | in a name does not break a cell.
func TestReportMarkdownTable(t *testing.T) {
	md := mattermost.ReportMarkdown(core.TeamReport{Title: "Team report · Today", Span: "Fri 4 Dec 2026", Zone: "UTC",
		Users:    []core.UserReport{{Name: "Ana", Seconds: 5400, Projects: []core.SummaryRow{{Project: "A|B", Seconds: 5400}}}},
		Projects: []core.SummaryRow{{Project: "A|B", Seconds: 5400}}, Total: 5400})
	for _, want := range []string{"| User | Project | Time |", "| **Ana** | A\\|B | 1h 30m |", "| | _total_ | **1h 30m** |", "| **Total** | **1h 30m** |"} {
		if !strings.Contains(md, want) {
			t.Errorf("no %q in\n%s", want, md)
		}
	}
}
