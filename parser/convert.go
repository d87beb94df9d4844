package parser

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2/lexer"

	"github.com/chatops/gateway/core"
)

// converter turns a parse tree into a core.Command, checking what the
// grammar leaves open: missing names, parts given twice, amounts and dates.
type converter struct {
	text    string // the normalized text
	example string // the example for errors
}

// fail returns an *Error at col.
func (c *converter) fail(col int, hint, format string, args ...any) error {
	return &Error{Column: col, Message: fmt.Sprintf(format, args...), Example: c.example, Hint: hint}
}

// endColumn is the column one past the last rune.
func (c *converter) endColumn() int {
	return utf8.RuneCountInString(c.text) + 1
}

func (c *converter) command(t *command) (core.Command, error) {
	switch {
	case t.Track != nil:
		return c.track(t.Track)
	case t.Stop != nil:
		return core.Stop{Note: t.Stop.Note.text()}, nil
	case t.AddTask != nil:
		return c.addTask(t.AddTask)
	case t.AddProject != nil:
		return c.addProject(t.AddProject)
	case t.Log != nil:
		return c.log(t.Log)
	case t.Close != nil:
		return c.close(t.Close)
	case t.Delete != nil:
		return c.deleteEntry(t.Delete)
	case t.Status:
		return core.Status{}, nil
	case t.Report != nil:
		return c.reportWithOptions(t.Report)
	case t.Undo:
		return core.Undo{}, nil
	case t.Notify != nil:
		return c.notify(t.Notify)
	case t.TimeZone != nil:
		return core.TimeZone{Zone: joinName(t.TimeZone.Zone)}, nil
	case t.Entries != nil:
		return c.entries(t.Entries)
	case t.Edit != nil:
		return c.edit(t.Edit)
	case t.Continue != nil:
		return c.continueEntry(t.Continue)
	case t.Reopen != nil:
		return c.reopen(t.Reopen)
	case t.Who:
		return core.Who{}, nil
	case t.Remind != nil:
		return c.remind(t.Remind)
	case t.Schedules != nil:
		return c.schedules(t.Schedules)
	}
	return c.help(t.Help)
}

func (c *converter) track(t *trackCmd) (core.Command, error) {
	task, err := c.name(t.Task.Pos, t.Task.Parts, "task")
	if err != nil {
		return nil, err
	}
	d := details{task: task}
	if err := c.clauses(t.Clauses, &d, false); err != nil {
		return nil, err
	}
	return core.Track{Task: task, Project: d.project, Tags: d.tags, Billable: d.billable, Note: t.Note.text()}, nil
}

func (c *converter) log(t *logCmd) (core.Command, error) {
	amount, err := c.amount(t.Amount)
	if err != nil {
		return nil, err
	}
	var d details
	if err := c.clauses(t.Clauses, &d, true); err != nil {
		return nil, err
	}
	if amount.IsRange && d.at != nil {
		return nil, c.fail(t.Amount.Pos.Column, "give a duration with at, as in log 1h30m on Review in Web yesterday at 3pm",
			"a range has its own times: at goes with a duration")
	}
	return core.Log{
		Amount:   amount,
		Task:     d.task,
		Project:  d.project,
		When:     d.day,
		Tags:     d.tags,
		Billable: d.billable,
		At:       d.at,
		Anyway:   d.anyway,
		Note:     t.Note.text(),
	}, nil
}

func (c *converter) addTask(t *addTaskCmd) (core.Command, error) {
	task, err := c.name(t.Task.Pos, t.Task.Parts, "task")
	if err != nil {
		return nil, err
	}
	if t.Project == nil {
		return nil, c.fail(c.endColumn(), "name the project with in PROJECT", "project missing")
	}
	project, err := c.name(t.Project.Pos, t.Project.Parts, "project")
	if err != nil {
		return nil, err
	}
	return core.AddTask{Task: task, Project: project}, nil
}

func (c *converter) addProject(t *addProjectCmd) (core.Command, error) {
	project, err := c.name(t.Project.Pos, t.Project.Parts, "project")
	if err != nil {
		return nil, err
	}
	cmd := core.AddProject{Project: project}
	if t.Client != nil {
		if cmd.Client, err = c.name(t.Client.Pos, t.Client.Parts, "client"); err != nil {
			return nil, err
		}
	}
	return cmd, nil
}

func (c *converter) close(t *closeCmd) (core.Command, error) {
	verb, kind := strings.ToLower(t.Verb), strings.ToLower(t.Kind)
	col := t.Name.Pos.Column
	switch {
	case verb == "close" && kind == "":
		return nil, c.fail(col, "", `close what? say "close task" or "close project"`)
	case verb == "archive" && kind == "task":
		return nil, c.fail(col, "say close task "+t.Name.text(), "%q closes a project, not a task", t.Verb)
	case kind == "project" && verb != "close" && verb != "archive":
		return nil, c.fail(col, `say close project `+t.Name.text()+`, or quote a task name that starts with "project"`,
			"%q closes a task, not a project", t.Verb)
	case kind == "project" || verb == "archive":
		project, err := c.name(t.Name.Pos, t.Name.Parts, "project")
		if err != nil {
			return nil, err
		}
		if t.Project != nil {
			return nil, c.fail(t.Project.Pos.Column, `quote a name that holds "in", as in "Log in page"`, "a project is not in a project")
		}
		return core.CloseProject{Project: project}, nil
	}
	task, err := c.name(t.Name.Pos, t.Name.Parts, "task")
	if err != nil {
		return nil, err
	}
	cmd := core.CloseTask{Task: task}
	if t.Project != nil {
		if cmd.Project, err = c.name(t.Project.Pos, t.Project.Parts, "project"); err != nil {
			return nil, err
		}
	}
	return cmd, nil
}

func (c *converter) deleteEntry(t *entryID) (core.Command, error) {
	const hint = "an entry id is a number, as in #1234"
	if t.Value == "" {
		return nil, c.fail(t.Pos.Column, hint, "entry id missing")
	}
	id, err := strconv.ParseInt(strings.TrimPrefix(t.Value, "#"), 10, 64)
	if err != nil || id <= 0 {
		return nil, c.fail(t.Pos.Column, hint, "%q is not an entry id", t.Value)
	}
	return core.DeleteEntry{ID: core.ID(id)}, nil
}

func (c *converter) report(t *reportCmd) (core.Command, error) {
	p := t.Period
	switch {
	case p == nil || p.Today:
		return core.Report{}, nil
	case p.Yesterday:
		return core.Report{Period: core.Period{Kind: core.PeriodYesterday}}, nil
	case p.LastWeek:
		return core.Report{Period: core.Period{Kind: core.PeriodLastWeek}}, nil
	case p.Week:
		return core.Report{Period: core.Period{Kind: core.PeriodWeek}}, nil
	case p.Month:
		return core.Report{Period: core.Period{Kind: core.PeriodMonth}}, nil
	case p.LastMonth:
		return core.Report{Period: core.Period{Kind: core.PeriodLastMonth}}, nil
	case p.Range != "":
		from, to, ok := strings.Cut(p.Range, "..")
		if !ok {
			return nil, c.fail(p.Pos.Column, periodHint, "%q is not a period", p.Range)
		}
		for _, d := range []string{from, to} {
			if err := c.date(p.Pos, d); err != nil {
				return nil, err
			}
		}
		if to < from {
			return nil, c.fail(p.Pos.Column, periodHint, "the range %s ends before it starts", p.Range)
		}
		return core.Report{Period: core.Period{Kind: core.PeriodRange, Date: from, To: to}}, nil
	}
	if err := c.date(p.Pos, p.Date); err != nil {
		return nil, err
	}
	return core.Report{Period: core.Period{Kind: core.PeriodDate, Date: p.Date}}, nil
}

func (c *converter) help(t *helpCmd) (core.Command, error) {
	words := t.Topic
	if len(words) == 0 {
		return core.Help{}, nil
	}
	col := t.Pos.Column
	if len(words) == 1 {
		switch strings.ToLower(words[0]) {
		case "add":
			return nil, c.fail(col, "help add task, help add project or help log", "help on which add?")
		case "close":
			return nil, c.fail(col, "help close task or help close project", "help on which close?")
		}
	}
	name, n := commandOf(words)
	if name == "" || n < len(words) {
		return nil, c.fail(col, commandList, "no command %q", strings.Join(words, " "))
	}
	if strings.HasPrefix(name, "notify") {
		name = "notify" // one help covers notify, notify list and notify off
	}
	if strings.HasPrefix(name, "reopen") {
		name = "reopen" // and one reopen task and reopen project
	}
	return core.Help{Topic: name}, nil
}

// details collects the clauses of track and log.
type details struct {
	task, project         string
	day                   core.Day
	hasDay                bool
	at                    *core.Clock
	anyway                bool
	tags                  []string
	billable, nonbillable bool
}

// clauses reads cs into d; a day is refused unless allowDay.
func (c *converter) clauses(cs []*clause, d *details, allowDay bool) error {
	for _, cl := range cs {
		col := cl.Pos.Column
		switch {
		case cl.Day != nil && cl.Day.Slashed != "":
			return c.slashed(cl.Day)
		case cl.At != "" || cl.Anyway:
			if !allowDay {
				word := strings.Fields(wordAt(c.text, cl.Pos.Offset))[0]
				return c.fail(col, fmt.Sprintf("track starts a timer now: use log for time at another time; quote a name that holds %q", word),
					"track takes no %q", strings.ToLower(word))
			}
			if cl.Anyway {
				d.anyway = true
				continue
			}
			if d.at != nil {
				return c.fail(col, "", "time of day given twice")
			}
			at, err := c.at(cl)
			if err != nil {
				return err
			}
			d.at = &at
		case cl.Day != nil:
			if !allowDay {
				word := wordAt(c.text, cl.Day.Pos.Offset)
				return c.fail(cl.Day.Pos.Column, fmt.Sprintf("track starts a timer now: use log for time on another day; quote a name that holds %q", word),
					"track takes no day")
			}
			if d.hasDay {
				return c.fail(cl.Day.Pos.Column, "", "day given twice")
			}
			day, err := c.day(cl.Day)
			if err != nil {
				return err
			}
			d.day, d.hasDay = day, true
		case cl.Task != nil:
			if d.task != "" {
				return c.fail(col, `quote a name that holds "on"`, "task given twice")
			}
			task, err := c.name(cl.Task.Pos, cl.Task.Parts, "task")
			if err != nil {
				return err
			}
			d.task = task
		case cl.Project != nil:
			if d.project != "" {
				return c.fail(col, `quote a name that holds "in", as in "Log in page"`, "project given twice")
			}
			project, err := c.name(cl.Project.Pos, cl.Project.Parts, "project")
			if err != nil {
				return err
			}
			d.project = project
		case cl.Tag != "":
			tag := cl.Tag[1:]
			if !containsFold(d.tags, tag) {
				d.tags = append(d.tags, tag)
			}
		case cl.Billable:
			if d.nonbillable {
				return c.fail(col, "", "both billable and nonbillable")
			}
			d.billable = true
		case cl.Nonbillable:
			if d.billable {
				return c.fail(col, "", "both billable and nonbillable")
			}
			d.nonbillable = true
		}
	}
	return nil
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// name joins the parts of a name, unquoting quoted parts and collapsing
// spaces; an empty name is an error "<what> name missing" at pos.
func (c *converter) name(pos lexer.Position, parts []string, what string) (string, error) {
	s := joinName(parts)
	if s == "" {
		return "", c.fail(pos.Column, "", "%s name missing", what)
	}
	return s, nil
}

// text returns the name as written, unquoted.
func (n *name) text() string { return joinName(n.Parts) }

func joinName(parts []string) string {
	words := make([]string, 0, len(parts))
	for _, p := range parts {
		if p[0] == '"' || p[0] == '\'' {
			p = p[1 : len(p)-1]
		}
		words = append(words, strings.Fields(p)...)
	}
	return strings.Join(words, " ")
}

// text returns the note without its "--", or "" for no note.
func (n *note) text() string {
	if n == nil {
		return ""
	}
	return strings.TrimSpace(strings.TrimPrefix(n.Text, "--"))
}

func (c *converter) day(d *day) (core.Day, error) {
	switch {
	case d.Today:
		return core.Day{}, nil
	case d.Yesterday:
		return core.Day{Kind: core.DayYesterday}, nil
	case d.Weekday != "":
		return core.Day{
			Kind:    core.DayWeekday,
			Weekday: weekdays[strings.ToLower(d.Weekday)],
			Last:    strings.EqualFold(d.Relative, "last"),
		}, nil
	case d.MonthDay != "":
		return c.monthDay(d)
	case d.Ago != "":
		n, err := strconv.Atoi(strings.Fields(d.Ago)[0])
		if err != nil || n > core.MaxDaysAgo {
			return core.Day{}, c.fail(d.Pos.Column, "", "%q reaches back more than %d days", d.Ago, core.MaxDaysAgo)
		}
		return core.Day{Kind: core.DayAgo, Ago: n}, nil
	}
	if err := c.date(d.Pos, d.Date); err != nil {
		return core.Day{}, err
	}
	return core.Day{Kind: core.DayDate, Date: d.Date}, nil
}

// daysIn is the most days each month has.
var daysIn = [13]int{0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}

// monthDay reads "1 Dec" or "Dec 1".
func (c *converter) monthDay(d *day) (core.Day, error) {
	words := strings.Fields(d.MonthDay)
	num, month := words[0], words[1]
	if num[0] > '9' {
		num, month = month, num
	}
	n, _ := strconv.Atoi(num)
	folded, _ := foldWord(month)
	m := months[folded]
	if n < 1 || n > daysIn[m] {
		return core.Day{}, c.fail(d.Pos.Column, "", "%s has no day %d", m, n)
	}
	return core.Day{Kind: core.DayMonthDay, Month: m, MonthDay: n}, nil
}

// slashed refuses a slashed date, which reads differently around the world.
func (c *converter) slashed(d *day) error {
	return c.fail(d.Pos.Column, "write the date as YYYY-MM-DD (2026-12-01) or as day and month (1 Dec)",
		"%q is not a date: slashed dates are ambiguous", d.Slashed)
}

// at reads "at 3pm", "at 3 pm" or "at 15:00".
func (c *converter) at(cl *clause) (core.Clock, error) {
	s := strings.ToLower(strings.Join(strings.Fields(cl.At)[1:], ""))
	k, _ := readClock(s)
	at, err := k.of()
	if err != nil {
		return 0, c.fail(cl.Pos.Column, "hours run 0-23, or 1-12 with am or pm", "%q is not a time of day", s)
	}
	return at, nil
}

// date checks that s, written as YYYY-MM-DD, is a date of the calendar.
func (c *converter) date(pos lexer.Position, s string) error {
	if _, err := time.Parse(time.DateOnly, s); err != nil {
		return c.fail(pos.Column, "dates are YYYY-MM-DD", "%q is not a date", s)
	}
	return nil
}

func (c *converter) amount(a *amount) (core.Amount, error) {
	if len(a.Parts) == 0 {
		return core.Amount{}, c.fail(a.Pos.Column, "give a duration like 1h30m or a range like 9-11", "amount of time missing")
	}
	amount, e := parseAmount(strings.ToLower(strings.Join(a.Parts, "")))
	if e != nil {
		e.Column, e.Example = a.Pos.Column, c.example
		return core.Amount{}, e
	}
	return amount, nil
}
