package core

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Reminders and scheduled reports are rows: a Reminder per user, a Schedule
// per scheduled channel report. Each keeps the UTC instant of its next slot
// (NextAt); the scheduler (package schedule) claims due rows in a
// transaction, fires or skips the slot, and moves NextAt on with NextSlot.

// Weekdays is a set of days of the week: bit d is time.Weekday(d).
type Weekdays uint8

// Sets of days the commands name.
const (
	EveryDay     Weekdays = 0x7f
	WorkingDays  Weekdays = 0x3e // Monday to Friday
	weekdayNames          = "sun mon tue wed thu fri sat"
)

// Has reports whether d is in the set.
func (w Weekdays) Has(d time.Weekday) bool { return w&(1<<d) != 0 }

// With returns the set with d added.
func (w Weekdays) With(d time.Weekday) Weekdays { return w | 1<<d }

// Names are the days in the set, Monday first, as "mon", "tue", ….
func (w Weekdays) Names() []string {
	names := strings.Fields(weekdayNames)
	out := []string{}
	for i := 1; i <= 7; i++ {
		if d := time.Weekday(i % 7); w.Has(d) {
			out = append(out, names[d])
		}
	}
	return out
}

// String is how people read the set: "weekdays", "daily", or "mon, wed".
func (w Weekdays) String() string {
	switch w {
	case EveryDay:
		return "daily"
	case WorkingDays:
		return "weekdays"
	}
	return strings.Join(w.Names(), ", ")
}

// ClockTime is a time of day in minutes after midnight (0 to 1439).
type ClockTime int

// String is "HH:MM".
func (c ClockTime) String() string { return fmt.Sprintf("%02d:%02d", int(c)/60, int(c)%60) }

// MarshalJSON writes "HH:MM".
func (c ClockTime) MarshalJSON() ([]byte, error) { return json.Marshal(c.String()) }

// MarshalJSON writes the day names, Monday first.
func (w Weekdays) MarshalJSON() ([]byte, error) { return json.Marshal(w.Names()) }

// NextSlot returns the first instant after after at which the local clock
// in loc reads at on a day in days: one instant per local date. On a
// spring-forward day a time that does not exist (02:30 in Europe/Berlin)
// is the instant the clocks skip to minutes later (03:30); on a fall-back
// day a time that exists twice is one of them, once. It returns the zero
// time when days is empty.
func NextSlot(after time.Time, loc *time.Location, at ClockTime, days Weekdays) time.Time {
	if days&EveryDay == 0 {
		return time.Time{}
	}
	local := after.In(loc)
	y, m, d := local.Date()
	for i := 0; i <= 8; i++ {
		noon := time.Date(y, m, d+i, 12, 0, 0, 0, loc)
		if !days.Has(noon.Weekday()) {
			continue
		}
		t := slotOn(noon, loc, at)
		if t.After(after) {
			return t
		}
	}
	return time.Time{}
}

// slotOn is the instant of at on the local date of day. A time in a
// spring-forward gap is the instant as far after the gap's start as the
// time is (02:30 in a 02:00→03:00 gap is 03:30); a time that occurs twice
// is its first occurrence, so a fall-back day has one slot.
func slotOn(day time.Time, loc *time.Location, at ClockTime) time.Time {
	y, m, d := day.Date()
	t := time.Date(y, m, d, int(at)/60, int(at)%60, 0, 0, loc)
	if lt := t.In(loc); lt.Hour()*60+lt.Minute() < int(at) {
		// In a gap, time.Date may read the time with the offset after
		// it, landing before the gap: move on by the gap's length.
		_, before := t.Add(-6 * time.Hour).Zone()
		_, after := t.Add(6 * time.Hour).Zone()
		t = t.Add(time.Duration(after-before) * time.Second)
	}
	// time.Date may pick the second occurrence of a repeated time: an
	// hour (the usual shift) earlier reads the same clock time, take it.
	for _, back := range []time.Duration{time.Hour, 30 * time.Minute} {
		if e := t.Add(-back); e.In(loc).Hour() == t.Hour() && e.In(loc).Minute() == t.Minute() && e.In(loc).Day() == t.Day() {
			return e
		}
	}
	return t
}

// LateSlot is how late a slot may still fire: a slot missed while the
// gateway was down fires once when it comes back within it, and is
// skipped (and logged) after.
const LateSlot = time.Hour

// Reminder is a user's daily reminder: a direct message at At, their local
// time, on Days when they logged nothing that day.
type Reminder struct {
	WorkspaceID ID        `json:"-"`
	UserID      ID        `json:"user_id"`
	At          ClockTime `json:"at"`
	Days        Weekdays  `json:"days"`
	// SubscriptionID is the direct-message target the reminder goes to.
	SubscriptionID ID        `json:"-"`
	NextAt         time.Time `json:"next_at"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// Schedule is a channel's scheduled report: the report of Period, by user
// and project, posted at At on Days in Zone (the zone of who asked).
type Schedule struct {
	ID          ID `json:"id"`
	WorkspaceID ID `json:"workspace_id"`
	// UserID asked for it: an admin's covers everyone, a member's only
	// their own time.
	UserID ID `json:"user_id"`
	// Channel is the channel key ("slack:TEAM:CHANNEL"); SubscriptionID
	// the target its messages go through.
	Channel        string    `json:"channel"`
	SubscriptionID ID        `json:"subscription_id"`
	Period         Period    `json:"period"`
	At             ClockTime `json:"at"`
	Days           Weekdays  `json:"days"`
	Zone           string    `json:"time_zone"`
	NextAt         time.Time `json:"next_at"`
	CreatedAt      time.Time `json:"created_at"`
}

// Location is the schedule's zone (UTC when unknown).
func (s Schedule) Location() *time.Location {
	return User{TimeZone: s.Zone}.Location()
}

// ScheduleFilter narrows ListSchedules: zero fields match all.
type ScheduleFilter struct {
	UserID  ID
	Channel string
}

// ScheduleTx keeps reminders, scheduled reports and the long-timer notices.
// The Due methods lock what they return until the transaction ends and, on
// a store with concurrent writers, skip rows another transaction holds
// (FOR UPDATE SKIP LOCKED), so two instances never claim one slot.
type ScheduleTx interface {
	// PutReminder creates or replaces the user's reminder.
	PutReminder(r *Reminder) error
	// Reminder returns the user's reminder; not_found if none.
	Reminder(ws, user ID) (Reminder, error)
	// DeleteReminder removes it and reports whether there was one.
	DeleteReminder(ws, user ID) (bool, error)
	// DueReminders returns reminders whose NextAt is at or before now,
	// earliest first.
	DueReminders(now time.Time, limit int) ([]Reminder, error)
	// AdvanceReminder moves a claimed reminder's NextAt from r.NextAt to
	// next; false when the row changed meanwhile (another instance fired
	// it, or the user replaced it).
	AdvanceReminder(r Reminder, next time.Time) (bool, error)

	// CreateSchedule stores a schedule and sets its ID.
	CreateSchedule(s *Schedule) error
	// Schedule returns a schedule; not_found if none.
	Schedule(ws, id ID) (Schedule, error)
	// ListSchedules returns the workspace's schedules by id.
	ListSchedules(ws ID, f ScheduleFilter) ([]Schedule, error)
	// DeleteSchedule removes one; not_found if none.
	DeleteSchedule(ws, id ID) error
	// DueSchedules returns schedules whose NextAt is at or before now,
	// earliest first.
	DueSchedules(now time.Time, limit int) ([]Schedule, error)
	// AdvanceSchedule is AdvanceReminder for a schedule.
	AdvanceSchedule(s Schedule, next time.Time) (bool, error)

	// LongTimers returns running timers that started before before and
	// have had no long-timer notice, oldest first.
	LongTimers(before time.Time, limit int) ([]TimeEntry, error)
	// MarkLongTimer records the notice of a running timer; false when it
	// was recorded before (one notice per timer, ever).
	MarkLongTimer(ws, entry ID, at time.Time) (bool, error)
}
