package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/chatops/gateway/core"
)

// The web page's view models: what each template shows, and the rows made
// from subscriptions, entries and delivery attempts.

// uiView is what the layout shows: the title, and who is logged in with the
// CSRF token of the logout form.
type uiView struct {
	Title string
	Me    *core.User
	CSRF  string
	// Section is the navigation link of the page: "webhooks", "incoming",
	// "tokens", "users" or "repositories".
	Section string
}

func viewOf(sess session, title string) uiView {
	me := sess.actor.User
	return uiView{Title: title, Me: &me, CSRF: sess.csrf, Section: "webhooks"}
}

// sectionView is viewOf for a page of another section.
func sectionView(sess session, title, section string) uiView {
	v := viewOf(sess, title)
	v.Section = section
	return v
}

type loginView struct {
	uiView
	Message string
}

type errorView struct {
	uiView
	Status  int
	Message string
}

type dashboardView struct {
	uiView
	Notice       string
	HooksEnabled bool
	Webhooks     []webhookRow
	Entries      []entryRow
	Admin        bool
	// Stats are the delivery figures; Failing the webhooks whose
	// deliveries fail (pending a retry, or disabled after failures).
	Stats   *statsView
	Failing []webhookRow
}

// statsView is the dashboard's delivery figures.
type statsView struct {
	Delivered, Retrying, Failed, Pending int
	Oldest                               *oldestView
}

// oldestView is the oldest undelivered event.
type oldestView struct {
	EventType, EventID, Age, Webhook, WebhookID string
	Since                                       stamp
}

type logView struct {
	uiView
	Notice   string
	Webhook  webhookRow
	Attempts []attemptRow
	// URL is the full target, shown on the webhook's own page only.
	URL                  string
	CreatedAt, UpdatedAt stamp
	ValidatedAt          *stamp
	// Secret is set when it was asked for (Reveal, Rotate); PreviousUntil
	// while the secret before a rotation still signs.
	Secret        string
	PreviousUntil *stamp
	// Replay is the replay form (its defaults: the last hour), Zone the
	// time zone its times are in.
	Replay *form
	Zone   string
}

// stamp is a time shown in the viewer's zone, with its RFC 3339 form.
type stamp struct {
	ISO, Text string
}

func stampOf(t time.Time, loc *time.Location) stamp {
	return stamp{ISO: t.UTC().Format(time.RFC3339), Text: t.In(loc).Format("2006-01-02 15:04:05 MST")}
}

// webhookRow is a subscription as the page shows it: the URL's host only,
// since a URL may carry a secret in its path or query.
type webhookRow struct {
	ID   string
	Name string
	// Channel is the chat channel of a channel's own subscription (notify),
	// by name where the gateway knows it: "#general on Slack".
	Channel        string
	Host           string
	Format         string
	Events         string
	Status         string
	Enabled        bool
	Owner          string
	DisabledReason string
	Last           *lastRow
	// CSRF and Back go into the row's buttons: the session's CSRF token and
	// "log" when the buttons should come back to the delivery log.
	CSRF string
	Back string
}

type lastRow struct {
	At         stamp
	StatusCode string
	Error      string
}

type entryRow struct {
	User, Task, Project string
	Start               stamp
	Duration            string
	Running             bool
	Note                string
}

type attemptRow struct {
	At         stamp
	EventType  string
	Attempt    int
	StatusCode string
	Latency    string
	Error      string
	OK         bool
	Excerpt    string
	Response   string
	MoreToShow bool
	EventID    string
	// Outcome and NextRetry are the delivery's, on its newest attempt.
	Outcome   string
	NextRetry *stamp
	// DeliveryID, WebhookID and CSRF make the resend button.
	DeliveryID, WebhookID, CSRF string
}

// targetHost is what the page shows of a webhook's URL: its host (and
// port), or the channel of a slack:CHANNEL target.
func targetHost(raw string) string {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return "(invalid URL)"
	case u.Host != "":
		return u.Host
	case u.Scheme == "slack" && u.Opaque != "":
		return "Slack channel " + u.Opaque
	}
	return "(no host)"
}

// eventsText lists a subscription's filters as given: names as they are,
// Toggl objects as entity.action.
func eventsText(raw json.RawMessage) string {
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return string(raw)
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		var name string
		var obj struct{ Entity, Action string }
		switch {
		case json.Unmarshal(it, &name) == nil:
			out = append(out, name)
		case json.Unmarshal(it, &obj) == nil:
			out = append(out, obj.Entity+"."+obj.Action)
		default:
			out = append(out, string(it))
		}
	}
	return strings.Join(out, ", ")
}

func statusCodeText(code int) string {
	if code == 0 {
		return "—"
	}
	return strconv.Itoa(code)
}

// durationText is a duration as "2h 05m", "25m" or "40s".
func durationText(d time.Duration) string {
	d = max(d, 0).Round(time.Second)
	switch {
	case d >= time.Hour:
		return fmt.Sprintf("%dh %02dm", int(d.Hours()), int(d.Minutes())%60)
	case d >= time.Minute:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	}
	return fmt.Sprintf("%ds", int(d.Seconds()))
}

// excerpt cuts s to n bytes on a rune boundary.
func excerpt(s string, n int) (string, bool) {
	if len(s) <= n {
		return s, false
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…", true
}

// names looks up the names of users, tasks and projects once per page. An
// id that is gone shows as "#id".
type names struct {
	svc   *core.Service
	ctx   context.Context
	actor core.Actor
	cache map[string]string
}

func (n *names) lookup(kind string, id core.ID, get func() (string, error)) (string, error) {
	if id == 0 {
		return "—", nil
	}
	key := kind + id.String()
	if s, ok := n.cache[key]; ok {
		return s, nil
	}
	s, err := get()
	if core.ErrorCode(err) == core.ENOTFOUND {
		s, err = "#"+id.String(), nil
	}
	if err != nil {
		return "", err
	}
	n.cache[key] = s
	return s, nil
}

func (n *names) user(id core.ID) (string, error) {
	return n.lookup("u", id, func() (string, error) {
		u, err := n.svc.GetUser(n.ctx, n.actor, id)
		return u.Name, err
	})
}

func (n *names) task(id core.ID) (string, error) {
	return n.lookup("t", id, func() (string, error) {
		t, err := n.svc.GetTask(n.ctx, n.actor, id)
		return t.Name, err
	})
}

func (n *names) project(id core.ID) (string, error) {
	return n.lookup("p", id, func() (string, error) {
		p, err := n.svc.GetProject(n.ctx, n.actor, id)
		return p.Name, err
	})
}

func (u *webUI) names(ctx context.Context, sess session) *names {
	return &names{svc: u.s.svc, ctx: ctx, actor: sess.actor, cache: map[string]string{}}
}

func (u *webUI) webhookRow(sub core.Subscription, sess session, nm *names) (webhookRow, error) {
	owner, err := nm.user(sub.OwnerID)
	if err != nil {
		return webhookRow{}, err
	}
	row := webhookRow{ID: sub.ID.String(), Name: sub.Name, Channel: channelLabel(sub), Host: targetHost(sub.URL), Format: sub.Format,
		Events: eventsText(sub.Events), Status: sub.Status, Enabled: sub.Enabled, Owner: owner,
		DisabledReason: sub.DisabledReason, CSRF: sess.csrf}
	if sub.LastDeliveryAt != nil {
		row.Last = &lastRow{At: stampOf(*sub.LastDeliveryAt, sess.actor.User.Location()),
			StatusCode: statusCodeText(sub.LastStatusCode), Error: sub.LastError}
	}
	return row, nil
}

// notices are the messages a 303 back from a button shows (?done=).
var notices = map[string]string{
	"test":      "A test ping is queued; the delivery log shows its attempt.",
	"enable":    "Webhook enabled: what queued while it was off goes out now.",
	"disable":   "Webhook disabled: its events keep queueing until it is enabled again.",
	"created":   "Webhook created. It gets a webhook.ping now: answer it with its validation_code (or GET its validation_code_url) and it turns active.",
	"saved":     "Webhook saved.",
	"deleted":   "Webhook deleted.",
	"rotated":   "New secret made. The old one keeps signing beside it for 24 hours, so receivers can switch.",
	"resend":    "The delivery is queued again, with the same webhook-id.",
	"replay":    "", // with the count: noticeOf
	"revoked":   "Token revoked: it no longer works, and sessions opened with it have ended.",
	"removed":   "Incoming URL deleted: requests to it are refused from now on.",
	"user":      "User saved.",
	"identity":  "Identity linked.",
	"userdel":   "User deleted.",
	"usernew":   "User created.",
	"mapped":    "Repository mapped.",
	"schedel":   "Scheduled report deleted: the channel gets it no more.",
	"remindoff": "Reminder turned off.",
}

// noticeOf is the notice of a page reached from a button (?done=).
func noticeOf(r *http.Request) string {
	q := r.URL.Query()
	if q.Get("done") == "replay" {
		n, err := strconv.Atoi(q.Get("queued"))
		if err != nil || n < 0 {
			return ""
		}
		if n == 1 {
			return "1 event of the window is queued again, with its original webhook-id."
		}
		return strconv.Itoa(n) + " events of the window are queued again, with their original webhook-ids."
	}
	return notices[q.Get("done")]
}

// channelLabel names the chat channel of a channel's own subscription:
// "#general on Slack" when the channel told its name (notify names the
// subscription after it), else "Slack channel C001 (team T001)"; "" for
// any other subscription.
func channelLabel(sub core.Subscription) string {
	if sub.Channel == "" {
		return ""
	}
	provider, rest, _ := strings.Cut(sub.Channel, ":")
	team, channel, _ := strings.Cut(rest, ":")
	app := strings.ToUpper(provider[:min(1, len(provider))]) + provider[min(1, len(provider)):]
	if name, ok := strings.CutPrefix(sub.Name, "#"); ok {
		if i := strings.LastIndexByte(name, ' '); i > 0 {
			name = name[:i] // the random suffix that keeps names unique
		}
		name = strings.TrimSuffix(name, " on "+app)
		return "#" + name + " on " + app
	}
	return app + " channel " + channel + " (team " + team + ")"
}
