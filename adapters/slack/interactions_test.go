package slack_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/chatops/gateway/adapters/slack"
	slackgo "github.com/slack-go/slack"
)

// stopPayload is a block_actions payload as Slack sends it for a press of
// the Stop button (trimmed to the fields that matter).
const stopPayload = `{"type":"block_actions","team":{"id":"T0001","domain":"acme"},"user":{"id":"U0042","username":"ana","team_id":"T0001"},
"api_app_id":"A1","token":"x","container":{"type":"message","message_ts":"1700000000.000100","channel_id":"C1","is_ephemeral":false},
"trigger_id":"123.456.abc","channel":{"id":"C1","name":"general"},
"message":{"type":"message","text":"⏱ Ana started Fix login in Website","ts":"1700000000.000100",
 "blocks":[{"type":"section","text":{"type":"mrkdwn","text":"⏱ *Ana* started *Fix login* in *Website*"}},
  {"type":"actions","block_id":"timer","elements":[{"type":"button","action_id":"stop_timer","text":{"type":"plain_text","text":"Stop"},"value":"12","style":"danger"}]}]},
"state":{"values":{}},"response_url":"https://hooks.slack.com/actions/T0001/1/abc",
"actions":[{"action_id":"stop_timer","block_id":"timer","text":{"type":"plain_text","text":"Stop"},"value":"12","style":"danger","type":"button","action_ts":"1700000001.000200"}]}`

func payloadForm(payload string) []byte { return []byte(url.Values{"payload": {payload}}.Encode()) }

func TestDecodeInteraction(t *testing.T) {
	cb, err := slack.DecodeInteraction(payloadForm(stopPayload))
	if err != nil {
		t.Fatal(err)
	}
	if cb.Type != slackgo.InteractionTypeBlockActions || cb.Team.ID != "T0001" || cb.User.ID != "U0042" ||
		cb.ResponseURL == "" || len(cb.ActionCallback.BlockActions) != 1 || cb.ActionCallback.BlockActions[0].Value != "12" ||
		len(cb.Message.Blocks.BlockSet) != 2 {
		t.Fatalf("decoded %+v", cb)
	}
	// Enterprise Grid: no team, the user's own.
	if _, err := slack.DecodeInteraction(payloadForm(strings.Replace(stopPayload, `"team":{"id":"T0001","domain":"acme"}`, `"team":null`, 1))); err != nil {
		t.Errorf("grid payload: %v", err)
	}
	for name, body := range map[string][]byte{
		"not a form":   []byte("%zz"),
		"no payload":   []byte("foo=bar"),
		"not JSON":     payloadForm("{"),
		"no user":      payloadForm(strings.Replace(stopPayload, `"id":"U0042"`, `"id":""`, 1)),
		"no team":      payloadForm(strings.NewReplacer(`"team":{"id":"T0001","domain":"acme"}`, `"team":{}`, `"team_id":"T0001"`, `"team_id":""`).Replace(stopPayload)),
		"wrong shapes": payloadForm(`{"type":"block_actions","actions":"nope"}`),
	} {
		if _, err := slack.DecodeInteraction(body); err == nil {
			t.Errorf("%s: decoded", name)
		}
	}
}

// FuzzDecodeInteraction checks that any body decodes or fails without a
// panic, and that a block action it accepts names who pressed.
func FuzzDecodeInteraction(f *testing.F) {
	f.Add(payloadForm(stopPayload))
	f.Add(payloadForm(`{"type":"view_submission"}`))
	f.Add(payloadForm(`{"type":"block_actions","team":{"id":"T"},"user":{"id":"U"},"actions":[{"action_id":"stop_timer","value":"1"}],"message":{"blocks":[{"type":"actions","elements":[{"type":"button"}]}]}}`))
	f.Add(payloadForm(`{"type":"block_actions","state":{"values":{"b":{"a":{"type":"plain_text_input","value":"x"}}}}}`))
	f.Add([]byte("payload=%7B%7D&payload=2"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, body []byte) {
		cb, err := slack.DecodeInteraction(body)
		if err != nil {
			return
		}
		if cb.Type == slackgo.InteractionTypeBlockActions && (cb.User.ID == "" || (cb.Team.ID == "" && cb.User.TeamID == "")) {
			t.Fatalf("accepted a block action without who pressed: %q", body)
		}
	})
}
