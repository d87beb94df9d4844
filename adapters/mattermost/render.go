package mattermost

import (
	"encoding/json"
	"strings"

	"github.com/chatops/gateway/adapters/slack"
	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/reply"
)

// post is a message as Mattermost's incoming webhooks take it: Markdown
// text, and for alerts a coloured attachment with labelled fields.
type post struct {
	Text        string       `json:"text"`
	Attachments []attachment `json:"attachments,omitempty"`
}

type attachment struct {
	Fallback string  `json:"fallback"`
	Color    string  `json:"color,omitempty"`
	Text     string  `json:"text,omitempty"`
	Fields   []field `json:"fields,omitempty"`
}

type field struct {
	Title string `json:"title"`
	Value string `json:"value"`
	Short bool   `json:"short"`
}

// colors of alert levels.
var colors = map[string]string{"warning": "#e8a317", "danger": "#d72b3f", "good": "#2eb886"}

// RenderEvent renders an event as a Mattermost channel message: the same
// notice as Slack's (slack.Describe), in Markdown, with durations as
// "1h 30m"; webhook alerts carry a coloured attachment with why, the last
// error and how to enable the webhook again. It is the renderer of the
// "mattermost" format (a webhooks.Renderer); extra fields go to the top
// level of the body. Mattermost has no Stop button: its interactive
// buttons need an endpoint of their own.
func RenderEvent(ev core.Event, _ core.Subscription, extra map[string]any) ([]byte, error) {
	if core.Directed(ev.Type) {
		return ScheduledPost(ev)
	}
	p := noticePost(slack.Describe(ev))
	if len(extra) == 0 {
		return json.Marshal(p)
	}
	body := map[string]any{"text": p.Text}
	if len(p.Attachments) > 0 {
		body["attachments"] = p.Attachments
	}
	for k, v := range extra {
		body[k] = v
	}
	return json.Marshal(body)
}

func noticePost(n slack.Notice) post {
	p := post{Text: n.Icon + " " + markdown(n.Line)}
	var details []string
	for _, d := range n.Details {
		details = append(details, markdown(d))
	}
	if n.Level == "" {
		if len(details) > 0 {
			p.Text += "\n" + strings.Join(details, " · ")
		}
		return p
	}
	a := attachment{Fallback: n.Icon + " " + slack.Plain(n.Line), Color: colors[n.Level], Text: strings.Join(details, " · ")}
	for _, f := range n.Fields {
		a.Fields = append(a.Fields, field{Title: f.Title, Value: markdown(f.Value)})
	}
	p.Attachments = []attachment{a}
	return p
}

// markdown writes spans in Mattermost's Markdown: names bold, code in
// backticks, moments in UTC.
func markdown(spans []slack.Span) string {
	var b strings.Builder
	for _, s := range spans {
		switch {
		case s.Strong:
			b.WriteString("**" + escapeMarkdown(s.Text) + "**")
		case s.Code:
			b.WriteString("`" + strings.ReplaceAll(s.Text, "`", "'") + "`")
		default:
			b.WriteString(escapeMarkdown(s.Text))
		}
	}
	return b.String()
}

func escapeMarkdown(s string) string { return reply.EscapeMarkdown(s) }
