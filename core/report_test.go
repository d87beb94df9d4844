package core_test

import (
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
