package storetest

import (
	"testing"
	"time"

	"github.com/chatops/gateway/core"
)

// consoleTests cover core.ConsoleTx: the dashboard's delivery figures and
// the list of repository mappings.
var consoleTests = []test{
	{"Console/DeliveryStats", func(t *testing.T, s core.Store) {
		f := setup(t, s)
		bob := addUser(t, s, f.ws, "Bob")
		mine := addSub(t, s, f.ws, f.user.ID, "Mine", nil)
		his := addSub(t, s, f.ws, bob.ID, "His", nil)
		stats := func(owner core.ID, since time.Time) core.DeliveryStats {
			t.Helper()
			return read(t, s, func(tx core.Tx) (core.DeliveryStats, error) { return tx.DeliveryStats(f.ws, owner, since) })
		}
		if st := stats(0, t0); st != (core.DeliveryStats{}) {
			t.Errorf("stats of an empty queue %+v", st)
		}
		// Each delivery is set to its state, changed at `changed`.
		set := func(d core.Delivery, state string, attempts int, changed time.Time) {
			t.Helper()
			d.State, d.Attempts, d.UpdatedAt = state, attempts, changed
			write(t, s, func(tx core.Tx) (any, error) { return nil, tx.UpdateDelivery(&d) })
		}
		set(addDelivery(t, s, mine, 10, "tracker.started", t0), core.DeliveryDelivered, 1, at(time.Hour))
		set(addDelivery(t, s, mine, 11, "tracker.started", t0), core.DeliveryDelivered, 2, at(-time.Hour)) // before since
		set(addDelivery(t, s, mine, 12, "tracker.stopped", t0), core.DeliveryFailed, 5, at(time.Hour))
		set(addDelivery(t, s, mine, 13, "tracker.stopped", t0), core.DeliveryPending, 1, at(time.Hour)) // retrying
		addDelivery(t, s, mine, 14, "tracker.stopped", t0)                                              // queued, not tried
		set(addDelivery(t, s, his, 9, "tracker.started", t0), core.DeliveryPending, 2, at(time.Hour))
		set(addDelivery(t, s, his, 15, "tracker.started", t0), core.DeliveryDelivered, 1, at(time.Hour))

		st := stats(0, t0)
		if st.Delivered != 2 || st.Failed != 1 || st.Retrying != 2 || st.Pending != 3 {
			t.Errorf("workspace stats %+v, want 2 delivered, 1 failed, 2 retrying, 3 pending", st)
		}
		if st.Oldest == nil || st.Oldest.EventSeq != 9 || st.Oldest.SubscriptionID != his.ID || st.Oldest.EventType != "tracker.started" {
			t.Errorf("oldest pending %+v, want Bob's event 9", st.Oldest)
		}
		st = stats(f.user.ID, t0)
		if st.Delivered != 1 || st.Failed != 1 || st.Retrying != 1 || st.Pending != 2 {
			t.Errorf("Alice's stats %+v, want 1 delivered, 1 failed, 1 retrying, 2 pending", st)
		}
		if st.Oldest == nil || st.Oldest.EventSeq != 13 || st.Oldest.SubscriptionID != mine.ID {
			t.Errorf("Alice's oldest pending %+v, want event 13", st.Oldest)
		}
		if st := stats(0, at(-2*time.Hour)); st.Delivered != 3 {
			t.Errorf("since two hours before: %d delivered, want 3", st.Delivered)
		}
		if st := read(t, s, func(tx core.Tx) (core.DeliveryStats, error) { return tx.DeliveryStats(f.ws+100, 0, t0) }); st != (core.DeliveryStats{}) {
			t.Errorf("another workspace's stats %+v", st)
		}
	}},
	{"Console/ListRepoProjects", func(t *testing.T, s core.Store) {
		f := setup(t, s)
		web, api := addProject(t, s, f.ws, "Web"), addProject(t, s, f.ws, "API")
		if got := read(t, s, func(tx core.Tx) ([]core.RepoProject, error) { return tx.ListRepoProjects(f.ws) }); len(got) != 0 {
			t.Errorf("mappings before any %v", got)
		}
		write(t, s, func(tx core.Tx) (any, error) {
			for _, m := range []core.RepoProject{{Repo: "octo/web", ProjectID: web.ID}, {Repo: "Acme/API", ProjectID: api.ID}, {Repo: "octo/Web", ProjectID: api.ID}} {
				if err := tx.SetRepoProject(f.ws, m.Repo, m.ProjectID); err != nil {
					return nil, err
				}
			}
			return nil, nil
		})
		got := read(t, s, func(tx core.Tx) ([]core.RepoProject, error) { return tx.ListRepoProjects(f.ws) })
		want := []core.RepoProject{{Repo: "Acme/API", ProjectID: api.ID}, {Repo: "octo/Web", ProjectID: api.ID}}
		if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
			t.Errorf("mappings %v, want %v (the later octo/Web replaces octo/web)", got, want)
		}
		if got := read(t, s, func(tx core.Tx) ([]core.RepoProject, error) { return tx.ListRepoProjects(f.ws + 100) }); len(got) != 0 {
			t.Errorf("another workspace's mappings %v", got)
		}
	}},
}
