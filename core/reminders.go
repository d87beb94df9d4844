package core

import (
	"context"
	"encoding/json"
	"strings"
	"time"
)

// Remind sets the actor's reminder: `remind 17:30 [weekdays|daily|mon,tue,…]`.
type Remind struct {
	At   ClockTime `json:"at"`
	Days Weekdays  `json:"days"`
}

// RemindOff removes the actor's reminder: `remind off`.
type RemindOff struct{}

// RemindShow shows the actor's reminder: `remind`.
type RemindShow struct{}

// ScheduleReport schedules a channel report: `report PERIOD every DAY HH:MM`.
type ScheduleReport struct {
	Period Period    `json:"period"`
	At     ClockTime `json:"at"`
	Days   Weekdays  `json:"days"`
}

// Schedules lists the channel's scheduled reports: `schedules`.
type Schedules struct{}

// SchedulesOff removes one of the channel's scheduled reports:
// `schedules off ID`.
type SchedulesOff struct {
	ID ID `json:"id"`
}

// CommandName implementations.
func (Remind) CommandName() string         { return "remind" }
func (RemindOff) CommandName() string      { return "remind off" }
func (RemindShow) CommandName() string     { return "remind show" }
func (ScheduleReport) CommandName() string { return "report every" }
func (Schedules) CommandName() string      { return "schedules" }
func (SchedulesOff) CommandName() string   { return "schedules off" }

// Directed events: a message the scheduler sends to one chat target (a
// subscription named in the data's subscription_id), as a ping goes to its
// own subscription only. They are not in the public catalogue: no filter
// subscribes to them.
const (
	EventReminderDue     = "reminder.due"
	EventReportScheduled = "report.scheduled"
	EventTrackerLong     = "tracker.long"
)

// Directed reports whether events of type typ go only to the subscription
// their data names.
func Directed(typ string) bool {
	return typ == EventReminderDue || typ == EventReportScheduled || typ == EventTrackerLong
}

// MessageData is the data of a directed event.
type MessageData struct {
	SubscriptionID ID     `json:"subscription_id"`
	UserID         ID     `json:"user_id,omitempty"`
	UserName       string `json:"user_name,omitempty"`
	// Day is the local date a reminder is about ("Mon 7 Dec").
	Day string `json:"day,omitempty"`
	// A long timer: the running entry, its names, since when (Clock: its
	// start in the owner's zone) and for how long.
	EntryID ID     `json:"entry_id,omitempty"`
	Task    string `json:"task,omitempty"`
	Project string `json:"project,omitempty"`
	Clock   string `json:"clock,omitempty"`
	Seconds int64  `json:"seconds,omitempty"`
	// Report is a scheduled report; ScheduleID the schedule it came from.
	ScheduleID ID          `json:"schedule_id,omitempty"`
	Report     *TeamReport `json:"report,omitempty"`
}

// TeamReport is a scheduled report: time by user and by project.
type TeamReport struct {
	Title string    `json:"title"`
	Span  string    `json:"span"`
	Zone  string    `json:"time_zone"`
	From  time.Time `json:"from"`
	To    time.Time `json:"to"`
	// Users are sorted by time, most first; each with its projects, most
	// first. Projects are the totals per project over everyone.
	Users    []UserReport `json:"users"`
	Projects []SummaryRow `json:"projects"`
	Total    int64        `json:"total_seconds"`
}

// UserReport is one user's time in a TeamReport.
type UserReport struct {
	Name     string       `json:"name"`
	Seconds  int64        `json:"seconds"`
	Projects []SummaryRow `json:"projects"`
}

// ParseMessageData reads a directed event's data.
func ParseMessageData(ev Event) (MessageData, error) {
	var d MessageData
	err := json.Unmarshal(ev.Data, &d)
	return d, err
}

// DirectMessages says how the gateway reaches a person privately: on Slack,
// chat.postMessage to the user's id, with the bot token. Unavailable, when
// set, says what to configure instead.
type DirectMessages struct {
	// Slack is true when Slack direct messages can be posted.
	Slack bool
	// Setting names what enables them: "GATEWAY_SLACK_BOT_TOKEN".
	Setting string
}

// SetDirectMessages says whether the gateway can send direct messages
// (reminders, long-timer notices). Without them, remind answers that it is
// not available and names dm.Setting.
func (s *Service) SetDirectMessages(dm DirectMessages) { s.dm = dm }

// DirectTarget returns the subscription that carries direct messages to
// user on Slack, making it (owned by the user, format slack, target
// "slack:USER_ID") on first use. It returns an invalid *Error that says
// what is missing when the gateway cannot send them or the user has no
// Slack identity.
func (s *Service) DirectTarget(ctx context.Context, user User) (ID, error) {
	if s.channels == nil || !s.dm.Slack {
		setting := s.dm.Setting
		if setting == "" {
			setting = "GATEWAY_SLACK_BOT_TOKEN"
		}
		return 0, Errorf(EINVALID, "reminders are Slack direct messages: they need a Slack bot token (%s), which this gateway does not have", setting)
	}
	var subject string
	for _, id := range user.Identities {
		if id.Provider == ProviderSlack {
			subject = id.Subject
			break
		}
	}
	team, slackUser, ok := strings.Cut(subject, ":")
	if !ok || slackUser == "" {
		return 0, Errorf(EINVALID, "reminders are Slack direct messages, and %s has no Slack identity: use Slack", user.Name)
	}
	ch := Channel{Key: "slack:" + team + ":" + slackUser, Format: FormatSlack, Target: "slack:" + slackUser}
	actor := Actor{User: user, Source: "scheduler"}
	subs, err := s.channels.ChannelSubscriptions(ctx, actor, ch)
	if err != nil {
		return 0, err
	}
	for _, sub := range subs {
		if sub.URL == ch.Target && sub.Format == FormatSlack {
			return sub.ID, nil
		}
	}
	sub, err := s.channels.SubscribeChannel(ctx, actor, ch, ch.Target, []string{EventWebhookPing})
	if err != nil {
		return 0, err
	}
	return sub.ID, nil
}

// remindCommand runs remind, remind off and remind (show).
func (s *Service) remindCommand(ctx context.Context, ws Workspace, actor Actor, cmd Command) (*Result, error) {
	res := &Result{Command: cmd.CommandName(), User: actor.User, At: s.Now()}
	switch c := cmd.(type) {
	case RemindShow:
		err := s.store.View(ctx, func(tx Tx) error {
			r, err := tx.Reminder(ws.ID, actor.User.ID)
			if err == nil {
				res.Reminder = &r
			}
			if ErrorCode(err) == ENOTFOUND {
				return nil
			}
			return err
		})
		return res, err
	case RemindOff:
		err := s.store.Update(ctx, func(tx Tx) error {
			found, err := tx.DeleteReminder(ws.ID, actor.User.ID)
			res.Removed = 0
			if found {
				res.Removed = 1
			}
			return err
		})
		return res, err
	case Remind:
		if c.Days == 0 {
			c.Days = WorkingDays
		}
		if c.At < 0 || c.At >= 24*60 {
			return nil, Errorf(EINVALID, "a reminder's time is HH:MM, from 00:00 to 23:59")
		}
		sub, err := s.DirectTarget(ctx, actor.User)
		if err != nil {
			return nil, err
		}
		now := s.Now()
		r := Reminder{WorkspaceID: ws.ID, UserID: actor.User.ID, At: c.At, Days: c.Days, SubscriptionID: sub,
			NextAt: NextSlot(now, actor.User.Location(), c.At, c.Days).UTC(), CreatedAt: now, UpdatedAt: now}
		if err := s.store.Update(ctx, func(tx Tx) error { return tx.PutReminder(&r) }); err != nil {
			return nil, err
		}
		res.Reminder = &r
		return res, nil
	}
	return nil, Errorf(EINVALID, "unknown command %q", cmd.CommandName())
}

// scheduleCommand runs report … every, schedules and schedules off.
func (s *Service) scheduleCommand(ctx context.Context, ws Workspace, actor Actor, cmd Command) (*Result, error) {
	ch := actor.Channel
	if ch == nil || ch.Key == "" {
		return nil, Errorf(EINVALID, "scheduled reports go to a chat channel: type this in the channel that should get them")
	}
	res := &Result{Command: cmd.CommandName(), User: actor.User, At: s.Now()}
	mine := func(sc Schedule) bool { return actor.User.Role == RoleAdmin || sc.UserID == actor.User.ID }
	switch c := cmd.(type) {
	case Schedules:
		err := s.store.View(ctx, func(tx Tx) error {
			list, err := tx.ListSchedules(ws.ID, ScheduleFilter{Channel: ch.Key})
			res.Schedules = list
			return err
		})
		return res, err
	case SchedulesOff:
		err := s.store.Update(ctx, func(tx Tx) error {
			sc, err := tx.Schedule(ws.ID, c.ID)
			if ErrorCode(err) == ENOTFOUND || (err == nil && sc.Channel != ch.Key) {
				return Errorf(ENOTFOUND, "this channel has no scheduled report #%d; `schedules` lists them", c.ID)
			}
			if err != nil {
				return err
			}
			if !mine(sc) {
				return Errorf(EFORBIDDEN, "scheduled report #%d is someone else's: only they or an admin can remove it", c.ID)
			}
			res.Schedules = []Schedule{sc}
			return tx.DeleteSchedule(ws.ID, c.ID)
		})
		return res, err
	case ScheduleReport:
		if s.channels == nil {
			return nil, Errorf(EINVALID, "channel messages are not available on this gateway")
		}
		if c.Days == 0 {
			return nil, Errorf(EINVALID, "say which days, as in: report week every fri 17:00")
		}
		loc := actor.User.Location()
		if _, _, err := c.Period.Resolve(s.Now(), loc); err != nil {
			return nil, err
		}
		sub, err := s.reportTarget(ctx, actor, *ch)
		if err != nil {
			return nil, err
		}
		now := s.Now()
		sc := Schedule{WorkspaceID: ws.ID, UserID: actor.User.ID, Channel: ch.Key, SubscriptionID: sub, Period: c.Period,
			At: c.At, Days: c.Days, Zone: loc.String(), NextAt: NextSlot(now, loc, c.At, c.Days).UTC(), CreatedAt: now}
		if err := s.store.Update(ctx, func(tx Tx) error { return tx.CreateSchedule(&sc) }); err != nil {
			return nil, err
		}
		res.Schedules = []Schedule{sc}
		return res, nil
	}
	return nil, Errorf(EINVALID, "unknown command %q", cmd.CommandName())
}

// reportTarget returns the channel's subscription that carries its
// scheduled reports, making one on first use: to the bot-token target, or
// to the incoming-webhook URL of a subscription the channel has.
func (s *Service) reportTarget(ctx context.Context, actor Actor, ch Channel) (ID, error) {
	subs, err := s.channels.ChannelSubscriptions(ctx, actor, ch)
	if err != nil {
		return 0, err
	}
	url := ch.Target
	for _, sub := range subs {
		if string(sub.Events) == `["`+EventWebhookPing+`"]` && sub.OwnerID == actor.User.ID {
			return sub.ID, nil // the channel's report target, made before
		}
		if url == "" {
			url = sub.URL
		}
	}
	if url == "" {
		return 0, Errorf(EINVALID, "scheduled reports need a way into this channel: a Slack bot token (GATEWAY_SLACK_BOT_TOKEN), or the channel's incoming-webhook URL given once with notify URL")
	}
	sub, err := s.channels.SubscribeChannel(ctx, actor, ch, url, []string{EventWebhookPing})
	if err != nil {
		return 0, err
	}
	return sub.ID, nil
}

// ListSchedules returns a page of scheduled reports by id: an admin's are
// everyone's, a member's their own.
func (s *Service) ListSchedules(ctx context.Context, actor Actor, p Page) ([]Schedule, ID, error) {
	p = p.Normalize()
	var out []Schedule
	var next ID
	err := s.read(ctx, actor, func(tx Tx, ws ID) error {
		f := ScheduleFilter{}
		if actor.User.Role != RoleAdmin {
			f.UserID = actor.User.ID
		}
		all, err := tx.ListSchedules(ws, f)
		if err != nil {
			return err
		}
		for _, sc := range all {
			if sc.ID <= p.After {
				continue
			}
			if len(out) == p.Limit {
				next = out[len(out)-1].ID
				break
			}
			out = append(out, sc)
		}
		return nil
	})
	return out, next, err
}

// DeleteSchedule removes a scheduled report: an admin any, a member their
// own (another's is not_found to them).
func (s *Service) DeleteSchedule(ctx context.Context, actor Actor, id ID) error {
	ws, err := s.Workspace(ctx)
	if err != nil {
		return err
	}
	if actor.User.ID == 0 {
		return Errorf(EUNAUTHORIZED, "no user")
	}
	return s.store.Update(ctx, func(tx Tx) error {
		sc, err := tx.Schedule(ws.ID, id)
		if err == nil && actor.User.Role != RoleAdmin && sc.UserID != actor.User.ID {
			err = Errorf(ENOTFOUND, "schedule %d not found", id)
		}
		if err != nil {
			return err
		}
		return tx.DeleteSchedule(ws.ID, id)
	})
}

// UserReminders returns the reminders of users (whom the actor has read),
// by user id; users without one are absent.
func (s *Service) UserReminders(ctx context.Context, actor Actor, users []User) (map[ID]Reminder, error) {
	out := map[ID]Reminder{}
	if len(users) == 0 {
		return out, nil
	}
	err := s.read(ctx, actor, func(tx Tx, ws ID) error {
		for _, u := range users {
			r, err := tx.Reminder(ws, u.ID)
			switch {
			case err == nil:
				out[u.ID] = r
			case ErrorCode(err) != ENOTFOUND:
				return err
			}
		}
		return nil
	})
	return out, err
}
