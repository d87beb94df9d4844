package parser_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/parser"
)

func TestRemindAndSchedules(t *testing.T) {
	fri := core.Weekdays(0).With(time.Friday)
	cases := []struct {
		in   string
		want core.Command
	}{
		{"remind", core.RemindShow{}},
		{"remind off", core.RemindOff{}},
		{"REMIND Off", core.RemindOff{}},
		{"remind 17:30", core.Remind{At: 17*60 + 30, Days: core.WorkingDays}},
		{"remind 17:30 weekdays", core.Remind{At: 17*60 + 30, Days: core.WorkingDays}},
		{"remind 9:05 daily", core.Remind{At: 9*60 + 5, Days: core.EveryDay}},
		{"remind 08:00 mon,wed fri", core.Remind{At: 8 * 60, Days: core.Weekdays(0).With(time.Monday).With(time.Wednesday).With(time.Friday)}},
		{"report week every fri 17:00", core.ScheduleReport{Period: core.Period{Kind: core.PeriodWeek}, At: 17 * 60, Days: fri}},
		{"report last week every friday at 09:30", core.ScheduleReport{Period: core.Period{Kind: core.PeriodLastWeek}, At: 9*60 + 30, Days: fri}},
		{"report every day 18:00", core.ScheduleReport{At: 18 * 60, Days: core.EveryDay}},
		{"report month every weekday 08:00", core.ScheduleReport{Period: core.Period{Kind: core.PeriodMonth}, At: 8 * 60, Days: core.WorkingDays}},
		{"schedules", core.Schedules{}},
		{"schedules off 12", core.SchedulesOff{ID: 12}},
		{"schedules off #12", core.SchedulesOff{ID: 12}},
	}
	for _, tc := range cases {
		got, err := parser.Parse(tc.in)
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%q = %#v, want %#v", tc.in, got, tc.want)
		}
	}
}

// Wrong input is an error at the right column with a hint, never a guess.
func TestRemindAndSchedulesErrors(t *testing.T) {
	cases := []struct {
		in     string
		column int
	}{
		{"remind 25:00", 8},
		{"remind 5pm", 8},
		{"remind 17:30 funday", 14},
		{"remind off now", 12},
		{"report week every fri", 22},
		{"report week every fri 25:00", 23},
		{"report week every someday 17:00", 19},
		{"report week every 17:00", 24},
		{"report bogus every fri 17:00", 8},
		{"report week by task every fri 17:00", 1},
		{"report week team csv every fri 17:00", 1},
		{"schedules on", 11},
		{"schedules off", 14},
		{"schedules off x", 15},
	}
	for _, tc := range cases {
		_, err := parser.Parse(tc.in)
		e, ok := err.(*parser.Error)
		if !ok {
			t.Errorf("%q: %v, want a *parser.Error", tc.in, err)
			continue
		}
		if e.Column != tc.column || e.Hint == "" && e.Example == "" {
			t.Errorf("%q: column %d (%s; hint %q), want column %d", tc.in, e.Column, e.Message, e.Hint, tc.column)
		}
	}
}

// The slash command's implied verb does not swallow remind and schedules.
func TestRemindWithImpliedVerb(t *testing.T) {
	got, err := parser.ParseWithDefault("remind 17:30", "track")
	if err != nil || !reflect.DeepEqual(got, core.Remind{At: 17*60 + 30, Days: core.WorkingDays}) {
		t.Fatalf("/track remind 17:30 = %#v, %v", got, err)
	}
}

// FuzzParseSchedules: remind, schedules and report … every never panic,
// and an error is a *parser.Error with a column inside the text.
func FuzzParseSchedules(f *testing.F) {
	for _, s := range []string{"remind 17:30 mon,tue", "remind off", "report week every fri 17:00", "report every , 9:00",
		"schedules off 3", "report 2026-11-30..2026-12-01 every day at 00:00", "report every every every"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		cmd, err := parser.Parse(text)
		if err == nil {
			if cmd == nil {
				t.Fatalf("%q: neither a command nor an error", text)
			}
			return
		}
		e, ok := err.(*parser.Error)
		if !ok {
			t.Fatalf("%q: %T %v", text, err, err)
		}
		if n := len([]rune(parser.Normalize(text))); e.Column < 1 || e.Column > n+1 {
			t.Fatalf("%q: column %d outside 1..%d", text, e.Column, n+1)
		}
	})
}
