package parser

import (
	"strconv"
	"strings"

	"github.com/chatops/gateway/core"
)

// The conversion of entries, edit entry, continue, reopen and report's
// options (see grammar_entries.go).

func (c *converter) entries(t *entriesCmd) (core.Command, error) {
	switch {
	case t.Week != "":
		return core.Entries{Week: strings.ToLower(t.Week)}, nil
	case t.Day != nil && t.Day.Slashed != "":
		return nil, c.slashed(t.Day)
	case t.Day != nil:
		day, err := c.day(t.Day)
		if err != nil {
			return nil, err
		}
		return core.Entries{When: day}, nil
	}
	return core.Entries{}, nil
}

// entryNumber reads an entry id ("12" or "#12") at pos.
func (c *converter) entryNumber(t *entryID, hint string) (core.ID, error) {
	id, err := strconv.ParseInt(strings.TrimPrefix(t.Value, "#"), 10, 64)
	if err != nil || id <= 0 {
		return 0, c.fail(t.Pos.Column, hint, "%q is not an entry id", t.Value)
	}
	return core.ID(id), nil
}

func (c *converter) edit(t *editCmd) (core.Command, error) {
	const hint = "name the entry by its number (entries lists them), as in edit entry #12 9-11, or say edit entry last"
	var cmd core.EditEntry
	switch tg := t.Target; {
	case tg.Last:
		cmd.Last = true
	case tg.Value == "":
		return nil, c.fail(tg.Pos.Column, hint, "entry id missing")
	default:
		id, err := c.entryNumber(&entryID{Pos: tg.Pos, Value: tg.Value}, hint)
		if err != nil {
			return nil, err
		}
		cmd.ID = id
	}
	if len(t.Amount.Parts) > 0 {
		a, err := c.amount(t.Amount)
		if err != nil {
			return nil, err
		}
		cmd.Amount = &a
	}
	var d details
	if err := c.clauses(t.Clauses, &d, true); err != nil {
		return nil, err
	}
	if cmd.Amount != nil && cmd.Amount.IsRange && d.at != nil {
		return nil, c.fail(t.Amount.Pos.Column, "give a duration with at, as in edit entry #12 1h30m at 3pm",
			"a range has its own times: at goes with a duration")
	}
	cmd.Task, cmd.Project, cmd.At, cmd.Anyway = d.task, d.project, d.at, d.anyway
	if d.hasDay {
		day := d.day
		cmd.When = &day
	}
	if len(d.tags) > 0 {
		cmd.Tags = d.tags
	}
	if d.billable || d.nonbillable {
		b := d.billable
		cmd.Billable = &b
	}
	if t.Note != nil {
		n := t.Note.text()
		cmd.Note = &n
	}
	if cmd.Amount == nil && cmd.When == nil && cmd.At == nil && cmd.Task == "" && cmd.Project == "" &&
		cmd.Tags == nil && cmd.Billable == nil && cmd.Note == nil {
		return nil, c.fail(c.endColumn(), "give new times (9-11, 1h30m, at 3pm, yesterday), on TASK, in PROJECT, #tags, billable or nonbillable, or -- note",
			"nothing to change")
	}
	return cmd, nil
}

func (c *converter) continueEntry(t *entryID) (core.Command, error) {
	if t.Value == "" {
		return core.Continue{}, nil
	}
	id, err := c.entryNumber(t, "an entry id is a number, as in continue #1234; continue alone restarts your last entry")
	if err != nil {
		return nil, err
	}
	return core.Continue{ID: id}, nil
}

func (c *converter) reopen(t *reopenCmd) (core.Command, error) {
	col := t.Name.Pos.Column
	switch strings.ToLower(t.Kind) {
	case "":
		return nil, c.fail(col, "", `reopen what? say "reopen task" or "reopen project"`)
	case "project":
		project, err := c.name(t.Name.Pos, t.Name.Parts, "project")
		if err != nil {
			return nil, err
		}
		if t.Project != nil {
			return nil, c.fail(t.Project.Pos.Column, `quote a name that holds "in", as in "Log in page"`, "a project is not in a project")
		}
		return core.ReopenProject{Project: project}, nil
	}
	task, err := c.name(t.Name.Pos, t.Name.Parts, "task")
	if err != nil {
		return nil, err
	}
	cmd := core.ReopenTask{Task: task}
	if t.Project != nil {
		if cmd.Project, err = c.name(t.Project.Pos, t.Project.Parts, "project"); err != nil {
			return nil, err
		}
	}
	return cmd, nil
}

// groupings maps the words report accepts after by to core's groupings.
var groupings = map[string]string{
	"project": core.ByProject, "projects": core.ByProject,
	"task": core.ByTask, "tasks": core.ByTask,
	"tag": core.ByTag, "tags": core.ByTag,
	"user": core.ByUser, "users": core.ByUser, "person": core.ByUser, "people": core.ByUser,
	"billable": core.ByBillable,
}

// byHint says what a report may be grouped by.
const byHint = "group a report by project, task, tag, user or billable, as in report last week by task"

// reportWithOptions reads report: its period, then the options, which may
// come in any order, each at most once.
func (c *converter) reportWithOptions(t *reportCmd) (core.Command, error) {
	cmd, err := c.report(t)
	if err != nil {
		return nil, err
	}
	r := cmd.(core.Report)
	period := t.Period != nil
	for _, o := range t.Options {
		switch {
		case o.Period != nil:
			if period {
				return nil, c.fail(o.Pos.Column, periodHint, "period given twice")
			}
			period = true
			p, err := c.report(&reportCmd{Period: o.Period})
			if err != nil {
				return nil, err
			}
			r.Period = p.(core.Report).Period
		case o.CSV:
			if r.CSV {
				return nil, c.fail(o.Pos.Column, "", "csv given twice")
			}
			r.CSV = true
		case o.Team:
			if r.Team {
				return nil, c.fail(o.Pos.Column, "", "team given twice")
			}
			r.Team = true
		case o.By != nil:
			if r.By != "" {
				return nil, c.fail(o.Pos.Column, byHint, "by given twice")
			}
			if o.By.What == "" {
				return nil, c.fail(c.endColumn(), byHint, "by what?")
			}
			by, ok := groupings[strings.ToLower(o.By.What)]
			if !ok {
				return nil, c.fail(o.Pos.Column+3, byHint, "cannot group by %q", o.By.What)
			}
			r.By = by
		}
	}
	return r, nil
}
