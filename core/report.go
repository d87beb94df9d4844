package core

import (
	"context"
	"fmt"
	"time"
)

// Summary is a report: the running timer and time per project.
type Summary struct {
	Title   string        `json:"title"`
	From    time.Time     `json:"from"`
	To      time.Time     `json:"to"`
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

// SummaryRow is one project's total in a Summary.
type SummaryRow struct {
	Project string `json:"project"`
	Seconds int64  `json:"seconds"`
	Entries int    `json:"entries"`
}

// report builds a Summary of the actor's own time.
func (s *Service) report(ctx context.Context, ws Workspace, actor Actor, period Period, status bool) (*Result, error) {
	loc := actor.User.Location()
	now := s.Now()
	from, to, err := period.Resolve(now, loc)
	if err != nil {
		return nil, err
	}
	sum := &Summary{From: from.UTC(), To: to.UTC()}
	err = s.store.View(ctx, func(tx Tx) error {
		names := map[ID]string{}
		projectName := func(id ID) string {
			if id == 0 {
				return "(no project)"
			}
			if n, ok := names[id]; ok {
				return n
			}
			n := fmt.Sprintf("project %d", id)
			if p, err := tx.Project(ws.ID, id); err == nil {
				n = p.Name
			}
			names[id] = n
			return n
		}
		if run, err := tx.RunningEntry(ws.ID, actor.User.ID); err == nil {
			rt := &RunningTimer{Entry: run, Project: projectName(run.ProjectID), Seconds: int64(now.Sub(run.Start) / time.Second)}
			if t, err := tx.Task(ws.ID, run.TaskID); err == nil {
				rt.Task = t.Name
			}
			if run.ProjectID == 0 {
				rt.Project = ""
			}
			sum.Running = rt
		} else if ErrorCode(err) != ENOTFOUND {
			return err
		}
		rows := map[string]*SummaryRow{}
		var order []string
		page := Page{Limit: MaxPageLimit}
		for {
			entries, err := tx.ListEntries(ws.ID, EntryFilter{UserID: actor.User.ID, From: from.UTC(), To: to.UTC()}, page)
			if err != nil {
				return err
			}
			for _, e := range entries {
				secs := EntrySeconds(e, from, to, now) // a row even for 0s: the project was worked on
				name := projectName(e.ProjectID)
				r, ok := rows[name]
				if !ok {
					r = &SummaryRow{Project: name}
					rows[name] = r
					order = append(order, name)
				}
				r.Seconds += secs
				r.Entries++
				sum.Total += secs
			}
			if len(entries) < page.Limit {
				break
			}
			page.After = entries[len(entries)-1].ID
		}
		for _, n := range order {
			sum.Rows = append(sum.Rows, *rows[n])
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sum.Title = periodTitle(period, from, loc)
	res := &Result{Command: "report", Report: sum, User: actor.User, At: now}
	if status {
		res.Command = "status"
	}
	return res, nil
}

func periodTitle(p Period, from time.Time, loc *time.Location) string {
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
