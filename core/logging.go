package core

import (
	"slices"
	"strings"
	"time"
)

// The times of a logged entry. A clock range or "at" gives them; a bare
// duration is placed where it fits: for today, in the latest free gap of
// that length that ends by now; for another day, from where that day's
// last entry ends (09:00 when it has none). Explicit times that overlap
// another entry of the same person are refused unless Log.Anyway.

// dayStartHour is where a bare duration starts on a day without entries.
const dayStartHour = 9

// span computes a Log's start and end.
func (c *change) span(cmd Log) (start, end time.Time, err error) {
	loc := c.actor.User.Location()
	day, err := cmd.When.Resolve(c.now, loc)
	if err != nil {
		return start, end, err
	}
	a := cmd.Amount
	switch {
	case a.IsRange:
		if cmd.At != nil {
			return start, end, Errorf(EINVALID, "at %s goes with a duration, not with the range %s-%s", *cmd.At, a.From, a.To)
		}
		if start, end, err = rangeSpan(day, a.From, a.To); err != nil {
			return start, end, err
		}
	default:
		if err := checkAmount(a.Duration); err != nil {
			return start, end, err
		}
		switch {
		case cmd.End != nil:
			end = cmd.End.UTC()
			start = end.Add(-a.Duration)
		case cmd.At != nil:
			start = clockOn(day, *cmd.At)
			end = start.Add(a.Duration)
		case cmd.When.Kind == DayToday:
			if start, end, err = c.placeToday(day, a.Duration); err != nil {
				return start, end, err
			}
		default:
			if start, end, err = c.placeOnDay(day, a.Duration); err != nil {
				return start, end, err
			}
		}
	}
	if c.inFuture(end) {
		return start, end, Errorf(EINVALID, "that entry would end in the future (%s)", end.In(loc).Format("Mon 2 Jan 15:04 MST"))
	}
	// Placed durations fit by construction; only explicit times are checked.
	if (a.IsRange || cmd.At != nil) && !cmd.Anyway {
		if err := c.checkOverlap(start, end, loc); err != nil {
			return start, end, err
		}
	}
	return start.UTC(), end.UTC(), nil
}

// userEntries returns the acting user's entries that overlap [from, to),
// a running timer too.
func (c *change) userEntries(from, to time.Time) ([]TimeEntry, error) {
	return allEntries(c.tx, c.ws, EntryFilter{UserID: c.actor.User.ID, From: from.UTC(), To: to.UTC()})
}

// checkOverlap refuses [start, end) when it overlaps another entry of the
// user (intervals are half-open: entries that touch do not overlap).
func (c *change) checkOverlap(start, end time.Time, loc *time.Location) error {
	entries, err := c.userEntries(start, end)
	if err != nil || len(entries) == 0 {
		return err
	}
	e := slices.MinFunc(entries, func(a, b TimeEntry) int { return a.Start.Compare(b.Start) })
	return Errorf(ECONFLICT, "overlaps %s; add \"anyway\" to log it all the same", c.describeEntry(e, loc))
}

// placeToday returns the latest free gap of length d on today (midnight
// day) that ends by now; a running timer occupies its start until now.
func (c *change) placeToday(day time.Time, d time.Duration) (start, end time.Time, err error) {
	entries, err := c.userEntries(day, c.now)
	if err != nil {
		return start, end, err
	}
	slices.SortFunc(entries, func(a, b TimeEntry) int { return a.Start.Compare(b.Start) })
	var gaps [][2]time.Time
	cursor := day
	for _, e := range entries {
		if e.Start.After(cursor) {
			gaps = append(gaps, [2]time.Time{cursor, e.Start})
		}
		if en := entryEnd(e, c.now); en.After(cursor) {
			cursor = en
		}
	}
	if c.now.After(cursor) {
		gaps = append(gaps, [2]time.Time{cursor, c.now})
	}
	for i := len(gaps) - 1; i >= 0; i-- {
		if gaps[i][1].Sub(gaps[i][0]) >= d {
			return gaps[i][1].Add(-d), gaps[i][1], nil
		}
	}
	return start, end, Errorf(EINVALID, "%s does not fit in today's free time before now; give the times, as in log 9-11", HumanDuration(d))
}

// placeOnDay places a duration d on day (midnight) from where that day's
// last entry ends, or at 09:00; it must end within the day.
func (c *change) placeOnDay(day time.Time, d time.Duration) (start, end time.Time, err error) {
	next := day.AddDate(0, 0, 1)
	last, ok, err := c.tx.LastEntryEnd(c.ws, c.actor.User.ID, day.UTC(), next.UTC())
	if err != nil {
		return start, end, err
	}
	start = clockOn(day, Clock(dayStartHour*60))
	if ok {
		start = last.In(day.Location())
	}
	end = start.Add(d)
	if end.After(next) {
		return start, end, Errorf(EINVALID, "%s does not fit in %s after %s; give the times, as in log 9-11", HumanDuration(d),
			day.Format("Mon 2 Jan"), zoneClock(start, day.Location()))
	}
	return start, end, nil
}

// entryEnd returns an entry's end, now for a running timer.
func entryEnd(e TimeEntry, now time.Time) time.Time {
	if e.End != nil {
		return *e.End
	}
	return now
}

// log runs `log`: a finished entry.
func (c *change) log(cmd Log) error {
	start, end, err := c.span(cmd)
	if err != nil {
		return err
	}
	task, project, err := c.target(cmd.Task, cmd.Project)
	if err != nil {
		return err
	}
	tags, err := c.entryTags(cmd.Tags, true)
	if err != nil {
		return err
	}
	e := TimeEntry{WorkspaceID: c.ws, UserID: c.actor.User.ID, Start: start, End: &end,
		DurationSeconds: int64(end.Sub(start) / time.Second), Note: strings.TrimSpace(cmd.Note),
		Billable: cmd.Billable, Tags: tags, Source: c.actor.Source, CreatedAt: c.now, UpdatedAt: c.now}
	e.TaskID, e.ProjectID = refIDs(task, project)
	if err := c.createEntry(&e, task, project); err != nil {
		return err
	}
	c.res.Entry, c.res.Task, c.res.Project = &e, task, project
	return nil
}
