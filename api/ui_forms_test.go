package api_test

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/gorilla/mux"

	"github.com/chatops/gateway/core"
)

// The console's forms: every POST route of /ui/ refuses a form without the
// session's CSRF token, and each form's bad input shows the page again
// with the error next to its field, changing nothing.

// consoleFixture is a uiEnv with one of each thing the forms act on.
type consoleFixture struct {
	*uiEnv
	hook, bobsHook, incoming, token, delivery string
	// schedule is the admin's scheduled report; the admin has a reminder.
	schedule string
}

func newConsoleFixture(t testing.TB) *consoleFixture {
	t.Helper()
	e := newUIEnv(t, uiEnvOptions{})
	e.rc.setReply(echoCode)
	f := &consoleFixture{uiEnv: e}
	f.hook = e.hook(e.member, "Mia sheet")
	f.bobsHook = e.hook(e.other, "Bob board")
	e.pump()
	f.incoming = jsonID(e.ok("POST", "/api/v1/incoming", e.member, `{"name": "ci"}`, http.StatusCreated)["id"])
	f.token = jsonID(e.ok("POST", "/api/v1/tokens", e.admin, `{"user": "Zed"}`, http.StatusCreated)["id"])
	log := hookList(t, e.ok("GET", "/api/v1/webhooks/"+f.hook+"/deliveries", e.member, "", http.StatusOK))
	if len(log) == 0 {
		t.Fatal("no delivery to resend")
	}
	f.delivery = jsonID(log[0]["delivery_id"])
	f.schedule = e.schedule(e.boss, "general", f.hook)
	e.remind(e.boss, f.hook)
	return f
}

// state is everything the console's forms may change, as the API and the
// store show it, to tell that a refused form changed nothing.
func (f *consoleFixture) state() string {
	f.t.Helper()
	var b strings.Builder
	for _, path := range []string{"/api/v1/webhooks", "/api/v1/incoming", "/api/v1/tokens", "/api/v1/users", "/api/v1/projects"} {
		_, body, _ := f.send("GET", path, f.admin, "", "")
		b.Write(body)
	}
	ms, err := f.svc.RepositoryMappings(f.ctx, core.Actor{User: f.boss})
	if err != nil {
		f.t.Fatal(err)
	}
	st, err := f.wh.Stats(f.ctx, core.Actor{User: f.boss}, time.Time{})
	if err != nil {
		f.t.Fatal(err)
	}
	scs, _, err := f.svc.ListSchedules(f.ctx, core.Actor{User: f.boss}, core.Page{})
	if err != nil {
		f.t.Fatal(err)
	}
	rs, err := f.svc.UserReminders(f.ctx, core.Actor{User: f.boss}, []core.User{f.boss, f.mia, f.bob})
	if err != nil {
		f.t.Fatal(err)
	}
	js, _ := json.Marshal([]any{ms, scs, rs})
	fmt.Fprintf(&b, "%s %+v outbox=%d", js, st, f.outbox())
	return b.String()
}

// path fills a route template of /ui/ with the fixture's ids.
func (f *consoleFixture) path(tpl string) string {
	id := f.hook
	switch {
	case strings.HasPrefix(tpl, "/ui/incoming/"):
		id = f.incoming
	case strings.HasPrefix(tpl, "/ui/tokens/"):
		id = f.token
	case strings.HasPrefix(tpl, "/ui/users/"):
		id = f.bob.ID.String()
	case strings.HasPrefix(tpl, "/ui/schedules/"):
		id = f.schedule
	}
	return strings.NewReplacer("{id}", id, "{delivery_id}", f.delivery, "{action:test|enable|disable}", "disable").Replace(tpl)
}

// postRoutes are the path templates of every POST route of /ui/, from the
// router itself, but the login (which has no session yet).
func postRoutes(t *testing.T, h http.Handler) []string {
	t.Helper()
	r, ok := h.(*mux.Router)
	if !ok {
		t.Fatalf("handler %T is not a mux.Router", h)
	}
	var out []string
	err := r.Walk(func(route *mux.Route, _ *mux.Router, _ []*mux.Route) error {
		tpl, err := route.GetPathTemplate()
		if err != nil || !strings.HasPrefix(tpl, "/ui/") || tpl == "/ui/login" {
			return nil
		}
		if ms, err := route.GetMethods(); err == nil && len(ms) == 1 && ms[0] == http.MethodPost {
			out = append(out, tpl)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestUIEveryFormRefusedWithoutCSRF(t *testing.T) {
	f := newConsoleFixture(t)
	routes := postRoutes(t, f.handler)
	if len(routes) < 18 {
		t.Fatalf("found %d POST routes of /ui/: %v", len(routes), routes)
	}
	admin := f.login(f.admin)
	bobsCSRF := f.csrf(f.login(f.other))
	before := f.state()
	var paths []string
	for _, tpl := range routes {
		if strings.Contains(tpl, "{action:test|enable|disable}") {
			for _, a := range []string{"test", "enable", "disable"} {
				paths = append(paths, f.path(strings.Replace(tpl, "{action:test|enable|disable}", a, 1)))
			}
			continue
		}
		paths = append(paths, f.path(tpl))
	}
	for _, path := range paths {
		// A form good but for its CSRF token: what each form takes.
		good := url.Values{"name": {"x"}, "url": {f.rc.URL()}, "events": {"*"}, "since": {"2026-01-01T00:00:00"},
			"user": {"Neo"}, "time_zone": {"Europe/Berlin"}, "role": {"admin"}, "provider": {"email"},
			"subject": {"neo@example.com"}, "repo": {"octo/web"}, "project": {"Web"}}
		for name, token := range map[string][]string{"no token": nil, "wrong token": {strings.Repeat("0", 64)}, "another session's token": {bobsCSRF}} {
			form := url.Values{}
			for k, v := range good {
				form[k] = v
			}
			if token != nil {
				form["csrf"] = token
			}
			p := f.post(path, admin, form)
			if p.status != http.StatusForbidden || !strings.Contains(p.body, "This form has expired") {
				t.Errorf("POST %s with %s: %d, want 403: %.300s", path, name, p.status, p.body)
			}
			checkSecurityHeaders(t, "POST "+path, p.header)
		}
	}
	if after := f.state(); after != before {
		t.Errorf("refused forms changed the state:\nbefore %s\nafter  %s", before, after)
	}
}

// formBlock is a <form> of a page with its action.
var formBlock = regexp.MustCompile(`(?s)<form method="post" action="([^"]*)"[^>]*>(.*?)</form>`)

// TestUIEveryFormCarriesCSRF reads every page as an admin and as a member:
// each POST form but the login carries the session's CSRF token, every
// input is labelled, and no page has script.
func TestUIEveryFormCarriesCSRF(t *testing.T) {
	f := newConsoleFixture(t)
	for _, token := range []string{f.admin, f.member} {
		c := f.login(token)
		csrf := f.csrf(c)
		pages := []string{"/ui/", "/ui/webhooks/new", "/ui/webhooks/" + f.hook, "/ui/webhooks/" + f.hook + "/edit",
			"/ui/webhooks/" + f.hook + "/delete", "/ui/incoming", "/ui/tokens", "/ui/users", "/ui/repositories", "/ui/reports", "/ui/schedules"}
		if token == f.admin {
			pages = append(pages, "/ui/users/"+f.bob.ID.String()+"/delete", "/ui/schedules/"+f.schedule+"/delete")
		}
		forms := 0
		for _, path := range pages {
			p := f.get(path, c)
			if p.status != http.StatusOK {
				t.Fatalf("GET %s: %d: %.300s", path, p.status, p.body)
			}
			lacks(t, path, p.body, "<script", "style=")
			for _, m := range formBlock.FindAllStringSubmatch(p.body, -1) {
				forms++
				if !strings.Contains(m[2], `name="csrf" value="`+csrf+`"`) {
					t.Errorf("%s: the form to %s lacks the CSRF token", path, m[1])
				}
			}
			checkLabels(t, path, p.body)
		}
		if forms < 10 {
			t.Errorf("found only %d forms", forms)
		}
	}
}

var (
	inputTag = regexp.MustCompile(`<(input|select|textarea)\b[^>]*>`)
	idAttr   = regexp.MustCompile(`\bid="([^"]+)"`)
)

// checkLabels fails for a visible input without a <label for=…>, unless it
// is a checkbox inside its label.
func checkLabels(t *testing.T, what, body string) {
	t.Helper()
	for _, tag := range inputTag.FindAllString(body, -1) {
		if strings.Contains(tag, `type="hidden"`) || strings.Contains(tag, `type="checkbox"`) {
			continue
		}
		m := idAttr.FindStringSubmatch(tag)
		if m == nil {
			t.Errorf("%s: input without an id (so without a label): %s", what, tag)
			continue
		}
		if !strings.Contains(body, `<label for="`+m[1]+`"`) {
			t.Errorf("%s: input %s has no label", what, m[1])
		}
	}
}

// TestUIFormsBadInput posts each form with bad input: the page comes back
// with 422, the error next to the field (its id) and what was typed, and
// nothing changed.
func TestUIFormsBadInput(t *testing.T) {
	f := newConsoleFixture(t)
	admin, member := f.login(f.admin), f.login(f.member)
	adminCSRF, memberCSRF := f.csrf(admin), f.csrf(member)
	bossID, bobID := f.boss.ID.String(), f.bob.ID.String()
	if _, err := f.svc.LinkIdentity(f.ctx, core.Actor{User: f.boss}, f.bob.ID, core.Identity{Provider: "email", Subject: "bob@example.com"}); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-40 * 24 * time.Hour).UTC().Format("2006-01-02T15:04:05")
	hookForm := func(kv ...string) url.Values {
		v := url.Values{"name": {"New hook"}, "url": {f.rc.URL() + "/new"}, "events": {"tracker.*"}, "format": {"standard"}, "scope": {"workspace"}}
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == "" {
				delete(v, kv[i])
			} else {
				v.Set(kv[i], kv[i+1])
			}
		}
		return v
	}
	for _, tc := range []struct {
		what, path string
		member     bool
		form       url.Values
		field      string // the id of the error's element
		want       string // in the message
	}{
		{"webhook without URL", "/ui/webhooks", true, hookForm("url", ""), "url-error", "Enter the URL"},
		{"webhook with an ftp URL", "/ui/webhooks", true, hookForm("url", "ftp://example.com/x"), "url-error", "http or https"},
		{"webhook without events", "/ui/webhooks", true, hookForm("events", ""), "events-error", "Tick at least one event"},
		{"webhook with an unknown event", "/ui/webhooks", true, hookForm("events_other", "nope.never"), "events-error", "nope.never"},
		{"webhook with a bad format", "/ui/webhooks", true, hookForm("format", "xml"), "format-error", "format"},
		{"webhook with a bad scope", "/ui/webhooks", true, hookForm("scope", "galaxy"), "scope-error", "scope"},
		{"webhook with a bad secret", "/ui/webhooks", true, hookForm("secret", "hunter2"), "secret-error", "secret"},
		{"webhook with a taken name", "/ui/webhooks", true, hookForm("name", "bob BOARD"), "name-error", "Bob board"},
		{"edit without URL", "/ui/webhooks/" + f.hook + "/edit", true, hookForm("url", ""), "url-error", "Enter the URL"},
		{"edit with an unknown event", "/ui/webhooks/" + f.hook + "/edit", true, hookForm("events", "tracker.exploded"), "events-error", "tracker.exploded"},
		{"edit to a taken name", "/ui/webhooks/" + f.hook + "/edit", true, hookForm("name", "Bob board"), "name-error", "Bob board"},
		{"replay without a start", "/ui/webhooks/" + f.hook + "/replay", true, url.Values{"since": {""}}, "since-error", "Enter when"},
		{"replay from garbage", "/ui/webhooks/" + f.hook + "/replay", true, url.Values{"since": {"yesterday"}}, "since-error", "date and time"},
		{"replay ending before it starts", "/ui/webhooks/" + f.hook + "/replay", true, url.Values{"since": {"2026-11-22T10:00:00"}, "until": {"2026-11-22T09:00:00"}}, "until-error", "must not be before"},
		{"replay past the retention", "/ui/webhooks/" + f.hook + "/replay", true, url.Values{"since": {old}}, "since-error", "retention"},
		{"incoming URL with a long name", "/ui/incoming", true, url.Values{"name": {strings.Repeat("n", 300)}}, "incoming-name-error", "name"},
		{"token without a user", "/ui/tokens", false, url.Values{"user": {""}}, "token-user-error", "Enter the name"},
		{"token with a bad role", "/ui/tokens", false, url.Values{"user": {"Neo"}, "role": {"boss"}}, "token-role-error", "admin or member"},
		{"user without a name", "/ui/users", false, url.Values{"name": {""}, "role": {"member"}}, "new-user-name-error", "Enter the user's name"},
		{"user with a taken name", "/ui/users", false, url.Values{"name": {"mia"}, "role": {"member"}}, "new-user-name-error", "Mia"},
		{"user with a bad role", "/ui/users", false, url.Values{"name": {"Neo"}, "role": {"boss"}}, "new-user-role-error", "role"},
		{"unknown time zone", "/ui/users/" + bobID, false, url.Values{"time_zone": {"Mars/Olympus"}}, "zone-error-" + bobID, "Mars"},
		{"empty time zone", "/ui/users/" + bobID, false, url.Values{"time_zone": {""}}, "zone-error-" + bobID, "Enter a time zone"},
		{"member's own unknown time zone", "/ui/users/" + f.mia.ID.String(), true, url.Values{"time_zone": {"Atlantis"}}, "zone-error-" + f.mia.ID.String(), "Atlantis"},
		{"own role", "/ui/users/" + bossID, false, url.Values{"time_zone": {"UTC"}, "role": {"member"}}, "form-error", "own role"},
		{"identity without a subject", "/ui/users/" + bobID + "/identities", false, url.Values{"provider": {"email"}, "subject": {""}}, "subject-error-" + bobID, "Enter the identity"},
		{"identity from nowhere", "/ui/users/" + bobID + "/identities", false, url.Values{"provider": {"fax"}, "subject": {"555"}}, "provider-error-" + bobID, "provider"},
		{"identity of another user", "/ui/users/" + f.mia.ID.String() + "/identities", false, url.Values{"provider": {"email"}, "subject": {"bob@example.com"}}, "subject-error-" + f.mia.ID.String(), "Bob"},
		{"repository without owner", "/ui/repositories", false, url.Values{"repo": {"web"}, "project": {"Web"}}, "repo-error", "full name"},
		{"repository without project", "/ui/repositories", false, url.Values{"repo": {"octo/web"}, "project": {""}}, "project-error", "Enter the project"},
	} {
		c, csrf := admin, adminCSRF
		if tc.member {
			c, csrf = member, memberCSRF
		}
		tc.form.Set("csrf", csrf)
		before := f.state()
		p := f.post(tc.path, c, tc.form)
		if p.status != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d, want 422: %.400s", tc.what, p.status, p.body)
			continue
		}
		m := regexp.MustCompile(`id="` + regexp.QuoteMeta(tc.field) + `"[^>]*>([^<]*)<`).FindStringSubmatch(p.body)
		if m == nil || !strings.Contains(strings.ToLower(html.UnescapeString(m[1])), strings.ToLower(tc.want)) {
			t.Errorf("%s: no error %q at #%s: %v\n%s", tc.what, tc.want, tc.field, m, errorsOf(p.body))
		}
		if tc.field != "form-error" && !strings.Contains(p.body, `aria-describedby="`) {
			t.Errorf("%s: no field points at its error", tc.what)
		}
		for k, vs := range tc.form {
			if k == "csrf" || len(vs) != 1 || vs[0] == "" || k == "events" || k == "format" || k == "scope" || k == "role" || k == "provider" {
				continue
			}
			if !strings.Contains(p.body, `value="`+htmlEscape(vs[0])+`"`) {
				t.Errorf("%s: the page lost what was typed in %s (%q)", tc.what, k, vs[0])
			}
		}
		checkSecurityHeaders(t, tc.what, p.header)
		if after := f.state(); after != before {
			t.Errorf("%s changed the state:\nbefore %s\nafter  %s", tc.what, before, after)
		}
	}
}

var fieldErrors = regexp.MustCompile(`<p class="(field-error|message error)[^"]*" id="([^"]+)"[^>]*>([^<]*)<`)

// errorsOf lists the errors a page shows, for a failure message.
func errorsOf(body string) string {
	var out []string
	for _, m := range fieldErrors.FindAllStringSubmatch(body, -1) {
		out = append(out, "#"+m[2]+": "+m[3])
	}
	return "errors shown: " + strings.Join(out, "; ")
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;", "+", "&#43;").Replace(s)
}

// FuzzUIForms posts arbitrary values to the console's forms with a good
// session and CSRF token: no value may cause a 500, and a refused form is a
// page with its error shown.
func FuzzUIForms(f *testing.F) {
	e := newConsoleFixture(f)
	c := e.login(e.admin)
	csrf := e.csrf(c)
	targets := []struct {
		path   string
		fields []string
	}{
		{"/ui/webhooks", []string{"url", "events_other", "name", "secret"}},
		{"/ui/webhooks/" + e.hook + "/edit", []string{"url", "events", "format", "scope"}},
		{"/ui/webhooks/" + e.hook + "/replay", []string{"since", "until"}},
		{"/ui/incoming", []string{"name"}},
		{"/ui/tokens", []string{"user", "role"}},
		{"/ui/users", []string{"name", "role"}},
		{"/ui/users/" + e.bob.ID.String(), []string{"time_zone", "role"}},
		{"/ui/users/" + e.bob.ID.String() + "/identities", []string{"provider", "subject"}},
		{"/ui/repositories", []string{"repo", "project"}},
	}
	for i := range targets {
		for _, v := range []string{"", " ", "x", "http://127.0.0.1:1/x", "*", "tracker.*", "2026-02-30T25:61:00", "2026-11-22T10:00",
			"Europe/Berlin", "admin", "email", "octo/web", "\x00", "\xed\xa0\x80", strings.Repeat("a", 3000), "<script>", "../..", "a/b/c", "whsec_"} {
			f.Add(uint8(i), v, v)
		}
	}
	f.Fuzz(func(t *testing.T, target uint8, a, b string) {
		tg := targets[int(target)%len(targets)]
		form := url.Values{"csrf": {csrf}, "events": {"tracker.*"}, "url": {e.rc.URL()}}
		form.Set(tg.fields[0], a)
		form.Set(tg.fields[1%len(tg.fields)], b)
		req := httptest.NewRequest(http.MethodPost, tg.path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(c)
		w := httptest.NewRecorder()
		e.handler.ServeHTTP(w, req)
		switch {
		case w.Code >= 500:
			t.Fatalf("POST %s %q %q: %d: %s", tg.path, a, b, w.Code, w.Body)
		case w.Code == http.StatusUnprocessableEntity && !fieldErrors.MatchString(w.Body.String()):
			t.Fatalf("POST %s %q %q: 422 without an error shown: %s", tg.path, a, b, w.Body)
		case w.Code == http.StatusBadRequest && (utf8.ValidString(a) && utf8.ValidString(b) || !strings.Contains(w.Body.String(), "not UTF-8")):
			t.Fatalf("POST %s %q %q: 400 for a form of UTF-8, or without its reason: %s", tg.path, a, b, w.Body)
		case w.Code != http.StatusOK && w.Code != http.StatusSeeOther && w.Code != http.StatusUnprocessableEntity &&
			w.Code != http.StatusNotFound && w.Code != http.StatusConflict && w.Code != http.StatusForbidden &&
			w.Code != http.StatusBadRequest: // text that is not UTF-8 refuses the whole form
			t.Fatalf("POST %s %q %q: %d: %s", tg.path, a, b, w.Code, w.Body)
		}
	})
}
