package parser_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/parser"
)

// TestCommandTextRoundTrips checks that the commands a near miss spells out
// read back as the same commands.
func TestCommandTextRoundTrips(t *testing.T) {
	at := core.Clock(15 * 60)
	yes, no, note, empty := true, false, "late shift", ""
	for _, cmd := range []core.Command{
		core.Track{Task: "Fix bug", Project: "Website"},
		core.Track{Task: "Fix", Project: "Website Redesign", Tags: []string{"ui", "review"}, Billable: true, Note: "PR 42"},
		core.Track{Task: "Log in page", Project: "Web"},
		core.Track{Task: "Stop button", Project: "in"},
		core.Track{Task: "Prep for demo today", Project: "Mon"},
		core.Track{Task: "Say hi", Project: "Dec"},
		core.Track{Task: "Night at 3pm", Project: "Orion 1 Dec"},
		core.Log{Amount: core.Amount{Duration: 90 * time.Minute}, Task: "Specs", Project: "Website", When: core.Day{Kind: core.DayMonthDay, Month: time.December, MonthDay: 1}},
		core.Log{Amount: core.Amount{Duration: 2 * time.Hour}, Project: "Web", When: core.Day{Kind: core.DayYesterday}, At: &at, Anyway: true, Note: "late"},
		core.Log{Amount: core.Amount{IsRange: true, From: 9 * 60, To: 11 * 60}, Task: "Standup", Project: "Ops", When: core.Day{Kind: core.DayWeekday, Weekday: time.Friday, Last: true}},
		core.Log{Amount: core.Amount{Duration: 45 * time.Minute}, Task: "x", Project: "Ops", When: core.Day{Kind: core.DayAgo, Ago: 3}, Tags: []string{"a"}, Billable: true},
		core.Log{Amount: core.Amount{Duration: time.Hour}, Project: "Ops", When: core.Day{Kind: core.DayDate, Date: "2026-11-20"}},
		core.AddProject{Project: "Web"},
		core.AddProject{Project: "Website Redesign"},
		core.AddTask{Task: "Fix bgu", Project: "Website"},
		core.CloseProject{Project: "Website Redesign"},
		core.CloseTask{Task: "Fix bug", Project: "Web"},
		core.CloseTask{Task: "Deploy"},
		core.EditEntry{ID: 12, Task: "Fix bug", Project: "Website"},
		core.EditEntry{ID: 7, Project: "in"},
		core.EditEntry{Last: true, Task: "Prep for demo today"},
		core.EditEntry{ID: 12, Amount: &core.Amount{IsRange: true, From: 21 * 60, To: 60}, Task: "Night at 3pm", Project: "Orion 1 Dec",
			When: &core.Day{Kind: core.DayYesterday}, Tags: []string{"ops"}, Billable: &yes, Anyway: true, Note: &note},
		core.EditEntry{ID: 3, Amount: &core.Amount{Duration: 90 * time.Minute}, Project: "Ops", When: &core.Day{}, At: &at, Billable: &no, Note: &empty},
		core.EditEntry{ID: 4, Project: "Dec", When: &core.Day{Kind: core.DayAgo, Ago: 2}},
		core.ReopenProject{Project: "Website Redesign"},
		core.ReopenTask{Task: "Fix bug", Project: "in"},
		core.ReopenTask{Task: "Deploy"},
	} {
		text := core.CommandText(cmd)
		got, err := parser.Parse(text)
		if err != nil {
			t.Errorf("%q: %v", text, err)
			continue
		}
		if !reflect.DeepEqual(got, cmd) {
			t.Errorf("%q reads as %#v, want %#v", text, got, cmd)
		}
	}
}
