package core

import (
	"fmt"
	"time"
)

// Command is one action a person asks for. The parser turns text into a
// Command; structured inputs build one directly.
type Command interface {
	// CommandName is the command's verb: "track", "stop", "log", ….
	CommandName() string
}

// Track starts a timer on a task, stopping the user's running timer first and
// creating the task (and project) when missing.
type Track struct {
	Task     string   `json:"task"`
	Project  string   `json:"project,omitempty"`
	Tags     []string `json:"tags,omitempty"`
	Billable bool     `json:"billable,omitempty"`
	Note     string   `json:"note,omitempty"`
	// Typo, when set, is the verb that the task name's first word is one
	// edit away from: the verb was implied (a /track command) and the
	// user may have misspelt another. Unless a task of that name exists,
	// the command is refused with a question.
	Typo string `json:"typo,omitempty"`
}

// Stop stops the user's running timer.
type Stop struct {
	Note string `json:"note,omitempty"`
}

// AddTask creates a task in a project (the project too, when missing).
type AddTask struct {
	Task    string `json:"task"`
	Project string `json:"project"`
}

// CloseTask closes a task. Project may be empty when the name is unique.
type CloseTask struct {
	Task    string `json:"task"`
	Project string `json:"project,omitempty"`
}

// AddProject creates a project, and its client when missing.
type AddProject struct {
	Project string `json:"project"`
	Client  string `json:"client,omitempty"`
}

// CloseProject closes (archives) a project.
type CloseProject struct {
	Project string `json:"project"`
}

// Log adds a finished time entry.
type Log struct {
	Amount   Amount   `json:"amount"`
	Task     string   `json:"task,omitempty"`
	Project  string   `json:"project,omitempty"`
	When     Day      `json:"when"`
	Tags     []string `json:"tags,omitempty"`
	Billable bool     `json:"billable,omitempty"`
	Note     string   `json:"note,omitempty"`
	// At, when set, is the start's time of day on When's day, for a
	// duration.
	At *Clock `json:"at,omitempty"`
	// Anyway takes explicit times that overlap another entry.
	Anyway bool `json:"anyway,omitempty"`
	// End, when set, is the exact end of the entry (a commit's timestamp);
	// When is then ignored for a duration. Not settable from the command
	// language.
	End *time.Time `json:"end,omitempty"`
}

// DeleteEntry deletes a time entry.
type DeleteEntry struct {
	ID ID `json:"id"`
}

// Status reports the running timer and today's totals.
type Status struct{}

// Report reports totals over a period, per project or as By says.
type Report struct {
	Period Period `json:"period"`
	// CSV asks for a link to the report as CSV (ReportLink) instead.
	CSV bool `json:"csv,omitempty"`
	// By groups the totals: ByProject (the default), ByTask, ByTag, ByUser
	// or ByBillable.
	By string `json:"by,omitempty"`
	// Team covers everyone's time, not only the user's (admins only).
	Team bool `json:"team,omitempty"`
}

// TimeZone shows the user's time zone, or sets it to Zone: an IANA name or
// a unique city of the IANA database.
type TimeZone struct {
	Zone string `json:"zone,omitempty"`
}

// Undo reverses the same user's last change within the undo window.
type Undo struct{}

// Help shows usage, for one command when Topic is set.
type Help struct {
	Topic string `json:"topic,omitempty"`
}

// CommandName implementations.
func (Track) CommandName() string        { return "track" }
func (Stop) CommandName() string         { return "stop" }
func (AddTask) CommandName() string      { return "add task" }
func (CloseTask) CommandName() string    { return "close task" }
func (AddProject) CommandName() string   { return "add project" }
func (CloseProject) CommandName() string { return "close project" }
func (Log) CommandName() string          { return "log" }
func (DeleteEntry) CommandName() string  { return "delete entry" }
func (Status) CommandName() string       { return "status" }
func (Report) CommandName() string       { return "report" }
func (Undo) CommandName() string         { return "undo" }
func (TimeZone) CommandName() string     { return "tz" }
func (Help) CommandName() string         { return "help" }

// Clock is a time of day, in minutes since midnight (0 ≤ Clock < 24*60).
type Clock int

// NewClock returns the clock for h:m, or an error when out of range.
func NewClock(h, m int) (Clock, error) {
	if h < 0 || h > 23 || m < 0 || m > 59 {
		return 0, Errorf(EINVALID, "%d:%02d is not a time of day", h, m)
	}
	return Clock(h*60 + m), nil
}

func (c Clock) String() string { return fmt.Sprintf("%02d:%02d", int(c)/60, int(c)%60) }

// MarshalText encodes the clock as "HH:MM".
func (c Clock) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText decodes "HH:MM".
func (c *Clock) UnmarshalText(b []byte) error {
	var h, m int
	if _, err := fmt.Sscanf(string(b), "%d:%d", &h, &m); err != nil {
		return Errorf(EINVALID, "%q is not HH:MM", b)
	}
	v, err := NewClock(h, m)
	*c = v
	return err
}

// Amount is how much time a Log adds: a duration, or a clock range on the
// entry's day (when IsRange).
type Amount struct {
	Duration time.Duration `json:"duration,omitempty"`
	IsRange  bool          `json:"range,omitempty"`
	From     Clock         `json:"from,omitempty"`
	To       Clock         `json:"to,omitempty"`
}

// DayKind says how a Day is given.
type DayKind string

// Day kinds. The zero DayKind means today.
const (
	DayToday     DayKind = ""
	DayYesterday DayKind = "yesterday"
	DayWeekday   DayKind = "weekday"
	DayDate      DayKind = "date"
	DayMonthDay  DayKind = "month day"
	DayAgo       DayKind = "ago"
)

// Day is a calendar day relative to the user's today: today, yesterday, a
// weekday (the most recent one on or before today; with Last, the one a week
// before that), a date (YYYY-MM-DD), a day of a month (Month and MonthDay:
// this year, or last year when that is after today) or Ago days ago.
type Day struct {
	Kind     DayKind      `json:"kind,omitempty"`
	Weekday  time.Weekday `json:"weekday,omitempty"`
	Last     bool         `json:"last,omitempty"`
	Date     string       `json:"date,omitempty"`
	Month    time.Month   `json:"month,omitempty"`
	MonthDay int          `json:"day,omitempty"`
	Ago      int          `json:"ago,omitempty"`
}

// Resolve returns midnight of the day in loc, given the current time.
func (d Day) Resolve(now time.Time, loc *time.Location) (time.Time, error) {
	now = now.In(loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	switch d.Kind {
	case DayToday:
		return today, nil
	case DayYesterday:
		return today.AddDate(0, 0, -1), nil
	case DayWeekday:
		back := (int(today.Weekday()) - int(d.Weekday) + 7) % 7
		if d.Last {
			back += 7
		}
		return today.AddDate(0, 0, -back), nil
	case DayDate:
		t, err := time.ParseInLocation("2006-01-02", d.Date, loc)
		if err != nil {
			return time.Time{}, Errorf(EINVALID, "%q is not a date (YYYY-MM-DD)", d.Date)
		}
		return t, nil
	case DayMonthDay:
		return d.monthDay(today)
	case DayAgo:
		if d.Ago < 0 || d.Ago > MaxDaysAgo {
			return time.Time{}, Errorf(EINVALID, "%d days ago is more than %d days back", d.Ago, MaxDaysAgo)
		}
		return today.AddDate(0, 0, -d.Ago), nil
	}
	return time.Time{}, Errorf(EINVALID, "unknown day %q", d.Kind)
}

// PeriodKind says which period a Report covers.
type PeriodKind string

// Period kinds. The zero PeriodKind means today.
const (
	PeriodToday     PeriodKind = ""
	PeriodYesterday PeriodKind = "yesterday"
	PeriodWeek      PeriodKind = "week"
	PeriodMonth     PeriodKind = "month"
	PeriodLastWeek  PeriodKind = "last week"
	PeriodDate      PeriodKind = "date"
	PeriodLastMonth PeriodKind = "last month"
	PeriodRange     PeriodKind = "range"
)

// Period is the span a Report covers: for PeriodRange, the days Date to
// To, both included.
type Period struct {
	Kind PeriodKind `json:"kind,omitempty"`
	Date string     `json:"date,omitempty"`
	To   string     `json:"to,omitempty"`
}

// Resolve returns [from, to) of the period in loc. Weeks start on Monday.
func (p Period) Resolve(now time.Time, loc *time.Location) (from, to time.Time, err error) {
	now = now.In(loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	monday := today.AddDate(0, 0, -((int(today.Weekday()) + 6) % 7))
	switch p.Kind {
	case PeriodToday:
		return today, today.AddDate(0, 0, 1), nil
	case PeriodYesterday:
		return today.AddDate(0, 0, -1), today, nil
	case PeriodWeek:
		return monday, monday.AddDate(0, 0, 7), nil
	case PeriodLastWeek:
		return monday.AddDate(0, 0, -7), monday, nil
	case PeriodMonth:
		first := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, loc)
		return first, first.AddDate(0, 1, 0), nil
	case PeriodLastMonth:
		first := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, loc)
		return first.AddDate(0, -1, 0), first, nil
	case PeriodRange:
		return p.dateRange(loc)
	case PeriodDate:
		d, err := time.ParseInLocation("2006-01-02", p.Date, loc)
		if err != nil {
			return time.Time{}, time.Time{}, Errorf(EINVALID, "%q is not a date (YYYY-MM-DD)", p.Date)
		}
		return d, d.AddDate(0, 0, 1), nil
	}
	return time.Time{}, time.Time{}, Errorf(EINVALID, "unknown period %q", p.Kind)
}
