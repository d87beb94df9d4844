package api

import (
	"context"
	"net/http"

	"github.com/chatops/gateway/core"
)

// The console's Schedules page: the channel reports scheduled in chat
// (`report … every …`), an admin's all and a member's own, each with a
// Delete that asks first (core.Service.ListSchedules, DeleteSchedule), and
// the viewer's own daily reminder (`remind …`), which they may turn off
// (core.RemindOff, as chat's `remind off`). Schedules and reminders are
// made in chat, where the channel and the direct-message target are known.

type scheduleRow struct {
	ID, Owner, Channel, Period, At, Days, Zone string
	Next                                       stamp
}

type schedulesView struct {
	uiView
	Notice    string
	Admin     bool
	Schedules []scheduleRow
	// Reminder is the viewer's own ("" when they have none).
	Reminder     string
	ReminderNext stamp
}

func (u *webUI) listSchedules(w http.ResponseWriter, r *http.Request, sess session) error {
	ctx := r.Context()
	list, err := allPages(func(p core.Page) ([]core.Schedule, core.ID, error) {
		return u.s.svc.ListSchedules(ctx, sess.actor, p)
	})
	if err != nil {
		return err
	}
	loc := sess.actor.User.Location()
	v := schedulesView{uiView: sectionView(sess, "Schedules", "schedules"), Notice: noticeOf(r),
		Admin: sess.actor.User.Role == core.RoleAdmin}
	nm := u.names(ctx, sess)
	var targets map[core.ID]core.Subscription
	if len(list) > 0 {
		if _, targets, err = u.visibleHooks(ctx, sess); err != nil {
			return err
		}
	}
	for _, sc := range list {
		owner, err := nm.user(sc.UserID)
		if err != nil {
			return err
		}
		v.Schedules = append(v.Schedules, scheduleRow{ID: sc.ID.String(), Owner: owner, Channel: scheduleChannel(sc, targets[sc.SubscriptionID]),
			Period: periodText(sc.Period), At: sc.At.String(), Days: sc.Days.String(), Zone: sc.Location().String(),
			Next: stampOf(sc.NextAt, loc)})
	}
	rs, err := u.s.svc.UserReminders(ctx, sess.actor, []core.User{sess.actor.User})
	if err != nil {
		return err
	}
	if rm, ok := rs[sess.actor.User.ID]; ok {
		v.Reminder = rm.At.String() + ", " + rm.Days.String()
		v.ReminderNext = stampOf(rm.NextAt, loc)
	}
	return u.render(w, http.StatusOK, "schedules", v)
}

// scheduleChannel names a schedule's channel as the webhooks page does
// (channelLabel): "#general on Slack" when its target subscription, which
// chat made for the channel, tells the name the chat gave. target is that
// subscription, or zero when the viewer may not see it or it is gone.
func scheduleChannel(sc core.Schedule, target core.Subscription) string {
	if target.Channel != sc.Channel {
		target = core.Subscription{Channel: sc.Channel}
	}
	return channelLabel(target)
}

// scheduleTarget reads a schedule's target subscription for
// scheduleChannel: zero when webhooks are off or the viewer may not see it.
func (u *webUI) scheduleTarget(ctx context.Context, sess session, sc core.Schedule) (core.Subscription, error) {
	wh := u.s.opts.Webhooks
	if wh == nil {
		return core.Subscription{}, nil
	}
	sub, err := wh.Get(ctx, sess.actor, sc.SubscriptionID)
	if code := core.ErrorCode(err); code == core.ENOTFOUND || code == core.EFORBIDDEN {
		return core.Subscription{}, nil
	}
	return sub, err
}

// periodText is a schedule's period as the chat command names it.
func periodText(p core.Period) string {
	switch {
	case p.Kind == core.PeriodRange:
		return p.Date + " to " + p.To
	case p.Date != "":
		return p.Date
	}
	return string(p.Kind)
}

// confirmDeleteSchedule asks before deleting a scheduled report.
func (u *webUI) confirmDeleteSchedule(w http.ResponseWriter, r *http.Request, sess session) error {
	id, err := pathID(r, "schedule")
	if err != nil {
		return err
	}
	sc, err := u.scheduleOf(r, sess, id)
	if err != nil {
		return err
	}
	target, err := u.scheduleTarget(r.Context(), sess, sc)
	if err != nil {
		return err
	}
	channel := scheduleChannel(sc, target)
	return u.render(w, http.StatusOK, "confirm", confirmView{uiView: sectionView(sess, "Delete schedule #"+id.String(), "schedules"),
		Heading: "Delete the scheduled report #" + id.String() + "?",
		Message: "The " + periodText(sc.Period) + " report at " + sc.At.String() + " (" + sc.Days.String() + ") stops going to " +
			channel + ". This cannot be undone; chat's report … every makes a new one.",
		Action: "/ui/schedules/" + id.String() + "/delete", Button: "Delete schedule", Cancel: "/ui/schedules"})
}

// scheduleOf finds a schedule the viewer sees (not_found otherwise).
func (u *webUI) scheduleOf(r *http.Request, sess session, id core.ID) (core.Schedule, error) {
	list, err := allPages(func(p core.Page) ([]core.Schedule, core.ID, error) {
		return u.s.svc.ListSchedules(r.Context(), sess.actor, p)
	})
	if err != nil {
		return core.Schedule{}, err
	}
	for _, sc := range list {
		if sc.ID == id {
			return sc, nil
		}
	}
	return core.Schedule{}, core.Errorf(core.ENOTFOUND, "schedule %d not found", id)
}

func (u *webUI) deleteSchedule(w http.ResponseWriter, r *http.Request, sess session) error {
	id, err := pathID(r, "schedule")
	if err != nil {
		return err
	}
	if err := u.s.svc.DeleteSchedule(r.Context(), sess.actor, id); err != nil {
		return err
	}
	return seeOther(w, r, "/ui/schedules?done=schedel")
}

// reminderOff turns the viewer's own reminder off (chat's remind off).
func (u *webUI) reminderOff(w http.ResponseWriter, r *http.Request, sess session) error {
	if _, err := u.s.svc.Execute(r.Context(), sess.actor, core.RemindOff{}); err != nil {
		return err
	}
	return seeOther(w, r, "/ui/schedules?done=remindoff")
}
