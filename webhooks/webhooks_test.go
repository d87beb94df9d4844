package webhooks_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/delivery"
	"github.com/chatops/gateway/delivery/deliverytest"
	"github.com/chatops/gateway/webhooks"
)

func TestSignReproducesPublishedVectors(t *testing.T) {
	// Standard Webhooks' test vector.
	sig, err := webhooks.Sign([]string{"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}, "msg_p5jXN8AQM9LWM0D4loKWxJek",
		time.Unix(1614265330, 0), []byte(`{"test": 2432232314}`))
	if err != nil || sig.Standard != "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=" || sig.Timestamp != "1614265330" {
		t.Fatalf("standard = %+v, %v", sig, err)
	}
	// Toggl Track's examples (developer docs, "Validating Received Events").
	for body, want := range map[string]string{
		`{"event_id":0,"created_at":"2022-06-25T03:58:10.207820267Z","creator_id":6,"metadata":{"request_type":"POST","event_user_id":6},"payload":"ping","subscription_id":6}`:                                                                                        "sha256=55343383e52a9cd2f56bd4e9fb5b6ce6982fb45955f26ea816cf7495d98c5fd2",
		`{"event_id":0,"created_at":"2022-06-25T03:58:10.207820267Z","creator_id":6,"metadata":{"request_type":"POST","event_user_id":6},"payload":"ping","subscription_id":6,"timestamp":"2022-06-25T03:58:10.207820267Z","url_callback":"https://callback-url.com"}`: "sha256=bf829606cda0ca6923defb5ca70a43135adc7e8887486a201a19cb50ca6006b1",
	} {
		if got := webhooks.TogglSignature("PGuRrhCFajIyEvFlreKL", []byte(body)); got != want {
			t.Errorf("toggl = %s, want %s", got, want)
		}
	}
	// Two secrets during a rotation: two v1 signatures, Toggl with the newest.
	a, b := webhooks.NewSecret(), webhooks.NewSecret()
	sig, err = webhooks.Sign([]string{a, b}, "evt_1", time.Now(), []byte(`{}`))
	if err != nil || len(strings.Fields(sig.Standard)) != 2 || sig.Toggl != webhooks.TogglSignature(a, []byte(`{}`)) {
		t.Fatalf("rotation = %+v, %v", sig, err)
	}
}

func TestAsyncValidationHoldsEventsUntilValidated(t *testing.T) {
	e := deliverytest.New(t)
	rc := deliverytest.NewReceiver(t) // answers 200 without the code
	sub := e.Create(e.Admin, webhooks.Input{URL: rc.URL(), Events: deliverytest.Events("*")})
	e.Pump()
	pings := rc.Take()
	if len(pings) != 1 {
		t.Fatalf("pings = %v", deliverytest.Types(pings))
	}
	e.Do(e.Admin, core.AddProject{Project: "Ops"})
	e.Pump()
	if got := rc.Take(); len(got) != 0 {
		t.Fatalf("a not validated subscription received %v", deliverytest.Types(got))
	}
	if err := e.Hooks.Validate(e.Ctx, sub.ID, "wrong"); core.ErrorCode(err) != core.ENOTFOUND {
		t.Fatalf("wrong code: %v", err)
	}
	url := pings[0].Msg["validation_code_url"].(string)
	code := url[strings.LastIndex(url, "/")+1:]
	if !strings.HasPrefix(url, "http://gw.test/api/v1/webhooks/"+sub.ID.String()+"/validate/") {
		t.Fatalf("validation url %q", url)
	}
	if err := e.Hooks.Validate(e.Ctx, sub.ID, code); err != nil {
		t.Fatal(err)
	}
	e.Pump()
	if got := rc.Take(); !slices.Equal(deliverytest.Types(got), []string{"project.created"}) {
		t.Fatalf("after validation: %v", deliverytest.Types(got))
	}
}

func TestReplayResendsWindowWithSameIDs(t *testing.T) {
	e := deliverytest.New(t)
	rc := deliverytest.NewReceiver(t)
	sub := e.Create(e.Admin, webhooks.Input{URL: rc.URL(), Events: deliverytest.Events("project.created"), Validated: true})
	start := e.Clock.Now()
	e.Do(e.Admin, core.AddProject{Project: "A"})
	e.Do(e.Admin, core.AddProject{Project: "B"})
	e.Clock.Add(time.Hour)
	e.Do(e.Admin, core.AddProject{Project: "C"}) // outside the window
	e.Pump()
	first := rc.Take()
	if len(first) != 3 {
		t.Fatalf("first delivery %v", deliverytest.Types(first))
	}
	n, err := e.Hooks.Replay(e.Ctx, e.Admin, sub.ID, start, start.Add(time.Minute))
	if err != nil || n != 2 {
		t.Fatalf("replay queued %d, %v", n, err)
	}
	e.Pump()
	ids := func(rs []deliverytest.Received) []string {
		var out []string
		for _, r := range rs {
			out = append(out, r.Header.Get("webhook-id"))
		}
		slices.Sort(out)
		return out
	}
	var inWindow []deliverytest.Received
	for _, r := range first {
		if name := r.Msg["data"].(map[string]any)["project"].(map[string]any)["name"]; name != "C" {
			inWindow = append(inWindow, r)
		}
	}
	if again := rc.Take(); !slices.Equal(ids(again), ids(inWindow)) {
		t.Fatalf("replayed ids %v, want %v", ids(again), ids(inWindow))
	}
}

func TestLimitPerUser(t *testing.T) {
	e := deliverytest.New(t)
	rc := deliverytest.NewReceiver(t)
	for i := range 5 {
		e.Create(e.Admin, webhooks.Input{Name: "hook " + string(rune('a'+i)), URL: rc.URL(), Events: deliverytest.Events("*"), Validated: true})
	}
	_, err := e.Hooks.Create(e.Ctx, e.Admin, webhooks.Input{URL: rc.URL(), Events: deliverytest.Events("*")})
	if core.ErrorCode(err) != core.ELIMIT || !strings.Contains(core.ErrorMessage(err), "5 webhooks") {
		t.Fatalf("6th: %v", err)
	}
	// Another user has a limit of their own.
	e.Create(e.User("ana", core.RoleMember), webhooks.Input{URL: rc.URL(), Events: deliverytest.Events("*"), Validated: true})
}

func TestMemberReceivesOnlyWhatTheyMaySee(t *testing.T) {
	e := deliverytest.New(t)
	ana, bob := e.User("ana", core.RoleMember), e.User("bob", core.RoleMember)
	anaRC, adminRC := deliverytest.NewReceiver(t), deliverytest.NewReceiver(t)
	anaSub := e.Create(ana, webhooks.Input{URL: anaRC.URL(), Events: deliverytest.Events("*"), Validated: true})
	e.Create(e.Admin, webhooks.Input{URL: adminRC.URL(), Events: deliverytest.Events("tracker.*", "project.*", "task.*"), Validated: true})

	e.Do(bob, core.Track{Task: "Secret", Project: "Bobs"}) // bob's project and timer
	e.Do(ana, core.Track{Task: "Mine", Project: "Anas"})
	e.Pump()
	var anaGot []string
	for _, r := range anaRC.Take() {
		anaGot = append(anaGot, r.Type())
		if strings.Contains(string(r.Body), "Bobs") || strings.Contains(string(r.Body), "Secret") {
			t.Errorf("ana received bob's %s", r.Type())
		}
	}
	slices.Sort(anaGot)
	if !slices.Equal(anaGot, []string{"project.created", "task.created", "tracker.started"}) {
		t.Errorf("ana got %v", anaGot)
	}
	if n := len(adminRC.Take()); n != 6 {
		t.Errorf("admin got %d events, want 6", n)
	}
	// A member can neither see nor change another's subscription.
	if _, err := e.Hooks.Get(e.Ctx, bob, anaSub.ID); core.ErrorCode(err) != core.ENOTFOUND {
		t.Errorf("bob reads ana's subscription: %v", err)
	}
	if _, err := e.Hooks.Disable(e.Ctx, bob, anaSub.ID); core.ErrorCode(err) != core.ENOTFOUND {
		t.Errorf("bob disables ana's subscription: %v", err)
	}
	if list, _, _ := e.Hooks.List(e.Ctx, bob, core.Page{}); len(list) != 0 {
		t.Errorf("bob lists %d subscriptions", len(list))
	}
}

func TestPrivateTargetsRefusedByDefault(t *testing.T) {
	e := deliverytest.New(t, func(o *webhooks.Options, _ *delivery.Options) { o.AllowPrivateTargets = false })
	for _, u := range []string{"http://127.0.0.1:9/x", "http://localhost/x", "http://10.1.2.3/", "http://169.254.169.254/latest/meta-data",
		"http://[::1]/", "http://192.168.0.10/", "http://0.0.0.0/", "ftp://example.com/", "not a url", "http://user:pw@example.com/"} {
		if _, err := e.Hooks.Create(e.Ctx, e.Admin, webhooks.Input{URL: u, Events: deliverytest.Events("*")}); core.ErrorCode(err) != core.EINVALID {
			t.Errorf("%s: %v, want invalid", u, err)
		}
	}
}

func TestTogglFormat(t *testing.T) {
	e := deliverytest.New(t)
	rc := deliverytest.NewReceiver(t)
	rc.SetReply(deliverytest.EchoValidation)
	sub := e.Create(e.Admin, webhooks.Input{URL: rc.URL(), Events: json.RawMessage(`[{"entity":"time_entry","action":"*"},"task.track"]`), Format: "toggl"})
	e.Pump()
	ping := rc.Take()
	if len(ping) != 1 || ping[0].Msg["payload"] != "ping" || ping[0].Msg["validation_code"] == nil {
		t.Fatalf("toggl ping %s", ping[0].Body)
	}
	e.Do(e.Admin, core.Track{Task: "Fix", Project: "Web"})
	e.Pump()
	got := rc.Take()
	if len(got) != 1 {
		t.Fatalf("got %d", len(got))
	}
	md := got[0].Msg["metadata"].(map[string]any)
	payload := got[0].Msg["payload"].(map[string]any)
	if md["model"] != "time_entry" || md["action"] != "created" || payload["end"] != nil || got[0].Msg["subscription_id"] != sub.ID.String() {
		t.Fatalf("toggl body %s", got[0].Body)
	}
	got[0].Verify(t, sub.Secret, sub.Secret)
}

func TestCreateRefusesBadInput(t *testing.T) {
	e := deliverytest.New(t)
	rc := deliverytest.NewReceiver(t)
	for name, in := range map[string]webhooks.Input{
		"unknown event":  {URL: rc.URL(), Events: deliverytest.Events("tracker.exploded")},
		"empty events":   {URL: rc.URL(), Events: json.RawMessage(`[]`)},
		"bad format":     {URL: rc.URL(), Events: deliverytest.Events("*"), Format: "xml"},
		"bad secret":     {URL: rc.URL(), Events: deliverytest.Events("*"), Secret: "hunter2"},
		"bad scope":      {URL: rc.URL(), Events: deliverytest.Events("*"), Scope: "galaxy"},
		"events not set": {URL: rc.URL()},
	} {
		if _, err := e.Hooks.Create(e.Ctx, e.Admin, in); core.ErrorCode(err) != core.EINVALID {
			t.Errorf("%s: %v", name, err)
		}
	}
	e.Create(e.Admin, webhooks.Input{Name: "Same", URL: rc.URL(), Events: deliverytest.Events("*")})
	if _, err := e.Hooks.Create(e.Ctx, e.Admin, webhooks.Input{Name: "same", URL: rc.URL(), Events: deliverytest.Events("*")}); core.ErrorCode(err) != core.ECONFLICT {
		t.Errorf("duplicate name: %v", err)
	}
}

// An admin's workspace subscription to webhook.* hears about every
// subscription's trouble; a member's only about their own.
func TestAdminReceivesEveryonesWebhookAlerts(t *testing.T) {
	e := deliverytest.New(t)
	bob := e.User("bob", core.RoleMember)
	ann := e.User("ann", core.RoleMember)
	failing := deliverytest.NewReceiver(t)
	failing.SetReply(func(w http.ResponseWriter, r deliverytest.Received) { w.WriteHeader(500) })
	adminAlerts, annAlerts := deliverytest.NewReceiver(t), deliverytest.NewReceiver(t)
	e.Create(e.Admin, webhooks.Input{URL: adminAlerts.URL(), Events: deliverytest.Events("webhook.*"), Validated: true})
	e.Create(ann, webhooks.Input{URL: annAlerts.URL(), Events: deliverytest.Events("webhook.*"), Validated: true})
	e.Create(bob, webhooks.Input{URL: failing.URL(), Events: deliverytest.Events("project.*"), Validated: true})
	e.Do(bob, core.AddProject{Project: "Bob's"})
	e.Pump()
	if got := deliverytest.Types(adminAlerts.Take()); !slices.Equal(got, []string{"webhook.failing"}) {
		t.Fatalf("admin got %v, want bob's webhook.failing", got)
	}
	if got := annAlerts.Take(); len(got) != 0 {
		t.Fatalf("another member got %v", deliverytest.Types(got))
	}
}

// next_cursor is null (0) on the last page, also when it is exactly full.
func TestListsEndWithoutACursor(t *testing.T) {
	e := deliverytest.New(t)
	rc := deliverytest.NewReceiver(t)
	rc.SetReply(func(w http.ResponseWriter, r deliverytest.Received) { w.WriteHeader(500) })
	var subs []core.Subscription
	for i := range 3 {
		subs = append(subs, e.Create(e.Admin, webhooks.Input{Name: fmt.Sprint("hook ", i), URL: rc.URL() + fmt.Sprint("/", i),
			Events: deliverytest.Events("project.*"), Validated: true}))
	}
	page, next, err := e.Hooks.List(e.Ctx, e.Admin, core.Page{Limit: 2})
	if err != nil || len(page) != 2 || next != page[1].ID {
		t.Fatalf("first page %d items, next %d, %v", len(page), next, err)
	}
	page, next, err = e.Hooks.List(e.Ctx, e.Admin, core.Page{Limit: 1, After: next})
	if err != nil || len(page) != 1 || next != 0 {
		t.Fatalf("last, full page: %d items, next %d, %v; want 1 item and no cursor", len(page), next, err)
	}
	e.Do(e.Admin, core.AddProject{Project: "P"})
	e.Pump()
	e.Clock.Add(time.Minute + 10*time.Second)
	e.Pump()
	log, next, err := e.Hooks.Deliveries(e.Ctx, e.Admin, subs[0].ID, core.Page{Limit: 2})
	if err != nil || len(log) != 2 || next != 0 {
		t.Fatalf("delivery log of exactly one page: %d attempts, next %d, %v", len(log), next, err)
	}
	log, next, err = e.Hooks.Deliveries(e.Ctx, e.Admin, subs[0].ID, core.Page{Limit: 1})
	if err != nil || len(log) != 1 || next != log[0].ID {
		t.Fatalf("delivery log page of 1: %d attempts, next %d, %v", len(log), next, err)
	}
}

// A target that is not an http(s) URL is checked by the kind registered
// for its scheme, with the messages people see in the API and in chat.
func TestTargetsAreCheckedByTheirKind(t *testing.T) {
	post := func(context.Context, core.Subscription, []byte) (int, []byte, error) { return 200, nil, nil }
	bot := "a Slack bot token (GATEWAY_SLACK_BOT_TOKEN); give the channel's incoming-webhook URL instead"
	formatMsg := "a slack:CHANNEL_ID target needs the slack format and a channel id"
	for _, tc := range []struct {
		name string
		post delivery.PostFunc
		in   webhooks.Input
		want string // the error message; empty when accepted
	}{
		{"accepted", post, webhooks.Input{URL: "slack:C1", Format: core.FormatSlack}, ""},
		{"no way to post", nil, webhooks.Input{URL: "slack:C1", Format: core.FormatSlack}, "a slack:CHANNEL_ID target needs " + bot},
		{"wrong format", post, webhooks.Input{URL: "slack:C1"}, formatMsg},
		{"wrong format and no way to post", nil, webhooks.Input{URL: "slack:C1"}, formatMsg},
		{"no channel", post, webhooks.Input{URL: "slack:", Format: core.FormatSlack}, formatMsg},
		{"a scheme without a kind", post, webhooks.Input{URL: "mattermost:C1", Format: core.FormatSlack}, "url must be an absolute http or https URL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := deliverytest.New(t, func(o *webhooks.Options, _ *delivery.Options) {
				o.Renderers = map[string]webhooks.Renderer{core.FormatSlack: webhooks.RenderStandard}
				o.Targets = map[string]webhooks.Target{"slack": delivery.Channel{Scheme: "slack", Format: core.FormatSlack, Post: tc.post, Unavailable: bot}}
			})
			tc.in.Events = deliverytest.Events("*")
			_, err := e.Hooks.Create(e.Ctx, e.Admin, tc.in)
			if tc.want == "" && err != nil {
				t.Fatalf("refused: %v", err)
			}
			if tc.want != "" && (core.ErrorCode(err) != core.EINVALID || core.ErrorMessage(err) != tc.want) {
				t.Fatalf("error %v, want invalid %q", err, tc.want)
			}
		})
	}

	// A change is checked as a whole: the format a target needs, whichever
	// field changed.
	e := deliverytest.New(t, func(o *webhooks.Options, _ *delivery.Options) {
		o.Renderers = map[string]webhooks.Renderer{core.FormatSlack: webhooks.RenderStandard}
		o.Targets = map[string]webhooks.Target{"slack": delivery.Channel{Scheme: "slack", Format: core.FormatSlack, Post: post}}
	})
	rc := deliverytest.NewReceiver(t)
	sub := e.Create(e.Admin, webhooks.Input{URL: rc.URL(), Events: deliverytest.Events("*"), Validated: true})
	target, slackFormat, standard := "slack:C2", core.FormatSlack, core.FormatStandard
	if _, err := e.Hooks.Update(e.Ctx, e.Admin, sub.ID, webhooks.Patch{URL: &target}); core.ErrorMessage(err) != formatMsg {
		t.Fatalf("slack target in the standard format: %v", err)
	}
	if got, err := e.Hooks.Update(e.Ctx, e.Admin, sub.ID, webhooks.Patch{URL: &target, Format: &slackFormat}); err != nil || got.URL != target {
		t.Fatalf("slack target in the slack format: %+v, %v", got, err)
	}
	if _, err := e.Hooks.Update(e.Ctx, e.Admin, sub.ID, webhooks.Patch{Format: &standard}); core.ErrorMessage(err) != formatMsg {
		t.Fatalf("standard format for a slack target: %v", err)
	}
}
