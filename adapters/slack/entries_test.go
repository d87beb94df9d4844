package slack_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chatops/gateway/adapters/slack"
	"github.com/chatops/gateway/core"
	slackgo "github.com/slack-go/slack"
)

// pressButton posts a signed block_actions payload: user pressed a button
// of the gateway's with the value.
func (e *chatEnv) pressButton(user, actionID, value string) int {
	e.t.Helper()
	cb := slackgo.InteractionCallback{
		Type: slackgo.InteractionTypeBlockActions, Team: slackgo.Team{ID: team, Domain: "acme"},
		User: slackgo.User{ID: user, Name: strings.ToLower(user)}, Channel: slackgo.Channel{GroupConversation: slackgo.GroupConversation{Conversation: slackgo.Conversation{ID: channel}}},
		ResponseURL: e.slack.srv.URL + "/response/" + user, TriggerID: fmt.Sprintf("press-%d", time.Now().UnixNano()),
		ActionCallback: slackgo.ActionCallbacks{BlockActions: []*slackgo.BlockAction{
			{ActionID: actionID, BlockID: "entry_" + value, Value: value, Type: "button"}}},
	}
	payload, err := json.Marshal(&cb)
	if err != nil {
		e.t.Fatal(err)
	}
	status, _ := e.postSigned("/slack/interactions", url.Values{"payload": {string(payload)}}.Encode(), true)
	return status
}

// slashBlocks sends a signed slash command and returns the reply's blocks.
func (e *chatEnv) slashBlocks(user, text string) string {
	e.t.Helper()
	body := url.Values{"team_id": {team}, "channel_id": {channel}, "user_id": {user}, "user_name": {strings.ToLower(strings.TrimPrefix(user, "U0"))},
		"command": {"/tt"}, "text": {text}, "trigger_id": {fmt.Sprintf("trig-%d", time.Now().UnixNano())}}.Encode()
	status, m := e.postSigned("/slack/commands", body, true)
	if status != http.StatusOK {
		e.t.Fatalf("%q: status %d %v", text, status, m)
	}
	b, _ := json.Marshal(m["blocks"])
	return string(b)
}

func (e *chatEnv) eventTypes() []string {
	e.t.Helper()
	var out []string
	if err := e.store.View(e.ctx, func(tx core.Tx) error {
		evs, err := tx.Events(0, 10000)
		for _, ev := range evs {
			out = append(out, ev.Type)
		}
		return err
	}); err != nil {
		e.t.Fatal(err)
	}
	return out
}

// TestEntriesButtons: an entries answer carries [Continue #ID] and [Delete
// #ID] for each entry; pressing them runs continue and delete entry for
// the presser, and only on the presser's own entries.
func TestEntriesButtons(t *testing.T) {
	e := newChatEnv(t, false) // now: Monday 2026-11-23 09:00 UTC
	e.slash(steveID, channel, "log 7-8 on Specs in Website #docs billable")
	blocks := e.slashBlocks(steveID, "entries")
	for _, want := range []string{`"block_id":"entry_1","elements":[{"action_id":"continue_entry","text":{"emoji":false,"text":"Continue #1","type":"plain_text"},"type":"button","value":"1"}`, `"action_id":"delete_entry"`, `"confirm":`} {
		if !strings.Contains(blocks, want) {
			t.Fatalf("entries blocks lack %s: %s", want, blocks)
		}
	}
	if reply := e.slash(steveID, channel, "who"); reply != "No timer is running." {
		t.Fatalf("who: %q", reply)
	}

	// Continue: a timer like entry 1, answered in the channel.
	if s := e.pressButton(steveID, slack.ContinueActionID, "1"); s != http.StatusOK {
		t.Fatalf("press continue: %d", s)
	}
	got := e.slack.take("/response/" + steveID)
	if len(got) != 1 || got[0].ResponseType != "in_channel" || got[0].Text != "⏱ steve started *Specs* in *Website* #docs $ (entry #2, 09:00 UTC)" {
		t.Fatalf("continue answer: %+v", got)
	}
	if reply := e.slash(steveID, channel, "who"); !strings.HasPrefix(reply, "*Running now* (UTC):\n• steve: *Specs* in *Website* #docs $ since 09:00") {
		t.Fatalf("who: %q", reply)
	}

	// Someone else's entry: refused, nothing stored.
	e.slash("U0ANA", channel, "status") // ana exists
	before := len(e.eventTypes())
	e.pressButton("U0ANA", slack.DeleteActionID, "1")
	if got := e.slack.take("/response/U0ANA"); len(got) != 1 || got[0].ResponseType != "ephemeral" || !strings.Contains(got[0].Text, "entry #1 not found") {
		t.Fatalf("ana's delete answer: %+v", got)
	}
	if after := len(e.eventTypes()); after != before {
		t.Fatalf("a refused press wrote %d events", after-before)
	}

	// Delete: answered to the presser alone.
	e.pressButton(steveID, slack.DeleteActionID, "1")
	if got := e.slack.take("/response/" + steveID); len(got) != 1 || got[0].ResponseType != "ephemeral" || got[0].Text != "Deleted entry #1 (1h, Mon 23 Nov 07:00–08:00 UTC)" {
		t.Fatalf("delete answer: %+v", got)
	}
	if types := e.eventTypes(); types[len(types)-1] != core.EventTimeEntryDeleted {
		t.Fatalf("events: %v", types)
	}
}
