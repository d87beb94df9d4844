package slack_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/chatops/gateway/adapters/slack"
	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/reply"
)

// hostile are names that would ping a channel, mention a person, disguise
// a link or show an image if a chat message took them as markup.
var hostile = []string{"<!channel>", "<@U1>", "<https://x|y>", "@all", "![](x)"}

// TestRenderEscapesHostileNames: a task, project and person named with
// Slack markup show it as text in every part of a channel message.
func TestRenderEscapesHostileNames(t *testing.T) {
	for _, name := range hostile {
		n, _ := json.Marshal(name)
		ev := core.Event{Type: core.EventTaskCreated, Actor: core.EventActor{Name: name},
			Data: json.RawMessage(`{"task": {"id": "1", "name": ` + string(n) + `}, "project": {"id": "2", "name": ` + string(n) + `}}`)}
		body, err := slack.RenderEvent(ev, core.Subscription{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		var msg struct {
			Text   string `json:"text"`
			Blocks []struct {
				Text struct {
					Text string `json:"text"`
				} `json:"text"`
			} `json:"blocks"`
		}
		if err := json.Unmarshal(body, &msg); err != nil {
			t.Fatal(err)
		}
		esc := reply.EscapeSlack(name)
		section := msg.Blocks[0].Text.Text
		want := "➕ *" + esc + "* added task *" + esc + "* in *" + esc + "*"
		if section != want {
			t.Errorf("%s: section\n got %q\nwant %q", name, section, want)
		}
		for _, part := range []string{msg.Text, section} {
			if strings.ContainsAny(name, "<>") && strings.Contains(part, name) {
				t.Errorf("%s: %q holds the name as markup", name, part)
			}
		}
	}
}

// TestReplyEscapesHostileNames: the answer to track, posted in the
// channel, shows hostile names as text.
func TestReplyEscapesHostileNames(t *testing.T) {
	for _, name := range hostile {
		res := &core.Result{Command: "track", Public: true, User: core.User{Name: name},
			Task: &core.Task{Name: name}, Project: &core.Project{Name: name}, Entry: &core.TimeEntry{ID: 1, Note: name}}
		msg := slack.ResultMessage(res)
		esc := reply.EscapeSlack(name)
		want := "⏱ " + esc + " started *" + esc + "* in *" + esc + "* — " + esc + " (entry #1, 00:00 UTC)"
		if msg.Text != want {
			t.Errorf("%s: reply\n got %q\nwant %q", name, msg.Text, want)
		}
	}
}

// TestGitHubIssueTitleCannotPingTheChannel: a public issue titled to ping
// everyone with a disguised link becomes a task; tracking it answers in
// the channel with the title as text: no <!channel>, no link.
func TestGitHubIssueTitleCannotPingTheChannel(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	svc := core.NewService(e.store, core.Options{})
	bot, err := svc.IssueActor(ctx, "mallory")
	if err != nil {
		t.Fatal(err)
	}
	title := "<!channel> re-auth at <https://evil|slack.com>"
	res, err := svc.HandleIssue(ctx, core.Actor{User: bot, Source: "github"},
		core.IssueEvent{Repo: "octo/web", Number: 7, Title: title, Action: core.IssueOpened})
	if err != nil {
		t.Fatal(err)
	}
	if got := slack.ResultMessage(res).Text; strings.Contains(got, "<") {
		t.Errorf("issue reply holds markup: %q", got)
	}
	// Slack's own client rewrites such markup in what a person types, so
	// the person picks the task by its exact name.
	steve := core.Actor{Source: "slack", Identity: &core.ChatIdentity{Provider: core.ProviderSlack, Subject: "T1:U1", Name: "steve"}}
	tracked, err := svc.Execute(ctx, steve, core.Track{Task: res.Task.Name, Project: res.Project.Name})
	if err != nil {
		t.Fatal(err)
	}
	if tracked.Task.ID != res.Task.ID {
		t.Fatalf("tracked task %d, not the issue's %d", tracked.Task.ID, res.Task.ID)
	}
	msg := slack.ResultMessage(tracked)
	if msg.ResponseType != "in_channel" {
		t.Fatalf("track reply is %q, not in the channel", msg.ResponseType)
	}
	blocks, _ := json.Marshal(msg.Blocks)
	for _, part := range []string{msg.Text, string(blocks)} {
		if strings.Contains(part, "<!channel>") || strings.Contains(part, "<http") {
			t.Errorf("track reply pings or links: %s", part)
		}
	}
	if want := "&lt;!channel&gt; re-auth at &lt;https://evil|slack.com&gt;"; !strings.Contains(msg.Text, want) {
		t.Errorf("track reply %q lacks the title as text %q", msg.Text, want)
	}
}
