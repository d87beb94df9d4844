package parser

import (
	"cmp"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/chatops/gateway/core"
)

// remindCmd is remind [off | HH:MM [DAYS]]; its words are read by remind.
type remindCmd struct {
	Args []*notifyArg `parser:"@@*"`
}

// schedulesCmd is schedules [off ID].
type schedulesCmd struct {
	Args []*notifyArg `parser:"@@*"`
}

const (
	remindHint    = "remind takes a time and days, as in remind 17:30 weekdays (or daily, or mon,wed,fri); remind off stops it"
	everyHint     = "a scheduled report says when, as in report week every fri 17:00 (DAY: monday…sunday, mon…sun, day, weekday)"
	schedulesHint = "schedules lists this channel's scheduled reports; schedules off ID removes one"
)

var slotClockRE = regexp.MustCompile(`^([01]?\d|2[0-3]):([0-5]\d)$`)

// slotClock reads HH:MM.
func slotClock(s string) (core.ClockTime, bool) {
	m := slotClockRE.FindStringSubmatch(s)
	if m == nil {
		return 0, false
	}
	h, _ := strconv.Atoi(m[1])
	min, _ := strconv.Atoi(m[2])
	return core.ClockTime(h*60 + min), true
}

// days reads day words: weekday names (also in comma lists), weekdays or
// weekday for Monday to Friday, daily or day for every day.
func days(words []string) (core.Weekdays, string, bool) {
	var w core.Weekdays
	for _, word := range words {
		for part := range strings.SplitSeq(strings.ToLower(word), ",") {
			switch part {
			case "":
			case "weekdays", "weekday", "workdays":
				w |= core.WorkingDays
			case "daily", "day", "days", "everyday":
				w |= core.EveryDay
			default:
				d, ok := weekdays[part]
				if !ok {
					return 0, part, false
				}
				w = w.With(d)
			}
		}
	}
	return w, "", true
}

// remind converts remind, remind off and remind alone.
func (c *converter) remind(t *remindCmd) (core.Command, error) {
	if len(t.Args) == 0 {
		return core.RemindShow{}, nil
	}
	first := t.Args[0]
	if strings.EqualFold(first.Value, "off") {
		if len(t.Args) > 1 {
			return nil, c.fail(t.Args[1].Pos.Column, remindHint, "unexpected %q after remind off", t.Args[1].Value)
		}
		return core.RemindOff{}, nil
	}
	at, ok := slotClock(first.Value)
	if !ok {
		return nil, c.fail(first.Pos.Column, remindHint, "%q is not a time of day (HH:MM)", first.Value)
	}
	var words []string
	for _, a := range t.Args[1:] {
		words = append(words, a.Value)
	}
	w, bad, ok := days(words)
	if !ok {
		col := t.Args[1].Pos.Column
		for _, a := range t.Args[1:] {
			if strings.Contains(strings.ToLower(a.Value), bad) {
				col = a.Pos.Column
				break
			}
		}
		return nil, c.fail(col, remindHint, "%q is not a day", bad)
	}
	if w == 0 {
		w = core.WorkingDays
	}
	return core.Remind{At: at, Days: w}, nil
}

// schedules converts schedules and schedules off ID.
func (c *converter) schedules(t *schedulesCmd) (core.Command, error) {
	if len(t.Args) == 0 {
		return core.Schedules{}, nil
	}
	if !strings.EqualFold(t.Args[0].Value, "off") {
		return nil, c.fail(t.Args[0].Pos.Column, schedulesHint, "unexpected %q", t.Args[0].Value)
	}
	if len(t.Args) != 2 {
		return nil, c.fail(c.endColumn(), schedulesHint, "schedules off needs the id of one, as `schedules` shows it")
	}
	id, err := core.ParseID(strings.TrimPrefix(t.Args[1].Value, "#"))
	if err != nil {
		return nil, c.fail(t.Args[1].Pos.Column, schedulesHint, "%q is not a schedule id", t.Args[1].Value)
	}
	return core.SchedulesOff{ID: id}, nil
}

// scheduledReport reads `report PERIOD … every DAY HH:MM`: text before
// "every" is a report command (any of its forms), the rest says when. ok
// is false when text is no report with "every".
func scheduledReport(text string) (cmd core.Command, ok bool, err error) {
	// Most commands are not reports: skip splitting them into words.
	if t := strings.TrimLeft(text, " \t\r\n"); len(t) < len("report") || !strings.EqualFold(t[:len("report")], "report") {
		return nil, false, nil
	}
	words, starts := fields(text)
	if len(words) < 2 || !strings.EqualFold(words[0], "report") {
		return nil, false, nil
	}
	every := -1
	for i, w := range words {
		if strings.EqualFold(w, "every") {
			every = i
			break
		}
	}
	if every < 0 {
		return nil, false, nil
	}
	c := converter{text: text, example: "report week every fri 17:00"}
	col := func(i int) int {
		if i >= len(starts) {
			return c.endColumn()
		}
		return utf8.RuneCountInString(text[:starts[i]]) + 1
	}
	left, err := parse(strings.TrimSpace(text[:starts[every]]))
	if err != nil {
		return nil, true, err
	}
	rep, isReport := left.(core.Report)
	if !isReport {
		return nil, true, c.fail(1, everyHint, "only a report can be scheduled")
	}
	if rep.By != "" || rep.Team || rep.CSV {
		return nil, true, c.fail(1, everyHint, "a scheduled report covers the channel's time by user and project: leave out by, team and csv")
	}
	rest := words[every+1:]
	if len(rest) < 2 {
		return nil, true, c.fail(c.endColumn(), everyHint, "say the day and the time after every")
	}
	timeWord := rest[len(rest)-1]
	at, okTime := slotClock(timeWord)
	dayWords := rest[:len(rest)-1]
	if n := len(dayWords); n > 1 && strings.EqualFold(dayWords[n-1], "at") {
		dayWords = dayWords[:n-1]
	}
	if !okTime {
		return nil, true, c.fail(col(len(words)-1), everyHint, "%q is not a time of day (HH:MM)", timeWord)
	}
	w, bad, okDays := days(dayWords)
	if !okDays || w == 0 {
		return nil, true, c.fail(col(every+1), everyHint, "%q is not a day", cmp.Or(bad, strings.Join(dayWords, " ")))
	}
	return core.ScheduleReport{Period: rep.Period, At: at, Days: w}, true, nil
}
