package parser

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/chatops/gateway/core"
)

// FuzzParse checks that Parse never panics, that every error is a *Error
// with a column inside the normalized text (or one past it), a message and
// an example, and that a command it reads reads the same when written back
// in canonical form.
func FuzzParse(f *testing.F) {
	for _, tc := range append(examplesFromSpec, parseCases...) {
		f.Add(tc.in)
	}
	if in, err := os.Open(filepath.Join("testdata", "golden.txt")); err == nil {
		lines := bufio.NewScanner(in)
		for lines.Scan() {
			f.Add(lines.Text())
		}
		in.Close()
	}
	f.Fuzz(func(t *testing.T, text string) {
		cmd, err := Parse(text)
		checkResult(t, text, Normalize(text), cmd, err)
		if err != nil {
			return
		}
		again, err := Parse(text)
		if err != nil || !reflect.DeepEqual(cmd, again) {
			t.Fatalf("Parse(%q) is not deterministic: %#v, then %#v, %v", text, cmd, again, err)
		}
		if canonical, ok := format(cmd); ok && Normalize(canonical) == canonical {
			back, err := Parse(canonical)
			if err != nil || !reflect.DeepEqual(cmd, back) {
				t.Fatalf("Parse(%q) = %#v, written back as %q which parses as %#v, %v", text, cmd, canonical, back, err)
			}
		}
		cmd, err = ParseWithDefault(text, "track")
		checkResult(t, text, Normalize(text), cmd, err)
	})
}

// checkResult checks the contract of Parse's results for text, normalized.
func checkResult(t *testing.T, text, normalized string, cmd core.Command, err error) {
	t.Helper()
	if err == nil {
		if cmd == nil {
			t.Fatalf("Parse(%q) returned neither a command nor an error", text)
		}
		return
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("Parse(%q) error %T %v is not a *Error", text, err, err)
	}
	if cmd != nil {
		t.Fatalf("Parse(%q) returned %#v with error %v", text, cmd, err)
	}
	if last := utf8.RuneCountInString(normalized) + 1; e.Column < 1 || e.Column > last {
		t.Fatalf("Parse(%q) error column %d outside 1..%d: %v", text, e.Column, last, err)
	}
	if e.Message == "" || e.Example == "" {
		t.Fatalf("Parse(%q) error lacks a message or an example: %#v", text, e)
	}
}

// format writes cmd in canonical form, with every name quoted; ok is false
// when a name holds a double quote or a duration has seconds.
func format(cmd core.Command) (text string, ok bool) {
	var b strings.Builder
	ok = true
	name := func(prefix, s string) {
		if s == "" {
			return
		}
		if strings.Contains(s, `"`) {
			ok = false
		}
		b.WriteString(prefix + `"` + s + `"`)
	}
	rest := func(tags []string, billable bool, note string) {
		for _, tag := range tags {
			b.WriteString(" #" + tag)
		}
		if billable {
			b.WriteString(" billable")
		}
		if note != "" {
			b.WriteString(" -- " + note)
		}
	}
	switch c := cmd.(type) {
	case core.Track:
		name("track ", c.Task)
		name(" in ", c.Project)
		rest(c.Tags, c.Billable, c.Note)
	case core.Stop:
		b.WriteString("stop")
		rest(nil, false, c.Note)
	case core.AddTask:
		name("add task ", c.Task)
		name(" in ", c.Project)
	case core.CloseTask:
		name("close task ", c.Task)
		name(" in ", c.Project)
	case core.AddProject:
		name("add project ", c.Project)
		name(" for ", c.Client)
	case core.CloseProject:
		name("close project ", c.Project)
	case core.Log:
		b.WriteString("log ")
		if c.Amount.IsRange {
			b.WriteString(c.Amount.From.String() + "-" + c.Amount.To.String())
		} else {
			ok = ok && c.Amount.Duration%time.Minute == 0
			b.WriteString(strings.TrimSuffix(c.Amount.Duration.String(), "0s"))
		}
		name(" on ", c.Task)
		name(" in ", c.Project)
		writeDay(&b, c.When)
		if c.At != nil {
			b.WriteString(" at " + c.At.String())
		}
		if c.Anyway {
			b.WriteString(" anyway")
		}
		rest(c.Tags, c.Billable, c.Note)
	case core.DeleteEntry:
		b.WriteString("delete entry #" + strconv.FormatInt(int64(c.ID), 10))
	case core.Status:
		b.WriteString("status")
	case core.Report:
		b.WriteString("report")
		switch c.Period.Kind {
		case core.PeriodDate:
			b.WriteString(" " + c.Period.Date)
		case core.PeriodRange:
			b.WriteString(" " + c.Period.Date + ".." + c.Period.To)
		case core.PeriodToday:
		default:
			b.WriteString(" " + string(c.Period.Kind))
		}
		if c.By != "" {
			b.WriteString(" by " + c.By)
		}
		if c.Team {
			b.WriteString(" team")
		}
	case core.Entries:
		b.WriteString("entries")
		if c.Week != "" {
			b.WriteString(" " + c.Week + " week")
		} else {
			writeDay(&b, c.When)
		}
	case core.EditEntry:
		b.WriteString("edit entry ")
		if c.Last {
			b.WriteString("last")
		} else {
			b.WriteString("#" + c.ID.String())
		}
		if a := c.Amount; a != nil {
			if a.IsRange {
				b.WriteString(" " + a.From.String() + "-" + a.To.String())
			} else {
				ok = ok && a.Duration%time.Minute == 0
				b.WriteString(" " + strings.TrimSuffix(a.Duration.String(), "0s"))
			}
		}
		name(" on ", c.Task)
		name(" in ", c.Project)
		if c.When != nil {
			if c.When.Kind == core.DayToday {
				b.WriteString(" today")
			}
			writeDay(&b, *c.When)
		}
		if c.At != nil {
			b.WriteString(" at " + c.At.String())
		}
		for _, tag := range c.Tags {
			b.WriteString(" #" + tag)
		}
		if c.Billable != nil {
			b.WriteString(map[bool]string{true: " billable", false: " nonbillable"}[*c.Billable])
		}
		if c.Anyway {
			b.WriteString(" anyway")
		}
		if c.Note != nil {
			b.WriteString(" -- " + *c.Note)
			ok = ok && *c.Note != ""
		}
	case core.Continue:
		b.WriteString("continue")
		if c.ID != 0 {
			b.WriteString(" #" + c.ID.String())
		}
	case core.ReopenTask:
		name("reopen task ", c.Task)
		name(" in ", c.Project)
	case core.ReopenProject:
		name("reopen project ", c.Project)
	case core.Who:
		b.WriteString("who")
	case core.Undo:
		b.WriteString("undo")
	case core.Help:
		b.WriteString(strings.TrimSpace("help " + c.Topic))
	case core.Notify:
		b.WriteString("notify")
		if c.URL != "" {
			b.WriteString(" " + c.URL)
		}
		for _, e := range c.Events {
			b.WriteString(" " + e)
		}
	case core.TimeZone:
		b.WriteString(strings.TrimSpace("tz " + c.Zone))
	case core.NotifyList:
		b.WriteString("notify list")
	case core.NotifyOff:
		b.WriteString("notify off")
		if c.ID != 0 {
			b.WriteString(" #" + c.ID.String())
		}
	default:
		return "", false
	}
	return b.String(), ok
}

// writeDay writes a day other than today as the language reads it.
func writeDay(b *strings.Builder, d core.Day) {
	switch d.Kind {
	case core.DayYesterday:
		b.WriteString(" yesterday")
	case core.DayWeekday:
		if d.Last {
			b.WriteString(" last")
		}
		b.WriteString(" " + strings.ToLower(d.Weekday.String()))
	case core.DayDate:
		b.WriteString(" " + d.Date)
	case core.DayMonthDay:
		b.WriteString(" " + strconv.Itoa(d.MonthDay) + " " + d.Month.String())
	case core.DayAgo:
		b.WriteString(" " + strconv.Itoa(d.Ago) + " days ago")
	}
}
