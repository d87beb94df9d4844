package reply

import (
	"fmt"
	"strings"
	"time"

	"github.com/chatops/gateway/core"
)

// The answers that echo what was understood and stored: the entry number,
// task, project, tags, billable ($), note, and times as HH:MM in the user's
// zone with its abbreviation; and the answers of entries, who, edit entry,
// continue, reopen and report by ….

// renderEntries answers the commands of this file; ok is false for others.
func renderEntries(res *core.Result, d Dialect) (s string, ok bool) {
	switch res.Command {
	case "entries":
		return entryList(res, d), true
	case "who":
		return who(res, d), true
	case "edit entry":
		return edited(res, d), true
	case "continue":
		return track(res, d), true
	case "reopen task":
		return fmt.Sprintf("Reopened task %s%s", d.Strong(res.Task.Name), inProject(d, res.Project)), true
	case "reopen project":
		return fmt.Sprintf("Reopened project %s", d.Strong(res.Project.Name)), true
	}
	return "", false
}

// labels writes an entry's tags and billable flag: " #review $".
func labels(d Dialect, e *core.TimeEntry) string {
	var b strings.Builder
	for _, t := range e.Tags {
		b.WriteString(" #" + d.Escape(t))
	}
	if e.Billable {
		b.WriteString(" $")
	}
	return b.String()
}

// noteOf writes an entry's note after a dash, or "".
func noteOf(d Dialect, e *core.TimeEntry) string {
	if e.Note == "" {
		return ""
	}
	return " — " + d.Escape(e.Note)
}

// span writes an entry's times in loc: "14:02 CET" for a running timer,
// "09:00–11:00 CET", with the end's day when it ends on another day.
func span(e *core.TimeEntry, loc *time.Location) string {
	start := e.Start.In(loc)
	if e.End == nil {
		return start.Format("15:04 MST")
	}
	end := e.End.In(loc)
	if sameDay(start, end) {
		return start.Format("15:04") + "–" + end.Format("15:04 MST")
	}
	return start.Format("15:04") + "–" + end.Format("Mon 15:04 MST")
}

func sameDay(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}

// track answers track and continue: who started what, its labels and
// note, the entry number and start in the user's zone, and the timer it
// stopped.
func track(res *core.Result, d Dialect) string {
	e := res.Entry
	s := fmt.Sprintf("⏱ %s started %s%s%s (entry #%d, %s", d.Escape(res.User.Name), describe(d, res.Task, res.Project),
		labels(d, e), noteOf(d, e), e.ID, span(e, res.User.Location()))
	if res.Stopped != nil {
		s += fmt.Sprintf("; stopped #%d after %s", res.Stopped.ID, seconds(res.Stopped.DurationSeconds))
	}
	return s + ")"
}

// stopped answers stop: what stopped after how long, its labels and note,
// the entry number and times in the user's zone.
func stopped(res *core.Result, d Dialect) string {
	e := res.Stopped
	return fmt.Sprintf("⏹ %s stopped %s%s after %s%s (entry #%d, %s)", d.Escape(res.User.Name), describe(d, res.StoppedTask, res.StoppedProject),
		labels(d, e), seconds(e.DurationSeconds), noteOf(d, e), e.ID, span(e, res.User.Location()))
}

// edited answers edit entry with the entry as it is now.
func edited(res *core.Result, d Dialect) string {
	e := res.Entry
	loc := res.User.Location()
	length := "running"
	if e.End != nil {
		length = seconds(e.DurationSeconds)
	}
	return fmt.Sprintf("✏️ Entry #%d is now %s on %s%s, %s %s%s", e.ID, length, describe(d, res.Task, res.Project), labels(d, e),
		e.Start.In(loc).Format("Mon 2 Jan"), span(e, loc), noteOf(d, e))
}

// MaxListedEntries is how many entries an entries answer lists (the total
// counts all): a chat message has room for about that many.
const MaxListedEntries = 25

// maxListedNote is how many characters of a note a listed entry shows.
const maxListedNote = 60

// shortNote cuts a note for a list.
func shortNote(note string) string {
	if r := []rune(note); len(r) > maxListedNote {
		return string(r[:maxListedNote-1]) + "…"
	}
	return note
}

// entryList answers entries: a line per entry, by start, with its number,
// times in the user's zone, length, names, labels and note.
func entryList(res *core.Result, d Dialect) string {
	l := res.List
	loc := res.User.Location()
	week := l.To.Sub(l.From) > 48*time.Hour
	if len(l.Lines) == 0 {
		return fmt.Sprintf("No entries for %s. Add one with `log 1h on TASK in PROJECT`.", d.Strong(l.Title))
	}
	var total int64
	var b strings.Builder
	for i, ln := range l.Lines {
		e := ln.Entry
		secs := int64(e.Duration(res.At) / time.Second)
		total += secs
		if i >= MaxListedEntries {
			continue // counted in the total, not listed
		}
		e.Note = shortNote(e.Note)
		b.WriteString("\n• #" + e.ID.String() + " ")
		if week {
			b.WriteString(e.Start.In(loc).Format("Mon 2 Jan "))
		}
		start := e.Start.In(loc)
		if e.End == nil {
			fmt.Fprintf(&b, "%s–now (%s, running)", start.Format("15:04"), seconds(secs))
		} else {
			end := e.End.In(loc)
			endText := end.Format("15:04")
			if !sameDay(start, end) {
				endText = end.Format("Mon 15:04")
			}
			fmt.Fprintf(&b, "%s–%s (%s)", start.Format("15:04"), endText, seconds(secs))
		}
		b.WriteString(" " + describeNames(d, ln.Task, ln.Project) + labels(d, &e) + noteOf(d, &e))
	}
	n := "entries"
	if len(l.Lines) == 1 {
		n = "entry"
	}
	head := fmt.Sprintf("%s (%s): %d %s, %s", d.Strong(l.Title), res.At.In(loc).Format("MST"), len(l.Lines), n, seconds(total))
	if more := len(l.Lines) - MaxListedEntries; more > 0 {
		fmt.Fprintf(&b, "\n… and %d more: ask for one day, as in `entries yesterday`.", more)
	}
	return head + b.String() + "\nFix one with `edit entry #ID …`, start one again with `continue #ID`."
}

// who answers who: each running timer (MaxListedEntries at most), whose,
// on what, since when in the asker's zone.
func who(res *core.Result, d Dialect) string {
	l := res.List
	if len(l.Lines) == 0 {
		return "No timer is running."
	}
	loc := res.User.Location()
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s):", d.Strong(l.Title), res.At.In(loc).Format("MST"))
	for i, ln := range l.Lines {
		if i == MaxListedEntries {
			fmt.Fprintf(&b, "\n… and %d more.", len(l.Lines)-i)
			break
		}
		e := ln.Entry
		fmt.Fprintf(&b, "\n• %s: %s%s since %s (%s)", d.Escape(ln.User), describeNames(d, ln.Task, ln.Project), labels(d, &e),
			e.Start.In(loc).Format("15:04"), seconds(int64(e.Duration(res.At)/time.Second)))
	}
	return b.String()
}

// rowName names a report's row: a task with its project.
func rowName(d Dialect, sum *core.Summary, r core.SummaryRow) string {
	if sum.By == core.ByTask && r.Project != "" {
		return d.Escape(r.Name) + " (" + d.Escape(r.Project) + ")"
	}
	return d.Escape(r.Name)
}

// reportTitle says what a report covers and how it is grouped.
func reportTitle(d Dialect, sum *core.Summary) string {
	s := d.Strong(sum.Title)
	if sum.By != "" && sum.By != core.ByProject {
		s += " by " + sum.By
	}
	if sum.Team {
		s += ", everyone"
	}
	return s
}
