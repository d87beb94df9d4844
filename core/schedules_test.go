package core_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/chatops/gateway/core"
)

func TestNextSlot(t *testing.T) {
	load := func(name string) *time.Location {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		return loc
	}
	berlin, ny, howe := load("Europe/Berlin"), load("America/New_York"), load("Australia/Lord_Howe")
	fri := core.Weekdays(0).With(time.Friday)
	cases := []struct {
		name  string
		after time.Time
		loc   *time.Location
		at    core.ClockTime
		days  core.Weekdays
		want  string // RFC 3339 in loc
	}{
		{"later today", time.Date(2026, 12, 7, 9, 0, 0, 0, berlin), berlin, 17*60 + 30, core.WorkingDays, "2026-12-07T17:30:00+01:00"},
		{"at the slot is after it", time.Date(2026, 12, 7, 17, 30, 0, 0, berlin), berlin, 17*60 + 30, core.WorkingDays, "2026-12-08T17:30:00+01:00"},
		{"friday to monday", time.Date(2026, 12, 11, 18, 0, 0, 0, berlin), berlin, 17*60 + 30, core.WorkingDays, "2026-12-14T17:30:00+01:00"},
		{"weekly", time.Date(2026, 12, 4, 17, 0, 1, 0, berlin), berlin, 17 * 60, fri, "2026-12-11T17:00:00+01:00"},
		{"berlin spring gap", time.Date(2026, 3, 29, 0, 0, 0, 0, berlin), berlin, 2*60 + 30, core.EveryDay, "2026-03-29T03:30:00+02:00"},
		{"berlin fall repeat: first", time.Date(2026, 10, 25, 0, 0, 0, 0, berlin), berlin, 2*60 + 30, core.EveryDay, "2026-10-25T02:30:00+02:00"},
		{"berlin fall repeat: once", time.Date(2026, 10, 25, 2, 30, 0, 0, berlin), berlin, 2*60 + 30, core.EveryDay, "2026-10-26T02:30:00+01:00"},
		{"new york spring gap", time.Date(2026, 3, 8, 0, 0, 0, 0, ny), ny, 2*60 + 30, core.EveryDay, "2026-03-08T03:30:00-04:00"},
		{"new york fall repeat", time.Date(2026, 11, 1, 0, 0, 0, 0, ny), ny, 1*60 + 30, core.EveryDay, "2026-11-01T01:30:00-04:00"},
		{"lord howe half-hour gap", time.Date(2026, 10, 4, 0, 0, 0, 0, howe), howe, 2*60 + 15, core.EveryDay, "2026-10-04T02:45:00+11:00"},
	}
	for _, tc := range cases {
		got := core.NextSlot(tc.after, tc.loc, tc.at, tc.days)
		if got.In(tc.loc).Format(time.RFC3339) != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got.In(tc.loc).Format(time.RFC3339), tc.want)
		}
	}
	if !core.NextSlot(time.Now(), time.UTC, 60, 0).IsZero() {
		t.Error("no days gave a slot")
	}
}

func TestReminderJSON(t *testing.T) {
	b, _ := json.Marshal(core.Remind{At: 17*60 + 30, Days: core.WorkingDays})
	if string(b) != `{"at":"17:30","days":["mon","tue","wed","thu","fri"]}` {
		t.Fatalf("%s", b)
	}
	w := core.Weekdays(0).With(time.Monday).With(time.Sunday)
	if w.String() != "mon, sun" || core.WorkingDays.String() != "weekdays" || core.EveryDay.String() != "daily" {
		t.Fatalf("%v", w)
	}
}
