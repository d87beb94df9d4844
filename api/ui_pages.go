package api

import (
	"bytes"
	"context"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"slices"
	"strconv"
	"time"

	"github.com/gorilla/mux"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/internal/httpx"
	"github.com/chatops/gateway/webhooks"
)

// The web page's handlers, one per route of /ui/ (routes.go).

// dashboard shows who is logged in, the webhooks they may see and their
// (an admin: everyone's) newest time entries.
func (u *webUI) dashboard(w http.ResponseWriter, r *http.Request, sess session) error {
	ctx := r.Context()
	nm := u.names(ctx, sess)
	v := dashboardView{uiView: viewOf(sess, "Dashboard"), Notice: noticeOf(r),
		Admin: sess.actor.User.Role == core.RoleAdmin}
	if wh := u.s.opts.Webhooks; wh != nil {
		v.HooksEnabled = true
		now := u.s.svc.Now()
		st, err := wh.Stats(ctx, sess.actor, now.Add(-24*time.Hour))
		if err != nil {
			return err
		}
		subs, byID, err := u.visibleHooks(ctx, sess)
		if err != nil {
			return err
		}
		v.Stats = deliveryFigures(st, byID, now, sess.actor.User.Location())
		for _, sub := range subs {
			row, err := u.webhookRow(sub, sess, nm)
			if err != nil {
				return err
			}
			v.Webhooks = append(v.Webhooks, row)
			if sub.Status == core.SubPending || (sub.Status == core.SubDisabled && sub.LastError != "") {
				v.Failing = append(v.Failing, row)
			}
		}
	}
	entries, err := u.recentEntries(ctx, sess.actor, uiEntries)
	if err != nil {
		return err
	}
	now := u.s.svc.Now()
	for _, e := range entries {
		row := entryRow{Start: stampOf(e.Start, sess.actor.User.Location()), Duration: durationText(e.Duration(now)),
			Running: e.Running(), Note: e.Note}
		if row.User, err = nm.user(e.UserID); err != nil {
			return err
		}
		if row.Task, err = nm.task(e.TaskID); err != nil {
			return err
		}
		if row.Project, err = nm.project(e.ProjectID); err != nil {
			return err
		}
		v.Entries = append(v.Entries, row)
	}
	return u.render(w, http.StatusOK, "dashboard", v)
}

// deliveryFigures are the dashboard's delivery figures: the last 24 hours
// by outcome, the queue depth and the oldest undelivered event, whose
// webhook is named from the viewer's subscriptions (byID), "#id" when it is
// not among them (gone since the figures were read).
func deliveryFigures(st core.DeliveryStats, byID map[core.ID]core.Subscription, now time.Time, loc *time.Location) *statsView {
	v := &statsView{Delivered: st.Delivered, Retrying: st.Retrying, Failed: st.Failed, Pending: st.Pending}
	if d := st.Oldest; d != nil {
		o := oldestView{EventType: d.EventType, EventID: d.EventID, Since: stampOf(d.CreatedAt, loc),
			Age: durationText(now.Sub(d.CreatedAt)), WebhookID: d.SubscriptionID.String(), Webhook: "#" + d.SubscriptionID.String()}
		if sub, ok := byID[d.SubscriptionID]; ok {
			o.Webhook = sub.Name
			if ch := channelLabel(sub); ch != "" {
				o.Webhook = ch
			}
		}
		v.Oldest = &o
	}
	return v
}

// visibleHooks lists the subscriptions the viewer may see, in id order,
// and keys them by id: one read of the store per page of subscriptions,
// for a page that names many rows' webhooks (none when webhooks are off).
func (u *webUI) visibleHooks(ctx context.Context, sess session) ([]core.Subscription, map[core.ID]core.Subscription, error) {
	wh := u.s.opts.Webhooks
	if wh == nil {
		return nil, nil, nil
	}
	subs, err := allPages(func(p core.Page) ([]core.Subscription, core.ID, error) { return wh.List(ctx, sess.actor, p) })
	if err != nil {
		return nil, nil, err
	}
	byID := make(map[core.ID]core.Subscription, len(subs))
	for _, sub := range subs {
		byID[sub.ID] = sub
	}
	return subs, byID, nil
}

// recentEntries returns the n time entries with the latest start that the
// actor may see (a member their own, an admin everyone's), newest first,
// among those of the last 92 days. The store lists entries by id, so it
// reads those that reach into the last week, and widens the window to 92
// days when fewer than n start inside it: an entry outside the window
// ended, so started, before it. Older entries are the API's: a page load
// never reads the whole history.
func (u *webUI) recentEntries(ctx context.Context, actor core.Actor, n int) ([]core.TimeEntry, error) {
	newer := func(a, b core.TimeEntry) int {
		if c := b.Start.Compare(a.Start); c != 0 {
			return c
		}
		return int(b.ID - a.ID)
	}
	now := u.s.svc.Now()
	var top []core.TimeEntry
	for _, back := range []time.Duration{7 * 24 * time.Hour, 92 * 24 * time.Hour} {
		f := core.EntryFilter{From: now.Add(-back)}
		top = top[:0]
		for p := (core.Page{Limit: core.MaxPageLimit}); ; {
			es, next, err := u.s.svc.ListEntries(ctx, actor, f, p)
			if err != nil {
				return nil, err
			}
			for _, e := range es {
				if len(top) == n && newer(e, top[n-1]) >= 0 {
					continue
				}
				i, _ := slices.BinarySearchFunc(top, e, newer)
				top = slices.Insert(top, i, e)
				if len(top) > n {
					top = top[:n]
				}
			}
			if next == 0 {
				break
			}
			p.After = next
		}
		if len(top) == n && !top[n-1].Start.Before(f.From) {
			break
		}
	}
	return top, nil
}

// webhookLog shows one webhook and its newest delivery attempts.
func (u *webUI) webhookLog(w http.ResponseWriter, r *http.Request, sess session) error {
	return u.webhookPage(w, r, sess, webhookPageOptions{})
}

// webhookPageOptions are how a webhook's page is shown besides the plain
// GET: with its secret, with a notice, with the replay form's errors.
type webhookPageOptions struct {
	reveal bool
	notice string
	replay *form
	status int
}

// webhookPage shows one webhook: its facts and buttons, its secret when
// asked to reveal it, its delivery log (each attempt to the second, the
// delivery's outcome and next retry, a resend button) and the replay form.
func (u *webUI) webhookPage(w http.ResponseWriter, r *http.Request, sess session, o webhookPageOptions) error {
	wh, id, err := u.s.hookOf(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	sub, err := wh.Get(ctx, sess.actor, id)
	if err != nil {
		return err
	}
	attempts, _, err := wh.Deliveries(ctx, sess.actor, id, core.Page{Limit: uiAttempts})
	if err != nil {
		return err
	}
	ids := make([]core.ID, len(attempts))
	for i, a := range attempts {
		ids[i] = a.DeliveryID
	}
	states, err := wh.DeliveryStates(ctx, sess.actor, id, ids)
	if err != nil {
		return err
	}
	row, err := u.webhookRow(sub, sess, u.names(ctx, sess))
	if err != nil {
		return err
	}
	row.Back = "log"
	loc := sess.actor.User.Location()
	now := u.s.svc.Now()
	v := logView{uiView: viewOf(sess, sub.Name), Notice: o.notice, Webhook: row, Replay: o.replay,
		Zone: loc.String(), CreatedAt: stampOf(sub.CreatedAt, loc), UpdatedAt: stampOf(sub.UpdatedAt, loc)}
	if v.Notice == "" {
		v.Notice = noticeOf(r)
	}
	if sub.ValidatedAt != nil {
		st := stampOf(*sub.ValidatedAt, loc)
		v.ValidatedAt = &st
	}
	if o.reveal {
		v.Secret = sub.Secret
		if sub.PreviousSecret != "" && sub.PreviousSecretUntil != nil && sub.PreviousSecretUntil.After(now) {
			st := stampOf(*sub.PreviousSecretUntil, loc)
			v.PreviousUntil = &st
		}
	}
	if v.Replay == nil {
		v.Replay = &form{Values: map[string][]string{"since": {now.Add(-time.Hour).In(loc).Format(localInput)}}}
	}
	seen := map[core.ID]bool{}
	for _, a := range attempts {
		ar := attemptRow{At: stampOf(a.At, loc), EventType: a.EventType, Attempt: a.Attempt,
			StatusCode: statusCodeText(a.StatusCode), Latency: strconv.FormatInt(a.LatencyMillis, 10) + " ms",
			OK: a.ErrorClass == "" && a.Error == "", Response: a.Response, EventID: a.EventID,
			DeliveryID: a.DeliveryID.String(), CSRF: sess.csrf, WebhookID: id.String()}
		if a.Error != "" {
			ar.Error = a.Error
			if a.ErrorClass != "" {
				ar.Error = a.ErrorClass + ": " + a.Error
			}
		}
		// The delivery's outcome goes on its newest attempt (the first
		// met, newest first).
		if d, ok := states[a.DeliveryID]; ok && !seen[a.DeliveryID] {
			ar.Outcome = outcomeOf(d)
			if d.State == core.DeliveryPending {
				st := stampOf(d.NextAttemptAt, loc)
				ar.NextRetry = &st
			}
		}
		seen[a.DeliveryID] = true
		ar.Excerpt, ar.MoreToShow = excerpt(a.Response, 200)
		v.Attempts = append(v.Attempts, ar)
	}
	status := o.status
	if status == 0 {
		status = http.StatusOK
	}
	return u.render(w, status, "log", v)
}

// outcomeOf names a delivery's state for the log.
func outcomeOf(d core.Delivery) string {
	switch {
	case d.State == core.DeliveryDelivered:
		return "delivered"
	case d.State == core.DeliveryFailed:
		return "gave up"
	case d.Attempts > 0:
		return "retrying"
	}
	return "queued"
}

// webhookAction runs a webhook's button (test, enable, disable) and goes
// back to the page the button was on.
func (u *webUI) webhookAction(w http.ResponseWriter, r *http.Request, sess session) error {
	wh, id, err := u.s.hookOf(r)
	if err != nil {
		return err
	}
	action := mux.Vars(r)["action"]
	var fn subAction
	switch action {
	case "test":
		fn = (*webhooks.Service).Test
	case "enable":
		fn = (*webhooks.Service).Enable
	case "disable":
		fn = (*webhooks.Service).Disable
	default:
		return core.Errorf(core.ENOTFOUND, "no such action: %s", action)
	}
	run := func() error { _, err := fn(wh, r.Context(), sess.actor, id); return err }
	if action == "test" {
		if _, err := wh.Get(r.Context(), sess.actor, id); err != nil {
			return err
		}
		inner := run
		run = func() error { return u.s.throttle(w, id, consoleThrottle, inner) }
	}
	if err := run(); err != nil {
		return err
	}
	back := "/ui/"
	if r.PostForm.Get("back") == "log" {
		back = "/ui/webhooks/" + id.String()
	}
	return seeOther(w, r, back+"?done="+action)
}

// noSuchPage answers what no page route took under /ui/: a wrong method
// (405) or an unknown path (404), as a page with the page's headers.
func (u *webUI) noSuchPage(w http.ResponseWriter, r *http.Request) error {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return httpx.Errorf(http.StatusMethodNotAllowed, core.EINVALID, "This page does not take %s requests.", r.Method)
	}
	return core.Errorf(core.ENOTFOUND, "There is no such page.")
}

// static serves the page's embedded stylesheet.
func (u *webUI) static(w http.ResponseWriter, r *http.Request) error {
	name := mux.Vars(r)["file"]
	b, err := fs.ReadFile(uiStaticFiles, "ui_static/"+name)
	if err != nil {
		return core.Errorf(core.ENOTFOUND, "no such file: %s", name)
	}
	if ct := mime.TypeByExtension(path.Ext(name)); ct != "" {
		w.Header().Set("Content-Type", ct)
	}
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(b))
	return nil
}
