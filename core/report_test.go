package core_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/chatops/gateway/core"
)

// An entry that carries one tag twice, in any case (written to the store
// directly, past the chat's own de-duplication), counts once under it in a
// report by tag, whose rows are keyed by NameKey; a zero-length entry still
// makes its row.
func TestReportByTagCountsARepeatedTagOnce(t *testing.T) {
	f := newFixture(t)
	ana := f.user("ana", core.RoleMember)
	day := time.Date(2026, 11, 18, 0, 0, 0, 0, time.UTC)
	add := func(start, end time.Time, tags ...string) {
		t.Helper()
		e := core.TimeEntry{WorkspaceID: ana.User.WorkspaceID, UserID: ana.User.ID, Start: start, End: &end,
			DurationSeconds: int64(end.Sub(start) / time.Second), Tags: tags, CreatedAt: start, UpdatedAt: start}
		if err := f.store.Update(f.ctx, func(tx core.Tx) error { return tx.CreateEntry(&e) }); err != nil {
			t.Fatal(err)
		}
	}
	add(day.Add(9*time.Hour), day.Add(10*time.Hour), "bug", "Bug", "review", "bug")
	add(day.Add(11*time.Hour), day.Add(11*time.Hour), "ops")
	res := f.do(ana, core.Report{By: core.ByTag})
	got := map[string]core.SummaryRow{}
	for _, row := range res.Report.Rows {
		got[core.NameKey(row.Name)] = row
	}
	if res.Report.Total != 3600 || len(res.Report.Rows) != 3 {
		t.Fatalf("report by tag: total %d, rows %+v", res.Report.Total, res.Report.Rows)
	}
	if b := got["bug"]; b.Seconds != 3600 || b.Entries != 1 || b.Share != 100 {
		t.Errorf("bug row %+v, want 1h from one entry, 100%%", b)
	}
	if r := got["review"]; r.Seconds != 3600 || r.Entries != 1 {
		t.Errorf("review row %+v", r)
	}
	if o, ok := got["ops"]; !ok || o.Seconds != 0 || o.Entries != 1 {
		t.Errorf("a zero-length entry keeps its row: %+v", res.Report.Rows)
	}
}

// TestReportTotalsGroupsTagsAsChat: grouped by tag, the API's report
// (GroupEntries) makes one group of tags that differ only in case, named
// as first seen, and counts an entry carrying "Bug" and "bug" once, as
// chat's report by tag does: both give the same rows.
func TestReportTotalsGroupsTagsAsChat(t *testing.T) {
	f := newFixture(t)
	ana := f.user("ana", core.RoleMember)
	day := time.Date(2026, 11, 18, 0, 0, 0, 0, time.UTC)
	add := func(start, end time.Time, tags ...string) {
		t.Helper()
		e := core.TimeEntry{WorkspaceID: ana.User.WorkspaceID, UserID: ana.User.ID, Start: start, End: &end,
			DurationSeconds: int64(end.Sub(start) / time.Second), Tags: tags, CreatedAt: start, UpdatedAt: start}
		if err := f.store.Update(f.ctx, func(tx core.Tx) error { return tx.CreateEntry(&e) }); err != nil {
			t.Fatal(err)
		}
	}
	add(day.Add(9*time.Hour), day.Add(10*time.Hour), "Bug", "review", "bug")
	add(day.Add(10*time.Hour), day.Add(10*time.Hour+30*time.Minute), "BUG")
	add(day.Add(11*time.Hour), day.Add(11*time.Hour+30*time.Minute), "bug", "Review")

	rep, err := f.svc.ReportTotals(f.ctx, ana, core.ReportQuery{From: day, To: day.Add(24 * time.Hour), GroupBy: []string{core.GroupTag}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, g := range rep.Groups {
		got = append(got, fmt.Sprintf("%s %d", g.Tag, g.Seconds))
	}
	if want := []string{"Bug 7200", "review 5400"}; !slices.Equal(got, want) || rep.TotalSeconds != 7200 {
		t.Fatalf("API report by tag: %q, total %d; want %q, total 7200", got, rep.TotalSeconds, want)
	}

	chat := f.do(ana, core.Report{By: core.ByTag}).Report
	var rows []string
	for _, row := range chat.Rows {
		rows = append(rows, fmt.Sprintf("%s %d", row.Name, row.Seconds))
	}
	if !slices.Equal(rows, got) {
		t.Fatalf("chat report by tag %q, API %q", rows, got)
	}
}
