package core

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// Summary is a report: the running timer and totals per group (project,
// task, tag, user or billable), sorted by time, with shares.
type Summary struct {
	Title   string        `json:"title"`
	From    time.Time     `json:"from"`
	To      time.Time     `json:"to"`
	By      string        `json:"by"`
	Team    bool          `json:"team,omitempty"`
	Running *RunningTimer `json:"running,omitempty"`
	Rows    []SummaryRow  `json:"rows"`
	Total   int64         `json:"total_seconds"`
}

// RunningTimer describes a running timer by name.
type RunningTimer struct {
	Entry   TimeEntry `json:"time_entry"`
	Task    string    `json:"task"`
	Project string    `json:"project"`
	Seconds int64     `json:"seconds"`
}

// SummaryRow is one group's total in a Summary. Name is the group's name:
// the project's, the task's, the tag's ("(no tag)" for untagged time), the
// user's, or "billable"/"non-billable". Project is the project of a
// task's row and the name of a project's row. An entry with two tags
// counts under both. Share is the whole percentage of the Summary's Total.
type SummaryRow struct {
	Name    string `json:"name"`
	Project string `json:"project,omitempty"`
	Seconds int64  `json:"seconds"`
	Entries int    `json:"entries"`
	Share   int    `json:"share"`
}

// report builds a Summary of the actor's own time, or with r.Team
// (admins only) of everyone's.
func (s *Service) report(ctx context.Context, ws Workspace, actor Actor, r Report, status bool) (*Result, error) {
	by := r.By
	switch by {
	case "":
		by = ByProject
	case ByProject, ByTask, ByTag, ByUser, ByBillable:
	default:
		return nil, Errorf(EINVALID, "a report is by project, task, tag, user or billable, not %q", r.By)
	}
	if r.Team && actor.User.Role != RoleAdmin {
		return nil, Errorf(EFORBIDDEN, "only admins can see the team's report; `report` without team shows yours")
	}
	loc := actor.User.Location()
	now := s.Now()
	from, to, err := r.Period.Resolve(now, loc)
	if err != nil {
		return nil, err
	}
	sum := &Summary{From: from.UTC(), To: to.UTC(), By: by, Team: r.Team}
	err = s.store.View(ctx, func(tx Tx) error {
		n := newNamer(tx, ws.ID)
		projectName := func(id ID) string {
			if id == 0 {
				return "(no project)"
			}
			if name := n.project(id); name != "" {
				return name
			}
			return fmt.Sprintf("project %d", id)
		}
		if run, err := tx.RunningEntry(ws.ID, actor.User.ID); err == nil {
			rt := &RunningTimer{Entry: run, Task: n.task(run.TaskID), Project: projectName(run.ProjectID), Seconds: int64(now.Sub(run.Start) / time.Second)}
			if run.ProjectID == 0 {
				rt.Project = ""
			}
			sum.Running = rt
		} else if ErrorCode(err) != ENOTFOUND {
			return err
		}
		f := EntryFilter{UserID: actor.User.ID, From: from.UTC(), To: to.UTC()}
		if r.Team {
			f.UserID = 0
		}
		entries, err := allEntries(tx, ws.ID, f)
		if err != nil {
			return err
		}
		type key struct {
			name    string
			project ID
		}
		rows := map[key]*SummaryRow{}
		add := func(k key, row SummaryRow, secs int64) {
			if _, ok := rows[k]; !ok {
				rows[k] = &row
			}
			rows[k].Seconds += secs
			rows[k].Entries++
		}
		for _, e := range entries {
			secs := EntrySeconds(e, from, to, now) // a row even for 0s: it was worked on
			sum.Total += secs
			switch by {
			case ByProject:
				name := projectName(e.ProjectID)
				add(key{name: NameKey(name)}, SummaryRow{Name: name, Project: name}, secs)
			case ByTask:
				name := n.task(e.TaskID)
				if name == "" {
					name = "(no task)"
				}
				row := SummaryRow{Name: name}
				if e.ProjectID != 0 {
					row.Project = projectName(e.ProjectID)
				}
				add(key{name: NameKey(name), project: e.ProjectID}, row, secs)
			case ByTag:
				if len(e.Tags) == 0 {
					add(key{name: "\x00"}, SummaryRow{Name: "(no tag)"}, secs)
				}
				seen := map[string]bool{} // a tag carried twice ("bug", "Bug") counts once
				for _, tag := range e.Tags {
					if k := NameKey(tag); !seen[k] {
						seen[k] = true
						add(key{name: k}, SummaryRow{Name: tag}, secs)
					}
				}
			case ByUser:
				name := n.user(e.UserID)
				if name == "" {
					name = fmt.Sprintf("user %d", e.UserID)
				}
				add(key{project: e.UserID}, SummaryRow{Name: name}, secs)
			case ByBillable:
				name := "non-billable"
				if e.Billable {
					name = "billable"
				}
				add(key{name: name}, SummaryRow{Name: name}, secs)
			}
		}
		for _, row := range rows {
			if sum.Total > 0 {
				row.Share = int(math.Round(100 * float64(row.Seconds) / float64(sum.Total)))
			}
			sum.Rows = append(sum.Rows, *row)
		}
		slices.SortFunc(sum.Rows, func(a, b SummaryRow) int {
			if a.Seconds != b.Seconds {
				return cmp.Compare(b.Seconds, a.Seconds)
			}
			if c := cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)); c != 0 {
				return c
			}
			return cmp.Compare(a.Project, b.Project)
		})
		return nil
	})
	if err != nil {
		return nil, err
	}
	sum.Title = PeriodTitle(r.Period, from, loc)
	res := &Result{Command: "report", Report: sum, User: actor.User, At: now}
	if status {
		res.Command = "status"
	}
	return res, nil
}

// PeriodTitle names a report's period as chat shows it: "Today",
// "Yesterday", "This week", "Last week", the month ("November 2026"), the
// day ("Wed 18 Nov 2026"), or a range's first and last days ("Mon 2 Nov
// 2026 – Mon 30 Nov 2026"). from is the period's start (Period.Resolve)
// and loc the zone it was resolved in. Scheduled reports use it too.
func PeriodTitle(p Period, from time.Time, loc *time.Location) string {
	switch p.Kind {
	case PeriodToday:
		return "Today"
	case PeriodYesterday:
		return "Yesterday"
	case PeriodWeek:
		return "This week"
	case PeriodLastWeek:
		return "Last week"
	case PeriodMonth, PeriodLastMonth:
		return from.In(loc).Format("January 2006")
	case PeriodRange:
		to, _ := time.ParseInLocation(time.DateOnly, p.To, loc)
		return from.In(loc).Format("Mon 2 Jan 2006") + " – " + to.Format("Mon 2 Jan 2006")
	}
	return from.In(loc).Format("Mon 2 Jan 2006")
}
