// Package schedule is the gateway's scheduler: it makes the gateway speak
// first. Personal reminders (core.Reminder), scheduled channel reports
// (core.Schedule) and long-timer notices are rows in the store; the
// scheduler claims what is due in a transaction (on PostgreSQL with FOR
// UPDATE SKIP LOCKED, and with a conditional update of the slot, so two
// instances never both fire one), and in that same transaction appends a
// directed event (core.Directed) to the outbox. The delivery engine then
// posts it like any channel notification: rendered for the target's format
// (Block Kit for Slack, Markdown for Mattermost), with retries.
//
// Slots are local times in a zone (core.NextSlot: one per local date, DST
// handled). A slot missed while no gateway ran fires once when one comes
// back, if it is less than core.LateSlot late; an older one is skipped and
// logged. A scheduled report that fails (its owner gone, a report that
// cannot be built) is logged and its schedule moves on to its next slot;
// the other due reports are sent all the same. The clock is injected
// (Options.Now).
package schedule

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/chatops/gateway/core"
)

// DefaultLongTimer is how long a timer runs before its owner gets a direct
// message (GATEWAY_LONG_TIMER).
const DefaultLongTimer = 8 * time.Hour

// DefaultInterval is how often Run looks for due work: a slot is posted
// within a minute after it, never before.
const DefaultInterval = 15 * time.Second

// batch is how many rows one transaction claims.
const batch = 50

// Targets finds the direct-message target of a user; core.Service
// implements it (DirectTarget).
type Targets interface {
	DirectTarget(ctx context.Context, user core.User) (core.ID, error)
}

// Options configure a Scheduler. The zero value is usable.
type Options struct {
	// Now is the clock; nil is time.Now.
	Now func() time.Time
	// NewEventID makes event ids; nil is core.NewEventID.
	NewEventID func() string
	// Logger receives skipped slots and failures.
	Logger *slog.Logger
	// LongTimer is how long a timer runs before its owner is told, once;
	// 0 is DefaultLongTimer, negative turns the notices off.
	LongTimer time.Duration
	// Interval is Run's period; 0 is DefaultInterval.
	Interval time.Duration
	// Targets, when set, lets long-timer notices reach their owners by
	// direct message; nil turns the notices off.
	Targets Targets
}

// Scheduler fires due reminders, scheduled reports and long-timer notices.
type Scheduler struct {
	store core.Store
	opts  Options
}

// New returns a Scheduler on st: give it the store that wakes the delivery
// engine (delivery.NotifyStore), so that what it appends goes out at once.
func New(st core.Store, opts Options) *Scheduler {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.NewEventID == nil {
		opts.NewEventID = core.NewEventID
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.LongTimer == 0 {
		opts.LongTimer = DefaultLongTimer
	}
	if opts.Interval <= 0 {
		opts.Interval = DefaultInterval
	}
	return &Scheduler{store: st, opts: opts}
}

// Stats say what one RunOnce did.
type Stats struct {
	// Reports and Reminders are the messages appended; Quiet the reminders
	// not sent because the user had logged time that day; Skipped the
	// slots more than core.LateSlot late; LongTimers the notices appended.
	Reports, Reminders, Quiet, Skipped, LongTimers int
	// Failed are the scheduled reports whose slot failed (logged): their
	// schedules moved on to their next slot, and the others were sent.
	Failed int
}

func (s *Scheduler) now() time.Time { return s.opts.Now().UTC().Truncate(time.Microsecond) }

// Run fires due work every Interval until ctx ends, and once at start.
func (s *Scheduler) Run(ctx context.Context) error {
	t := time.NewTicker(s.opts.Interval)
	defer t.Stop()
	for {
		if _, err := s.RunOnce(ctx); err != nil && ctx.Err() == nil {
			s.opts.Logger.Error("scheduler", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// RunOnce fires everything due now: scheduled reports, reminders and
// long-timer notices, each batch claimed and fired in one transaction.
func (s *Scheduler) RunOnce(ctx context.Context) (Stats, error) {
	var total Stats
	for _, step := range []func(context.Context, time.Time) (Stats, int, error){s.reports, s.reminders, s.longTimers} {
		for {
			st, n, err := step(ctx, s.now())
			total = total.add(st)
			if err != nil {
				return total, err
			}
			if n < batch {
				break
			}
		}
	}
	return total, nil
}

func (a Stats) add(b Stats) Stats {
	return Stats{a.Reports + b.Reports, a.Reminders + b.Reminders, a.Quiet + b.Quiet, a.Skipped + b.Skipped, a.LongTimers + b.LongTimers,
		a.Failed + b.Failed}
}

// late reports whether a slot is too late to fire at now, and logs it.
func (s *Scheduler) late(kind string, id core.ID, slot, now time.Time) bool {
	if now.Sub(slot) < core.LateSlot {
		return false
	}
	s.opts.Logger.Warn("scheduled slot skipped: more than an hour late", "kind", kind, "id", int64(id),
		"slot", slot.Format(time.RFC3339), "late", now.Sub(slot).Round(time.Second).String())
	return true
}

// event appends a directed event with data d.
func (s *Scheduler) event(tx core.Tx, typ string, ws core.ID, user core.User, now time.Time, d core.MessageData) error {
	data, err := json.Marshal(d)
	if err != nil {
		return err
	}
	return tx.AppendEvent(&core.Event{ID: s.opts.NewEventID(), Type: typ, Timestamp: now, WorkspaceID: ws,
		Actor: core.EventActor{ID: user.ID, Name: user.Name, Source: "scheduler"}, Data: data, UserID: user.ID})
}

// reports fires due scheduled reports, a batch per transaction. A schedule
// that fails (its owner gone, a report that cannot be built, an event that
// cannot be appended) fails alone: its batch is rolled back, so that nothing
// of the failure is kept (on PostgreSQL a failed statement would spoil the
// rest of the transaction), the schedule moves on to its next slot in a
// transaction of its own, the failure is logged and counted, and the batch
// runs again without it. Its failed slot is not tried again, as a slot more
// than an hour late is not: retrying it every tick would only fail again.
func (s *Scheduler) reports(ctx context.Context, now time.Time) (Stats, int, error) {
	var total Stats
	failed := map[core.ID]bool{}
	for {
		st, n, bad, err := s.reportBatch(ctx, now)
		total = total.add(st)
		if bad == nil {
			return total, n, err
		}
		if err := ctx.Err(); err != nil {
			return total, n, err
		}
		if failed[bad.sc.ID] { // it did not move on: leave it to the next run
			return total, n, fmt.Errorf("scheduled report %d: %w", bad.sc.ID, bad.err)
		}
		failed[bad.sc.ID] = true
		if err := s.dropSlot(ctx, bad, now); err != nil {
			return total, n, err
		}
		total.Failed++
	}
}

// errReportFailed rolls back a batch of scheduled reports in which one
// failed.
var errReportFailed = errors.New("a scheduled report failed")

// reportFailure is a scheduled report that failed, as it was claimed.
type reportFailure struct {
	sc  core.Schedule
	err error
}

// reportBatch claims and fires a batch of due scheduled reports in one
// transaction. When one fails it rolls the batch back and returns it as bad.
func (s *Scheduler) reportBatch(ctx context.Context, now time.Time) (Stats, int, *reportFailure, error) {
	var st Stats
	var n int
	var bad *reportFailure
	err := s.store.Update(ctx, func(tx core.Tx) error {
		st, n, bad = Stats{}, 0, nil
		due, err := tx.DueSchedules(now, batch)
		if err != nil {
			return err
		}
		n = len(due)
		for _, sc := range due {
			ok, err := tx.AdvanceSchedule(sc, core.NextSlot(now, sc.Location(), sc.At, sc.Days).UTC())
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			if s.late("schedule", sc.ID, sc.NextAt, now) {
				st.Skipped++
				continue
			}
			if err := s.fireReport(tx, sc, now); err != nil {
				bad = &reportFailure{sc, err}
				return errReportFailed
			}
			st.Reports++
		}
		return nil
	})
	if bad != nil && errors.Is(err, errReportFailed) {
		return Stats{}, n, bad, nil
	}
	return st, n, nil, err
}

// fireReport appends the report of sc's slot.
func (s *Scheduler) fireReport(tx core.Tx, sc core.Schedule, now time.Time) error {
	owner, err := tx.User(sc.WorkspaceID, sc.UserID)
	if err != nil {
		return fmt.Errorf("owner: %w", err)
	}
	rep, err := TeamReport(tx, owner, sc.Period, sc.Location(), sc.NextAt, now)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return s.event(tx, core.EventReportScheduled, sc.WorkspaceID, owner, now,
		core.MessageData{SubscriptionID: sc.SubscriptionID, ScheduleID: sc.ID, Report: rep})
}

// dropSlot moves a failed schedule on to its next slot, unless it changed
// meanwhile, and logs the failure.
func (s *Scheduler) dropSlot(ctx context.Context, bad *reportFailure, now time.Time) error {
	sc := bad.sc
	next := core.NextSlot(now, sc.Location(), sc.At, sc.Days).UTC()
	var moved bool
	if err := s.store.Update(ctx, func(tx core.Tx) (err error) {
		moved, err = tx.AdvanceSchedule(sc, next)
		return err
	}); err != nil {
		return fmt.Errorf("scheduled report %d failed (%v), and its slot could not move on: %w", sc.ID, bad.err, err)
	}
	args := []any{"id", int64(sc.ID), "workspace", int64(sc.WorkspaceID), "user", int64(sc.UserID), "channel", sc.Channel,
		"slot", sc.NextAt.Format(time.RFC3339), "err", bad.err}
	if moved {
		args = append(args, "next", next.Format(time.RFC3339))
	}
	s.opts.Logger.Error("scheduled report failed", args...)
	return nil
}

// reminders fires due reminders: a message when the user logged nothing on
// the slot's local day (a running timer counts as logged).
func (s *Scheduler) reminders(ctx context.Context, now time.Time) (Stats, int, error) {
	var st Stats
	var n int
	err := s.store.Update(ctx, func(tx core.Tx) error {
		st, n = Stats{}, 0
		due, err := tx.DueReminders(now, batch)
		if err != nil {
			return err
		}
		n = len(due)
		for _, r := range due {
			user, err := tx.User(r.WorkspaceID, r.UserID)
			if err != nil {
				return fmt.Errorf("reminder of user %d: %w", r.UserID, err)
			}
			loc := user.Location()
			ok, err := tx.AdvanceReminder(r, core.NextSlot(now, loc, r.At, r.Days).UTC())
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			if !core.NextSlot(r.NextAt.Add(-time.Second), loc, r.At, r.Days).Equal(r.NextAt) {
				continue // the user changed zone: the reminder keeps to the new one
			}
			if s.late("reminder", r.UserID, r.NextAt, now) {
				st.Skipped++
				continue
			}
			slot := r.NextAt.In(loc)
			dayStart := time.Date(slot.Year(), slot.Month(), slot.Day(), 0, 0, 0, 0, loc)
			logged, err := loggedBetween(tx, r.WorkspaceID, r.UserID, dayStart, dayStart.AddDate(0, 0, 1))
			if err != nil {
				return err
			}
			if logged {
				st.Quiet++
				continue
			}
			if err := s.event(tx, core.EventReminderDue, r.WorkspaceID, user, now,
				core.MessageData{SubscriptionID: r.SubscriptionID, UserID: user.ID, UserName: user.Name, Day: slot.Format("Mon 2 Jan")}); err != nil {
				return err
			}
			st.Reminders++
		}
		return nil
	})
	return st, n, err
}

// loggedBetween reports whether the user has an entry in [from, to) or a
// running timer.
func loggedBetween(tx core.Tx, ws, user core.ID, from, to time.Time) (bool, error) {
	if _, err := tx.RunningEntry(ws, user); err == nil {
		return true, nil
	} else if core.ErrorCode(err) != core.ENOTFOUND {
		return false, err
	}
	es, err := tx.ListEntries(ws, core.EntryFilter{UserID: user, From: from.UTC(), To: to.UTC()}, core.Page{Limit: 1})
	return len(es) > 0, err
}

// longTimers tells the owners of timers running longer than LongTimer, one
// direct message per timer. The target is found (or made) before the
// transaction that marks the timer and appends the message, which fires
// only if its mark is the first.
func (s *Scheduler) longTimers(ctx context.Context, now time.Time) (Stats, int, error) {
	var st Stats
	if s.opts.LongTimer < 0 || s.opts.Targets == nil {
		return st, 0, nil
	}
	var long []core.TimeEntry
	if err := s.store.View(ctx, func(tx core.Tx) (err error) {
		long, err = tx.LongTimers(now.Add(-s.opts.LongTimer), batch)
		return err
	}); err != nil {
		return st, 0, err
	}
	for _, e := range long {
		var user core.User
		if err := s.store.View(ctx, func(tx core.Tx) (err error) {
			user, err = tx.User(e.WorkspaceID, e.UserID)
			return err
		}); err != nil {
			return st, len(long), err
		}
		sub, terr := s.opts.Targets.DirectTarget(ctx, user)
		if core.ErrorCode(terr) == core.EINTERNAL {
			return st, len(long), terr
		}
		err := s.store.Update(ctx, func(tx core.Tx) error {
			first, err := tx.MarkLongTimer(e.WorkspaceID, e.ID, now)
			if err != nil || !first || terr != nil {
				return err // owners out of reach (no Slack identity, a limit) are marked too, and told nothing
			}
			d := core.MessageData{SubscriptionID: sub, UserID: user.ID, UserName: user.Name, EntryID: e.ID,
				Seconds: int64(now.Sub(e.Start) / time.Second), Clock: e.Start.In(user.Location()).Format("15:04 MST")}
			if t, err := tx.Task(e.WorkspaceID, e.TaskID); err == nil {
				d.Task = t.Name
			}
			if p, err := tx.Project(e.WorkspaceID, e.ProjectID); err == nil {
				d.Project = p.Name
			}
			if err := s.event(tx, core.EventTrackerLong, e.WorkspaceID, user, now, d); err != nil {
				return err
			}
			st.LongTimers++
			return nil
		})
		if core.ErrorCode(err) == core.ENOTFOUND {
			continue // the entry was deleted meanwhile
		}
		if err != nil {
			return st, len(long), err
		}
	}
	return st, len(long), nil
}

// TeamReport builds the report of period as of the instant at, in loc: an
// admin's covers everyone, a member's their own time. Entries count as in
// every report (core.EntrySeconds: clipped to the period, a running timer
// up to now); the title is chat's (Title).
func TeamReport(tx core.Tx, owner core.User, period core.Period, loc *time.Location, at, now time.Time) (*core.TeamReport, error) {
	from, to, err := period.Resolve(at, loc)
	if err != nil {
		return nil, err
	}
	ws := owner.WorkspaceID
	rep := &core.TeamReport{Title: Title(period, from, loc), Span: Span(from, to, loc), Zone: loc.String(), From: from.UTC(), To: to.UTC()}
	f := core.EntryFilter{From: from.UTC(), To: to.UTC()}
	if owner.Role != core.RoleAdmin {
		f.UserID = owner.ID
	}
	type key struct {
		user    core.ID
		project core.ID
	}
	perUser := map[key]int64{}
	users, projects := map[core.ID]string{}, map[core.ID]string{}
	page := core.Page{Limit: core.MaxPageLimit}
	for {
		es, err := tx.ListEntries(ws, f, page)
		if err != nil {
			return nil, err
		}
		for _, e := range es {
			secs := core.EntrySeconds(e, from, to, now)
			if secs == 0 {
				continue
			}
			perUser[key{e.UserID, e.ProjectID}] += secs
			users[e.UserID], projects[e.ProjectID] = "", ""
		}
		if len(es) < page.Limit {
			break
		}
		page.After = es[len(es)-1].ID
	}
	for id := range users {
		users[id] = fmt.Sprintf("user %d", id)
		if u, err := tx.User(ws, id); err == nil {
			users[id] = u.Name
		}
	}
	for id := range projects {
		projects[id] = "(no project)"
		if p, err := tx.Project(ws, id); err == nil {
			projects[id] = p.Name
		} else if id != 0 {
			projects[id] = fmt.Sprintf("project %d", id)
		}
	}
	byUser := map[core.ID]*core.UserReport{}
	byProject := map[string]int64{}
	for k, secs := range perUser {
		u := byUser[k.user]
		if u == nil {
			u = &core.UserReport{Name: users[k.user]}
			byUser[k.user] = u
		}
		u.Seconds += secs
		u.Projects = append(u.Projects, core.SummaryRow{Project: projects[k.project], Seconds: secs})
		byProject[projects[k.project]] += secs
		rep.Total += secs
	}
	for _, u := range byUser {
		sortRows(u.Projects)
		rep.Users = append(rep.Users, *u)
	}
	slices.SortFunc(rep.Users, func(a, b core.UserReport) int {
		return cmp.Or(cmp.Compare(b.Seconds, a.Seconds), cmp.Compare(a.Name, b.Name))
	})
	for name, secs := range byProject {
		rep.Projects = append(rep.Projects, core.SummaryRow{Project: name, Seconds: secs})
	}
	sortRows(rep.Projects)
	return rep, nil
}

func sortRows(rows []core.SummaryRow) {
	slices.SortFunc(rows, func(a, b core.SummaryRow) int {
		return cmp.Or(cmp.Compare(b.Seconds, a.Seconds), cmp.Compare(a.Project, b.Project))
	})
}

// Title names a scheduled report as chat names the period's report
// (core.PeriodTitle): "Team report · This week".
func Title(p core.Period, from time.Time, loc *time.Location) string {
	return "Team report · " + core.PeriodTitle(p, from, loc)
}

// Span is the days a report covers: "Mon 30 Nov – Sun 6 Dec 2026".
func Span(from, to time.Time, loc *time.Location) string {
	last := to.In(loc).AddDate(0, 0, -1)
	if !last.After(from.In(loc)) {
		return from.In(loc).Format("Mon 2 Jan 2006")
	}
	return from.In(loc).Format("Mon 2 Jan") + " – " + last.Format("Mon 2 Jan 2006")
}
