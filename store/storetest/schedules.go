package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/chatops/gateway/core"
)

// Reminders, scheduled reports and long-timer notices (core.ScheduleTx).

var scheduleTests = []test{
	{"Schedules/ReminderLifecycle", func(t *testing.T, s core.Store) {
		f := setup(t, s)
		r := core.Reminder{WorkspaceID: f.ws, UserID: f.user.ID, At: 17*60 + 30, Days: core.WorkingDays, SubscriptionID: 7,
			NextAt: at(time.Hour), CreatedAt: t0, UpdatedAt: t0}
		write(t, s, func(tx core.Tx) (any, error) { return nil, tx.PutReminder(&r) })
		got := read(t, s, func(tx core.Tx) (core.Reminder, error) { return tx.Reminder(f.ws, f.user.ID) })
		if got.At != r.At || got.Days != r.Days || got.SubscriptionID != 7 {
			t.Fatalf("reminder = %+v, want %+v", got, r)
		}
		sameTime(t, "next_at", got.NextAt, r.NextAt)
		// Put again replaces.
		r.At, r.Days, r.NextAt = 9*60, core.EveryDay, at(2*time.Hour)
		write(t, s, func(tx core.Tx) (any, error) { return nil, tx.PutReminder(&r) })
		got = read(t, s, func(tx core.Tx) (core.Reminder, error) { return tx.Reminder(f.ws, f.user.ID) })
		if got.At != 9*60 || got.Days != core.EveryDay {
			t.Fatalf("replaced reminder = %+v", got)
		}
		if due := write(t, s, func(tx core.Tx) ([]core.Reminder, error) { return tx.DueReminders(at(time.Hour), 10) }); len(due) != 0 {
			t.Fatalf("due before its slot: %+v", due)
		}
		due := write(t, s, func(tx core.Tx) ([]core.Reminder, error) { return tx.DueReminders(at(2*time.Hour), 10) })
		if len(due) != 1 || due[0].UserID != f.user.ID {
			t.Fatalf("due at its slot: %+v", due)
		}
		if ok := write(t, s, func(tx core.Tx) (bool, error) { return tx.AdvanceReminder(due[0], at(26*time.Hour)) }); !ok {
			t.Fatal("advance of a claimed slot failed")
		}
		if ok := write(t, s, func(tx core.Tx) (bool, error) { return tx.AdvanceReminder(due[0], at(26*time.Hour)) }); ok {
			t.Fatal("the same slot advanced twice")
		}
		if found := write(t, s, func(tx core.Tx) (bool, error) { return tx.DeleteReminder(f.ws, f.user.ID) }); !found {
			t.Fatal("delete found no reminder")
		}
		wantCode(t, readErr(t, s, func(tx core.Tx) error { _, err := tx.Reminder(f.ws, f.user.ID); return err }), core.ENOTFOUND)
		if found := write(t, s, func(tx core.Tx) (bool, error) { return tx.DeleteReminder(f.ws, f.user.ID) }); found {
			t.Fatal("second delete found a reminder")
		}
	}},
	{"Schedules/ReminderOfUnknownUser", func(t *testing.T, s core.Store) {
		f := setup(t, s)
		r := core.Reminder{WorkspaceID: f.ws, UserID: f.user.ID + 100, At: 60, Days: core.EveryDay, NextAt: t0, CreatedAt: t0, UpdatedAt: t0}
		wantCode(t, writeErr(t, s, func(tx core.Tx) error { return tx.PutReminder(&r) }), core.ENOTFOUND)
	}},
	{"Schedules/ScheduleLifecycle", func(t *testing.T, s core.Store) {
		f := setup(t, s)
		mk := func(channel string, next time.Time) core.Schedule {
			sc := core.Schedule{WorkspaceID: f.ws, UserID: f.user.ID, Channel: channel, SubscriptionID: 3,
				Period: core.Period{Kind: core.PeriodLastWeek}, At: 17 * 60, Days: core.Weekdays(0).With(time.Friday),
				Zone: "Europe/Berlin", NextAt: next, CreatedAt: t0}
			write(t, s, func(tx core.Tx) (any, error) { return nil, tx.CreateSchedule(&sc) })
			if sc.ID == 0 {
				t.Fatal("CreateSchedule set no id")
			}
			return sc
		}
		a := mk("slack:T1:C1", at(time.Hour))
		b := mk("slack:T1:C2", at(3*time.Hour))
		got := read(t, s, func(tx core.Tx) (core.Schedule, error) { return tx.Schedule(f.ws, a.ID) })
		if got.Period.Kind != core.PeriodLastWeek || got.Zone != "Europe/Berlin" || got.Channel != "slack:T1:C1" || got.Days != a.Days || got.At != a.At {
			t.Fatalf("schedule = %+v, want %+v", got, a)
		}
		list := read(t, s, func(tx core.Tx) ([]core.Schedule, error) {
			return tx.ListSchedules(f.ws, core.ScheduleFilter{Channel: "slack:T1:C2"})
		})
		if len(list) != 1 || list[0].ID != b.ID {
			t.Fatalf("channel C2 lists %+v", list)
		}
		due := write(t, s, func(tx core.Tx) ([]core.Schedule, error) { return tx.DueSchedules(at(2*time.Hour), 10) })
		if len(due) != 1 || due[0].ID != a.ID {
			t.Fatalf("due = %+v, want only #%d", due, a.ID)
		}
		if ok := write(t, s, func(tx core.Tx) (bool, error) { return tx.AdvanceSchedule(due[0], at(7*24*time.Hour)) }); !ok {
			t.Fatal("advance failed")
		}
		if ok := write(t, s, func(tx core.Tx) (bool, error) { return tx.AdvanceSchedule(due[0], at(7*24*time.Hour)) }); ok {
			t.Fatal("the same slot advanced twice")
		}
		write(t, s, func(tx core.Tx) (any, error) { return nil, tx.DeleteSchedule(f.ws, a.ID) })
		wantCode(t, writeErr(t, s, func(tx core.Tx) error { return tx.DeleteSchedule(f.ws, a.ID) }), core.ENOTFOUND)
		wantCode(t, readErr(t, s, func(tx core.Tx) error { _, err := tx.Schedule(f.ws, a.ID); return err }), core.ENOTFOUND)
	}},
	{"Schedules/ConcurrentClaimsFireOnce", func(t *testing.T, s core.Store) {
		// Many transactions claim the same due slots at once: each slot
		// advances exactly once.
		f := setup(t, s)
		const n = 8
		for i := range n {
			sc := core.Schedule{WorkspaceID: f.ws, UserID: f.user.ID, Channel: "slack:T1:C", Period: core.Period{Kind: core.PeriodWeek},
				At: 60, Days: core.EveryDay, Zone: "UTC", NextAt: at(time.Duration(i) * time.Minute), CreatedAt: t0}
			write(t, s, func(tx core.Tx) (any, error) { return nil, tx.CreateSchedule(&sc) })
		}
		var mu sync.Mutex
		fired := map[core.ID]int{}
		var wg sync.WaitGroup
		errs := make(chan error, 6)
		for range 6 {
			wg.Go(func() {
				errs <- s.Update(t.Context(), func(tx core.Tx) error {
					due, err := tx.DueSchedules(at(time.Hour), 100)
					if err != nil {
						return err
					}
					var won []core.ID
					for _, sc := range due {
						ok, err := tx.AdvanceSchedule(sc, at(48*time.Hour))
						if err != nil {
							return err
						}
						if ok {
							won = append(won, sc.ID)
						}
					}
					mu.Lock()
					for _, id := range won {
						fired[id]++
					}
					mu.Unlock()
					return nil
				})
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if len(fired) != n {
			t.Fatalf("%d slots fired, want %d", len(fired), n)
		}
		for id, c := range fired {
			if c != 1 {
				t.Errorf("schedule %d fired %d times", id, c)
			}
		}
	}},
	{"Schedules/LongTimersMarkedOnce", func(t *testing.T, s core.Store) {
		f := setup(t, s)
		run := core.TimeEntry{WorkspaceID: f.ws, UserID: f.user.ID, Start: at(-10 * time.Hour), CreatedAt: t0, UpdatedAt: t0}
		write(t, s, func(tx core.Tx) (any, error) { return nil, tx.CreateEntry(&run) })
		bob := addUser(t, s, f.ws, "Bob")
		short := core.TimeEntry{WorkspaceID: f.ws, UserID: bob.ID, Start: at(-time.Hour), CreatedAt: t0, UpdatedAt: t0}
		write(t, s, func(tx core.Tx) (any, error) { return nil, tx.CreateEntry(&short) })
		long := read(t, s, func(tx core.Tx) ([]core.TimeEntry, error) { return tx.LongTimers(at(-8*time.Hour), 10) })
		if len(long) != 1 || long[0].ID != run.ID {
			t.Fatalf("long timers = %+v, want #%d only", long, run.ID)
		}
		if first := write(t, s, func(tx core.Tx) (bool, error) { return tx.MarkLongTimer(f.ws, run.ID, t0) }); !first {
			t.Fatal("first mark was not first")
		}
		if first := write(t, s, func(tx core.Tx) (bool, error) { return tx.MarkLongTimer(f.ws, run.ID, t0) }); first {
			t.Fatal("second mark was first")
		}
		if long := read(t, s, func(tx core.Tx) ([]core.TimeEntry, error) { return tx.LongTimers(at(-8*time.Hour), 10) }); len(long) != 0 {
			t.Fatalf("marked timer still listed: %+v", long)
		}
		wantCode(t, writeErr(t, s, func(tx core.Tx) error { _, err := tx.MarkLongTimer(f.ws, run.ID+1000, t0); return err }), core.ENOTFOUND)
	}},
}
