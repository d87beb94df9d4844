package core_test

import (
	"testing"
	"time"

	"github.com/chatops/gateway/core"
)

func clockOf(t *testing.T, h, m int) core.Clock {
	t.Helper()
	c, err := core.NewClock(h, m)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func rangeOf(t *testing.T, fh, fm, th, tm int) core.Amount {
	return core.Amount{IsRange: true, From: clockOf(t, fh, fm), To: clockOf(t, th, tm)}
}

// logged logs cmd and returns the entry's times in UTC as "2006-01-02 15:04".
func (f *fixture) logged(a core.Actor, cmd core.Log) string {
	f.t.Helper()
	e := f.do(a, cmd).Entry
	return e.Start.UTC().Format("2006-01-02 15:04") + "–" + e.End.UTC().Format("2006-01-02 15:04")
}

func TestLogAtAndAcrossMidnight(t *testing.T) {
	f := newFixture(t) // now: Wednesday 2026-11-18 15:00 UTC
	ana := f.user("ana", core.RoleMember)
	yesterday := core.Day{Kind: core.DayYesterday}
	at3 := clockOf(t, 15, 0)
	for _, tc := range []struct {
		name string
		cmd  core.Log
		want string
	}{
		{"at follows WHEN", core.Log{Amount: core.Amount{Duration: 90 * time.Minute}, Task: "Review", Project: "Web", When: yesterday, At: &at3},
			"2026-11-17 15:00–2026-11-17 16:30"},
		{"night shift", core.Log{Amount: rangeOf(t, 21, 0, 1, 0), Task: "Night shift", Project: "Ops", When: core.Day{Kind: core.DayAgo, Ago: 3}},
			"2026-11-15 21:00–2026-11-16 01:00"},
		{"exactly 12 h across midnight", core.Log{Amount: rangeOf(t, 22, 0, 10, 0), Project: "Ops", When: core.Day{Kind: core.DayAgo, Ago: 5}},
			"2026-11-13 22:00–2026-11-14 10:00"},
		{"1 Dec is last year's", core.Log{Amount: rangeOf(t, 9, 0, 10, 0), Project: "Ops", When: core.Day{Kind: core.DayMonthDay, Month: 12, MonthDay: 1}},
			"2025-12-01 09:00–2025-12-01 10:00"},
		{"18 Nov is today", core.Log{Amount: rangeOf(t, 9, 0, 10, 0), Project: "Ops", When: core.Day{Kind: core.DayMonthDay, Month: 11, MonthDay: 18}},
			"2026-11-18 09:00–2026-11-18 10:00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := f.logged(ana, tc.cmd); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
	f.events()
	f.fail(ana, core.Log{Amount: core.Amount{Duration: 90 * time.Minute}, Project: "Web", At: &at3}, core.EINVALID, "in the future")
	f.fail(ana, core.Log{Amount: rangeOf(t, 21, 0, 10, 0), Project: "Ops", When: core.Day{Kind: core.DayAgo, Ago: 7}}, core.EINVALID, "ends before it starts")
	f.fail(ana, core.Log{Amount: rangeOf(t, 9, 0, 9, 0), Project: "Ops", When: core.Day{Kind: core.DayAgo, Ago: 7}}, core.EINVALID, "ends before it starts")
	f.fail(ana, core.Log{Amount: rangeOf(t, 9, 0, 10, 0), Project: "Ops", When: core.Day{Kind: core.DayMonthDay, Month: 2, MonthDay: 29}}, core.EINVALID, "not a day of 2026")
}

func TestLogOverlapsAndPlacement(t *testing.T) {
	f := newFixture(t) // now: 15:00
	ana := f.user("ana", core.RoleMember)
	bea := f.user("bea", core.RoleMember)
	if got := f.logged(ana, core.Log{Amount: rangeOf(t, 9, 0, 11, 0), Task: "Standup", Project: "Web"}); got != "2026-11-18 09:00–2026-11-18 11:00" {
		t.Fatal(got)
	}
	f.events()
	f.fail(ana, core.Log{Amount: rangeOf(t, 10, 0, 12, 0), Task: "Other", Project: "Web"}, core.ECONFLICT, "overlaps #1 Standup 09:00–11:00")
	eight := clockOf(t, 8, 0)
	f.fail(ana, core.Log{Amount: core.Amount{Duration: 2 * time.Hour}, Project: "Web", At: &eight}, core.ECONFLICT, "overlaps #1")
	// Touching is no overlap; another person's entries do not count.
	f.logged(ana, core.Log{Amount: rangeOf(t, 11, 0, 12, 0), Project: "Web"})
	f.logged(bea, core.Log{Amount: rangeOf(t, 12, 0, 15, 0), Project: "Web"})
	if got := f.logged(ana, core.Log{Amount: rangeOf(t, 10, 0, 12, 0), Project: "Web", Anyway: true}); got != "2026-11-18 10:00–2026-11-18 12:00" {
		t.Fatalf("anyway: %s", got)
	}
	// Bare durations today: the latest free gap that ends by now.
	for _, want := range []string{"2026-11-18 13:00–2026-11-18 15:00", "2026-11-18 07:00–2026-11-18 09:00", "2026-11-18 12:00–2026-11-18 13:00"} {
		d := 2 * time.Hour
		if want[11:13] == "12" {
			d = time.Hour
		}
		if got := f.logged(ana, core.Log{Amount: core.Amount{Duration: d}, Project: "Web"}); got != want {
			t.Fatalf("bare %s: got %s, want %s", d, got, want)
		}
	}
	f.events()
	f.fail(ana, core.Log{Amount: core.Amount{Duration: 8 * time.Hour}, Project: "Web"}, core.EINVALID, "does not fit in today")

	// A running timer occupies its start until now.
	f.do(bea, core.Track{Task: "Call", Project: "Web"}) // 15:00
	f.clock.Add(30 * time.Minute)
	if got := f.logged(bea, core.Log{Amount: core.Amount{Duration: time.Hour}, Project: "Web"}); got != "2026-11-18 11:00–2026-11-18 12:00" {
		t.Fatalf("with a running timer: %s", got)
	}

	// Another day: from the day's last entry (09:00 when none), within the day.
	monday := core.Day{Kind: core.DayWeekday, Weekday: time.Monday}
	for _, want := range []string{"2026-11-16 09:00–2026-11-16 12:00", "2026-11-16 12:00–2026-11-16 15:00"} {
		if got := f.logged(ana, core.Log{Amount: core.Amount{Duration: 3 * time.Hour}, Project: "Web", When: monday}); got != want {
			t.Fatalf("monday: got %s, want %s", got, want)
		}
	}
	f.events()
	f.fail(ana, core.Log{Amount: core.Amount{Duration: 10 * time.Hour}, Project: "Web", When: monday}, core.EINVALID, "does not fit in Mon 16 Nov after 15:00")
}

func TestTimeZoneCommand(t *testing.T) {
	f := newFixture(t)
	ana := f.user("ana", core.RoleMember)
	if res := f.do(ana, core.TimeZone{}); res.User.TimeZone != "UTC" || res.Changed {
		t.Fatalf("tz: %+v", res.User)
	}
	f.wantEvents()
	res := f.do(ana, core.TimeZone{Zone: "berlin"})
	if res.User.TimeZone != "Europe/Berlin" || !res.Changed {
		t.Fatalf("tz berlin: %q", res.User.TimeZone)
	}
	f.wantEvents(core.EventWorkspaceUserUpdated)
	// The zone is used at once for parsing: 9-11 in Berlin in winter is
	// 08:00-10:00 UTC. (The next chat command finds the user afresh.)
	ana = core.Actor{Source: "slack", Identity: &core.ChatIdentity{Provider: core.ProviderSlack, Subject: "T1:ana", Name: "ana"}}
	if got := f.logged(ana, core.Log{Amount: rangeOf(t, 9, 0, 11, 0), Project: "Web", When: core.Day{Kind: core.DayYesterday}}); got != "2026-11-17 08:00–2026-11-17 10:00" {
		t.Fatalf("Berlin 9-11: %s", got)
	}
	f.events()
	f.fail(ana, core.TimeZone{Zone: "west"}, core.EINVALID, "ambiguous: say which of Australia/West, Brazil/West")
	f.fail(ana, core.TimeZone{Zone: "Atlantis"}, core.EINVALID, `no time zone "Atlantis"`)
	f.fail(ana, core.TimeZone{Zone: "ber"}, core.EINVALID, "did you mean Atlantic/Bermuda, Europe/Berlin?")
	for in, want := range map[string]string{
		"new york": "America/New_York", "America/new_york": "America/New_York", "utc": "UTC",
		"Buenos Aires": "America/Argentina/Buenos_Aires", "Asia/Calcutta": "Asia/Calcutta", "kolkata": "Asia/Kolkata",
	} {
		if got, err := core.FindZone(in); got != want || err != nil {
			t.Errorf("FindZone(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestVerbTypoAsks(t *testing.T) {
	f := newFixture(t)
	ana := f.user("ana", core.RoleMember)
	f.do(ana, core.AddProject{Project: "Website"})
	f.events()
	f.fail(ana, core.Track{Task: "tarck Fix bug", Project: "Web", Typo: "track"}, core.EINVALID, `did you mean "track"?`)
	f.fail(ana, core.Track{Task: "stpo", Typo: "stop"}, core.EINVALID, `did you mean "stop"?`)
	var projects []core.Project
	if err := f.store.View(f.ctx, func(tx core.Tx) (err error) {
		projects, err = tx.ListProjects(1, core.Page{Limit: 10})
		return err
	}); err != nil || len(projects) != 1 {
		t.Fatalf("projects after typos: %v, %v", projects, err)
	}
	// An existing task of that name is no typo.
	f.do(ana, core.AddTask{Task: "Logo", Project: "Website"})
	if res := f.do(ana, core.Track{Task: "Logo", Project: "Website", Typo: "log"}); res.Task.Name != "Logo" {
		t.Fatalf("track Logo: %+v", res.Task)
	}
}

func TestLogHintNamesLog(t *testing.T) {
	f := newFixture(t)
	ana := f.user("ana", core.RoleMember)
	f.fail(ana, core.Log{Amount: core.Amount{Duration: 2 * time.Hour}, Task: "Deploy"}, core.ENOTFOUND, `"log 2h on Deploy in PROJECT"`)
}

func TestPeriodsOfTheSecondEdition(t *testing.T) {
	for _, tc := range []struct {
		p        core.Period
		from, to string
	}{
		{core.Period{Kind: core.PeriodLastMonth}, "2026-10-01", "2026-11-01"},
		{core.Period{Kind: core.PeriodRange, Date: "2026-11-01", To: "2026-11-30"}, "2026-11-01", "2026-12-01"},
		{core.Period{Kind: core.PeriodRange, Date: "2026-11-05", To: "2026-11-05"}, "2026-11-05", "2026-11-06"},
	} {
		from, to, err := tc.p.Resolve(wednesday, time.UTC)
		if err != nil || from.Format(time.DateOnly) != tc.from || to.Format(time.DateOnly) != tc.to {
			t.Errorf("%+v: %s..%s, %v; want %s..%s", tc.p, from, to, err, tc.from, tc.to)
		}
	}
	if _, _, err := (core.Period{Kind: core.PeriodRange, Date: "2026-11-05", To: "2026-11-01"}).Resolve(wednesday, time.UTC); err == nil {
		t.Error("a range that ends before it starts resolved")
	}
}
