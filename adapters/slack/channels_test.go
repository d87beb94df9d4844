package slack_test

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chatops/gateway/adapters/mattermost"
	"github.com/chatops/gateway/adapters/slack"
	"github.com/chatops/gateway/api"
	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/delivery"
	"github.com/chatops/gateway/store/sqlite"
	"github.com/chatops/gateway/webhooks"
	"github.com/gorilla/mux"
	slackgo "github.com/slack-go/slack"
)

// The tests here run the real thing: signed slash commands and button
// presses into the Slack adapter, the webhooks service and delivery engine on a temp SQLite
// database, a local fake of Slack's Web API given to slack-go as its API
// URL, and local incoming-webhook receivers.

const (
	botToken = "xoxb-test-bot-token"
	team     = "T0001"
	channel  = "C0CHAN"
	steveID  = "U0STEVE"
)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// posted is a message a fake received: a chat.postMessage call, a POST to
// an incoming webhook, or an answer to a response_url.
type posted struct {
	Path            string
	Channel         string          `json:"channel"`
	Text            string          `json:"text"`
	Blocks          json.RawMessage `json:"blocks"`
	Attachments     json.RawMessage `json:"attachments"`
	ResponseType    string          `json:"response_type"`
	ReplaceOriginal bool            `json:"replace_original"`
}

// fakeSlack is a local Slack: Web API methods under /api/, incoming
// webhooks under /hooks/, response URLs under /response/.
type fakeSlack struct {
	t   *testing.T
	srv *httptest.Server
	mu  sync.Mutex
	got []posted
	// postAnswer, when set, answers chat.postMessage instead of ok.
	postAnswer func(w http.ResponseWriter) bool
	// hookStatus is what incoming webhooks answer; 0 is 200.
	hookStatus int
}

func newFakeSlack(t *testing.T) *fakeSlack {
	f := &fakeSlack{t: t}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeSlack) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	p := posted{Path: r.URL.Path}
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case r.URL.Path == "/api/chat.postMessage":
		form, _ := url.ParseQuery(string(body))
		if form.Get("token") != botToken && r.Header.Get("Authorization") != "Bearer "+botToken {
			_ = json.NewEncoder(w).Encode(map[string]any{"ok": false, "error": "invalid_auth"})
			return
		}
		if f.postAnswer != nil && f.postAnswer(w) {
			return
		}
		p.Channel, p.Text, p.Blocks = form.Get("channel"), form.Get("text"), json.RawMessage(form.Get("blocks"))
		f.got = append(f.got, p)
		_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "channel": p.Channel, "ts": fmt.Sprintf("1700000000.%06d", len(f.got))})
	case strings.HasPrefix(r.URL.Path, "/hooks/"), strings.HasPrefix(r.URL.Path, "/response/"):
		if err := json.Unmarshal(body, &p); err != nil {
			f.t.Errorf("%s: body is not JSON: %s", r.URL.Path, body)
		}
		p.Path = r.URL.Path
		if f.hookStatus != 0 && strings.HasPrefix(r.URL.Path, "/hooks/") {
			http.Error(w, "no_service", f.hookStatus)
			return
		}
		f.got = append(f.got, p)
		_, _ = w.Write([]byte("ok"))
	default:
		http.NotFound(w, r)
	}
}

// take returns and forgets what arrived at paths starting with prefix.
func (f *fakeSlack) take(prefix string) []posted {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out, rest []posted
	for _, p := range f.got {
		if strings.HasPrefix(p.Path, prefix) {
			out = append(out, p)
		} else {
			rest = append(rest, p)
		}
	}
	f.got = rest
	return out
}

func (f *fakeSlack) set(fn func(f *fakeSlack)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

func texts(ps []posted) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Text)
	}
	slices.Sort(out)
	return out
}

// chatEnv is a gateway without cmd: core, the webhooks service and delivery engine with the
// chat renderers, the Slack adapter and the API on one local server.
type chatEnv struct {
	t     *testing.T
	ctx   context.Context
	clock *fakeClock
	store core.Store
	svc   *core.Service
	wh    *webhooks.Service
	eng   *delivery.Engine
	slack *fakeSlack
	srv   *httptest.Server
	admin core.Actor
	token string
	// responseBase, when set, replaces the fake Slack as the host of the
	// response_url a press carries.
	responseBase string
}

func newChatEnv(t *testing.T, withBot bool) *chatEnv {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "chat.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clock := &fakeClock{t: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	svc := core.NewService(st, core.Options{Now: clock.Now})
	fs := newFakeSlack(t)
	channels := delivery.Channel{Scheme: "slack", Format: core.FormatSlack, Unavailable: "a Slack bot token"}
	hopts := slack.Options{SigningSecret: secret, APIURL: fs.srv.URL + "/api"}
	if withBot {
		poster, err := slack.NewPoster(botToken, fs.srv.URL+"/api", nil)
		if err != nil {
			t.Fatal(err)
		}
		channels.Post = poster.Send
		hopts.BotToken = botToken
	}
	wh := webhooks.New(svc, webhooks.Options{Now: clock.Now, AllowPrivateTargets: true, PublicURL: "http://gw.test",
		Renderers: map[string]webhooks.Renderer{core.FormatSlack: slack.RenderEvent, core.FormatMattermost: mattermost.RenderEvent},
		Targets:   map[string]webhooks.Target{"slack": channels}})
	eng := delivery.New(st, wh, delivery.Options{Now: clock.Now, AllowPrivateTargets: true,
		RetrySchedule: []time.Duration{0, time.Minute, time.Minute, time.Minute}, DisableAfter: 3, Timeout: 5 * time.Second,
		Senders: map[string]delivery.Sender{"slack": channels}})
	svc.SetChannels(wh)
	h, err := slack.NewHandler(svc, hopts)
	if err != nil {
		t.Fatal(err)
	}
	r := mux.NewRouter()
	r.HandleFunc("/slack/commands", h.ServeCommands).Methods(http.MethodPost)
	r.HandleFunc("/slack/interactions", h.ServeInteractions).Methods(http.MethodPost)
	api.New(svc, api.Options{Webhooks: wh}).Register(r)
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	e := &chatEnv{t: t, ctx: ctx, clock: clock, store: st, svc: svc, wh: wh, eng: eng, slack: fs, srv: srv}
	tok, u, err := svc.IssueToken(ctx, core.Actor{Source: "cli"}, core.TokenRequest{User: "boss", Role: core.RoleAdmin})
	if err != nil {
		t.Fatal(err)
	}
	e.admin, e.token = core.Actor{User: u, Source: "api"}, tok
	clock.Add(time.Millisecond)
	return e
}

// slash sends a signed slash command from a user in the channel and returns
// the reply's text.
func (e *chatEnv) slash(user, ch, text string) string {
	e.t.Helper()
	body := url.Values{"team_id": {team}, "team_domain": {"acme"}, "channel_id": {ch}, "channel_name": {"general"},
		"user_id": {user}, "user_name": {strings.ToLower(strings.TrimPrefix(user, "U0"))}, "command": {"/tt"}, "text": {text},
		"response_url": {e.slack.srv.URL + "/response/cmd"}, "trigger_id": {fmt.Sprintf("trig-%d", time.Now().UnixNano())}}.Encode()
	status, m := e.postSigned("/slack/commands", body, true)
	if status != http.StatusOK {
		e.t.Fatalf("%q: status %d %v", text, status, m)
	}
	s, _ := m["text"].(string)
	return s
}

// postSigned posts a form body, signed or not, and decodes a JSON answer.
func (e *chatEnv) postSigned(path, body string, sign bool) (int, map[string]any) {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if sign {
		slack.Sign(req.Header, secret, []byte(body), time.Now())
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return resp.StatusCode, m
}

// hooks lists the subscriptions through GET /api/v1/webhooks, as the admin.
func (e *chatEnv) hooks() []webhooks.View {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/api/v1/webhooks", nil)
	req.Header.Set("Authorization", "Bearer "+e.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var list struct {
		Data []webhooks.View `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil || resp.StatusCode != 200 {
		e.t.Fatalf("GET /api/v1/webhooks: %d %v", resp.StatusCode, err)
	}
	return list.Data
}

// pump dispatches and delivers until nothing is due at the current time.
func (e *chatEnv) pump() {
	e.t.Helper()
	for range 100 {
		n, err := e.eng.DispatchOnce(e.ctx)
		if err != nil {
			e.t.Fatal(err)
		}
		m, err := e.eng.DeliverOnce(e.ctx)
		if err != nil {
			e.t.Fatal(err)
		}
		if n == 0 && m == 0 {
			return
		}
	}
	e.t.Fatal("engine did not settle")
}

// user returns the gateway user of a Slack user.
func (e *chatEnv) user(slackUser string) core.Actor {
	e.t.Helper()
	u, err := e.svc.LookupIdentity(e.ctx, core.ProviderSlack, team+":"+slackUser)
	if err != nil {
		e.t.Fatal(err)
	}
	return core.Actor{User: u, Source: "slack"}
}

func TestNotifyCommandsFromSlackAreVisibleInTheAPI(t *testing.T) {
	e := newChatEnv(t, true)
	reply := e.slash(steveID, channel, "notify")
	if !strings.Contains(reply, "This channel now gets tracker.*, task.*, project.*") {
		t.Fatalf("notify: %s", reply)
	}
	hooks := e.hooks()
	if len(hooks) != 1 {
		t.Fatalf("API lists %d webhooks", len(hooks))
	}
	bot := hooks[0]
	steve := e.user(steveID)
	if bot.Format != core.FormatSlack || bot.URL != "slack:"+channel || bot.Channel != "slack:"+team+":"+channel ||
		bot.Status != core.SubActive || bot.Owner != steve.User.ID || string(bot.Events) != `["tracker.*","task.*","project.*"]` {
		t.Fatalf("bot-token subscription = %+v", bot)
	}
	if !strings.Contains(reply, fmt.Sprintf("#%d", bot.ID)) {
		t.Errorf("reply does not name #%d: %s", bot.ID, reply)
	}

	hookURL := e.slack.srv.URL + "/hooks/T0001/B0001/XYZ"
	reply = e.slash(steveID, channel, "notify "+hookURL+" webhook.* Project.Created")
	hooks = e.hooks()
	if len(hooks) != 2 || hooks[1].URL != hookURL || string(hooks[1].Events) != `["webhook.*","project.created"]` || hooks[1].Format != core.FormatSlack {
		t.Fatalf("after notify URL: %+v (%s)", hooks, reply)
	}
	viaURL := hooks[1]

	list := e.slash(steveID, channel, "notify list")
	for _, want := range []string{fmt.Sprintf("#%d", bot.ID), fmt.Sprintf("#%d", viaURL.ID), "webhook.*, project.created", "active"} {
		if !strings.Contains(list, want) {
			t.Errorf("notify list lacks %q: %s", want, list)
		}
	}
	if other := e.slash(steveID, "C0OTHER", "notify list"); !strings.Contains(other, "no notifications") {
		t.Errorf("another channel lists: %s", other)
	}
	if r := e.slash(steveID, channel, "notify off 999"); !strings.Contains(r, ":warning:") || !strings.Contains(r, "#999") {
		t.Errorf("notify off 999: %s", r)
	}
	if r := e.slash(steveID, channel, "notify tracker.exploded"); !strings.Contains(r, ":warning:") || !strings.Contains(r, "tracker.exploded") {
		t.Errorf("unknown event: %s", r)
	}
	if r := e.slash(steveID, channel, "notify fix login"); !strings.Contains(r, "not an event filter") {
		t.Errorf("parse error: %s", r)
	}

	if r := e.slash(steveID, channel, fmt.Sprintf("notify off #%d", bot.ID)); !strings.Contains(r, "Removed 1") {
		t.Fatalf("notify off: %s", r)
	}
	if hooks = e.hooks(); len(hooks) != 1 || hooks[0].ID != viaURL.ID {
		t.Fatalf("after notify off #%d: %+v", bot.ID, hooks)
	}
	// Someone else in the channel, a member, cannot remove Steve's.
	if r := e.slash("U0BOB", channel, "notify off"); !strings.Contains(r, "had no notifications") {
		t.Errorf("bob's notify off: %s", r)
	}
	e.slash(steveID, channel, "notify off")
	if hooks = e.hooks(); len(hooks) != 0 {
		t.Fatalf("after notify off: %+v", hooks)
	}
}

func TestNotifyWithoutBotTokenNeedsAURL(t *testing.T) {
	e := newChatEnv(t, false)
	if r := e.slash(steveID, channel, "notify tracker.*"); !strings.Contains(r, "incoming-webhook URL") {
		t.Fatalf("notify without URL: %s", r)
	}
	if len(e.hooks()) != 0 {
		t.Fatal("a subscription was made")
	}
	// And slack:CHANNEL targets are refused through the API too.
	if _, err := e.wh.Create(e.ctx, e.admin, webhooks.Input{URL: "slack:C1", Format: core.FormatSlack, Events: json.RawMessage(`["*"]`)}); core.ErrorCode(err) != core.EINVALID {
		t.Fatalf("slack: target without a bot token: %v", err)
	}
	e.slash(steveID, channel, "notify "+e.slack.srv.URL+"/hooks/x tracker.*")
	e.slash(steveID, channel, "track Fix login in Website")
	e.pump()
	got := e.slack.take("/hooks/")
	if len(got) != 1 || got[0].Text != "⏱ steve started Fix login in Website" || !strings.Contains(string(got[0].Blocks), `"action_id":"stop_timer"`) {
		t.Fatalf("incoming webhook got %+v", got)
	}
}

// appendEvent writes an event to the outbox, as core does for a change.
func (e *chatEnv) appendEvent(ev core.Event) {
	e.t.Helper()
	ws, err := e.svc.Workspace(e.ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	ev.WorkspaceID, ev.Timestamp, ev.ID = ws.ID, e.clock.Now(), core.NewEventID()
	if err := e.store.Update(e.ctx, func(tx core.Tx) error { return tx.AppendEvent(&ev) }); err != nil {
		e.t.Fatal(err)
	}
}

func TestAMessageForEveryEventTypeArrives(t *testing.T) {
	e := newChatEnv(t, true)
	evs := sampleEvents(t)
	all := []string{"*", "webhook.*"}
	targets := map[string]core.Channel{
		"slack:CALL":                       {Key: "slack:T0001:CALL", Format: core.FormatSlack},
		e.slack.srv.URL + "/hooks/slack":   {Key: "slack:T0001:CHOOK", Format: core.FormatSlack},
		e.slack.srv.URL + "/hooks/mm/ALL1": {Key: "mattermost:t1:town-square", Format: core.FormatMattermost},
	}
	subs := map[string]core.Subscription{}
	for target, ch := range targets {
		sub, err := e.wh.SubscribeChannel(e.ctx, e.admin, ch, target, all)
		if err != nil {
			t.Fatal(err)
		}
		subs[target] = sub
	}
	e.clock.Add(time.Millisecond)
	// Every event type once; webhook alerts are about the admin's other
	// subscription #5's kind, a ping goes to each channel itself.
	var want []core.Event
	for _, et := range core.EventTypes() {
		ev := evs[et.Name]
		if entity, _ := core.SplitEventType(et.Name); entity == "webhook" {
			ev.UserID = e.admin.User.ID
		}
		if et.Name == core.EventWebhookPing {
			for _, sub := range subs {
				ping := ev
				ping.Data = json.RawMessage(fmt.Sprintf(`{"subscription_id": "%d", "webhook": {"id": "%d", "name": %q}}`, sub.ID, sub.ID, sub.Name))
				e.appendEvent(ping)
			}
			continue
		}
		e.appendEvent(ev)
		want = append(want, ev)
	}
	e.pump()

	// What each format should have said, from the renderers themselves.
	expect := func(render webhooks.Renderer, ping string) []string {
		var out []string
		for _, ev := range want {
			b, err := render(ev, core.Subscription{}, nil)
			if err != nil {
				t.Fatal(err)
			}
			var m struct{ Text string }
			_ = json.Unmarshal(b, &m)
			out = append(out, m.Text)
		}
		out = append(out, ping)
		slices.Sort(out)
		return out
	}
	pingText := func(target string) string {
		return "🏓 This channel is connected: test message for " + subs[target].Name + " (#" + subs[target].ID.String() + ")"
	}
	bot := e.slack.take("/api/chat.postMessage")
	if got, want := texts(bot), expect(slack.RenderEvent, pingText("slack:CALL")); !slices.Equal(got, want) {
		t.Errorf("chat.postMessage got %d messages:\n%s\nwant %d:\n%s", len(got), strings.Join(got, "\n"), len(want), strings.Join(want, "\n"))
	}
	for _, p := range bot {
		if p.Channel != "CALL" || len(p.Blocks) == 0 {
			t.Errorf("posted to %q with blocks %s", p.Channel, p.Blocks)
		}
	}
	if got, want := texts(e.slack.take("/hooks/slack")), expect(slack.RenderEvent, pingText(e.slack.srv.URL+"/hooks/slack")); !slices.Equal(got, want) {
		t.Errorf("slack incoming webhook got %d messages, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
	mmPing := "🏓 This channel is connected: test message for **" + subs[e.slack.srv.URL+"/hooks/mm/ALL1"].Name + "** (`#" + subs[e.slack.srv.URL+"/hooks/mm/ALL1"].ID.String() + "`)"
	if got, want := texts(e.slack.take("/hooks/mm/")), expect(mattermost.RenderEvent, mmPing); !slices.Equal(got, want) {
		t.Errorf("mattermost incoming webhook got %d messages, want %d:\n%s\n--- want\n%s", len(got), len(want), strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, sub := range subs {
		if s, err := e.wh.Get(e.ctx, e.admin, sub.ID); err != nil || s.Status != core.SubActive || s.LastError != "" {
			t.Errorf("subscription %s: %+v %v", sub.URL, s, err)
		}
	}
}

// pressStop posts a signed block_actions payload: user pressed the Stop
// button of message, whose value is the entry id.
func (e *chatEnv) pressStop(user string, message posted, value string, sign bool) int {
	e.t.Helper()
	var blocks slackgo.Blocks
	if err := json.Unmarshal(message.Blocks, &blocks); err != nil {
		e.t.Fatal(err)
	}
	cb := slackgo.InteractionCallback{
		Type: slackgo.InteractionTypeBlockActions, Team: slackgo.Team{ID: team, Domain: "acme"},
		User: slackgo.User{ID: user, Name: strings.ToLower(user)}, Channel: slackgo.Channel{GroupConversation: slackgo.GroupConversation{Conversation: slackgo.Conversation{ID: channel}}},
		ResponseURL: cmp.Or(e.responseBase, e.slack.srv.URL) + "/response/" + user, TriggerID: fmt.Sprintf("press-%d", time.Now().UnixNano()),
		Message: slackgo.Message{Msg: slackgo.Msg{Text: message.Text, Blocks: blocks, Timestamp: "1700000000.000001"}},
		ActionCallback: slackgo.ActionCallbacks{BlockActions: []*slackgo.BlockAction{
			{ActionID: slack.StopActionID, BlockID: slack.StopBlockID, Value: value, Type: "button"}}},
	}
	payload, err := json.Marshal(&cb)
	if err != nil {
		e.t.Fatal(err)
	}
	status, _ := e.postSigned("/slack/interactions", url.Values{"payload": {string(payload)}}.Encode(), sign)
	return status
}

// running returns the user's running timer, if any.
func (e *chatEnv) running(a core.Actor) *core.RunningTimer {
	e.t.Helper()
	res, err := e.svc.Execute(e.ctx, a, core.Status{})
	if err != nil {
		e.t.Fatal(err)
	}
	return res.Report.Running
}

func TestStopButtonRoundTrip(t *testing.T) {
	e := newChatEnv(t, true)
	e.slash(steveID, channel, "notify tracker.*")
	e.clock.Add(time.Millisecond)
	e.slash(steveID, channel, "track Fix login in Website")
	e.pump()
	got := e.slack.take("/api/chat.postMessage")
	if len(got) != 1 || got[0].Channel != channel || got[0].Text != "⏱ steve started Fix login in Website" {
		t.Fatalf("chat.postMessage got %+v", got)
	}
	started := got[0]
	steve := e.user(steveID)
	timer := e.running(steve)
	if timer == nil || !strings.Contains(string(started.Blocks), fmt.Sprintf(`"value":"%d"`, timer.Entry.ID)) {
		t.Fatalf("button does not carry the entry id %v: %s", timer, started.Blocks)
	}
	id := timer.Entry.ID.String()
	e.clock.Add(90 * time.Minute)

	// Not signed, not a form, too big: refused, nothing happens.
	if s := e.pressStop(steveID, started, id, false); s != http.StatusUnauthorized {
		t.Errorf("unsigned press: %d", s)
	}
	if s, _ := e.postSigned("/slack/interactions", "payload=%7Bnot+json", true); s != http.StatusBadRequest {
		t.Errorf("bad payload: %d", s)
	}
	if s, _ := e.postSigned("/slack/interactions", "payload="+strings.Repeat("x", slack.MaxBodyBytes), true); s != http.StatusRequestEntityTooLarge {
		t.Errorf("big payload: %d", s)
	}

	// Bob's press: politely refused, only Bob is told, the timer runs on.
	e.slash("U0BOB", channel, "status") // Bob is a user too
	if s := e.pressStop("U0BOB", started, id, true); s != http.StatusOK {
		t.Fatalf("bob's press: %d", s)
	}
	if r := e.slack.take("/response/U0BOB"); len(r) != 1 || r[0].ResponseType != "ephemeral" || r[0].ReplaceOriginal || !strings.Contains(r[0].Text, "not yours") {
		t.Fatalf("bob was answered %+v", r)
	}
	// A stranger (no user yet) too.
	if s := e.pressStop("U0NEW", started, id, true); s != http.StatusOK {
		t.Fatalf("stranger's press: %d", s)
	}
	if r := e.slack.take("/response/U0NEW"); len(r) != 1 || !strings.Contains(r[0].Text, "not yours") {
		t.Fatalf("stranger was answered %+v", r)
	}
	if e.running(steve) == nil {
		t.Fatal("someone else's press stopped Steve's timer")
	}

	// A press whose response_url is not Slack's is refused before it
	// changes anything: the gateway posts only to Slack.
	for _, elsewhere := range []string{"https://evil.example", "http://hooks.slack.com", "https://hooks.slack.com.evil.example"} {
		e.responseBase = elsewhere
		if s := e.pressStop(steveID, started, id, true); s != http.StatusBadRequest {
			t.Fatalf("press answering to %s: %d", elsewhere, s)
		}
		if e.running(steve) == nil {
			t.Fatalf("a press answering to %s stopped the timer", elsewhere)
		}
	}
	e.responseBase = ""

	// Steve's press stops it and updates the message.
	if s := e.pressStop(steveID, started, id, true); s != http.StatusOK {
		t.Fatalf("steve's press: %d", s)
	}
	if e.running(steve) != nil {
		t.Fatal("the timer still runs")
	}
	r := e.slack.take("/response/" + steveID)
	if len(r) != 1 || !r[0].ReplaceOriginal || strings.Contains(string(r[0].Blocks), "stop_timer") ||
		!strings.Contains(string(r[0].Blocks), "Stopped by *steve* after *1h 30m*") || !strings.Contains(string(r[0].Blocks), "started *Fix login* in *Website*") {
		t.Fatalf("message update %+v", r)
	}
	e.pump()
	if got := e.slack.take("/api/chat.postMessage"); len(got) != 1 || got[0].Text != "⏹ steve stopped Fix login in Website after 1h 30m" {
		t.Fatalf("after the press the channel got %+v", got)
	}

	// Pressed again: already stopped.
	if s := e.pressStop(steveID, started, id, true); s != http.StatusOK {
		t.Fatalf("second press: %d", s)
	}
	r = e.slack.take("/response/" + steveID)
	if len(r) != 2 || !r[0].ReplaceOriginal || r[1].ResponseType != "ephemeral" || !strings.Contains(r[1].Text, "already stopped") {
		t.Fatalf("second press answered %+v", r)
	}
	// A button of another kind is acknowledged and ignored.
	other := started
	if s := e.pressStop(steveID, other, "nonsense", true); s != http.StatusOK {
		t.Fatalf("bad value: %d", s)
	}
	if r := e.slack.take("/response/"); len(r) != 1 || !strings.Contains(r[0].Text, "could not read") {
		t.Fatalf("bad value answered %+v", r)
	}
}

func TestFailingSubscriptionAlertsTheChannelOnStateChangesOnly(t *testing.T) {
	e := newChatEnv(t, false)
	alerts := e.slack.srv.URL + "/hooks/alerts"
	e.slash(steveID, channel, "notify "+alerts+" webhook.*")
	steve := e.user(steveID)
	var up atomic.Bool
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !up.Load() {
			http.Error(w, "down for maintenance", 500)
		}
	}))
	defer down.Close()
	billing, err := e.wh.Create(e.ctx, steve, webhooks.Input{Name: "Billing", URL: down.URL + "/time?token=s3cret", Events: json.RawMessage(`["tracker.*"]`), Validated: true})
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Add(time.Millisecond)
	e.slash(steveID, channel, "track Fix login in Website")
	e.pump()
	got := e.slack.take("/hooks/alerts")
	if len(got) != 1 || !strings.Contains(got[0].Text, "Webhook Billing (#"+billing.ID.String()+") is failing") {
		t.Fatalf("after the first failure: %+v", got)
	}
	if b := string(got[0].Blocks); !strings.Contains(b, "answered 500") || !strings.Contains(b, "POST /api/v1/webhooks/"+billing.ID.String()+"/enable") || strings.Contains(b, "s3cret") {
		t.Errorf("failing alert: %s", b)
	}
	for range 2 {
		e.clock.Add(time.Minute + 10*time.Second)
		e.pump()
	}
	if s, _ := e.wh.Get(e.ctx, steve, billing.ID); s.Status != core.SubDisabled {
		t.Fatalf("billing is %s", s.Status)
	}
	got = e.slack.take("/hooks/alerts")
	if len(got) != 1 || !strings.Contains(got[0].Text, "was disabled") {
		t.Fatalf("after three failures the channel got %+v (one alert per state change, not per attempt)", got)
	}
	if b := string(got[0].Blocks); !strings.Contains(b, "3 consecutive failed attempts") || !strings.Contains(b, "`answered 500`") ||
		!strings.Contains(b, "`POST /api/v1/webhooks/"+billing.ID.String()+"/enable`") {
		t.Errorf("disabled alert: %s", b)
	}
	e.clock.Add(time.Hour)
	e.pump()
	if got := e.slack.take("/hooks/"); len(got) != 0 {
		t.Fatalf("more alerts: %+v", got)
	}
	up.Store(true)
	if _, err := e.wh.Enable(e.ctx, steve, billing.ID); err != nil {
		t.Fatal(err)
	}
	e.pump()
	if got := e.slack.take("/hooks/alerts"); len(got) != 1 || !strings.Contains(got[0].Text, "was enabled again by steve") {
		t.Fatalf("after enable: %+v", got)
	}
}

func TestSlackAPIFailuresAreRetried(t *testing.T) {
	e := newChatEnv(t, true)
	e.slash(steveID, channel, "notify project.*")
	sub := e.hooks()[0]
	steve := e.user(steveID)
	e.slack.set(func(f *fakeSlack) {
		f.postAnswer = func(w http.ResponseWriter) bool {
			_ = json.NewEncoder(w).Encode(map[string]any{"ok": false, "error": "not_in_channel"})
			return true
		}
	})
	e.clock.Add(time.Millisecond)
	e.slash(steveID, channel, "add project Website")
	e.pump()
	log, _, err := e.wh.Deliveries(e.ctx, steve, sub.ID, core.Page{})
	if err != nil || len(log) != 1 || log[0].Error != "slack chat.postMessage: not_in_channel" || log[0].ErrorClass != "sender" || !strings.Contains(log[0].Response, "not_in_channel") {
		t.Fatalf("log after ok:false: %+v %v", log, err)
	}
	if s, _ := e.wh.Get(e.ctx, steve, sub.ID); s.Status != core.SubPending {
		t.Fatalf("status %s", s.Status)
	}
	// Rate limited: the next attempt waits for Retry-After.
	e.slack.set(func(f *fakeSlack) {
		f.postAnswer = func(w http.ResponseWriter) bool {
			w.Header().Set("Retry-After", "300")
			w.WriteHeader(http.StatusTooManyRequests)
			return true
		}
	})
	e.clock.Add(time.Minute + 10*time.Second)
	e.pump()
	if log, _, _ = e.wh.Deliveries(e.ctx, steve, sub.ID, core.Page{}); len(log) != 2 || log[0].StatusCode != 429 || !strings.Contains(log[0].Error, "retry after 5m0s") {
		t.Fatalf("log after 429: %+v", log)
	}
	e.slack.set(func(f *fakeSlack) { f.postAnswer = nil })
	e.clock.Add(2 * time.Minute) // the schedule's next attempt, inside Retry-After
	e.pump()
	if got := e.slack.take("/api/"); len(got) != 0 {
		t.Fatalf("retried before Retry-After: %+v", got)
	}
	e.clock.Add(4 * time.Minute)
	e.pump()
	if got := e.slack.take("/api/"); len(got) != 1 || !strings.Contains(got[0].Text, "added project Website") {
		t.Fatalf("after Retry-After: %+v", got)
	}
	if s, _ := e.wh.Get(e.ctx, steve, sub.ID); s.Status != core.SubActive {
		t.Fatalf("status %s", s.Status)
	}
}
