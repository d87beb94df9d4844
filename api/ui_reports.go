package api

import (
	"net/http"
	"time"

	"github.com/chatops/gateway/core"
)

// The console's report: the viewer's own time of a period by project, as
// the chat's report command gives it (core.Report). A GET form: a report
// changes nothing.

// reportPeriods are the periods the form offers, by the value it sends.
var reportPeriods = []struct{ Value, Label string }{
	{"today", "Today"}, {"yesterday", "Yesterday"}, {"week", "This week"}, {"last week", "Last week"},
	{"month", "This month"}, {"last month", "Last month"}, {"range", "From … to …"},
}

type reportRow struct {
	Project  string
	Entries  int
	Duration string
}

type reportView struct {
	uiView
	Form    *form
	Periods []struct{ Value, Label string }
	Summary *core.Summary
	Rows    []reportRow
	Total   string
	From    string
	To      string
	Running string
}

// reports shows the period's report (this week by default).
func (u *webUI) reports(w http.ResponseWriter, r *http.Request, sess session) error {
	q := r.URL.Query()
	f := &form{Values: q, Errors: map[string]string{}}
	if f.Val("period") == "" {
		f.Values = map[string][]string{"period": {"week"}}
	}
	v := reportView{uiView: sectionView(sess, "Reports", "reports"), Form: f, Periods: reportPeriods}
	p := core.Period{Kind: core.PeriodKind(f.Val("period"))}
	switch p.Kind {
	case "today":
		p.Kind = core.PeriodToday
	case core.PeriodRange:
		p.Date, p.To = f.Val("from"), f.Val("to")
		if _, err := time.Parse(time.DateOnly, p.Date); err != nil {
			f.fail("from", "Enter the first day, such as 2026-11-02.")
		}
		if _, err := time.Parse(time.DateOnly, p.To); err != nil {
			f.fail("to", "Enter the last day, such as 2026-11-30.")
		}
	case core.PeriodYesterday, core.PeriodWeek, core.PeriodLastWeek, core.PeriodMonth, core.PeriodLastMonth:
	default:
		f.fail("period", "Choose one of the periods.")
	}
	if !f.Failed() {
		res, err := u.s.svc.Execute(r.Context(), sess.actor, core.Report{Period: p})
		if err == nil && res.Report != nil {
			s := res.Report
			v.Summary, v.Total = s, durationText(time.Duration(s.Total)*time.Second)
			loc := sess.actor.User.Location()
			v.From, v.To = s.From.In(loc).Format("Mon 2006-01-02"), s.To.Add(-time.Nanosecond).In(loc).Format("Mon 2006-01-02")
			for _, row := range s.Rows {
				v.Rows = append(v.Rows, reportRow{Project: row.Project, Entries: row.Entries,
					Duration: durationText(time.Duration(row.Seconds) * time.Second)})
			}
			if rt := s.Running; rt != nil {
				v.Running = rt.Task + " in " + rt.Project + ", " + durationText(time.Duration(rt.Seconds)*time.Second) + " so far"
			}
		} else if err != nil && !f.refused(err, "", map[string][]string{"from": {"\"", "from"}, "to": {"to", "the end"}}) {
			return err
		}
	}
	status := http.StatusOK
	if f.Failed() {
		status = http.StatusUnprocessableEntity
	}
	return u.render(w, status, "reports", v)
}
