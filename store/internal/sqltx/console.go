package sqltx

import (
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/chatops/gateway/core"
)

// The console's reads (core.ConsoleTx).

// DeliveryStats counts deliveries by outcome since a time, and the pending
// ones with the oldest of them; see core.ConsoleTx.
func (t *Tx) DeliveryStats(ws, owner core.ID, since time.Time) (core.DeliveryStats, error) {
	var st core.DeliveryStats
	from, where := "deliveries d", "d.workspace_id = ?"
	args := []any{int64(ws)}
	if owner != 0 {
		from += " JOIN subscriptions s ON s.id = d.subscription_id"
		where += " AND s.owner_id = ?"
		args = append(args, int64(owner))
	}
	rows, err := t.c.Query(`SELECT d.state, CASE WHEN d.attempts > 0 THEN 1 ELSE 0 END, count(*) FROM `+from+`
		WHERE `+where+` AND d.updated_at >= ? GROUP BY 1, 2`, append(args, t.ts(since))...)
	if err != nil {
		return st, t.Wrap("count deliveries", err)
	}
	defer rows.Close()
	for rows.Next() {
		var state string
		var tried, n int
		if err := rows.Scan(&state, (*intCol)(&tried), (*intCol)(&n)); err != nil {
			return st, t.Wrap("count deliveries", err)
		}
		switch {
		case state == core.DeliveryDelivered:
			st.Delivered += n
		case state == core.DeliveryFailed:
			st.Failed += n
		case state == core.DeliveryPending && tried == 1:
			st.Retrying += n
		}
	}
	if err := rows.Err(); err != nil {
		return st, t.Wrap("count deliveries", err)
	}
	pending := where + " AND d.state = '" + core.DeliveryPending + "'"
	if err := t.c.QueryRow("SELECT count(*) FROM "+from+" WHERE "+pending, args...).Scan((*intCol)(&st.Pending)); err != nil {
		return st, t.Wrap("count pending deliveries", err)
	}
	if st.Pending == 0 {
		return st, nil
	}
	var d core.Delivery
	err = ScanDelivery(t.c.QueryRow("SELECT "+qualified("d", DeliveryCols)+" FROM "+from+" WHERE "+pending+
		" ORDER BY d.event_seq, d.id LIMIT 1", args...), &d)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return st, t.Wrap("oldest pending delivery", err)
	default:
		st.Oldest = &d
	}
	return st, nil
}

// ListRepoProjects lists the repository mappings of a workspace.
func (t *Tx) ListRepoProjects(ws core.ID) ([]core.RepoProject, error) {
	out, err := List(t, func(r Row, m *core.RepoProject) error { return r.Scan(&m.Repo, (*idCol)(&m.ProjectID)) },
		"SELECT repo, project_id FROM github_repositories WHERE workspace_id = ? ORDER BY repo_key", int64(ws))
	if err != nil {
		return nil, t.Wrap("list repository mappings", err)
	}
	return out, nil
}

// qualified prefixes each column of a comma-separated list with a table's
// alias: qualified("d", "id, state") is "d.id, d.state".
func qualified(alias, cols string) string {
	var b strings.Builder
	for i, c := range strings.Split(cols, ",") {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(alias + "." + strings.TrimSpace(c))
	}
	return b.String()
}
