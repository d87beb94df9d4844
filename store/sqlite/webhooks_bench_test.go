package sqlite

import (
	"fmt"
	"testing"
	"time"

	"github.com/chatops/gateway/core"
)

// addBenchSub creates a subscription for the benchmarks.
func addBenchSub(b *testing.B, s *Store, ws, user core.ID, name string, enabled bool) core.Subscription {
	b.Helper()
	status := core.SubActive
	if !enabled {
		status = core.SubDisabled
	}
	sub := core.Subscription{WorkspaceID: ws, OwnerID: user, Name: name, URL: "https://example.com/" + name,
		Events: []byte(`["*"]`), Format: core.FormatStandard, Scope: core.ScopeUser, Enabled: enabled, Status: status,
		Secret: "whsec_bench", CreatedAt: t0, UpdatedAt: t0}
	if err := s.Update(b.Context(), func(tx core.Tx) error { return tx.CreateSubscription(&sub) }); err != nil {
		b.Fatal(err)
	}
	return sub
}

// queueDeliveries queues n due deliveries for sub, from event seq next on,
// in Updates of 1000, and returns the next seq.
func queueDeliveries(b *testing.B, s *Store, sub core.Subscription, next int64, n int) int64 {
	b.Helper()
	for n > 0 {
		k := min(n, 1000)
		err := s.Update(b.Context(), func(tx core.Tx) error {
			for i := range int64(k) {
				d := core.Delivery{WorkspaceID: sub.WorkspaceID, SubscriptionID: sub.ID, EventSeq: next + i,
					EventID: fmt.Sprintf("evt_%d", next+i), EventType: core.EventTrackerStarted, State: core.DeliveryPending,
					NextAttemptAt: t0, CreatedAt: t0, UpdatedAt: t0}
				if _, err := tx.CreateDelivery(&d); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		next += int64(k)
		n -= k
	}
	return next
}

// BenchmarkClaimDeliveries claims due deliveries 100 at a time, as the
// engine does, and marks them delivered in a second Update. held is how many
// due deliveries of a disabled subscription sit in the queue, which every
// claim has to step over.
func BenchmarkClaimDeliveries(b *testing.B) {
	const batch = 100
	for _, held := range []int{0, 10_000} {
		b.Run(fmt.Sprintf("held=%d", held), func(b *testing.B) {
			s, ws, user, _ := benchStore(b, Options{})
			sub := addBenchSub(b, s, ws, user, "active", true)
			if held > 0 {
				queueDeliveries(b, s, addBenchSub(b, s, ws, user, "off", false), 1, held)
				var n int
				if err := s.w.c.QueryRowContext(b.Context(), "SELECT count(*) FROM deliveries WHERE held").Scan(&n); err != nil || n != held {
					b.Fatalf("%d deliveries held (%v), want %d", n, err, held)
				}
			}
			next := queueDeliveries(b, s, sub, 1, 20_000)
			now := t0.Add(time.Minute)
			claimed := 0
			for b.Loop() {
				var ds []core.Delivery
				err := s.Update(b.Context(), func(tx core.Tx) error {
					var err error
					ds, err = tx.ClaimDeliveries(now, now.Add(time.Minute), batch)
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
				if len(ds) < batch {
					b.StopTimer()
					next = queueDeliveries(b, s, sub, next, 20_000)
					b.StartTimer()
				}
				err = s.Update(b.Context(), func(tx core.Tx) error {
					for i := range ds {
						d := &ds[i]
						d.State, d.Attempts, d.LeaseUntil, d.DeliveredAt, d.UpdatedAt = core.DeliveryDelivered, 1, nil, &now, now
						if err := tx.UpdateDelivery(d); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
				claimed += len(ds)
			}
			b.ReportMetric(float64(claimed)/b.Elapsed().Seconds(), "claims/s")
		})
	}
}
