package mattermost_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/chatops/gateway/adapters/mattermost"
	"github.com/chatops/gateway/core"
)

// hostile are names that would ping a channel, mention a person, disguise
// a link or show an image if a chat message took them as markup, each with
// how Mattermost's Markdown must carry it.
var hostile = map[string]string{
	"<!channel>":    `\<!channel\>`,
	"<@U1>":         "\\<@\u200bU1\\>",
	"<https://x|y>": `\<https://x|y\>`,
	"@all":          "@\u200ball",
	"![](x)":        `!\[\](x)`,
}

// TestRenderEscapesHostileNames: a task, project and person named with
// markup show it as text in a channel message.
func TestRenderEscapesHostileNames(t *testing.T) {
	for name, esc := range hostile {
		n, _ := json.Marshal(name)
		ev := core.Event{Type: core.EventTaskCreated, Actor: core.EventActor{Name: name},
			Data: json.RawMessage(`{"task": {"id": "1", "name": ` + string(n) + `}, "project": {"id": "2", "name": ` + string(n) + `}}`)}
		body, err := mattermost.RenderEvent(ev, core.Subscription{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		var p struct {
			Text string `json:"text"`
		}
		if err := json.Unmarshal(body, &p); err != nil {
			t.Fatal(err)
		}
		want := "➕ **" + esc + "** added task **" + esc + "** in **" + esc + "**\ntask `#1`"
		if p.Text != want {
			t.Errorf("%s: text\n got %q\nwant %q", name, p.Text, want)
		}
	}
}

// TestReplyEscapesHostileNames: the answer to track, posted in the
// channel, and an error naming a task show hostile names as text.
func TestReplyEscapesHostileNames(t *testing.T) {
	for name, esc := range hostile {
		res := &core.Result{Command: "track", Public: true, User: core.User{Name: name},
			Task: &core.Task{Name: name}, Project: &core.Project{Name: name}, Entry: &core.TimeEntry{ID: 1, Note: name}}
		rep := mattermost.ResultReply(res)
		want := "⏱ " + esc + " started **" + esc + "** in **" + esc + "** — " + esc + " (entry #1, 00:00 UTC)"
		if rep.Text != want {
			t.Errorf("%s: reply\n got %q\nwant %q", name, rep.Text, want)
		}
		if strings.Contains(rep.Text, name) {
			t.Errorf("%s: reply %q holds the name as markup", name, rep.Text)
		}
	}
}
