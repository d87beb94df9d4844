package sqlite

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chatops/gateway/core"
)

// With a short retention, a long run of writes and prunes leaves the
// database file the size it reached after the first rounds: SQLite reuses the
// pages pruning frees.
func TestFileSizeStaysFlatWithRetention(t *testing.T) {
	rounds := 60
	if testing.Short() {
		rounds = 15
	}
	path := filepath.Join(t.TempDir(), "flat.db")
	s := openTest(t, path, Options{Synchronous: "OFF"})
	now := t0
	svc := core.NewService(s, core.Options{Now: func() time.Time { return now }, Retention: time.Second})
	ws := write(t, s, func(tx core.Tx) (core.Workspace, error) { return tx.EnsureWorkspace("Acme", now) })
	owner := write(t, s, func(tx core.Tx) (core.User, error) {
		u := core.User{WorkspaceID: ws.ID, Name: "Ana", Role: core.RoleAdmin, CreatedAt: now, UpdatedAt: now}
		return u, tx.CreateUser(&u)
	})
	sub := write(t, s, func(tx core.Tx) (core.Subscription, error) {
		sub := core.Subscription{WorkspaceID: ws.ID, OwnerID: owner.ID, Name: "all", URL: "https://example.com/h",
			Events: json.RawMessage(`["*"]`), Format: core.FormatStandard, Scope: core.ScopeWorkspace, Enabled: true,
			Status: core.SubActive, Secret: "whsec_x", CreatedAt: now, UpdatedAt: now}
		return sub, tx.CreateSubscription(&sub)
	})
	data := json.RawMessage(fmt.Sprintf(`{"note": %q}`, strings.Repeat("x", 1000)))
	const perRound = 300
	size := func() int64 {
		t.Helper()
		if _, err := s.w.c.ExecContext(t.Context(), "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	var sizes []int64
	seq := 0
	for round := range rounds {
		write(t, s, func(tx core.Tx) (any, error) {
			for range perRound {
				seq++
				e := core.Event{ID: fmt.Sprint("evt_", seq), Type: "project.created", Timestamp: now, WorkspaceID: ws.ID, Data: data}
				if err := tx.AppendEvent(&e); err != nil {
					return nil, err
				}
				d := core.Delivery{WorkspaceID: ws.ID, SubscriptionID: sub.ID, EventSeq: e.Seq, EventID: e.ID, EventType: e.Type,
					State: core.DeliveryDelivered, Attempts: 1, NextAttemptAt: now, CreatedAt: now, UpdatedAt: now, DeliveredAt: &now}
				if _, err := tx.CreateDelivery(&d); err != nil {
					return nil, err
				}
				if err := tx.AddAttempt(&core.Attempt{WorkspaceID: ws.ID, SubscriptionID: sub.ID, DeliveryID: d.ID, EventID: e.ID,
					EventType: e.Type, Attempt: 1, At: now, StatusCode: 200, Response: string(data)}); err != nil {
					return nil, err
				}
				if err := tx.SetDispatchCursor(e.Seq); err != nil {
					return nil, err
				}
			}
			return nil, nil
		})
		now = now.Add(2 * time.Second)
		p, err := svc.Prune(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if p.Events != perRound || p.Deliveries != perRound || p.Attempts != perRound {
			t.Fatalf("round %d pruned %+v, want %d of each", round, p, perRound)
		}
		sizes = append(sizes, size())
	}
	first, last := sizes[2], sizes[len(sizes)-1]
	t.Logf("database file after round 3: %d bytes; after round %d (%d events, deliveries and attempts written and pruned): %d bytes",
		first, rounds, rounds*perRound, last)
	if last > first+first/10 {
		t.Errorf("the file grew from %d to %d bytes over %d rounds: %v", first, last, rounds, sizes)
	}
}
