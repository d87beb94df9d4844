package sqlite

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/chatops/gateway/store/internal/sqltx"
)

// ListChannelSubscriptions searches the partial index subscriptions_channel
// (migration 0016) for a bound channel and needs no sort for its ORDER BY
// id. Without the index, or with a query that leaves out the index's
// predicate (SQLite does not infer a channel that is not empty from
// channel = ?), it searches subscriptions_owner by workspace and sorts.
func TestListChannelSubscriptionsUsesItsIndex(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "gateway.db"), Options{})
	plan := queryPlan(t, s, sqltx.ListChannelSubscriptionsQuery, 1, "slack:T1:C1")
	if want := "SEARCH subscriptions USING INDEX subscriptions_channel (workspace_id=? AND channel=?)"; plan != want {
		t.Errorf("plan:\n%s\nwant:\n%s", plan, want)
	}
}

// queryPlan returns the details of EXPLAIN QUERY PLAN query on the writer,
// one line each.
func queryPlan(t *testing.T, s *Store, query string, args ...any) string {
	t.Helper()
	rows, err := s.w.c.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(plan, "\n")
}

// LastEntryEnd's statements are answered from the index
// time_entries_user_start_end alone (migration 0017), not from each
// entry's row.
func TestLastEntryEndReadsTheIndexAlone(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "gateway.db"), Options{})
	for _, q := range []struct {
		query string
		args  []any
		want  string
	}{
		{sqltx.LastEntryEndQuery, []any{1, 2, 0}, "SEARCH time_entries USING COVERING INDEX time_entries_user_start_end (workspace_id=? AND user_id=? AND start_at>?)"},
		{sqltx.LastEntryEndBeforeQuery, []any{1, 2, 0, 9}, "SEARCH time_entries USING COVERING INDEX time_entries_user_start_end (workspace_id=? AND user_id=? AND start_at>? AND start_at<?)"},
	} {
		plan := queryPlan(t, s, q.query, q.args...)
		if plan != q.want {
			t.Errorf("plan:\n%s\nwant:\n%s", plan, q.want)
		}
	}
}
