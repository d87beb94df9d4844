package schedule_test

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/schedule"
	"github.com/chatops/gateway/store/postgres"
	"github.com/chatops/gateway/store/postgres/pgtest"
)

// ownerFails is a store whose transactions cannot read one user: an
// internal error, as a broken row or a failed statement gives.
type ownerFails struct {
	core.Store
	owner core.ID
}

func (s ownerFails) Update(ctx context.Context, fn func(core.Tx) error) error {
	return s.Store.Update(ctx, func(tx core.Tx) error { return fn(ownerFailsTx{tx, s.owner}) })
}

type ownerFailsTx struct {
	core.Tx
	owner core.ID
}

func (t ownerFailsTx) User(ws, id core.ID) (core.User, error) {
	if id == t.owner {
		return core.User{}, errors.New("user row unreadable")
	}
	return t.Tx.User(ws, id)
}

// Of three due scheduled reports the second fails, by a period that cannot
// be resolved or an owner that cannot be read: it is logged with its id,
// workspace and error, counted, and moves on to its next slot (tomorrow's,
// not tried again every tick). The third is sent all the same, and the
// first once, though its batch ran again.
func TestAFailedScheduleDoesNotSilenceTheOthers(t *testing.T) {
	for _, tc := range []struct {
		name   string
		period core.Period
		store  func(st core.Store, broken core.User) core.Store
		err    string
	}{
		{"unknown period", core.Period{Kind: "fortnight"}, func(st core.Store, _ core.User) core.Store { return st }, `unknown period \"fortnight\"`},
		{"owner unreadable", core.Period{Kind: core.PeriodToday}, func(st core.Store, u core.User) core.Store { return ownerFails{st, u.ID} }, "user row unreadable"},
	} {
		for _, backend := range []string{"sqlite", "postgres"} {
			t.Run(backend+"/"+tc.name, func(t *testing.T) {
				st := openStore(t, backend)
				f := newFixture(t, st)
				root := f.user(t, "Root", "Europe/Berlin", core.RoleAdmin)
				ana := f.user(t, "Ana", "Europe/Berlin", core.RoleAdmin)
				c := &clock{t: berlin(t, 2026, 12, 3, 12, 0)}
				early := f.schedule(t, ana, core.Period{Kind: core.PeriodToday}, "Europe/Berlin", 16*60+40, core.EveryDay, c.Now())
				bad := f.schedule(t, root, tc.period, "Europe/Berlin", 16*60+50, core.EveryDay, c.Now()) // due second
				good := f.schedule(t, ana, core.Period{Kind: core.PeriodToday}, "Europe/Berlin", 17*60, core.EveryDay, c.Now())
				var logs syncBuffer
				s := schedule.New(tc.store(st, root), schedule.Options{Now: c.Now, Logger: slog.New(slog.NewTextHandler(&logs, nil))})

				c.Set(berlin(t, 2026, 12, 3, 17, 0).Add(10 * time.Second))
				got, err := s.RunOnce(t.Context())
				if err != nil {
					t.Fatalf("RunOnce: %v", err)
				}
				if got.Reports != 2 || got.Failed != 1 {
					t.Fatalf("%+v, want two reports sent and one failed", got)
				}
				msgs := directed(t, st, core.EventReportScheduled)
				if len(msgs) != 2 || msgs[0].ScheduleID != early.ID || msgs[1].ScheduleID != good.ID {
					t.Fatalf("outbox %+v, want the reports of schedules %d and %d, once each", msgs, early.ID, good.ID)
				}
				line := logs.String()
				for _, want := range []string{"scheduled report failed", "id=" + strconv.FormatInt(int64(bad.ID), 10),
					"workspace=" + strconv.FormatInt(int64(f.ws), 10), tc.err, "next=2026-12-04T15:50:00Z"} {
					if !strings.Contains(line, want) {
						t.Errorf("log lacks %q: %s", want, line)
					}
				}
				var moved core.Schedule
				_ = st.View(t.Context(), func(tx core.Tx) (err error) { moved, err = tx.Schedule(f.ws, bad.ID); return err })
				if want := berlin(t, 2026, 12, 4, 16, 50); !moved.NextAt.Equal(want) {
					t.Fatalf("failed schedule's next slot %v, want %v", moved.NextAt, want)
				}
				c.Set(berlin(t, 2026, 12, 3, 17, 0).Add(25 * time.Second)) // the next tick
				if got := runOnce(t, s); got != (schedule.Stats{}) {
					t.Fatalf("next tick: %+v, want nothing", got)
				}
			})
		}
	}
}

// openStore opens an empty store of the backend: "sqlite" or "postgres"
// (skipped without a test database).
func openStore(t *testing.T, backend string) core.Store {
	t.Helper()
	if backend == "sqlite" {
		return openSQLite(t, filepath.Join(t.TempDir(), "gw.db"))
	}
	st, err := postgres.Open(t.Context(), pgtest.Schema(t), postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}
