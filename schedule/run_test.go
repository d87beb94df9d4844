package schedule_test

import (
	"context"
	"path/filepath"
	"testing"
	"testing/synctest"
	"time"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/schedule"
	"github.com/chatops/gateway/store/sqlite"
)

// Run, on the bubble's fake clock: a reminder is posted within a minute
// after its minute, never before, and once; Run stops when its context
// ends.
func TestRunPostsWithinAMinute(t *testing.T) {
	dir := t.TempDir()
	synctest.Test(t, func(t *testing.T) {
		st, err := sqlite.Open(context.Background(), filepath.Join(dir, "gw.db"), sqlite.Options{Synchronous: "OFF"})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		f := newFixture(t, st)
		ana := f.user(t, "Ana", "UTC", core.RoleMember)
		start := time.Now() // the bubble's clock: midnight UTC
		slot := core.ClockTime(start.Hour()*60 + start.Minute() + 5)
		f.reminder(t, ana, slot, core.EveryDay, start)
		due := start.Truncate(time.Minute).Add(5 * time.Minute)

		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { done <- schedule.New(st, schedule.Options{}).Run(ctx) }()

		time.Sleep(due.Sub(start) - time.Second)
		synctest.Wait()
		if n := len(directed(t, st, core.EventReminderDue)); n != 0 {
			t.Fatalf("%d reminders a second before the slot", n)
		}
		time.Sleep(time.Minute + time.Second)
		synctest.Wait()
		var at time.Time
		_ = st.View(context.Background(), func(tx core.Tx) error {
			evs, err := tx.Events(0, 100)
			for _, ev := range evs {
				if ev.Type == core.EventReminderDue {
					at = ev.Timestamp
				}
			}
			return err
		})
		if at.Before(due) || at.Sub(due) > time.Minute {
			t.Fatalf("posted at %v, want within a minute after %v", at, due)
		}
		time.Sleep(10 * time.Minute)
		synctest.Wait()
		if n := len(directed(t, st, core.EventReminderDue)); n != 1 {
			t.Fatalf("%d reminders, want 1", n)
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	})
}
