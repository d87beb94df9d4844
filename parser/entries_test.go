package parser

import (
	"testing"

	"github.com/chatops/gateway/core"
)

// TestEntriesCommandsWithDefault: the verbs of the commands that show and
// fix entries win over a slash command's implied verb, like every verb; a
// task name that starts with one is quoted.
func TestEntriesCommandsWithDefault(t *testing.T) {
	billable, note := true, "sprint review"
	cases := []struct {
		verb string
		parseCase
	}{
		{"track", parseCase{in: "list", want: core.Entries{}}},
		{"track", parseCase{in: "ls last week", want: core.Entries{Week: "last"}}},
		{"track", parseCase{in: "who", want: core.Who{}}},
		{"track", parseCase{in: "continue #4", want: core.Continue{ID: 4}}},
		{"track", parseCase{in: "edit entry last billable -- sprint review", want: core.EditEntry{Last: true, Billable: &billable, Note: &note}}},
		{"track", parseCase{in: "reopen project Web", want: core.ReopenProject{Project: "Web"}}},
		{"track", parseCase{in: `"Who is on call" in Ops`, want: core.Track{Task: "Who is on call", Project: "Ops"}}},
		{"track", parseCase{in: "who is on call in Ops", err: &Error{Column: 5, Message: `unexpected "is"`, Hint: `"who" is a command: quote a name that starts with it`}}},
		{"report", parseCase{in: "last month by task team", want: core.Report{Period: core.Period{Kind: core.PeriodLastMonth}, By: core.ByTask, Team: true}}},
		{"report", parseCase{in: "by Tags", want: core.Report{By: core.ByTag}}},
	}
	for _, tc := range cases {
		t.Run(tc.verb+"/"+tc.in, func(t *testing.T) {
			checkParse(t, tc.parseCase, func() (core.Command, error) { return ParseWithDefault(tc.in, tc.verb) })
		})
	}
}
