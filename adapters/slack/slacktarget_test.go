package slack_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/webhooks"
)

// apiCreate posts a subscription through the API with a bearer token and
// returns the status.
func (e *chatEnv) apiCreate(token, body string) int {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/api/v1/webhooks", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// A slack:CHANNEL target streams into a channel the bot is in, private
// ones included: an admin may create one through the API; a member only
// with notify in that very channel (the API answers 403, and a member's
// PATCH cannot point a subscription at another channel).
func TestSlackTargetsAreAdminsOrNotifyInThatChannel(t *testing.T) {
	e := newChatEnv(t, true)
	body := `{"url": "slack:CSECRET", "format": "slack", "events": ["tracker.*"]}`
	if status := e.apiCreate(e.token, body); status != http.StatusCreated {
		t.Fatalf("admin: %d, want 201", status)
	}
	memberToken, _, err := e.svc.IssueToken(e.ctx, core.Actor{Source: "cli"}, core.TokenRequest{User: "mallory", Role: core.RoleMember})
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range []string{"CSECRET", channel} {
		b := `{"url": "slack:` + ch + `", "format": "slack", "events": ["tracker.*"]}`
		if status := e.apiCreate(memberToken, b); status != http.StatusForbidden {
			t.Fatalf("member through the API to slack:%s: %d, want 403", ch, status)
		}
	}
	// An http(s) URL stays a member's to use.
	if status := e.apiCreate(memberToken, `{"url": "https://127.0.0.1/hook", "events": ["tracker.*"]}`); status != http.StatusCreated {
		t.Fatalf("member with an https URL: %d, want 201", status)
	}

	if reply := e.slash(steveID, channel, "notify"); !strings.Contains(reply, "This channel now gets") {
		t.Fatalf("member's notify: %s", reply)
	}
	steve := e.user(steveID)
	subs, err := e.wh.ChannelSubscriptions(e.ctx, steve, core.Channel{Key: "slack:" + team + ":" + channel})
	if err != nil || len(subs) != 1 || subs[0].URL != "slack:"+channel || subs[0].OwnerID != steve.User.ID {
		t.Fatalf("the channel's subscriptions: %+v, %v", subs, err)
	}
	other := "slack:CSECRET"
	if _, err := e.wh.Update(e.ctx, steve, subs[0].ID, webhooks.Patch{URL: &other}); core.ErrorCode(err) != core.EFORBIDDEN {
		t.Fatalf("member moving the channel's subscription to %s: %v, want forbidden", other, err)
	}
	// Nor can notify in one channel name another one.
	if _, err := e.wh.SubscribeChannel(e.ctx, steve, core.Channel{Key: "slack:" + team + ":" + channel, Format: core.FormatSlack},
		other, []string{"tracker.*"}); core.ErrorCode(err) != core.EFORBIDDEN {
		t.Fatalf("notify naming another channel: %v, want forbidden", err)
	}
	if got, _ := json.Marshal(e.hooks()); strings.Count(string(got), `"url":"slack:CSECRET"`) != 1 {
		t.Fatalf("subscriptions to slack:CSECRET: %s", got)
	}
}
