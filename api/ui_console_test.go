package api_test

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/internal/ratelimit"
)

// The console's pages without a browser: what each form does, and that a
// member gets the API's answers (404 for others' things, 403 for admins'
// forms) and changes nothing.

func TestUIWebhookFormsAndSecret(t *testing.T) {
	f := newConsoleFixture(t)
	c := f.login(f.member)
	csrf := f.csrf(c)
	before := f.outbox()
	p := f.post("/ui/webhooks", c, url.Values{"csrf": {csrf}, "name": {"Sheet two"}, "url": {f.rc.URL() + "/two"},
		"events": {"tracker.*"}, "events_other": {"task.add"}, "format": {"toggl"}, "scope": {"user"}})
	loc := p.header.Get("Location")
	id := strings.TrimSuffix(strings.TrimPrefix(loc, "/ui/webhooks/"), "?done=created")
	if p.status != http.StatusSeeOther || !strings.HasSuffix(loc, "?done=created") {
		t.Fatalf("create: %d to %q: %.300s", p.status, loc, p.body)
	}
	sub := f.sub(id)
	if sub.Name != "Sheet two" || string(sub.Events) != `["tracker.*","task.add"]` || sub.Format != "toggl" || sub.Scope != "user" ||
		sub.OwnerID != f.mia.ID || sub.Status != core.SubNotValidated {
		t.Errorf("created %+v, events %s", sub, sub.Events)
	}
	if n := f.outbox() - before; n != 1 {
		t.Errorf("create wrote %d events, want its ping", n)
	}
	contains(t, "created page", f.get(loc, c).body, "Webhook created", "not_validated", `id="reveal"`)

	// The edit form is filled in; saving keeps a disabled webhook disabled
	// and its secret.
	edit := f.get("/ui/webhooks/"+id+"/edit", c).body
	contains(t, "edit form", edit, `value="Sheet two"`, `value="tracker.*" id="ev-tracker-all" checked`,
		`id="events_other" name="events_other" value="task.add"`, `<option value="toggl" selected>`)
	f.post("/ui/webhooks/"+id+"/disable", c, url.Values{"csrf": {csrf}})
	p = f.post("/ui/webhooks/"+id+"/edit", c, url.Values{"csrf": {csrf}, "name": {"Renamed"}, "url": {f.rc.URL() + "/two"},
		"events": {"project.*", "*.deleted"}, "format": {"standard"}, "scope": {"workspace"}})
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/ui/webhooks/"+id+"?done=saved" {
		t.Fatalf("save: %d to %q: %.300s", p.status, p.header.Get("Location"), p.body)
	}
	if s := f.sub(id); s.Name != "Renamed" || string(s.Events) != `["project.*","*.deleted"]` || s.Enabled || s.Secret != sub.Secret || s.Format != "standard" {
		t.Errorf("saved %+v, events %s", s, s.Events)
	}

	// The secret shows only when asked for; rotating shows the new one.
	page := f.get("/ui/webhooks/"+id, c).body
	lacks(t, "webhook page", page, sub.Secret, "whsec_")
	contains(t, "revealed", f.post("/ui/webhooks/"+id+"/reveal", c, url.Values{"csrf": {csrf}}).body, `<code id="secret">`+htmlEscape(sub.Secret)+`</code>`)
	rotated := f.post("/ui/webhooks/"+id+"/rotate-secret", c, url.Values{"csrf": {csrf}}).body
	fresh := f.sub(id).Secret
	if fresh == sub.Secret {
		t.Fatal("rotate kept the secret")
	}
	contains(t, "rotated", rotated, `<code id="secret">`+htmlEscape(fresh)+`</code>`, `id="previous-secret"`, "24 hours")

	// Another member's webhook: every page and button is not found, and
	// nothing changes.
	bobs := f.sub(f.bobsHook)
	for _, path := range []string{"/edit", "/delete"} {
		if p := f.get("/ui/webhooks/"+f.bobsHook+path, c); p.status != http.StatusNotFound {
			t.Errorf("GET Bob's %s: %d", path, p.status)
		}
	}
	state := f.state()
	for _, path := range []string{"/reveal", "/rotate-secret", "/delete", "/edit", "/replay", "/deliveries/" + f.delivery + "/resend", "/test", "/disable"} {
		p := f.post("/ui/webhooks/"+f.bobsHook+path, c, url.Values{"csrf": {csrf}, "url": {f.rc.URL()}, "events": {"*"}, "since": {"2026-01-01T00:00:00"}})
		if p.status != http.StatusNotFound {
			t.Errorf("POST Bob's %s as Mia: %d, want 404", path, p.status)
		}
		lacks(t, "Bob's "+path, p.body, bobs.Secret, "Bob board")
	}
	// Mia's delivery, resent through Bob's webhook: not found either.
	if p := f.post("/ui/webhooks/"+id+"/deliveries/"+f.delivery+"/resend", c, url.Values{"csrf": {csrf}}); p.status != http.StatusNotFound {
		t.Errorf("resend of another webhook's delivery: %d", p.status)
	}
	if after := f.state(); after != state {
		t.Errorf("a member's refused actions changed the state")
	}

	// Delete, after confirming.
	contains(t, "confirmation", f.get("/ui/webhooks/"+id+"/delete", c).body, `action="/ui/webhooks/`+id+`/delete"`, "Delete the webhook")
	if p := f.post("/ui/webhooks/"+id+"/delete", c, url.Values{"csrf": {csrf}}); p.status != http.StatusSeeOther || p.header.Get("Location") != "/ui/?done=deleted" {
		t.Fatalf("delete: %d to %q", p.status, p.header.Get("Location"))
	}
	if p := f.get("/ui/webhooks/"+id, c); p.status != http.StatusNotFound {
		t.Errorf("the deleted webhook's page: %d", p.status)
	}
}

func TestUIResendAndReplayForms(t *testing.T) {
	f := newConsoleFixture(t)
	c := f.login(f.member)
	csrf := f.csrf(c)
	f.rc.take()
	p := f.post("/ui/webhooks/"+f.hook+"/deliveries/"+f.delivery+"/resend", c, url.Values{"csrf": {csrf}})
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/ui/webhooks/"+f.hook+"?done=resend" {
		t.Fatalf("resend: %d to %q: %.300s", p.status, p.header.Get("Location"), p.body)
	}
	f.pump()
	got := f.rc.take()
	log := hookList(t, f.ok("GET", "/api/v1/webhooks/"+f.hook+"/deliveries", f.member, "", http.StatusOK))
	if len(got) != 1 || got[0].header.Get("webhook-id") != hookStr(log[0], "event_id") || jsonID(log[0]["delivery_id"]) != f.delivery {
		t.Errorf("resend delivered %v", hookTypes(got))
	}
	// The log shows outcome and times to the second.
	page := f.get("/ui/webhooks/"+f.hook, c).body
	contains(t, "log", page, `data-label="Outcome">delivered`, `action="/ui/webhooks/`+f.hook+`/deliveries/`+f.delivery+`/resend"`)
	if !regexp.MustCompile(`<time datetime="[^"]+">\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC</time>`).MatchString(page) {
		t.Error("attempt times are not to the second")
	}

	// Replay a window given in Mia's zone: a project created in it goes out
	// again.
	berlin := "Europe/Berlin"
	if _, err := f.svc.UpdateUser(f.ctx, core.Actor{User: f.mia}, f.mia.ID, core.UserPatch{TimeZone: &berlin}); err != nil {
		t.Fatal(err)
	}
	f.clock.Add(2e9)
	from := f.clock.Now()
	f.do(f.mia, core.AddProject{Project: "Kiosk"})
	f.pump()
	first := f.rc.take()
	loc, _ := timeLocation(berlin)
	p = f.post("/ui/webhooks/"+f.hook+"/replay", c, url.Values{"csrf": {csrf}, "since": {from.In(loc).Format("2006-01-02T15:04:05")}})
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/ui/webhooks/"+f.hook+"?done=replay&queued=1" {
		t.Fatalf("replay: %d to %q: %.300s", p.status, p.header.Get("Location"), p.body)
	}
	f.pump()
	again := f.rc.take()
	if len(first) != 1 || len(again) != 1 || again[0].header.Get("webhook-id") != first[0].header.Get("webhook-id") {
		t.Errorf("replay delivered %v after %v", hookTypes(again), hookTypes(first))
	}
	contains(t, "after replay", f.get(p.header.Get("Location"), c).body, "1 event of the window is queued again")
}

func TestUIIncomingTokensUsersRepositories(t *testing.T) {
	f := newConsoleFixture(t)
	admin, member := f.login(f.admin), f.login(f.member)
	ac, mc := f.csrf(admin), f.csrf(member)
	adminIncoming := jsonID(f.ok("POST", "/api/v1/incoming", f.admin, `{"name": "boss-hook"}`, http.StatusCreated)["id"])

	// Incoming URL: shown once, and it works.
	p := f.post("/ui/incoming", member, url.Values{"csrf": {mc}, "name": {"deploys"}})
	m := regexp.MustCompile(`id="new-url" readonly value="([^"]+)"`).FindStringSubmatch(p.body)
	if p.status != http.StatusOK || m == nil {
		t.Fatalf("create incoming: %d: %.300s", p.status, p.body)
	}
	hookURL := m[1]
	token := hookURL[strings.LastIndex(hookURL, "/")+1:]
	if h, u, err := f.svc.ResolveIncomingHook(f.ctx, token); err != nil || h.Name != "deploys" || u.ID != f.mia.ID {
		t.Errorf("the URL resolves to %+v, %v, %v", h, u, err)
	}
	list := f.get("/ui/incoming", member).body
	lacks(t, "incoming list", list, token, "boss-hook")
	contains(t, "incoming list", list, "deploys", "ci")
	contains(t, "admin's incoming list", f.get("/ui/incoming", admin).body, "boss-hook", "deploys")
	if p := f.post("/ui/incoming/"+adminIncoming+"/delete", member, url.Values{"csrf": {mc}}); p.status != http.StatusNotFound {
		t.Errorf("Mia deletes the admin's incoming URL: %d", p.status)
	}
	if p := f.post("/ui/incoming/"+f.incoming+"/delete", member, url.Values{"csrf": {mc}}); p.status != http.StatusSeeOther {
		t.Errorf("Mia deletes her incoming URL: %d", p.status)
	}

	// Tokens: admins make them, shown once; members see their own only.
	p = f.post("/ui/tokens", admin, url.Values{"csrf": {ac}, "user": {"Ops bot"}, "role": {"member"}})
	m = regexp.MustCompile(`id="new-token-value" readonly value="([^"]+)"`).FindStringSubmatch(p.body)
	if p.status != http.StatusOK || m == nil {
		t.Fatalf("create token: %d: %.300s", p.status, p.body)
	}
	if u, err := f.svc.Authenticate(f.ctx, m[1]); err != nil || u.Name != "Ops bot" || u.Role != core.RoleMember {
		t.Errorf("the new token is %+v, %v", u, err)
	}
	lacks(t, "token list", f.get("/ui/tokens", admin).body, m[1])
	mine := f.get("/ui/tokens", member).body
	lacks(t, "Mia's tokens", mine, `id="token-form"`, "Ops bot", "Zed")
	if p := f.post("/ui/tokens", member, url.Values{"csrf": {mc}, "user": {"Mia"}}); p.status != http.StatusForbidden {
		t.Errorf("Mia makes a token: %d", p.status)
	}
	if p := f.post("/ui/tokens/"+f.token+"/revoke", member, url.Values{"csrf": {mc}}); p.status != http.StatusNotFound {
		t.Errorf("Mia revokes Zed's token: %d", p.status)
	}
	if p := f.post("/ui/tokens/"+f.token+"/revoke", admin, url.Values{"csrf": {ac}}); p.status != http.StatusSeeOther {
		t.Errorf("the admin revokes Zed's token: %d", p.status)
	}

	// Users: a member changes only her own zone.
	bob, mia := f.bob.ID.String(), f.mia.ID.String()
	usersPage := f.get("/ui/users", member).body
	contains(t, "Mia's users page", usersPage, `id="zone-`+mia+`"`)
	lacks(t, "Mia's users page", usersPage, `id="zone-`+bob+`"`, `id="user-form"`, `id="role-`)
	for path, form := range map[string]url.Values{
		"/ui/users/" + bob:                 {"time_zone": {"Asia/Tokyo"}},
		"/ui/users/" + mia:                 {"time_zone": {"UTC"}, "role": {"admin"}},
		"/ui/users":                        {"name": {"Eve"}},
		"/ui/users/" + bob + "/identities": {"provider": {"email"}, "subject": {"b@example.com"}},
		"/ui/users/" + bob + "/delete":     {},
		"/ui/repositories":                 {"repo": {"octo/web"}, "project": {"Web"}},
	} {
		form.Set("csrf", mc)
		if p := f.post(path, member, form); p.status != http.StatusForbidden {
			t.Errorf("Mia posts %s: %d, want 403", path, p.status)
		}
	}
	if p := f.post("/ui/users/"+mia, member, url.Values{"csrf": {mc}, "time_zone": {"lisbon"}}); p.status != http.StatusSeeOther {
		t.Errorf("Mia sets her zone: %d: %.300s", p.status, p.body)
	}
	if u, _ := f.svc.GetUser(f.ctx, core.Actor{User: f.boss}, f.mia.ID); u.TimeZone != "Europe/Lisbon" {
		t.Errorf("Mia's zone %q", u.TimeZone)
	}
	// An admin: roles, identities, new users, deletion after confirming.
	if p := f.post("/ui/users/"+bob, admin, url.Values{"csrf": {ac}, "time_zone": {"Asia/Tokyo"}, "role": {"admin"}}); p.status != http.StatusSeeOther {
		t.Errorf("promote Bob: %d: %.300s", p.status, p.body)
	}
	if p := f.post("/ui/users/"+bob+"/identities", admin, url.Values{"csrf": {ac}, "provider": {"github"}, "subject": {"bobcat"}}); p.status != http.StatusSeeOther {
		t.Errorf("link Bob's GitHub login: %d: %.300s", p.status, p.body)
	}
	u, _ := f.svc.GetUser(f.ctx, core.Actor{User: f.boss}, f.bob.ID)
	if u.Role != core.RoleAdmin || u.TimeZone != "Asia/Tokyo" || len(u.Identities) != 1 || u.Identities[0].Subject != "bobcat" {
		t.Errorf("Bob is %+v", u)
	}
	if p := f.post("/ui/users", admin, url.Values{"csrf": {ac}, "name": {"Eve"}, "role": {"member"}}); p.status != http.StatusSeeOther {
		t.Errorf("add Eve: %d", p.status)
	}
	users := f.get("/ui/users", admin).body
	eveID := regexp.MustCompile(`<tr id="user-(\d+)">\s*<td class="name" data-label="Name">Eve<`).FindStringSubmatch(users)
	if eveID == nil {
		t.Fatalf("Eve is not listed:\n%s", users)
	}
	contains(t, "delete Eve?", f.get("/ui/users/"+eveID[1]+"/delete", admin).body, "Delete the user “Eve”?")
	if p := f.post("/ui/users/"+eveID[1]+"/delete", admin, url.Values{"csrf": {ac}}); p.status != http.StatusSeeOther {
		t.Errorf("delete Eve: %d", p.status)
	}
	lacks(t, "users after deleting Eve", f.get("/ui/users", admin).body, ">Eve<")

	// Repositories: admins map, everyone reads.
	if p := f.post("/ui/repositories", admin, url.Values{"csrf": {ac}, "repo": {"octo/web"}, "project": {"Web"}}); p.status != http.StatusSeeOther {
		t.Errorf("map octo/web: %d: %.300s", p.status, p.body)
	}
	contains(t, "Mia's repositories", f.get("/ui/repositories", member).body, "<code>octo/web</code>", ">Web<")
	lacks(t, "Mia's repositories", f.get("/ui/repositories", member).body, `id="repo-form"`)
}

func TestUIDashboardFiguresAndChannelNames(t *testing.T) {
	e := newUIEnv(t, uiEnvOptions{})
	e.rc.setReply(echoCode)
	mias := e.hook(e.member, "Mia sheet")
	e.hook(e.other, "Bob board") // a member's: does not see Mia's project
	e.hook(e.admin, "Boss ledger")
	e.pump()
	e.rc.setReply(func(w http.ResponseWriter, d delivered) {
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = io.WriteString(w, "down for maintenance")
	})
	e.do(e.mia, core.AddProject{Project: "Kiosk"})
	e.pump()

	admin := e.get("/ui/", e.login(e.admin)).body
	figure := func(body, id string) string {
		m := regexp.MustCompile(`id="` + id + `">(\d+)<`).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("no figure %s", id)
		}
		return m[1]
	}
	if figure(admin, "fig-delivered") != "3" || figure(admin, "fig-retrying") != "2" || figure(admin, "fig-queue") != "2" {
		t.Errorf("admin's figures: delivered %s, retrying %s, queue %s; want 3 pings, 2, 2",
			figure(admin, "fig-delivered"), figure(admin, "fig-retrying"), figure(admin, "fig-queue"))
	}
	contains(t, "admin dashboard", admin, `id="failing"`, "Mia sheet", "Boss ledger", "Oldest undelivered:", "<code>project.created</code>")
	if failing := admin[strings.Index(admin, `id="failing"`):]; strings.Contains(failing[:strings.Index(failing, "</ul>")], "Bob board") {
		t.Error("Bob's webhook is listed as failing")
	}
	member := e.get("/ui/", e.login(e.member)).body
	if figure(member, "fig-retrying") != "1" || figure(member, "fig-queue") != "1" {
		t.Errorf("Mia's figures: retrying %s, queue %s; want her own 1, 1", figure(member, "fig-retrying"), figure(member, "fig-queue"))
	}
	lacks(t, "member dashboard", member, "Bob board", "Boss ledger")
	// Its log: the failed attempt, the delivery retrying, its next try to
	// the second.
	log := e.get("/ui/webhooks/"+mias, e.login(e.member)).body
	if !regexp.MustCompile(`data-label="Outcome">retrying<div class="small next-retry">next try <time datetime="[^"]+">\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC</time>`).MatchString(log) {
		t.Errorf("the log does not show the retry and its time:\n%s", log)
	}
	contains(t, "log", log, `data-label="Status">503<`, "down for maintenance")
	contains(t, "member dashboard", member, `href="/ui/webhooks/`+mias+`">Mia sheet</a>`)

	// A channel's own subscription is named after its channel.
	ch := core.Channel{Key: "slack:T001:C001", Format: core.FormatStandard, Name: "general"}
	if _, err := e.wh.SubscribeChannel(e.ctx, core.Actor{User: e.boss}, ch, e.rc.URL()+"/slack", []string{"tracker.*"}); err != nil {
		t.Fatal(err)
	}
	nameless := core.Channel{Key: "slack:T001:C002", Format: core.FormatStandard}
	if _, err := e.wh.SubscribeChannel(e.ctx, core.Actor{User: e.boss}, nameless, e.rc.URL()+"/slack2", []string{"tracker.*"}); err != nil {
		t.Fatal(err)
	}
	admin = e.get("/ui/", e.login(e.admin)).body
	contains(t, "channel names", admin, ">#general on Slack</a>", ">Slack channel C002 (team T001)</a>")
	lacks(t, "channel names", admin, ">channel slack:T001")
}

func timeLocation(name string) (*time.Location, error) { return time.LoadLocation(name) }

// TestUIButtonsThrottled: the console's test, resend and replay share the
// API's per-webhook allowance (GATEWAY_RATE_WEBHOOK_TEST).
func TestUIButtonsThrottled(t *testing.T) {
	clock := &hookClock{t: time.Now()}
	e := newUIEnv(t, uiEnvOptions{actions: ratelimit.NewKeyed(ratelimit.Rate{Events: 2, Per: time.Minute, Burst: 2}, 0, clock.Now)})
	e.rc.setReply(echoCode)
	id := e.hook(e.member, "Mia sheet")
	e.pump()
	c := e.login(e.member)
	csrf := e.csrf(c)
	log := hookList(t, e.ok("GET", "/api/v1/webhooks/"+id+"/deliveries", e.member, "", http.StatusOK))
	did := jsonID(log[0]["delivery_id"])
	if p := e.post("/ui/webhooks/"+id+"/test", c, url.Values{"csrf": {csrf}}); p.status != http.StatusSeeOther {
		t.Fatalf("test: %d", p.status)
	}
	if p := e.post("/ui/webhooks/"+id+"/deliveries/"+did+"/resend", c, url.Values{"csrf": {csrf}}); p.status != http.StatusSeeOther {
		t.Fatalf("resend: %d", p.status)
	}
	before := e.outbox()
	for _, path := range []string{"/test", "/deliveries/" + did + "/resend", "/replay"} {
		p := e.post("/ui/webhooks/"+id+path, c, url.Values{"csrf": {csrf}, "since": {time.Now().UTC().Add(-time.Hour).Format("2006-01-02T15:04:05")}})
		if p.status != http.StatusTooManyRequests || p.header.Get("Retry-After") == "" {
			t.Errorf("%s over the allowance: %d, Retry-After %q", path, p.status, p.header.Get("Retry-After"))
		}
		checkSecurityHeaders(t, path, p.header)
	}
	if n := e.outbox() - before; n != 0 {
		t.Errorf("refused buttons wrote %d events", n)
	}
	clock.Add(time.Minute)
	if p := e.post("/ui/webhooks/"+id+"/test", c, url.Values{"csrf": {csrf}}); p.status != http.StatusSeeOther {
		t.Errorf("test a minute later: %d", p.status)
	}
}

func TestUIReports(t *testing.T) {
	e := newUIEnv(t, uiEnvOptions{})
	task := e.task("Website", "Fix login")
	e.entry(e.mia, task, 3*24*time.Hour, "mia")
	e.entry(e.mia, task, 3*24*time.Hour+time.Hour, "mia again")
	e.entry(e.bob, task, 3*24*time.Hour, "bob")
	day := e.clock.Now().Add(-3 * 24 * time.Hour)
	from, to := day.AddDate(0, 0, -1).Format(time.DateOnly), day.AddDate(0, 0, 1).Format(time.DateOnly)
	c := e.login(e.member)
	if p := e.get("/ui/reports", c); p.status != http.StatusOK || !strings.Contains(p.body, `<option value="week" selected>`) {
		t.Errorf("default report: %d", p.status)
	}
	p := e.get("/ui/reports?period=range&from="+from+"&to="+to, c)
	if p.status != http.StatusOK {
		t.Fatalf("range report: %d: %.300s", p.status, p.body)
	}
	contains(t, "Mia's report", p.body, `<td data-label="Project">Website</td><td class="num" data-label="Entries">2</td><td class="num" data-label="Time">1h 00m</td>`,
		`id="report-total" data-label="Total">1h 00m<`)
	for _, q := range []string{"period=range&from=someday&to=" + to, "period=range&from=" + from, "period=fortnight"} {
		p := e.get("/ui/reports?"+q, c)
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `class="field-error"`) {
			t.Errorf("report ?%s: %d: %s", q, p.status, errorsOf(p.body))
		}
	}
}
