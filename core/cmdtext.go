package core

import (
	"fmt"
	"strings"
	"time"
	"unicode"
)

// CommandText writes a chat command as text in the command language, for
// answers that spell a command out (the ways out of a near miss). Names
// are quoted when they are more than one plain word or could be read as a
// keyword. It covers track, log, edit entry, and add, close and reopen
// of projects and tasks; "" otherwise.
func CommandText(cmd Command) string {
	var b strings.Builder
	switch c := cmd.(type) {
	case Track:
		b.WriteString("track " + quoteName(c.Task))
		if c.Project != "" {
			b.WriteString(" in " + quoteName(c.Project))
		}
		writeTail(&b, c.Tags, c.Billable, false, c.Note)
	case Log:
		b.WriteString("log " + c.Amount.String())
		if c.Task != "" {
			b.WriteString(" on " + quoteName(c.Task))
		}
		if c.Project != "" {
			b.WriteString(" in " + quoteName(c.Project))
		}
		if day := dayText(c.When); day != "" {
			b.WriteString(" " + day)
		}
		if c.At != nil {
			b.WriteString(" at " + c.At.String())
		}
		writeTail(&b, c.Tags, c.Billable, c.Anyway, c.Note)
	case AddProject:
		b.WriteString("add project " + quoteName(c.Project))
		if c.Client != "" {
			b.WriteString(" for " + quoteName(c.Client))
		}
	case AddTask:
		b.WriteString("add task " + quoteName(c.Task) + " in " + quoteName(c.Project))
	case CloseProject:
		b.WriteString("close project " + quoteName(c.Project))
	case CloseTask:
		b.WriteString("close task " + quoteName(c.Task))
		if c.Project != "" {
			b.WriteString(" in " + quoteName(c.Project))
		}
	case EditEntry:
		editText(&b, c)
	case ReopenProject:
		b.WriteString("reopen project " + quoteName(c.Project))
	case ReopenTask:
		b.WriteString("reopen task " + quoteName(c.Task))
		if c.Project != "" {
			b.WriteString(" in " + quoteName(c.Project))
		}
	}
	return b.String()
}

// editText writes edit entry in the order the grammar reads it: the
// entry, AMOUNT, on TASK, in PROJECT, WHEN, at TIME, tags, billable or
// nonbillable, anyway, -- note.
func editText(b *strings.Builder, c EditEntry) {
	b.WriteString("edit entry ")
	if c.Last {
		b.WriteString("last")
	} else {
		b.WriteString("#" + c.ID.String())
	}
	if c.Amount != nil {
		b.WriteString(" " + c.Amount.String())
	}
	if c.Task != "" {
		b.WriteString(" on " + quoteName(c.Task))
	}
	if c.Project != "" {
		b.WriteString(" in " + quoteName(c.Project))
	}
	if c.When != nil {
		day := dayText(*c.When)
		if day == "" {
			day = "today"
		}
		b.WriteString(" " + day)
	}
	if c.At != nil {
		b.WriteString(" at " + c.At.String())
	}
	for _, t := range c.Tags {
		b.WriteString(" #" + strings.TrimPrefix(t, "#"))
	}
	if c.Billable != nil {
		if *c.Billable {
			b.WriteString(" billable")
		} else {
			b.WriteString(" nonbillable")
		}
	}
	if c.Anyway {
		b.WriteString(" anyway")
	}
	if c.Note != nil {
		b.WriteString(" --")
		if note := strings.TrimSpace(*c.Note); note != "" {
			b.WriteString(" " + note)
		}
	}
}

func writeTail(b *strings.Builder, tags []string, billable, anyway bool, note string) {
	for _, t := range tags {
		b.WriteString(" #" + strings.TrimPrefix(t, "#"))
	}
	if billable {
		b.WriteString(" billable")
	}
	if anyway {
		b.WriteString(" anyway")
	}
	if note = strings.TrimSpace(note); note != "" {
		b.WriteString(" -- " + note)
	}
}

// dayText writes a Day as the command language reads it; "" for today.
func dayText(d Day) string {
	switch d.Kind {
	case DayYesterday:
		return "yesterday"
	case DayWeekday:
		w := strings.ToLower(d.Weekday.String()[:3])
		if d.Last {
			return "last " + w
		}
		return w
	case DayDate:
		return d.Date
	case DayMonthDay:
		return fmt.Sprintf("%d %s", d.MonthDay, time.Month(d.Month).String()[:3])
	case DayAgo:
		if d.Ago == 1 {
			return "1 day ago"
		}
		return fmt.Sprintf("%d days ago", d.Ago)
	}
	return ""
}

// quoteName quotes a name unless it is one plain word that no rule of the
// grammar reads as anything else.
func quoteName(name string) string {
	plain := name != ""
	for i, r := range name {
		if !(unicode.IsLetter(r) || (i > 0 && (unicode.IsDigit(r) || r == '_' || r == '.'))) {
			plain = false
			break
		}
	}
	if plain && !keywordLike(name) {
		return name
	}
	// A name that holds a quote cannot be written in the language (the
	// parser takes typographic quotes for straight ones): best effort.
	return `"` + name + `"`
}

// keywordLike reports whether a word could be read as a keyword: a verb,
// a reserved word, a day, a month, a unit or a word of a clause.
func keywordLike(w string) bool {
	w = strings.ToLower(w)
	for _, v := range verbs {
		if w == v {
			return true
		}
	}
	switch w {
	case "in", "on", "for", "at", "billable", "nonbillable", "today", "yesterday", "last", "this", "anyway",
		"days", "day", "ago", "h", "m", "hours", "hour", "minutes", "minute", "min", "mins", "hr", "hrs",
		"entry", "task", "project", "time", "list", "ls", "entries", "edit", "continue", "resume", "restart",
		"reopen", "who", "team", "rm", "week", "month":
		return true
	}
	for d := time.Sunday; d <= time.Saturday; d++ {
		n := strings.ToLower(d.String())
		if w == n || w == n[:3] || (len(w) >= 3 && strings.HasPrefix(n, w)) {
			return true
		}
	}
	for m := time.January; m <= time.December; m++ {
		n := strings.ToLower(m.String())
		if len(w) >= 3 && strings.HasPrefix(n, w) {
			return true
		}
	}
	return false
}
