package parser

import (
	"errors"
	"strings"
	"testing"

	"github.com/chatops/gateway/core"
)

// TestSecondEditionParse covers the second edition's dates, at TIME,
// anyway, periods, tz and user mentions: names end where they begin.
func TestSecondEditionParse(t *testing.T) {
	at := func(h, m int) *core.Clock { c, _ := core.NewClock(h, m); return &c }
	cases := []parseCase{
		{in: "log 1h on Specs in Website 1 Dec", want: core.Log{Amount: dur("1h"), Task: "Specs", Project: "Website", When: core.Day{Kind: core.DayMonthDay, Month: 12, MonthDay: 1}}},
		{in: "log 1h on Specs in Website dec 1", want: core.Log{Amount: dur("1h"), Task: "Specs", Project: "Website", When: core.Day{Kind: core.DayMonthDay, Month: 12, MonthDay: 1}}},
		{in: "log 1h on Specs in Website December 1", want: core.Log{Amount: dur("1h"), Task: "Specs", Project: "Website", When: core.Day{Kind: core.DayMonthDay, Month: 12, MonthDay: 1}}},
		{in: "log 1h on Specs in Orion 29 feb", want: core.Log{Amount: dur("1h"), Task: "Specs", Project: "Orion", When: core.Day{Kind: core.DayMonthDay, Month: 2, MonthDay: 29}}},
		{in: "log 1h on Specs in Orion 2 days ago", want: core.Log{Amount: dur("1h"), Task: "Specs", Project: "Orion", When: core.Day{Kind: core.DayAgo, Ago: 2}}},
		{in: `log 1h on Specs in "Orion 1 Dec"`, want: core.Log{Amount: dur("1h"), Task: "Specs", Project: "Orion 1 Dec"}},
		{in: "log 1h on May release in Web", want: core.Log{Amount: dur("1h"), Task: "May release", Project: "Web"}},
		{in: "log 1h30m on Review in Web yesterday at 3pm", want: core.Log{Amount: dur("1h30m"), Task: "Review", Project: "Web", When: core.Day{Kind: core.DayYesterday}, At: at(15, 0)}},
		{in: "log 1h30m on Write specs in Website at 3pm", want: core.Log{Amount: dur("1h30m"), Task: "Write specs", Project: "Website", At: at(15, 0)}},
		{in: "log 1h on Look at logs in Ops", want: core.Log{Amount: dur("1h"), Task: "Look at logs", Project: "Ops"}},
		{in: "log 9pm-1am on Night shift in Ops yesterday", want: core.Log{Amount: span(21, 0, 1, 0), Task: "Night shift", Project: "Ops", When: core.Day{Kind: core.DayYesterday}}},
		{in: "log 9-11 on Standup in Web anyway", want: core.Log{Amount: span(9, 0, 11, 0), Task: "Standup", Project: "Web", Anyway: true}},
		{in: "log 1h on Specs in Website 12/01", err: &Error{Column: 28, Message: `"12/01" is not a date: slashed dates are ambiguous`,
			Hint: "write the date as YYYY-MM-DD (2026-12-01) or as day and month (1 Dec)"}},
		{in: "log 1h on Specs in Website 31 Nov", err: &Error{Column: 28, Message: "November has no day 31"}},
		{in: "log 9-11 on X in Y at 3pm", err: &Error{Column: 5, Message: "a range has its own times: at goes with a duration"}},
		{in: "log 1h on X in Y at 13pm", err: &Error{Column: 18, Message: `"13pm" is not a time of day`}},
		{in: "track Fix in Web at 3pm", err: &Error{Column: 18, Message: `track takes no "at"`}},
		{in: "report this week", want: core.Report{Period: core.Period{Kind: core.PeriodWeek}}},
		{in: "report this month", want: core.Report{Period: core.Period{Kind: core.PeriodMonth}}},
		{in: "report last month", want: core.Report{Period: core.Period{Kind: core.PeriodLastMonth}}},
		{in: "report 2026-11-01..2026-11-30", want: core.Report{Period: core.Period{Kind: core.PeriodRange, Date: "2026-11-01", To: "2026-11-30"}}},
		{in: "report 2026-11-30..2026-11-01", err: &Error{Column: 8, Message: "the range 2026-11-30..2026-11-01 ends before it starts"}},
		{in: "tz", want: core.TimeZone{}},
		{in: "timezone Europe/Berlin", want: core.TimeZone{Zone: "Europe/Berlin"}},
		{in: "tz new york", want: core.TimeZone{Zone: "new york"}},
		{in: "track Pair with <@U123|ana> in Web", want: core.Track{Task: "Pair with ana", Project: "Web"}},
		{in: "reprot week", err: &Error{Column: 1, Message: `unknown command "reprot"`, Hint: `did you mean "report"?`, Example: "report last week"}},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) { checkParse(t, tc, func() (core.Command, error) { return Parse(tc.in) }) })
	}
}

// TestHintsApply checks that hints only say what applies.
func TestHintsApply(t *testing.T) {
	for _, tc := range []struct{ in, verb, message, hint string }{
		{"log 25h on X in Y", "track", `"25h" is over 24 hours`, ""},
		{"log 25h on X in Y", "", `"25h" is over 24 hours`, ""},
		{"Stop button in Web", "track", `unexpected "button"`, `"Stop" is a command: quote a name that starts with it`},
	} {
		_, err := ParseWithDefault(tc.in, tc.verb)
		var e *Error
		if !errors.As(err, &e) || e.Message != tc.message || e.Hint != tc.hint {
			t.Errorf("ParseWithDefault(%q, %q) = %v; want message %q, hint %q", tc.in, tc.verb, err, tc.message, tc.hint)
		}
		if strings.Contains(e.Hint, "quote") && tc.hint == "" {
			t.Errorf("%q: hint about quoting: %q", tc.in, e.Hint)
		}
	}
}

// TestVerbTypoImplied checks that a /track whose first word is one edit
// from a verb carries the verb for core to ask about.
func TestVerbTypoImplied(t *testing.T) {
	for in, want := range map[string]core.Command{
		"tarck Fix bug in Web": core.Track{Task: "tarck Fix bug", Project: "Web", Typo: "track"},
		"stpo":                 core.Track{Task: "stpo", Typo: "stop"},
		"reprot week":          core.Track{Task: "reprot week", Typo: "report"},
		`"tarck" Fix in Web`:   core.Track{Task: "tarck Fix", Project: "Web"},
		"Fix bug in Web":       core.Track{Task: "Fix bug", Project: "Web"},
		"Logo in Web":          core.Track{Task: "Logo", Project: "Web", Typo: "log"}, // core asks unless the task exists
	} {
		checkParse(t, parseCase{in: in, want: want}, func() (core.Command, error) { return ParseWithDefault(in, "track") })
	}
}
