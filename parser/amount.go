package parser

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/chatops/gateway/core"
)

var (
	// hoursMinutesRE is a duration written h:mm.
	hoursMinutesRE = regexp.MustCompile(`^(\d+):(\d\d)$`)
	// durationRE is a duration in hours and minutes, each part optional:
	// 1h30m, 1.5h, 90m, 1h30, 2hours, 45min. Group 1 holds the hours,
	// group 2 the minutes and group 3 the minutes' unit.
	durationRE = regexp.MustCompile(`^(?:(\d+(?:\.\d+)?)(?:h|hrs?|hours?))?(?:(\d+(?:\.\d+)?)(m|mins?|minutes?)?)?$`)
	// clockRE is a time of day: 9, 9am, 9:30, 9:30pm, 14:00.
	clockRE = regexp.MustCompile(`^(\d{1,2})(?::(\d\d))?(am|pm)?$`)
)

// maxDuration is the longest duration one entry may have.
const maxDuration = 24 * time.Hour

// parseAmount reads s, a lower-case amount without spaces, as a duration
// or a clock range. A returned *Error has no Column or Example yet.
func parseAmount(s string) (core.Amount, *Error) {
	if from, to, ok := strings.Cut(s, "-"); ok {
		return parseRange(s, from, to)
	}
	if m := hoursMinutesRE.FindStringSubmatch(s); m != nil {
		h, _ := strconv.Atoi(m[1])
		minutes, _ := strconv.Atoi(m[2])
		if minutes > 59 {
			return core.Amount{}, &Error{Message: fmt.Sprintf("%q has more than 59 minutes", s)}
		}
		return checkDuration(s, time.Duration(h)*time.Hour+time.Duration(minutes)*time.Minute)
	}
	if m := durationRE.FindStringSubmatch(s); m != nil {
		if m[1] == "" && m[3] == "" {
			return core.Amount{}, &Error{
				Message: fmt.Sprintf("%q has no unit", s),
				Hint:    fmt.Sprintf("did you mean %sh or %sm?", s, s),
			}
		}
		var spec string
		if m[1] != "" {
			spec = m[1] + "h"
		}
		if m[2] != "" {
			spec += m[2] + "m"
		}
		d, err := time.ParseDuration(spec)
		if err != nil {
			return core.Amount{}, &Error{Message: fmt.Sprintf("%q is over 24 hours", s)}
		}
		return checkDuration(s, d)
	}
	if clockRE.MatchString(s) {
		return core.Amount{}, &Error{
			Message: fmt.Sprintf("%q is a time of day", s),
			Hint:    "give a range, as in 9am-11am, or a duration, as in 2h",
		}
	}
	return core.Amount{}, &Error{
		Message: fmt.Sprintf("%q is not an amount of time", s),
		Hint:    "give a duration like 1h30m, 1.5h, 90m or 1:30, or a range like 9-11 or 9:30am-11:15am",
	}
}

// checkDuration refuses a zero duration and one over a day; it rounds d to
// the second.
func checkDuration(s string, d time.Duration) (core.Amount, *Error) {
	d = d.Round(time.Second)
	switch {
	case d <= 0:
		return core.Amount{}, &Error{Message: fmt.Sprintf("%q is no time", s)}
	case d > maxDuration:
		return core.Amount{}, &Error{Message: fmt.Sprintf("%q is over 24 hours", s)}
	}
	return core.Amount{Duration: d}, nil
}

// clock is a time of day as written: hour, minute and "am", "pm" or "".
type clock struct {
	hour, minute int
	meridiem     string
}

func readClock(s string) (clock, bool) {
	m := clockRE.FindStringSubmatch(s)
	if m == nil {
		return clock{}, false
	}
	c := clock{meridiem: m[3]}
	c.hour, _ = strconv.Atoi(m[1])
	c.minute, _ = strconv.Atoi(m[2])
	return c, true
}

// of returns the clock on a 24-hour dial.
func (c clock) of() (core.Clock, error) {
	h := c.hour
	if c.meridiem != "" {
		if h < 1 || h > 12 {
			return 0, fmt.Errorf("%d%s", h, c.meridiem)
		}
		h %= 12
		if c.meridiem == "pm" {
			h += 12
		}
	}
	return core.NewClock(h, c.minute)
}

// parseRange reads the clock range from-to. When only the end says am or
// pm, the start takes the same half of the day unless that would put it
// after the end ("10-2pm" is 10:00-14:00, "1-3pm" is 13:00-15:00).
func parseRange(s, from, to string) (core.Amount, *Error) {
	start, ok1 := readClock(from)
	end, ok2 := readClock(to)
	if !ok1 || !ok2 {
		return core.Amount{}, &Error{
			Message: fmt.Sprintf("%q is not a time range", s),
			Hint:    "give a range like 9-11, 9:30am-11:15am or 14:00-15:30",
		}
	}
	if start.meridiem == "" && end.meridiem != "" && start.hour >= 1 && start.hour <= 12 {
		start.meridiem = "am"
		if end.meridiem == "pm" {
			pm := clock{start.hour, start.minute, "pm"}
			f, err1 := pm.of()
			t, err2 := end.of()
			if err1 == nil && err2 == nil && f <= t {
				start = pm
			}
		}
	}
	f, err := start.of()
	if err != nil {
		return core.Amount{}, notTimeOfDay(from)
	}
	t, err := end.of()
	if err != nil {
		return core.Amount{}, notTimeOfDay(to)
	}
	return core.Amount{IsRange: true, From: f, To: t}, nil
}

func notTimeOfDay(s string) *Error {
	return &Error{
		Message: fmt.Sprintf("%q is not a time of day", s),
		Hint:    "hours run 0-23, or 1-12 with am or pm",
	}
}
