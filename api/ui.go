package api

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gorilla/mux"

	"github.com/chatops/gateway/core"
)

// The admin web page under /ui/: server-rendered HTML without JavaScript.
//
// A person logs in with an API token; the session is a cookie that holds
// that token and a random CSRF token made at login (HttpOnly,
// SameSite=Strict, Path=/ui/, Secure over HTTPS), so nothing is kept in
// memory and any instance serves any session. Every request authenticates
// the token again, so deleting its user ends the session at once. Every
// POST is refused when it comes from another site (Sec-Fetch-Site or
// Origin), and every POST but the login must echo the CSRF token. The page
// reads and changes through the same core.Service and webhooks.Service
// calls as the API, so it sees exactly what the API would show the same
// token.

//go:embed ui_templates/*.html
var uiTemplateFiles embed.FS

//go:embed ui_static/*
var uiStaticFiles embed.FS

const (
	// sessionCookie holds the base64url of the API token a person logged
	// in with.
	sessionCookie = "gateway_session"
	// maxFormBytes bounds a form body of the page (413 beyond).
	maxFormBytes = 64 << 10
	// uiEntries is how many time entries the dashboard shows.
	uiEntries = 20
	// uiAttempts is how many delivery attempts a webhook's log shows.
	uiAttempts = 50
	// uiCSP allows the page's own stylesheet and forms, nothing else: no
	// script, no framing.
	uiCSP = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)

// uiPages are the page templates, each the layout with one page's content.
var uiPages = parseUIPages("login", "dashboard", "log", "error")

func parseUIPages(names ...string) map[string]*template.Template {
	out := make(map[string]*template.Template, len(names))
	for _, name := range names {
		out[name] = template.Must(template.New("layout.html").ParseFS(uiTemplateFiles,
			"ui_templates/layout.html", "ui_templates/parts.html", "ui_templates/"+name+".html"))
	}
	return out
}

// webUI serves the admin web page for a Server.
type webUI struct {
	s *Server
	// origins refuses cross-site POSTs.
	origins *http.CrossOriginProtection
	// secure marks cookies Secure whatever the request came over: the
	// public URL is https (a TLS-terminating proxy in front).
	secure bool
}

// newUI returns the web page's handlers. The origin of PublicURL is trusted
// beside the request's own host, for proxies that rewrite Host.
func (s *Server) newUI() *webUI {
	u := &webUI{s: s, origins: http.NewCrossOriginProtection()}
	if pu, err := url.Parse(strings.TrimSpace(s.opts.PublicURL)); err == nil && pu.Scheme != "" && pu.Host != "" {
		u.secure = strings.EqualFold(pu.Scheme, "https")
		_ = u.origins.AddTrustedOrigin(strings.ToLower(pu.Scheme + "://" + pu.Host))
	}
	return u
}

// session is a logged-in request: the person and the CSRF token their
// forms must carry.
type session struct {
	actor core.Actor
	csrf  string
}

// uiHandler is a handler of a logged-in page.
type uiHandler func(w http.ResponseWriter, r *http.Request, sess session) error

// refuse is a request the page refuses before it reaches a handler: a
// cross-site or CSRF-less form, a body too large or malformed.
func refuse(status int, code, msg string) error {
	return &httpError{Status: status, Code: code, Message: msg}
}

// page turns h into an http.Handler that sets the page's security headers
// and renders h's error as an HTML page (or the login page for
// unauthorized), logging it once; a panic is an internal error.
func (u *webUI) page(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		hd := w.Header()
		hd.Set("Content-Security-Policy", uiCSP)
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("Cache-Control", "no-store")
		hd.Set("X-Content-Type-Options", "nosniff")
		err := func() (err error) {
			defer func() {
				if v := recover(); v != nil {
					if v == http.ErrAbortHandler {
						panic(v)
					}
					err = fmt.Errorf("panic: %v", v)
				}
			}()
			if r.Method == http.MethodPost {
				if err := u.origins.Check(r); err != nil {
					return refuse(http.StatusForbidden, core.EFORBIDDEN, "This form came from another site, so it was refused.")
				}
				r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
				if err := r.ParseForm(); err != nil {
					if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
						return refuse(http.StatusRequestEntityTooLarge, core.ELIMIT, "The form is larger than "+strconv.Itoa(maxFormBytes)+" bytes.")
					}
					return refuse(http.StatusBadRequest, core.EINVALID, "The form could not be read.")
				}
			}
			return h(w, r)
		}()
		if err != nil {
			u.fail(w, r, err, time.Since(start))
		}
	})
}

// authed is page for a logged-in person: without a working session it
// shows the login page; a POST must carry the session's CSRF token.
func (u *webUI) authed(h uiHandler) http.Handler {
	return u.page(func(w http.ResponseWriter, r *http.Request) error {
		token, nonce, had := sessionOf(r)
		if token == "" {
			if had {
				u.clearCookie(w, r)
			}
			if r.URL.Path == "/ui/" && !had {
				return u.render(w, http.StatusOK, "login", loginView{uiView: uiView{Title: "Log in"}})
			}
			return core.Errorf(core.EUNAUTHORIZED, "Log in to continue.")
		}
		user, err := u.s.svc.Authenticate(r.Context(), token)
		if core.ErrorCode(err) == core.EUNAUTHORIZED {
			u.clearCookie(w, r)
			return core.Errorf(core.EUNAUTHORIZED, "Your session has ended: its token no longer works. Log in again.")
		}
		if err != nil {
			return err
		}
		sess := session{actor: core.Actor{User: user, Source: "ui"}, csrf: nonce}
		if r.Method == http.MethodPost &&
			subtle.ConstantTimeCompare([]byte(r.PostForm.Get("csrf")), []byte(sess.csrf)) != 1 {
			return refuse(http.StatusForbidden, core.EFORBIDDEN, "This form has expired or did not come from this page. Go back, reload and try again.")
		}
		return h(w, r, sess)
	})
}

// sessionValue is the session cookie's value: the base64url of the API
// token, a dot, and the session's CSRF token, 32 random bytes in hex made
// at login. Forms echo the CSRF token; another site can neither read the
// cookie nor guess the token, and the page shows nothing derived from the
// API token.
func sessionValue(token string) string {
	var nonce [32]byte
	_, _ = rand.Read(nonce[:])
	return base64.RawURLEncoding.EncodeToString([]byte(token)) + "." + hex.EncodeToString(nonce[:])
}

// sessionOf returns the API token and CSRF token of the request's session
// cookie (empty when it is malformed), and whether the request had the
// cookie at all.
func sessionOf(r *http.Request) (token, csrf string, had bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return "", "", false
	}
	enc, csrf, ok := strings.Cut(c.Value, ".")
	b, err := base64.RawURLEncoding.DecodeString(enc)
	if !ok || err != nil || len(b) == 0 || len(csrf) != 64 {
		return "", "", true
	}
	if _, err := hex.DecodeString(csrf); err != nil {
		return "", "", true
	}
	return string(b), csrf, true
}

// cookie returns the session cookie with a value; Secure when the request
// came over TLS or the public URL is https.
func (u *webUI) cookie(r *http.Request, value string) *http.Cookie {
	return &http.Cookie{Name: sessionCookie, Value: value, Path: "/ui/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: u.secure || r.TLS != nil}
}

func (u *webUI) clearCookie(w http.ResponseWriter, r *http.Request) {
	c := u.cookie(r, "")
	c.MaxAge = -1
	http.SetCookie(w, c)
}

// fail renders err: unauthorized as the login page, anything else as an
// error page with the status its code maps to (statusOf).
func (u *webUI) fail(w http.ResponseWriter, r *http.Request, err error, took time.Duration) {
	status, _, msg := u.s.logFailure(r, err, took)
	if status == http.StatusUnauthorized {
		if rerr := u.render(w, status, "login", loginView{uiView: uiView{Title: "Log in"}, Message: msg}); rerr == nil {
			return
		}
		status, msg = http.StatusInternalServerError, "internal error"
	}
	v := errorView{uiView: uiView{Title: http.StatusText(status)}, Status: status, Message: msg}
	if rerr := u.render(w, status, "error", v); rerr != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
}

// render executes a page template into a buffer, then writes it with the
// status: a template that fails writes nothing. Once the status is written
// there is nothing left to report, so a failed write (the client left) is
// not an error.
func (u *webUI) render(w http.ResponseWriter, status int, name string, v any) error {
	var buf bytes.Buffer
	if err := uiPages[name].ExecuteTemplate(&buf, "layout", v); err != nil {
		return fmt.Errorf("render %s page: %w", name, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
	return nil
}

// seeOther redirects a form's POST to a page (303: the browser GETs it).
func seeOther(w http.ResponseWriter, r *http.Request, to string) error {
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// ---- views

// uiView is what the layout shows: the title, and who is logged in with the
// CSRF token of the logout form.
type uiView struct {
	Title string
	Me    *core.User
	CSRF  string
}

func viewOf(sess session, title string) uiView {
	me := sess.actor.User
	return uiView{Title: title, Me: &me, CSRF: sess.csrf}
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
}

type logView struct {
	uiView
	Notice   string
	Webhook  webhookRow
	Attempts []attemptRow
}

// stamp is a time shown in the viewer's zone, with its RFC 3339 form.
type stamp struct {
	ISO, Text string
}

func stampOf(t time.Time, loc *time.Location) stamp {
	return stamp{ISO: t.UTC().Format(time.RFC3339), Text: t.In(loc).Format("2006-01-02 15:04 MST")}
}

// webhookRow is a subscription as the page shows it: the URL's host only,
// since a URL may carry a secret in its path or query.
type webhookRow struct {
	ID             string
	Name           string
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
	row := webhookRow{ID: sub.ID.String(), Name: sub.Name, Host: targetHost(sub.URL), Format: sub.Format,
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
	"test":    "A test ping is queued; the delivery log shows its attempt.",
	"enable":  "Webhook enabled: what queued while it was off goes out now.",
	"disable": "Webhook disabled: its events keep queueing until it is enabled again.",
}

// ---- handlers

// loginPage answers GET /ui/login: the login form lives at /ui/.
func (u *webUI) loginPage(w http.ResponseWriter, r *http.Request) error {
	return seeOther(w, r, "/ui/")
}

// login checks the token of the login form: a good one sets the session
// cookie and goes to the dashboard, a wrong one shows the form again with
// 401. The token is never logged.
func (u *webUI) login(w http.ResponseWriter, r *http.Request) error {
	token := strings.TrimSpace(r.PostForm.Get("token"))
	if token == "" {
		return core.Errorf(core.EUNAUTHORIZED, "Enter an API token.")
	}
	if _, err := u.s.svc.Authenticate(r.Context(), token); err != nil {
		if core.ErrorCode(err) == core.EUNAUTHORIZED {
			return core.Errorf(core.EUNAUTHORIZED, "That token is not valid. Check it and try again.")
		}
		return err
	}
	http.SetCookie(w, u.cookie(r, sessionValue(token)))
	return seeOther(w, r, "/ui/")
}

// logout clears the session cookie.
func (u *webUI) logout(w http.ResponseWriter, r *http.Request, _ session) error {
	u.clearCookie(w, r)
	return seeOther(w, r, "/ui/")
}

// dashboard shows who is logged in, the webhooks they may see and their
// (an admin: everyone's) newest time entries.
func (u *webUI) dashboard(w http.ResponseWriter, r *http.Request, sess session) error {
	ctx := r.Context()
	nm := u.names(ctx, sess)
	v := dashboardView{uiView: viewOf(sess, "Dashboard"), Notice: notices[r.URL.Query().Get("done")],
		Admin: sess.actor.User.Role == core.RoleAdmin}
	if wh := u.s.opts.Webhooks; wh != nil {
		v.HooksEnabled = true
		for p := (core.Page{Limit: core.MaxPageLimit}); ; {
			subs, next, err := wh.List(ctx, sess.actor, p)
			if err != nil {
				return err
			}
			for _, sub := range subs {
				row, err := u.webhookRow(sub, sess, nm)
				if err != nil {
					return err
				}
				v.Webhooks = append(v.Webhooks, row)
			}
			if next == 0 {
				break
			}
			p.After = next
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
	wh, err := u.s.hooks()
	if err != nil {
		return err
	}
	id, err := pathID(r, "webhook")
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
	row, err := u.webhookRow(sub, sess, u.names(ctx, sess))
	if err != nil {
		return err
	}
	row.Back = "log"
	v := logView{uiView: viewOf(sess, "Deliveries of "+sub.Name), Notice: notices[r.URL.Query().Get("done")], Webhook: row}
	for _, a := range attempts {
		ar := attemptRow{At: stampOf(a.At, sess.actor.User.Location()), EventType: a.EventType, Attempt: a.Attempt,
			StatusCode: statusCodeText(a.StatusCode), Latency: strconv.FormatInt(a.LatencyMillis, 10) + " ms",
			OK: a.ErrorClass == "" && a.Error == "", Response: a.Response, EventID: a.EventID}
		if a.Error != "" {
			ar.Error = a.Error
			if a.ErrorClass != "" {
				ar.Error = a.ErrorClass + ": " + a.Error
			}
		}
		ar.Excerpt, ar.MoreToShow = excerpt(a.Response, 200)
		v.Attempts = append(v.Attempts, ar)
	}
	return u.render(w, http.StatusOK, "log", v)
}

// webhookAction runs a webhook's button (test, enable, disable) and goes
// back to the page the button was on.
func (u *webUI) webhookAction(w http.ResponseWriter, r *http.Request, sess session) error {
	wh, err := u.s.hooks()
	if err != nil {
		return err
	}
	id, err := pathID(r, "webhook")
	if err != nil {
		return err
	}
	action := mux.Vars(r)["action"]
	var fn subAction
	switch action {
	case "test":
		fn = wh.Test
	case "enable":
		fn = wh.Enable
	case "disable":
		fn = wh.Disable
	default:
		return core.Errorf(core.ENOTFOUND, "no such action: %s", action)
	}
	if _, err := fn(r.Context(), sess.actor, id); err != nil {
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
		return refuse(http.StatusMethodNotAllowed, core.EINVALID, "This page does not take "+r.Method+" requests.")
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

// notFound answers a path under /ui/ that is no page.
func (u *webUI) notFound(w http.ResponseWriter, r *http.Request) error {
	return core.Errorf(core.ENOTFOUND, "There is no page at %s.", r.URL.Path)
}
