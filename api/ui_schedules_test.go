package api_test

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chatops/gateway/core"
)

// The console's CSV downloads of the Reports page and its Schedules page.

// schedule stores a scheduled report of u's to a Slack channel (its id),
// through subscription sub (the target is not used here).
func (e *uiEnv) schedule(u core.User, channel, sub string) string {
	e.t.Helper()
	ws, err := e.svc.Workspace(e.ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	subID, err := core.ParseID(sub)
	if err != nil {
		e.t.Fatal(err)
	}
	now := e.clock.Now()
	sc := core.Schedule{WorkspaceID: ws.ID, UserID: u.ID, Channel: "slack:T1:" + channel, SubscriptionID: subID,
		Period: core.Period{Kind: core.PeriodWeek}, At: 16 * 60, Days: core.Weekdays(0).With(time.Friday), Zone: "UTC",
		NextAt: now.Add(24 * time.Hour), CreatedAt: now}
	if err := e.store.Update(e.ctx, func(tx core.Tx) error { return tx.CreateSchedule(&sc) }); err != nil {
		e.t.Fatal(err)
	}
	return sc.ID.String()
}

// remind stores u's reminder at 17:30 on working days.
func (e *uiEnv) remind(u core.User, sub string) {
	e.t.Helper()
	ws, err := e.svc.Workspace(e.ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	subID, _ := core.ParseID(sub)
	now := e.clock.Now()
	r := core.Reminder{WorkspaceID: ws.ID, UserID: u.ID, At: 17*60 + 30, Days: core.WorkingDays, SubscriptionID: subID,
		NextAt: now.Add(time.Hour), CreatedAt: now, UpdatedAt: now}
	if err := e.store.Update(e.ctx, func(tx core.Tx) error { return tx.PutReminder(&r) }); err != nil {
		e.t.Fatal(err)
	}
}

// csvOf reads a download: 200, text/csv, an attachment, and its rows.
func csvOf(t *testing.T, what string, p page) [][]string {
	t.Helper()
	if p.status != http.StatusOK {
		t.Fatalf("%s: %d: %.300s", what, p.status, p.body)
	}
	if ct := p.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("%s: Content-Type %q", what, ct)
	}
	if cd := p.header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, ".csv") {
		t.Errorf("%s: Content-Disposition %q", what, cd)
	}
	rows, err := csv.NewReader(strings.NewReader(p.body)).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v: %s", what, err, p.body)
	}
	return rows
}

func TestUIReportsCSV(t *testing.T) {
	e := newUIEnv(t, uiEnvOptions{})
	task := e.task("Website", "Fix login")
	e.entry(e.mia, task, 3*24*time.Hour, "mia")
	e.entry(e.mia, task, 3*24*time.Hour+time.Hour, "mia again")
	e.entry(e.bob, task, 3*24*time.Hour, "bob")
	day := e.clock.Now().Add(-3 * 24 * time.Hour)
	period := "period=range&from=" + day.AddDate(0, 0, -1).Format(time.DateOnly) + "&to=" + day.AddDate(0, 0, 1).Format(time.DateOnly)
	member, admin := e.login(e.member), e.login(e.admin)

	// The page links the downloads of what it shows.
	p := e.get("/ui/reports?"+period+"&group_by=user&group_by=project", member)
	contains(t, "the report page", p.body, `id="download-form"`, `href="/ui/reports/csv?`, `href="/ui/reports/entries/csv?`,
		`value="user" checked`, `value="project" checked`)
	lacks(t, "a member's report page", p.body, `name="everyone"`)

	// A member's report is their own, even when they ask for everyone's.
	rows := csvOf(t, "member's report", e.get("/ui/reports/csv?"+period+"&group_by=user,project&everyone=1", member))
	want := [][]string{{"user", "project", "seconds", "hours"}, {"Mia", "Website", "3600", "1.00"}}
	if !slices.EqualFunc(rows, want, slices.Equal) {
		t.Errorf("member's report CSV %q, want %q", rows, want)
	}
	rows = csvOf(t, "member's default report", e.get("/ui/reports/csv?"+period, member))
	if len(rows) != 2 || !slices.Equal(rows[0], []string{"project", "seconds", "hours"}) || rows[1][1] != "3600" {
		t.Errorf("member's report by project %q", rows)
	}
	rows = csvOf(t, "member's entries", e.get("/ui/reports/entries/csv?"+period+"&everyone=1", member))
	if len(rows) != 3 || !slices.Equal(rows[0], core.EntryColumns) || rows[1][1] != "Mia" || rows[2][1] != "Mia" {
		t.Errorf("member's entries CSV %q", rows)
	}

	// An admin's is their own unless they ask for everyone's.
	rows = csvOf(t, "admin's own report", e.get("/ui/reports/csv?"+period+"&group_by=user", admin))
	if len(rows) != 1 {
		t.Errorf("admin's own report %q, want only the header (the admin logged nothing)", rows)
	}
	p = e.get("/ui/reports?"+period, admin)
	contains(t, "an admin's report page", p.body, `name="everyone"`)
	rows = csvOf(t, "everyone's report", e.get("/ui/reports/csv?"+period+"&group_by=user&everyone=1", admin))
	want = [][]string{{"user", "seconds", "hours"}, {"Mia", "3600", "1.00"}, {"Bob", "1800", "0.50"}}
	if !slices.EqualFunc(rows, want, slices.Equal) {
		t.Errorf("everyone's report CSV %q, want %q", rows, want)
	}
	rows = csvOf(t, "everyone's entries", e.get("/ui/reports/entries/csv?"+period+"&everyone=1", admin))
	if len(rows) != 4 {
		t.Errorf("everyone's entries CSV has %d rows, want a header and 3", len(rows))
	}

	// Bad input: the page again, with the error beside its field.
	for q, field := range map[string]string{
		"period=range&from=someday&to=2026-11-30": "from-error", "period=fortnight": "period-error",
		"period=week&group_by=colour": "group_by-error", "period=week&group_by=user&group_by=user": "group_by-error",
		"period=range&from=2026-11-30&to=2026-11-01": "to-error"} {
		for _, path := range []string{"/ui/reports/csv?", "/ui/reports/entries/csv?", "/ui/reports?"} {
			p := e.get(path+q, member)
			if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `id="`+field+`"`) ||
				!strings.HasPrefix(p.header.Get("Content-Type"), "text/html") {
				t.Errorf("%s%s: %d %s: %s", path, q, p.status, p.header.Get("Content-Type"), errorsOf(p.body))
			}
			lacks(t, path+q, p.body, `id="report-csv"`)
		}
	}
	// Without a session, the login page, not a file.
	if p := e.get("/ui/reports/csv?"+period, nil); p.status != http.StatusUnauthorized || strings.Contains(p.header.Get("Content-Type"), "csv") {
		t.Errorf("report CSV without a session: %d %s", p.status, p.header.Get("Content-Type"))
	}
}

func TestUISchedules(t *testing.T) {
	e := newUIEnv(t, uiEnvOptions{})
	hook := e.hook(e.admin, "target")
	bosses := e.schedule(e.boss, "C1", hook) // the target is no channel's: the channel shows by id
	design, err := e.wh.SubscribeChannel(e.ctx, core.Actor{User: e.mia}, core.Channel{Key: "slack:T1:C2", Format: "standard", Name: "design"},
		e.rc.URL(), []string{core.EventWebhookPing})
	if err != nil {
		t.Fatal(err)
	}
	mias := e.schedule(e.mia, "C2", design.ID.String()) // the channel's own target: by name
	e.remind(e.mia, hook)
	member, admin := e.login(e.member), e.login(e.admin)
	memberCSRF := e.csrf(member)

	p := e.get("/ui/schedules", admin)
	contains(t, "admin's schedules", p.body, `id="schedule-`+bosses+`"`, `id="schedule-`+mias+`"`, "Slack channel C1 (team T1)", "#design on Slack",
		`id="no-reminder"`, "The workspace's scheduled reports")
	p = e.get("/ui/schedules", member)
	contains(t, "member's schedules", p.body, `id="schedule-`+mias+`"`, `id="reminder"`, "17:30, weekdays", `id="reminder-off"`,
		`href="/ui/schedules/`+mias+`/delete"`, `aria-current="page">Schedules<`)
	lacks(t, "member's schedules", p.body, `id="schedule-`+bosses+`"`, "C1")

	// A member cannot see or delete the admin's schedule.
	if p := e.get("/ui/schedules/"+bosses+"/delete", member); p.status != http.StatusNotFound {
		t.Errorf("member asks to delete the admin's schedule: %d", p.status)
	}
	if p := e.post("/ui/schedules/"+bosses+"/delete", member, url.Values{"csrf": {memberCSRF}}); p.status != http.StatusNotFound {
		t.Errorf("member deletes the admin's schedule: %d", p.status)
	}
	for _, id := range []string{"nope", "999999"} {
		if p := e.post("/ui/schedules/"+id+"/delete", member, url.Values{"csrf": {memberCSRF}}); p.status/100 != 4 {
			t.Errorf("delete schedule %s: %d", id, p.status)
		}
	}
	if p := e.get("/ui/schedules", admin); !strings.Contains(p.body, `id="schedule-`+bosses+`"`) {
		t.Error("a refused delete removed the admin's schedule")
	}

	// Their own: asked first, then gone.
	p = e.get("/ui/schedules/"+mias+"/delete", member)
	contains(t, "confirmation", p.body, "Delete the scheduled report #"+mias, `action="/ui/schedules/`+mias+`/delete"`, "#design on Slack")
	p = e.post("/ui/schedules/"+mias+"/delete", member, url.Values{"csrf": {memberCSRF}})
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/ui/schedules?done=schedel" {
		t.Fatalf("delete own schedule: %d %s", p.status, p.header.Get("Location"))
	}
	p = e.get("/ui/schedules?done=schedel", member)
	contains(t, "after the delete", p.body, `id="no-schedules"`, "Scheduled report deleted")

	// The admin deletes any.
	if p := e.post("/ui/schedules/"+bosses+"/delete", admin, url.Values{"csrf": {e.csrf(admin)}}); p.status != http.StatusSeeOther {
		t.Errorf("admin deletes a schedule: %d", p.status)
	}
	if list, _, err := e.svc.ListSchedules(e.ctx, core.Actor{User: e.boss}, core.Page{}); err != nil || len(list) != 0 {
		t.Errorf("schedules left: %v %v", list, err)
	}

	// The reminder, off.
	p = e.post("/ui/reminder/off", member, url.Values{"csrf": {memberCSRF}})
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/ui/schedules?done=remindoff" {
		t.Fatalf("reminder off: %d %s", p.status, p.header.Get("Location"))
	}
	if rs, err := e.svc.UserReminders(e.ctx, core.Actor{User: e.mia}, []core.User{e.mia}); err != nil || len(rs) != 0 {
		t.Errorf("reminder left: %v %v", rs, err)
	}
	contains(t, "after reminder off", e.get("/ui/schedules?done=remindoff", member).body, `id="no-reminder"`, "Reminder turned off.")
}
