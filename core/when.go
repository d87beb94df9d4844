package core

import (
	"fmt"
	"strings"
	"time"
)

// MaxDaysAgo is how far back "N days ago" reaches.
const MaxDaysAgo = 3660

// monthDay returns midnight of d's day of the month in today's year, or in
// the year before when that day is after today.
func (d Day) monthDay(today time.Time) (time.Time, error) {
	for _, year := range []int{today.Year(), today.Year() - 1} {
		t := time.Date(year, d.Month, d.MonthDay, 0, 0, 0, 0, today.Location())
		if t.Month() != d.Month || t.Day() != d.MonthDay || d.MonthDay < 1 {
			return time.Time{}, Errorf(EINVALID, "%s %d is not a day of %d", d.Month, d.MonthDay, year)
		}
		if !t.After(today) {
			return t, nil
		}
	}
	return time.Time{}, Errorf(EINVALID, "%s %d is in the future", d.Month, d.MonthDay)
}

// dateRange returns [from, to) of a range period: from the start of day
// Date to the end of day To.
func (p Period) dateRange(loc *time.Location) (from, to time.Time, err error) {
	from, err1 := time.ParseInLocation(time.DateOnly, p.Date, loc)
	last, err2 := time.ParseInLocation(time.DateOnly, p.To, loc)
	switch {
	case err1 != nil || err2 != nil:
		return from, to, Errorf(EINVALID, "%q is not a range of dates (YYYY-MM-DD..YYYY-MM-DD)", p.Date+".."+p.To)
	case last.Before(from):
		return from, to, Errorf(EINVALID, "the range %s..%s ends before it starts", p.Date, p.To)
	case last.Sub(from) > 366*24*time.Hour:
		return from, to, Errorf(EINVALID, "a report covers at most a year")
	}
	return from, last.AddDate(0, 0, 1), nil
}

// clockOn returns the wall-clock time c on day (midnight in its zone),
// right across a daylight-saving change.
func clockOn(day time.Time, c Clock) time.Time {
	return time.Date(day.Year(), day.Month(), day.Day(), int(c)/60, int(c)%60, 0, 0, day.Location())
}

// rangeSpan returns the times of a clock range on day. A range whose end
// is not after its start crosses midnight when the result is at most
// 12 hours (ending the next day), and is refused otherwise.
func rangeSpan(day time.Time, from, to Clock) (start, end time.Time, err error) {
	start, end = clockOn(day, from), clockOn(day, to)
	if to <= from {
		end = clockOn(day.AddDate(0, 0, 1), to)
		if end.Sub(start) > maxNightRange {
			return start, end, Errorf(EINVALID, "the range %s-%s ends before it starts (a range across midnight lasts at most 12 hours)", from, to)
		}
	}
	return start, end, nil
}

// maxNightRange is the longest a clock range across midnight may be.
const maxNightRange = 12 * time.Hour

// zoneClock formats t as HH:MM in loc.
func zoneClock(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("15:04")
}

// describeEntry names an entry for a message: "#12 Standup 09:00–11:00".
func (c *change) describeEntry(e TimeEntry, loc *time.Location) string {
	name := ""
	if e.TaskID != 0 {
		if t, err := c.tx.Task(c.ws, e.TaskID); err == nil {
			name = " " + t.Name
		}
	}
	end := "now"
	if e.End != nil {
		end = zoneClock(*e.End, loc)
	}
	return fmt.Sprintf("#%d%s %s–%s", e.ID, name, zoneClock(e.Start, loc), end)
}

// String writes the amount as the language reads it: "1h30m" or "09:00-11:00".
func (a Amount) String() string {
	if a.IsRange {
		return a.From.String() + "-" + a.To.String()
	}
	s := strings.TrimSuffix(a.Duration.String(), "0s")
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
