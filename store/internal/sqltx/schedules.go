package sqltx

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/chatops/gateway/core"
)

// Reminders, scheduled reports and long-timer notices (core.ScheduleTx).
// The Due reads lock the rows they return (FOR UPDATE SKIP LOCKED on
// PostgreSQL, so two instances claim disjoint rows), and the Advance writes
// are conditional on the slot the claim read, so a slot moves on once.

const reminderCols = "user_id, workspace_id, at_minute, days, subscription_id, next_at, created_at, updated_at"

func scanReminder(s Row, r *core.Reminder) error {
	var at, days int64
	err := s.Scan((*idCol)(&r.UserID), (*idCol)(&r.WorkspaceID), &at, &days, (*idCol)(&r.SubscriptionID),
		(*timeCol)(&r.NextAt), (*timeCol)(&r.CreatedAt), (*timeCol)(&r.UpdatedAt))
	r.At, r.Days = core.ClockTime(at), core.Weekdays(days)
	return err
}

// PutReminder creates or replaces the user's reminder.
func (t *Tx) PutReminder(r *core.Reminder) error {
	if err := t.inWorkspace("user", r.UserID, r.WorkspaceID); err != nil {
		return err
	}
	_, err := t.c.Guard(`INSERT INTO reminders (`+reminderCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET at_minute = excluded.at_minute, days = excluded.days,
		subscription_id = excluded.subscription_id, next_at = excluded.next_at, updated_at = excluded.updated_at`,
		int64(r.UserID), int64(r.WorkspaceID), int64(r.At), int64(r.Days), int64(r.SubscriptionID),
		t.ts(r.NextAt), t.ts(r.CreatedAt), t.ts(r.UpdatedAt))
	if err != nil {
		return t.Wrap("put reminder", err)
	}
	return nil
}

// Reminder returns the user's reminder; not_found if none.
func (t *Tx) Reminder(ws, user core.ID) (core.Reminder, error) {
	var r core.Reminder
	err := scanReminder(t.c.QueryRow("SELECT "+reminderCols+" FROM reminders WHERE workspace_id = ? AND user_id = ?",
		int64(ws), int64(user)), &r)
	if err != nil {
		return core.Reminder{}, t.Lookup(err, "get reminder", "no reminder")
	}
	return r, nil
}

// DeleteReminder removes the user's reminder and reports whether there was
// one.
func (t *Tx) DeleteReminder(ws, user core.ID) (bool, error) {
	n, err := t.c.Exec("DELETE FROM reminders WHERE workspace_id = ? AND user_id = ?", int64(ws), int64(user))
	if err != nil {
		return false, t.Wrap("delete reminder", err)
	}
	return n > 0, nil
}

// DueReminders returns reminders due at now, earliest first, locked.
func (t *Tx) DueReminders(now time.Time, limit int) ([]core.Reminder, error) {
	rs, err := List(t, scanReminder, "SELECT "+reminderCols+" FROM reminders WHERE next_at <= ? ORDER BY next_at, user_id LIMIT ?"+
		t.d.SkipLocked(), t.ts(now), limit)
	if err != nil {
		return nil, t.Wrap("due reminders", err)
	}
	return rs, nil
}

// AdvanceReminder moves NextAt from r.NextAt to next; false when the row
// changed meanwhile.
func (t *Tx) AdvanceReminder(r core.Reminder, next time.Time) (bool, error) {
	n, err := t.c.Exec("UPDATE reminders SET next_at = ? WHERE user_id = ? AND next_at = ? AND at_minute = ? AND days = ?",
		t.ts(next), int64(r.UserID), t.ts(r.NextAt), int64(r.At), int64(r.Days))
	if err != nil {
		return false, t.Wrap("advance reminder", err)
	}
	return n == 1, nil
}

const scheduleCols = "id, workspace_id, user_id, channel, subscription_id, period, at_minute, days, zone, next_at, created_at"

func scanSchedule(s Row, sc *core.Schedule) error {
	var at, days int64
	var period string
	err := s.Scan((*idCol)(&sc.ID), (*idCol)(&sc.WorkspaceID), (*idCol)(&sc.UserID), &sc.Channel, (*idCol)(&sc.SubscriptionID),
		&period, &at, &days, &sc.Zone, (*timeCol)(&sc.NextAt), (*timeCol)(&sc.CreatedAt))
	if err != nil {
		return err
	}
	sc.At, sc.Days = core.ClockTime(at), core.Weekdays(days)
	return json.Unmarshal([]byte(period), &sc.Period)
}

// CreateSchedule stores a schedule and sets its ID.
func (t *Tx) CreateSchedule(sc *core.Schedule) error {
	if err := t.inWorkspace("user", sc.UserID, sc.WorkspaceID); err != nil {
		return err
	}
	period, err := json.Marshal(sc.Period)
	if err != nil {
		return err
	}
	id, err := t.c.Insert(`INSERT INTO schedules (workspace_id, user_id, channel, subscription_id, period, at_minute, days, zone, next_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		int64(sc.WorkspaceID), int64(sc.UserID), sc.Channel, int64(sc.SubscriptionID), string(period),
		int64(sc.At), int64(sc.Days), sc.Zone, t.ts(sc.NextAt), t.ts(sc.CreatedAt))
	if err != nil {
		return t.Wrap("create schedule", err)
	}
	sc.ID = core.ID(id)
	return nil
}

// Schedule returns a schedule; not_found if none.
func (t *Tx) Schedule(ws, id core.ID) (core.Schedule, error) {
	var sc core.Schedule
	err := scanSchedule(t.c.QueryRow("SELECT "+scheduleCols+" FROM schedules WHERE workspace_id = ? AND id = ?", int64(ws), int64(id)), &sc)
	if err != nil {
		return core.Schedule{}, t.Lookup(err, "get schedule", "schedule "+id.String()+" not found")
	}
	return sc, nil
}

// ListSchedules returns the workspace's schedules by id.
func (t *Tx) ListSchedules(ws core.ID, f core.ScheduleFilter) ([]core.Schedule, error) {
	var q strings.Builder
	q.WriteString("SELECT " + scheduleCols + " FROM schedules WHERE workspace_id = ?")
	args := []any{int64(ws)}
	if f.UserID != 0 {
		q.WriteString(" AND user_id = ?")
		args = append(args, int64(f.UserID))
	}
	if f.Channel != "" {
		q.WriteString(" AND channel = ?")
		args = append(args, f.Channel)
	}
	q.WriteString(" ORDER BY id")
	out, err := List(t, scanSchedule, q.String(), args...)
	if err != nil {
		return nil, t.Wrap("list schedules", err)
	}
	return out, nil
}

// DeleteSchedule removes a schedule; not_found if none.
func (t *Tx) DeleteSchedule(ws, id core.ID) error {
	n, err := t.c.Exec("DELETE FROM schedules WHERE workspace_id = ? AND id = ?", int64(ws), int64(id))
	if err != nil {
		return t.Wrap("delete schedule", err)
	}
	if n == 0 {
		return NotFound("schedule", id)
	}
	return nil
}

// DueSchedules returns schedules due at now, earliest first, locked.
func (t *Tx) DueSchedules(now time.Time, limit int) ([]core.Schedule, error) {
	out, err := List(t, scanSchedule, "SELECT "+scheduleCols+" FROM schedules WHERE next_at <= ? ORDER BY next_at, id LIMIT ?"+
		t.d.SkipLocked(), t.ts(now), limit)
	if err != nil {
		return nil, t.Wrap("due schedules", err)
	}
	return out, nil
}

// AdvanceSchedule moves NextAt from s.NextAt to next; false when the row
// changed meanwhile.
func (t *Tx) AdvanceSchedule(sc core.Schedule, next time.Time) (bool, error) {
	n, err := t.c.Exec("UPDATE schedules SET next_at = ? WHERE id = ? AND next_at = ?", t.ts(next), int64(sc.ID), t.ts(sc.NextAt))
	if err != nil {
		return false, t.Wrap("advance schedule", err)
	}
	return n == 1, nil
}

// LongTimers returns running timers that started before before and have
// no long-timer notice, oldest first.
func (t *Tx) LongTimers(before time.Time, limit int) ([]core.TimeEntry, error) {
	es, err := List(t, scanEntry, "SELECT "+entryCols+` FROM time_entries e WHERE end_at IS NULL AND start_at < ?
		AND NOT EXISTS (SELECT 1 FROM long_timer_notices n WHERE n.entry_id = e.id) ORDER BY start_at, id LIMIT ?`, t.ts(before), limit)
	if err != nil {
		return nil, t.Wrap("long timers", err)
	}
	return es, nil
}

// MarkLongTimer records a timer's notice; false when it was recorded
// before. A concurrent transaction marking the same timer waits for this
// one and then finds it marked.
func (t *Tx) MarkLongTimer(ws, entry core.ID, at time.Time) (bool, error) {
	n, err := t.c.Guard("INSERT INTO long_timer_notices (entry_id, workspace_id, at) VALUES (?, ?, ?) ON CONFLICT (entry_id) DO NOTHING",
		int64(entry), int64(ws), t.ts(at))
	switch {
	case t.d.IsForeignKey(err):
		return false, NotFound("time entry", entry)
	case err != nil:
		return false, t.Wrap("mark long timer", err)
	}
	return n == 1, nil
}
