package postgres

import (
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/chatops/gateway/store/internal/sqltx"
	"github.com/chatops/gateway/store/postgres/pgtest"
)

// ListChannelSubscriptions scans the partial index subscriptions_channel
// (migration 0016) by workspace and channel, in the generic plan too that a
// prepared statement settles on after a few runs: the planner proves the
// index's predicate (a channel that is not empty) from a channel value, but
// not from $2, so the query repeats it. Without the index, or without the predicate, the plan reads
// subscriptions_owner (sequential scans are off here, as the table is
// empty).
func TestListChannelSubscriptionsUsesItsIndex(t *testing.T) {
	url := pgtest.Schema(t)
	openTest(t, url, Options{}) // migrates
	ctx := t.Context()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, q := range []string{
		"SET plan_cache_mode = force_generic_plan",
		"SET enable_seqscan = off",
		"PREPARE channel_subs AS " + sqltx.Rebind(sqltx.ListChannelSubscriptionsQuery),
	} {
		if _, err := conn.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	rows, err := conn.Query(ctx, "EXPLAIN (COSTS OFF) EXECUTE channel_subs(1, 'slack:T1:C1')")
	if err != nil {
		t.Fatal(err)
	}
	plan, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(plan, "\n")
	if !strings.Contains(text, "subscriptions_channel") || !strings.Contains(text, "Index Cond: ((workspace_id = $1) AND (channel = $2))") {
		t.Errorf("plan:\n%s\nwant a scan of subscriptions_channel on workspace_id = $1 AND channel = $2", text)
	}
}
