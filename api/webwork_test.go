package api_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/webhooks"
)

// The WebWork-compatible webhooks API (/rest-api/v1/webhooks): form and JSON
// bodies, WebWork's answer shapes, subscriptions active at once.

const (
	formType = "application/x-www-form-urlencoded"
	jsonType = "application/json"
)

// webwork sends a request to the WebWork API that must answer status; it
// returns the decoded body.
func (e *hookEnv) webwork(method, path, token, contentType, body string, status int) map[string]any {
	e.t.Helper()
	got, b, h := e.send(method, "/rest-api/v1/webhooks"+path, token, contentType, body)
	if got != status {
		e.t.Fatalf("%s /rest-api/v1/webhooks%s %s: status %d, want %d: %s", method, path, body, got, status, b)
	}
	if ct := h.Get("Content-Type"); ct != "application/json" {
		e.t.Fatalf("Content-Type %q", ct)
	}
	return hookJSON(e.t, b)
}

// webworkFail sends a request that must fail with status, answer
// {"success": false, "error": "…"} and change nothing.
func (e *hookEnv) webworkFail(method, path, token, contentType, body string, status int) string {
	e.t.Helper()
	before := e.outbox()
	m := e.webwork(method, path, token, contentType, body, status)
	if len(m) != 2 || m["success"] != false || hookStr(m, "error") == "" {
		e.t.Fatalf("%s %s %s: error body %v", method, path, body, m)
	}
	if n := e.outbox() - before; n != 0 {
		e.t.Fatalf("%s %s failed but wrote %d events", method, path, n)
	}
	return hookStr(m, "error")
}

// webworkItem checks the {"id", "url", "events", "token"} shape and returns
// it.
func webworkItem(t testing.TB, v any, wantURL string, wantEvents ...string) map[string]any {
	t.Helper()
	m, _ := v.(map[string]any)
	var events []string
	for _, ev := range m["events"].([]any) {
		events = append(events, ev.(string))
	}
	if len(m) != 4 || hookStr(m, "id") == "" || m["url"] != wantURL || !slices.Equal(events, wantEvents) ||
		!strings.HasPrefix(hookStr(m, "token"), "whsec_") {
		t.Fatalf("webwork item %v, want url %s and events %v", m, wantURL, wantEvents)
	}
	return m
}

func form(u string, events ...string) string {
	v := url.Values{}
	if u != "" {
		v.Set("url", u)
	}
	for _, ev := range events {
		v.Add("events[]", ev)
	}
	return v.Encode()
}

func jsonBody(u string, events ...string) string {
	m := map[string]any{}
	if u != "" {
		m["url"] = u
	}
	if events != nil {
		m["events"] = events
	}
	b, _ := json.Marshal(m)
	return string(b)
}

func TestWebworkCreateFormAndJSONDeliverAtOnce(t *testing.T) {
	e := newHookEnv(t)
	formRC, jsonRC := newHookReceiver(t), newHookReceiver(t) // plain 200s: nothing echoes a code

	// The exact body a WebWork client sends.
	body := "url=" + url.QueryEscape(formRC.URL()) + "&events[]=tracker.started&events[]=tracker.stopped"
	m := e.webwork("POST", "", e.member, formType, body, 201)
	if len(m) != 2 || m["success"] != true {
		t.Fatalf("form create answered %v", m)
	}
	viaForm := webworkItem(t, m["webhook"], formRC.URL(), "tracker.started", "tracker.stopped")

	m = e.webwork("POST", "", e.admin, jsonType, `{"url":"`+jsonRC.URL()+`","events":["tracker.started","tracker.stopped"]}`, 201)
	if len(m) != 2 || m["success"] != true {
		t.Fatalf("JSON create answered %v", m)
	}
	viaJSON := webworkItem(t, m["webhook"], jsonRC.URL(), "tracker.started", "tracker.stopped")

	// Both are active at once, in the standard format, and the token is the
	// secret the management API shows.
	for token, item := range map[string]map[string]any{e.member: viaForm, e.admin: viaJSON} {
		sub := e.ok("GET", "/api/v1/webhooks/"+hookStr(item, "id"), token, "", 200)
		if sub["status"] != "active" || sub["validated_at"] == nil || sub["format"] != "standard" || sub["secret"] != item["token"] {
			t.Fatalf("subscription made by WebWork: %v", sub)
		}
	}

	// A timer arrives without any validation, signed with the token.
	e.do(e.mia, core.Track{Task: "Fix login", Project: "Website"})
	e.do(e.mia, core.Stop{})
	e.pump()
	for _, c := range []struct {
		rc    *hookReceiver
		token string
	}{{formRC, hookStr(viaForm, "token")}, {jsonRC, hookStr(viaJSON, "token")}} {
		got := c.rc.take()
		if want := []string{"tracker.started", "tracker.stopped"}; !slices.Equal(hookTypes(got), want) {
			t.Fatalf("received %v, want %v", hookTypes(got), want)
		}
		wh, err := standardwebhooks.NewWebhook(c.token)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range got {
			if err := wh.Verify(d.body, d.header); err != nil {
				t.Errorf("%s does not verify with the token: %v", d.typ(), err)
			}
			verifySigned(t, d, c.token, c.token)
			data, _ := d.msg["data"].(map[string]any)
			entry, _ := data["time_entry"].(map[string]any)
			if entry == nil || data["task"].(map[string]any)["name"] != "Fix login" {
				t.Errorf("%s body %s", d.typ(), d.body)
			}
			if (d.typ() == "tracker.stopped") != (entry["end"] != nil) {
				t.Errorf("%s entry end %v", d.typ(), entry["end"])
			}
		}
	}
}

func TestWebworkUpdateListGetDelete(t *testing.T) {
	e := newHookEnv(t)
	one, two, three := newHookReceiver(t), newHookReceiver(t), newHookReceiver(t)
	item := webworkItem(t, e.webwork("POST", "", e.member, formType, form(one.URL(), "tracker.started"), 201)["webhook"], one.URL(), "tracker.started")
	hid := hookStr(item, "id")
	token := hookStr(item, "token")

	// PUT, form: new url and events.
	m := e.webwork("PUT", "/"+hid, e.member, formType, form(two.URL(), "tracker.stopped", "time_entry.created"), 200)
	if m["success"] != true {
		t.Fatalf("form update answered %v", m)
	}
	got := webworkItem(t, m["webhook"], two.URL(), "tracker.stopped", "time_entry.created")
	if got["id"] != hid || got["token"] != token {
		t.Fatalf("update changed id or token: %v", got)
	}
	// PUT, JSON: events alone, then url alone.
	got = webworkItem(t, e.webwork("PUT", "/"+hid, e.member, jsonType, `{"events":["tracker.started","tracker.stopped"]}`, 200)["webhook"],
		two.URL(), "tracker.started", "tracker.stopped")
	got = webworkItem(t, e.webwork("PUT", "/"+hid, e.member, jsonType, jsonBody(three.URL()), 200)["webhook"],
		three.URL(), "tracker.started", "tracker.stopped")
	// Other spellings of events: events=a,b and a JSON string.
	webworkItem(t, e.webwork("PUT", "/"+hid, e.member, formType+"; charset=utf-8", "events=tracker.started,tracker.stopped", 200)["webhook"],
		three.URL(), "tracker.started", "tracker.stopped")
	webworkItem(t, e.webwork("PUT", "/"+hid, e.member, jsonType, `{"events":"tracker.started, tracker.stopped"}`, 200)["webhook"],
		three.URL(), "tracker.started", "tracker.stopped")

	// GET one: {"success": true, "data": {…}}.
	m = e.webwork("GET", "/"+hid, e.member, "", "", 200)
	if len(m) != 2 || m["success"] != true {
		t.Fatalf("get answered %v", m)
	}
	webworkItem(t, m["data"], three.URL(), "tracker.started", "tracker.stopped")

	// GET the list: WebWork's shape.
	m = e.webwork("GET", "", e.member, "", "", 200)
	if len(m) != 4 || m["max_rows"] != 50.0 || m["current_page"] != 1.0 || m["total_pages"] != 1.0 {
		t.Fatalf("list answered %v", m)
	}
	if data, _ := m["data"].([]any); len(data) != 1 {
		t.Fatalf("list data %v", m["data"])
	} else {
		webworkItem(t, data[0], three.URL(), "tracker.started", "tracker.stopped")
	}
	if m = e.webwork("GET", "", e.other, "", "", 200); m["total_pages"] != 0.0 || len(m["data"].([]any)) != 0 {
		t.Fatalf("bob's list %v", m)
	}

	// DELETE: {"success": true}, then gone.
	m = e.webwork("DELETE", "/"+hid, e.member, "", "", 200)
	if len(m) != 1 || m["success"] != true {
		t.Fatalf("delete answered %v", m)
	}
	e.webworkFail("GET", "/"+hid, e.member, "", "", 404)
	e.webworkFail("DELETE", "/"+hid, e.member, "", "", 404)
	e.refuse("GET", "/api/v1/webhooks/"+hid, e.member, "", 404, core.ENOTFOUND)
}

// A WebWork client knows nothing of validation: a subscription whose URL it
// changes must keep delivering, at the new URL, without a ping to answer.
func TestWebworkUpdatedURLKeepsDelivering(t *testing.T) {
	e := newHookEnv(t)
	one, two := newHookReceiver(t), newHookReceiver(t) // plain 200s
	hid := hookStr(webworkItem(t, e.webwork("POST", "", e.member, formType, form(one.URL(), "tracker.started", "tracker.stopped"), 201)["webhook"],
		one.URL(), "tracker.started", "tracker.stopped"), "id")
	webworkItem(t, e.webwork("PUT", "/"+hid, e.member, jsonType, jsonBody(two.URL()), 200)["webhook"], two.URL(), "tracker.started", "tracker.stopped")

	e.do(e.mia, core.Track{Task: "Fix", Project: "Web"})
	e.do(e.mia, core.Stop{})
	e.pump()
	if got := one.take(); len(got) != 0 {
		t.Errorf("the old URL received %v", hookTypes(got))
	}
	if sub := e.ok("GET", "/api/v1/webhooks/"+hid, e.member, "", 200); sub["status"] != "active" {
		t.Fatal("regression: a WebWork PUT that changes url turns the subscription not_validated (webhooks.Service.Update " +
			"re-validates every URL change of a standard-format subscription), so it never delivers again: status " + hookStr(sub, "status"))
	}
	got := two.take()
	if want := []string{"tracker.started", "tracker.stopped"}; !slices.Equal(hookTypes(got), want) {
		t.Fatalf("the new URL received %v, want %v", hookTypes(got), want)
	}
}

func TestWebworkListPages(t *testing.T) {
	e := newHookEnv(t)
	rc := newHookReceiver(t)
	boss := core.Actor{User: e.boss, Source: "test"}
	var want []string
	for u := range 11 { // 51 subscriptions: five per user
		_, user, err := e.svc.IssueToken(e.ctx, boss, core.TokenRequest{User: "user" + strconv.Itoa(u)})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 5 {
			if len(want) == 51 {
				break
			}
			sub, err := e.wh.Create(e.ctx, core.Actor{User: user, Source: "test"},
				webhooks.Input{Name: "hook " + strconv.Itoa(u*5+i), URL: rc.URL() + "/" + strconv.Itoa(u*5+i), Events: json.RawMessage(`["*"]`), Validated: true})
			if err != nil {
				t.Fatal(err)
			}
			want = append(want, sub.ID.String())
		}
	}
	var seen []string
	for pageNo := 1; pageNo <= 3; pageNo++ {
		m := e.webwork("GET", "?page="+strconv.Itoa(pageNo), e.admin, "", "", 200)
		data, _ := m["data"].([]any)
		if m["max_rows"] != 50.0 || m["current_page"] != float64(pageNo) || m["total_pages"] != 2.0 || data == nil {
			t.Fatalf("page %d: %v", pageNo, m)
		}
		if wantLen := []int{50, 1, 0}[pageNo-1]; len(data) != wantLen {
			t.Fatalf("page %d has %d items, want %d", pageNo, len(data), wantLen)
		}
		for _, it := range data {
			seen = append(seen, hookStr(it.(map[string]any), "id"))
		}
	}
	if !slices.Equal(seen, want) {
		t.Fatalf("pages hold %v, want %v", seen, want)
	}
	for _, bad := range []string{"0", "-1", "two", "1.5", "-99999999999999999999999", "1e3", "%00"} {
		e.webworkFail("GET", "?page="+bad, e.admin, "", "", 400)
	}
	// Pages past the last, however far, are empty, never an overflow's 500.
	for _, huge := range []string{"3", "184467440737095516", "9223372036854775807", "9223372036854775808", "99999999999999999999999999"} {
		m := e.webwork("GET", "?page="+huge, e.admin, "", "", 200)
		if data, _ := m["data"].([]any); data == nil || len(data) != 0 || m["total_pages"] != 2.0 {
			t.Fatalf("page %s: %v", huge, m)
		}
	}
}

func TestWebworkErrors(t *testing.T) {
	e := newHookEnv(t)
	rc := newHookReceiver(t)
	hid := hookStr(e.webwork("POST", "", e.admin, jsonType, jsonBody(rc.URL(), "tracker.started"), 201)["webhook"].(map[string]any), "id")

	// 401: no token, a wrong one, another scheme.
	for _, token := range []string{"", "gw_wrong"} {
		e.webworkFail("GET", "", token, "", "", 401)
		e.webworkFail("POST", "", token, formType, form(rc.URL(), "tracker.started"), 401)
		e.webworkFail("PUT", "/"+hid, token, formType, form(rc.URL(), "tracker.started"), 401)
		e.webworkFail("DELETE", "/"+hid, token, "", "", 401)
		e.webworkFail("GET", "/"+hid, token, "", "", 401)
	}

	// 422: a rule broken (missing url or events, unknown event, bad url).
	for _, c := range []struct{ contentType, body string }{
		{formType, form("", "tracker.started")},
		{jsonType, jsonBody("", "tracker.started")},
		{formType, form(rc.URL())},
		{jsonType, jsonBody(rc.URL())},
		{jsonType, `{"url":"` + rc.URL() + `","events":[]}`},
		{formType, "url=" + url.QueryEscape(rc.URL()) + "&events[]="},
		{formType, form(rc.URL(), "tracker.exploded")},
		{jsonType, jsonBody(rc.URL(), "tracker.started", "nothing")},
		{formType, form("ftp://example.com/", "tracker.started")},
		{jsonType, jsonBody("example.com", "tracker.started")},
	} {
		e.webworkFail("POST", "", e.member, c.contentType, c.body, 422)
	}
	if msg := e.webworkFail("POST", "", e.member, formType, form(rc.URL(), "tracker.exploded"), 422); !strings.Contains(msg, "tracker.exploded") {
		t.Errorf("unknown event message %q", msg)
	}
	if msg := e.webworkFail("POST", "", e.member, formType, form("", "tracker.started"), 422); !strings.Contains(msg, "url") {
		t.Errorf("missing url message %q", msg)
	}
	e.webworkFail("PUT", "/"+hid, e.admin, formType, "", 422)                                    // nothing to change
	e.webworkFail("PUT", "/"+hid, e.admin, jsonType, `{}`, 422)                                  // nothing to change
	e.webworkFail("PUT", "/"+hid, e.admin, formType, form("", "tracker.exploded"), 422)          // unknown event
	e.webworkFail("PUT", "/"+hid, e.admin, jsonType, `{"events":[]}`, 422)                       // no events
	e.webworkFail("PUT", "/"+hid, e.admin, formType, form("gopher://x", "tracker.started"), 422) // bad url

	// 400: a malformed body.
	for _, c := range []struct{ contentType, body string }{
		{jsonType, ``},
		{jsonType, `{`},
		{jsonType, `[]`},
		{jsonType, `{"url":1}`},
		{jsonType, `{"url":"` + rc.URL() + `","events":[1,2]}`},
		{jsonType, `{"url":"` + rc.URL() + `","events":{"entity":"tracker","action":"*"}}`},
		{formType, `url=%zz&events[]=tracker.started`},
		{"", `url=` + rc.URL()}, // no content type: read as JSON
	} {
		e.webworkFail("POST", "", e.member, c.contentType, c.body, 400)
		e.webworkFail("PUT", "/"+hid, e.admin, c.contentType, c.body, 400)
	}

	// 404: unknown or malformed ids, and someone else's subscription.
	for _, id := range []string{"999", "abc", "0"} {
		e.webworkFail("GET", "/"+id, e.admin, "", "", 404)
		e.webworkFail("PUT", "/"+id, e.admin, formType, form(rc.URL(), "tracker.started"), 404)
		e.webworkFail("DELETE", "/"+id, e.admin, "", "", 404)
	}
	e.webworkFail("GET", "/"+hid, e.member, "", "", 404)
	e.webworkFail("PUT", "/"+hid, e.member, formType, form(rc.URL(), "tracker.stopped"), 404)
	e.webworkFail("DELETE", "/"+hid, e.member, "", "", 404)

	// The per-user limit holds here too.
	for i := range 5 {
		e.webwork("POST", "", e.member, formType, form(rc.URL()+"/"+strconv.Itoa(i), "tracker.started"), 201)
	}
	if msg := e.webworkFail("POST", "", e.member, formType, form(rc.URL(), "tracker.started"), 422); !strings.Contains(msg, "5 webhooks") {
		t.Errorf("limit message %q", msg)
	}
}

// FuzzWebworkBody sends arbitrary bodies with a chosen content type to the
// WebWork create and update routes: nothing may panic or answer 5xx, and
// every failure answers {"success": false, "error": "…"}.
func FuzzWebworkBody(f *testing.F) {
	e := newHookEnv(f)
	target := webworkTarget(f, e)
	contentTypes := []string{jsonType, formType, formType + "; charset=utf-8", "", "text/plain", "multipart/form-data; boundary=x",
		"application/json; charset=utf-8", "application/x-www-form-urlencoded; charset", "APPLICATION/X-WWW-FORM-URLENCODED", ";;"}
	for _, body := range []string{
		``, `{}`, `null`, `[]`, `"x"`, `{"url":"http://127.0.0.1:1/x","events":["tracker.started"]}`,
		`{"url":"http://127.0.0.1:1/x","events":"tracker.started,tracker.stopped"}`, `{"events":[null]}`, `{"events":[1]}`,
		`{"url":"http://[::1","events":["*"]}`, `{"url":"` + strings.Repeat("a", 300) + `"}`, "\x00\xff",
		`url=http%3A%2F%2F127.0.0.1%3A1%2Fx&events[]=tracker.started&events[]=tracker.stopped`,
		`url=http://127.0.0.1:1/x&events=*`, `events[]=,,,`, `url=%zz`, `url=http://` + strings.Repeat("h", 250) + `/&events=*`,
		`url=http://127.0.0.1:1/&events[]=task.track&events[]={"entity":"x"}`, `a=b;c=d`, `events[]=` + strings.Repeat("tracker.started,", 200),
	} {
		for ct := range contentTypes {
			for m := range 2 {
				f.Add(uint8(ct), uint8(m), body)
			}
		}
	}
	f.Fuzz(func(t *testing.T, ct, method uint8, body string) {
		contentType := contentTypes[int(ct)%len(contentTypes)]
		req := httptest.NewRequest(http.MethodPost, "/rest-api/v1/webhooks", strings.NewReader(body))
		if method%2 == 1 {
			req = httptest.NewRequest(http.MethodPut, "/rest-api/v1/webhooks/"+target, strings.NewReader(body))
		}
		req.Header.Set("Authorization", "Bearer "+e.admin)
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		w := httptest.NewRecorder()
		e.handler.ServeHTTP(w, req)
		if w.Code >= 500 {
			t.Fatalf("%s %q %q: status %d: %s", req.Method, contentType, body, w.Code, w.Body)
		}
		var m map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil {
			t.Fatalf("%s %q %q: answer %s is not JSON", req.Method, contentType, body, w.Body)
		}
		if w.Code >= 400 {
			if m["success"] != false || hookStr(m, "error") == "" {
				t.Fatalf("%s %q %q: error answer %s", req.Method, contentType, body, w.Body)
			}
		} else if want := map[string]int{http.MethodPost: 201, http.MethodPut: 200}[req.Method]; w.Code != want || m["success"] != true || m["webhook"] == nil {
			t.Fatalf("%s %q %q: answer %d (want %d) %s", req.Method, contentType, body, w.Code, want, w.Body)
		}
	})
}

// webworkTarget makes the subscription the fuzz test updates, as another
// admin so that creations by the fuzzed admin do not count against it.
func webworkTarget(f *testing.F, e *hookEnv) string {
	f.Helper()
	_, u, err := e.svc.IssueToken(e.ctx, core.Actor{User: e.boss, Source: "test"}, core.TokenRequest{User: "Fuzz", Role: core.RoleAdmin})
	if err != nil {
		f.Fatal(err)
	}
	sub, err := e.wh.Create(e.ctx, core.Actor{User: u, Source: "test"},
		webhooks.Input{URL: "http://127.0.0.1:1/fuzz", Events: json.RawMessage(`["*"]`), Validated: true})
	if err != nil {
		f.Fatal(err)
	}
	return sub.ID.String()
}

// A WebWork client cannot name its subscription: the default name must fit
// whatever host a valid URL has (a DNS name may have 253 characters).
func TestWebworkLongHostGetsAName(t *testing.T) {
	e := newHookEnv(t)
	host := strings.Repeat("a", 60) + "." + strings.Repeat("b", 60) + "." + strings.Repeat("c", 60) + "." + strings.Repeat("d", 50) + ".example"
	status, b, _ := e.send("POST", "/rest-api/v1/webhooks", e.member, formType, form("https://"+host+"/hook", "tracker.started"))
	if status == 422 && strings.Contains(string(b), "name is longer than 200 characters") {
		t.Fatal("regression: webhooks.defaultName (webhooks/service.go) names a subscription \"HOST xxxxxx\" without shortening it, " +
			"so a URL whose host has more than 193 characters is refused with 422 \"name is longer than 200 characters\" " +
			"although the client gave no name: " + string(b))
	}
	if status != 201 {
		t.Fatalf("long host: %d %s", status, b)
	}
	webworkItem(t, hookJSON(t, b)["webhook"], "https://"+host+"/hook", "tracker.started")
}
