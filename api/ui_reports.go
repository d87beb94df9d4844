package api

import (
	"bytes"
	"html/template"
	"net/http"
	"net/url"
	"time"

	"github.com/chatops/gateway/core"
)

// The console's report: the viewer's own time of a period by project, as
// the chat's report command gives it (core.Report), and the period as CSV
// downloads: grouped (core.WriteReportCSV) and every entry
// (core.WriteEntriesCSV), with the API's role rules (a member's own time,
// an admin's everyone's when asked). GET forms: a report changes nothing.

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
	// GroupFields are the download's group_by choices; Admin may ask
	// for everyone's time.
	GroupFields []string
	Admin       bool
	// Download is the query of the download links ("" while the form
	// has errors).
	Download template.URL
}

// reports shows the period's report (this week by default).
func (u *webUI) reports(w http.ResponseWriter, r *http.Request, sess session) error {
	f, p, _ := u.reportForm(r, sess)
	v := reportView{uiView: sectionView(sess, "Reports", "reports"), Form: f, Periods: reportPeriods,
		GroupFields: core.GroupFields, Admin: sess.actor.User.Role == core.RoleAdmin}
	if !f.Failed() {
		v.Download = reportDownloadQuery(f)
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
		v.Download = ""
		status = http.StatusUnprocessableEntity
	}
	return u.render(w, status, "reports", v)
}

// reportForm reads the report page's query: the period (this week by
// default), and for the downloads group_by (checkboxes; project when none)
// and everyone (an admin's choice). Errors are on the form's fields.
func (u *webUI) reportForm(r *http.Request, sess session) (*form, core.Period, core.ReportQuery) {
	q := r.URL.Query()
	f := &form{Values: q, Errors: map[string]string{}}
	if f.Val("period") == "" {
		f.Values = url.Values{"period": {"week"}}
		for _, k := range []string{"group_by", "everyone"} {
			if vs, ok := q[k]; ok {
				f.Values[k] = vs
			}
		}
	}
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
	var rq core.ReportQuery
	by, err := core.ParseGroupBy(f.Vals("group_by"))
	if err != nil {
		f.fail("group_by", "Group by some of user, project, task, tag and billable, each once.")
	}
	rq.GroupBy = by
	rq.Everyone = f.Val("everyone") != "" && sess.actor.User.Role == core.RoleAdmin
	if !f.Failed() {
		from, to, err := p.Resolve(u.s.svc.Now(), sess.actor.User.Location())
		switch {
		case err != nil:
			f.fail("to", core.ErrorMessage(err))
		case !to.After(from):
			f.fail("to", "The last day comes before the first.")
		}
		rq.From, rq.To = from.UTC(), to.UTC()
	}
	return f, p, rq
}

// reportDownloadQuery is the query of the page's download links: the
// page's own, so a download covers what the page shows.
func reportDownloadQuery(f *form) template.URL {
	q := url.Values{}
	for _, k := range []string{"period", "from", "to", "group_by", "everyone"} {
		if vs := f.Values[k]; len(vs) > 0 && (len(vs) > 1 || vs[0] != "") {
			q[k] = vs
		}
	}
	return template.URL(q.Encode()) // #nosec: encoded here, only the page's own fields
}

// reportCSV downloads the page's period as a grouped report (CSV, the
// API's columns), of the viewer's own time or, for an admin who asks,
// everyone's. Bad input shows the page again with the error.
func (u *webUI) reportCSV(w http.ResponseWriter, r *http.Request, sess session) error {
	f, _, rq := u.reportForm(r, sess)
	if f.Failed() {
		return u.reports(w, r, sess)
	}
	rep, err := u.s.svc.ReportTotals(r.Context(), sess.actor, rq)
	if err != nil {
		return err
	}
	return writeReport(w, rep, "csv")
}

// entriesCSV downloads every entry of the page's period (CSV, the API's
// columns): the viewer's own or, for an admin who asks, everyone's.
func (u *webUI) entriesCSV(w http.ResponseWriter, r *http.Request, sess session) error {
	f, _, rq := u.reportForm(r, sess)
	if f.Failed() {
		return u.reports(w, r, sess)
	}
	filter := core.EntryFilter{From: rq.From, To: rq.To}
	if !rq.Everyone {
		filter.UserID = sess.actor.User.ID
	}
	rows, err := u.s.svc.EntryRows(r.Context(), sess.actor, filter)
	if err != nil {
		return err
	}
	return writeCSV(w, "time-entries.csv", func(b *bytes.Buffer) error { return core.WriteEntriesCSV(b, rows) })
}
