package api

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/webhooks"
)

// The console's webhook pages: create and edit with the event catalogue as
// checkboxes, delete with confirmation, the secret revealed on request and
// rotated, the delivery log with resend and replay. Each calls the same
// webhooks.Service method as the API, so the role rules are the API's.

// eventBox is one checkbox of the event filters.
type eventBox struct {
	Value, Label, Title, ID string
}

// eventGroup is the checkboxes of one entity: all of it, then each action.
type eventGroup struct {
	Entity string
	Items  []eventBox
}

func boxOf(value, label, title string) eventBox {
	id := strings.NewReplacer(".", "-", "*", "all", "_", "-").Replace(value)
	return eventBox{Value: value, Label: label, Title: title, ID: "ev-" + id}
}

// eventGroups are the event catalogue grouped by entity, in catalogue
// order, each led by its wildcard; pings are left out (a test sends them).
func eventGroups() []eventGroup {
	var out []eventGroup
	for _, t := range core.EventTypes() {
		if t.Name == core.EventWebhookPing {
			continue
		}
		if len(out) == 0 || out[len(out)-1].Entity != t.Entity {
			out = append(out, eventGroup{Entity: t.Entity,
				Items: []eventBox{boxOf(t.Entity+".*", "all "+strings.ReplaceAll(t.Entity, "_", " ")+" events", "every "+t.Entity+" event")}})
		}
		g := &out[len(out)-1]
		g.Items = append(g.Items, boxOf(t.Name, t.Action, t.Description))
	}
	return out
}

// wildcardBoxes are the filters across entities.
var wildcardBoxes = []eventBox{
	boxOf("*", "every event", "every domain event (webhook.* only when named)"),
	boxOf("*.created", "*.created", "everything added"),
	boxOf("*.updated", "*.updated", "everything changed"),
	boxOf("*.deleted", "*.deleted", "everything deleted"),
}

// knownBoxes are the values the checkboxes stand for.
func knownBoxes() map[string]bool {
	out := map[string]bool{}
	for _, b := range wildcardBoxes {
		out[b.Value] = true
	}
	for _, g := range eventGroups() {
		for _, b := range g.Items {
			out[b.Value] = true
		}
	}
	return out
}

type webhookFormView struct {
	uiView
	Form      *form
	Edit      bool
	ID        string
	Formats   []string
	Groups    []eventGroup
	Wildcards []eventBox
}

// webhookFields are the first words of the service's refusals, by field.
var webhookFields = map[string][]string{
	"name": {"name"}, "url": {"url", "target", "slack", "mattermost"}, "events": {"event"},
	"format": {"format"}, "scope": {"scope"}, "secret": {"secret"},
}

func (u *webUI) webhookFormPage(w http.ResponseWriter, sess session, status int, f *form, edit bool, id string) error {
	wh, err := u.s.hooks()
	if err != nil {
		return err
	}
	title := "New webhook"
	if edit {
		title = "Edit webhook"
	}
	return u.render(w, status, "webhook_form", webhookFormView{uiView: viewOf(sess, title), Form: f, Edit: edit, ID: id,
		Formats: wh.Formats(), Groups: eventGroups(), Wildcards: wildcardBoxes})
}

// newWebhook shows the empty form, with tracker and time entry events ticked.
func (u *webUI) newWebhook(w http.ResponseWriter, r *http.Request, sess session) error {
	f := &form{Values: map[string][]string{"events": {"tracker.*", "time_entry.*"}, "format": {core.FormatStandard},
		"scope": {core.ScopeWorkspace}}}
	return u.webhookFormPage(w, sess, http.StatusOK, f, false, "")
}

// webhookInput reads the form's fields; bad ones are recorded in f.
func webhookInput(f *form) (name, target, format, scope string, events json.RawMessage) {
	f.require(map[string]string{"url": "Enter the URL that receives the events."})
	target = f.Val("url")
	names := slices.Clone(f.Vals("events"))
	names = append(names, strings.FieldsFunc(f.Val("events_other"), func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t' })...)
	if len(names) == 0 {
		f.fail("events", "Tick at least one event, or name one under “Other filters”.")
	} else if _, err := webhooks.ParseFilters(webhooks.EventNames(names)); err != nil {
		f.fail("events", core.ErrorMessage(err))
	}
	return f.Val("name"), target, f.Val("format"), f.Val("scope"), webhooks.EventNames(names)
}

// createWebhook creates a webhook from the form and opens its page.
func (u *webUI) createWebhook(w http.ResponseWriter, r *http.Request, sess session) error {
	wh, err := u.s.hooks()
	if err != nil {
		return err
	}
	f := formOf(r)
	name, target, format, scope, events := webhookInput(f)
	if secret := f.Val("secret"); secret != "" {
		if err := webhooks.ValidateSecret(secret); err != nil {
			f.fail("secret", err.Error()+". Leave it empty to have one made.")
		}
	}
	if !f.Failed() {
		sub, err := wh.Create(r.Context(), sess.actor, webhooks.Input{Name: name, URL: target, Events: events,
			Format: format, Scope: scope, Secret: f.Val("secret")})
		if err == nil {
			return seeOther(w, r, "/ui/webhooks/"+sub.ID.String()+"?done=created")
		}
		if !f.refused(err, "name", webhookFields) {
			return err
		}
	}
	return u.webhookFormPage(w, sess, http.StatusUnprocessableEntity, f, false, "")
}

// editWebhook shows the form filled with the webhook.
func (u *webUI) editWebhook(w http.ResponseWriter, r *http.Request, sess session) error {
	wh, id, err := u.s.hookOf(r)
	if err != nil {
		return err
	}
	sub, err := wh.Get(r.Context(), sess.actor, id)
	if err != nil {
		return err
	}
	known := knownBoxes()
	f := &form{Values: map[string][]string{"name": {sub.Name}, "url": {sub.URL}, "format": {sub.Format}, "scope": {sub.Scope}}}
	var other []string
	for _, ev := range strings.Split(eventsText(sub.Events), ", ") {
		if known[ev] {
			f.Values["events"] = append(f.Values["events"], ev)
		} else if ev != "" {
			other = append(other, ev)
		}
	}
	f.Values.Set("events_other", strings.Join(other, " "))
	return u.webhookFormPage(w, sess, http.StatusOK, f, true, id.String())
}

// updateWebhook saves the edit form: name, URL, events, format and scope
// (a new URL is validated again); enabled and the secret stay.
func (u *webUI) updateWebhook(w http.ResponseWriter, r *http.Request, sess session) error {
	wh, id, err := u.s.hookOf(r)
	if err != nil {
		return err
	}
	if _, err := wh.Get(r.Context(), sess.actor, id); err != nil {
		return err
	}
	f := formOf(r)
	name, target, format, scope, events := webhookInput(f)
	if !f.Failed() {
		_, err := wh.Update(r.Context(), sess.actor, id, webhooks.Patch{Name: &name, URL: &target, Events: events,
			Format: &format, Scope: &scope})
		if err == nil {
			return seeOther(w, r, "/ui/webhooks/"+id.String()+"?done=saved")
		}
		if !f.refused(err, "name", webhookFields) {
			return err
		}
	}
	return u.webhookFormPage(w, sess, http.StatusUnprocessableEntity, f, true, id.String())
}

// confirmView asks before something is deleted.
type confirmView struct {
	uiView
	Heading, Message, Action, Button, Cancel string
}

// confirmDeleteWebhook asks before deleting a webhook.
func (u *webUI) confirmDeleteWebhook(w http.ResponseWriter, r *http.Request, sess session) error {
	wh, id, err := u.s.hookOf(r)
	if err != nil {
		return err
	}
	sub, err := wh.Get(r.Context(), sess.actor, id)
	if err != nil {
		return err
	}
	return u.render(w, http.StatusOK, "confirm", confirmView{uiView: viewOf(sess, "Delete "+sub.Name),
		Heading: "Delete the webhook “" + sub.Name + "”?",
		Message: "Its queue and its delivery log are deleted with it, and " + targetHost(sub.URL) + " gets no more events. This cannot be undone.",
		Action:  "/ui/webhooks/" + id.String() + "/delete", Button: "Delete webhook", Cancel: "/ui/webhooks/" + id.String()})
}

func (u *webUI) deleteWebhook(w http.ResponseWriter, r *http.Request, sess session) error {
	wh, id, err := u.s.hookOf(r)
	if err != nil {
		return err
	}
	if err := wh.Delete(r.Context(), sess.actor, id); err != nil {
		return err
	}
	return seeOther(w, r, "/ui/?done=deleted")
}

// revealSecret shows the webhook's page with its secret.
func (u *webUI) revealSecret(w http.ResponseWriter, r *http.Request, sess session) error {
	return u.webhookPage(w, r, sess, webhookPageOptions{reveal: true})
}

// rotateSecret gives the webhook a new secret and shows it.
func (u *webUI) rotateSecret(w http.ResponseWriter, r *http.Request, sess session) error {
	wh, id, err := u.s.hookOf(r)
	if err != nil {
		return err
	}
	if _, err := wh.RotateSecret(r.Context(), sess.actor, id); err != nil {
		return err
	}
	return u.webhookPage(w, r, sess, webhookPageOptions{reveal: true, notice: notices["rotated"]})
}

// resendDelivery queues one delivery again.
func (u *webUI) resendDelivery(w http.ResponseWriter, r *http.Request, sess session) error {
	wh, id, err := u.s.hookOf(r)
	if err != nil {
		return err
	}
	did, err := pathVarID(r, "delivery_id", "delivery")
	if err != nil {
		return err
	}
	if _, err := wh.Get(r.Context(), sess.actor, id); err != nil {
		return err
	}
	if err := u.s.throttle(w, id, consoleThrottle, func() error { _, err := wh.Resend(r.Context(), sess.actor, id, did); return err }); err != nil {
		return err
	}
	return seeOther(w, r, "/ui/webhooks/"+id.String()+"?done=resend")
}

// localInput is how a datetime-local field gives a time.
const localInput = "2006-01-02T15:04:05"

// parseLocal reads a datetime-local field (seconds optional) in loc.
func parseLocal(s string, loc *time.Location) (time.Time, bool) {
	for _, layout := range []string{localInput, "2006-01-02T15:04"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// replayWindow queues again the events of a time window, given in the
// viewer's time zone.
func (u *webUI) replayWindow(w http.ResponseWriter, r *http.Request, sess session) error {
	wh, id, err := u.s.hookOf(r)
	if err != nil {
		return err
	}
	if _, err := wh.Get(r.Context(), sess.actor, id); err != nil {
		return err
	}
	f := formOf(r)
	loc := sess.actor.User.Location()
	since, ok := parseLocal(f.Val("since"), loc)
	if f.Val("since") == "" {
		f.fail("since", "Enter when the window starts.")
	} else if !ok {
		f.fail("since", "Enter a date and time such as 2026-11-22T09:00:00.")
	}
	var until time.Time
	if s := f.Val("until"); s != "" {
		if until, ok = parseLocal(s, loc); !ok {
			f.fail("until", "Enter a date and time such as 2026-11-22T17:00:00, or leave it empty for now.")
		} else if !since.IsZero() && until.Before(since) {
			f.fail("until", "The end must not be before the start.")
		}
	}
	if !f.Failed() {
		var n int
		err := u.s.throttle(w, id, consoleThrottle, func() (err error) { n, err = wh.Replay(r.Context(), sess.actor, id, since, until); return err })
		if err == nil {
			return seeOther(w, r, "/ui/webhooks/"+id.String()+"?done=replay&queued="+strconv.Itoa(n))
		}
		if !f.refused(err, "", map[string][]string{"since": {"since", "replay"}}) {
			return err
		}
	}
	return u.webhookPage(w, r, sess, webhookPageOptions{replay: f, status: http.StatusUnprocessableEntity})
}
