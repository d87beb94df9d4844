package slack_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// slashType sends a signed slash command and returns the reply's
// response_type and text.
func (e *chatEnv) slashType(user, ch, text string) (string, string) {
	e.t.Helper()
	body := url.Values{"team_id": {team}, "channel_id": {ch}, "user_id": {user}, "user_name": {strings.ToLower(strings.TrimPrefix(user, "U0"))},
		"command": {"/tt"}, "text": {text}, "trigger_id": {fmt.Sprintf("trig-%d", time.Now().UnixNano())}}.Encode()
	status, m := e.postSigned("/slack/commands", body, true)
	if status != http.StatusOK {
		e.t.Fatalf("%q: status %d %v", text, status, m)
	}
	rt, _ := m["response_type"].(string)
	s, _ := m["text"].(string)
	return rt, s
}

// TestTrackReplyIsEphemeralWhenTheChannelIsNotified checks that a channel
// with a notify subscription for tracker events sees each start and stop
// once: the notification, not also the reply.
func TestTrackReplyIsEphemeralWhenTheChannelIsNotified(t *testing.T) {
	e := newChatEnv(t, true)
	if rt, _ := e.slashType(steveID, channel, "track Fix login in Website"); rt != "in_channel" {
		t.Fatalf("without notify: %s", rt)
	}
	if r := e.slash(steveID, channel, "notify"); !strings.Contains(r, "tracker.*") {
		t.Fatal(r)
	}
	e.pump()
	e.slack.take("")
	for _, cmd := range []string{"track Review in Website", "stop"} {
		if rt, text := e.slashType(steveID, channel, cmd); rt != "ephemeral" {
			t.Errorf("%s with notify: %s %s", cmd, rt, text)
		}
	}
	e.pump()
	if got := e.slack.take("/api/chat.postMessage"); len(got) != 4 { // stopped, task added, started, stopped
		t.Errorf("the channel got %d notifications: %v", len(got), texts(got))
	}
	// Another channel has none; another member's timer is not in Steve's
	// subscription (a member sees only their own).
	if rt, _ := e.slashType(steveID, "C0OTHER", "track Review in Website"); rt != "in_channel" {
		t.Errorf("other channel: %s", rt)
	}
	if rt, _ := e.slashType("U0ANA", channel, "track Review in Website"); rt != "in_channel" {
		t.Errorf("another member's track: %s", rt)
	}
	// Only events it receives count.
	e.slash(steveID, channel, "notify off")
	e.slash(steveID, channel, "notify project.*")
	if rt, _ := e.slashType(steveID, channel, "stop"); rt != "in_channel" {
		t.Errorf("channel without tracker.*: %s", rt)
	}
	// continue starts a timer: what counts is whether the channel hears
	// tracker.started, not tracker.stopped.
	e.slash(steveID, channel, "notify off")
	e.slash(steveID, channel, "notify tracker.stopped")
	if rt, text := e.slashType(steveID, channel, "continue"); rt != "in_channel" || !strings.Contains(text, "started") {
		t.Errorf("continue in a channel that hears only tracker.stopped: %s %s", rt, text)
	}
	e.slash(steveID, channel, "stop")
	e.slash(steveID, channel, "notify off")
	e.slash(steveID, channel, "notify tracker.started")
	if rt, text := e.slashType(steveID, channel, "continue"); rt != "ephemeral" || !strings.Contains(text, "started") {
		t.Errorf("continue in a channel that hears tracker.started: %s %s", rt, text)
	}
}

// TestZoneFallsBackToUTCWhenSlackDoesNotTell checks that a failed
// users.info (this fake has none) leaves a new user in UTC and the command
// goes on.
func TestZoneFallsBackToUTCWhenSlackDoesNotTell(t *testing.T) {
	e := newChatEnv(t, true)
	if rt, text := e.slashType("U0NEW", channel, "track Fix login in Website"); rt != "in_channel" || !strings.Contains(text, "started") {
		t.Fatalf("track: %s %s", rt, text)
	}
	if u := e.user("U0NEW"); u.User.TimeZone != "UTC" {
		t.Errorf("zone %q", u.User.TimeZone)
	}
}
