package slack

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/reply"
	"github.com/slack-go/slack"
)

// Ids of the Stop button of a tracker.started message: the action, and the
// block that holds it. The button's value is the time entry's id.
const (
	StopActionID = "stop_timer"
	StopBlockID  = "timer"
)

// Message is a channel message as Slack's incoming webhooks and
// chat.postMessage take it: a plain-text fallback (notifications, and
// clients that show no blocks, such as Discord's Slack-compatible URL) and
// Block Kit blocks.
type Message struct {
	Text   string       `json:"text"`
	Blocks slack.Blocks `json:"blocks"`
}

// RenderEvent renders an event as a Slack channel message: who did what, on
// which task and project, durations as "1h 30m"; a tracker.started message
// has a Stop button; webhook alerts say which webhook, why, the last error
// and how to enable it again. It is the renderer of the "slack" format
// (a webhooks.Renderer); extra fields go to the top level of the body.
func RenderEvent(ev core.Event, _ core.Subscription, extra map[string]any) ([]byte, error) {
	if core.Directed(ev.Type) {
		msg, err := ScheduledMessage(ev)
		if err != nil {
			return nil, err
		}
		return marshal(msg)
	}
	msg := NoticeMessage(Describe(ev))
	if len(extra) == 0 {
		return marshal(msg)
	}
	body := map[string]any{"text": msg.Text, "blocks": msg.Blocks}
	for k, v := range extra {
		body[k] = v
	}
	return marshal(body)
}

// marshal is json.Marshal without escaping <, > and &, which Slack's own
// escapes (&lt;) and <!date> tokens are full of.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// NoticeMessage draws a notice as Block Kit: a section with the line, a
// section of fields for an alert, a context block with the details, and
// the Stop button.
func NoticeMessage(n Notice) Message {
	line := n.Icon + " " + Mrkdwn(n.Line)
	blocks := []slack.Block{slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, line, false, false), nil, nil)}
	if len(n.Fields) > 0 {
		var fields []*slack.TextBlockObject
		for _, f := range n.Fields {
			fields = append(fields, slack.NewTextBlockObject(slack.MarkdownType, "*"+escape(f.Title)+"*\n"+Mrkdwn(f.Value), false, false))
		}
		blocks = append(blocks, slack.NewSectionBlock(nil, fields, nil))
	}
	if len(n.Details) > 0 {
		parts := make([]string, len(n.Details))
		for i, d := range n.Details {
			parts[i] = Mrkdwn(d)
		}
		blocks = append(blocks, slack.NewContextBlock("", slack.NewTextBlockObject(slack.MarkdownType, strings.Join(parts, " · "), false, false)))
	}
	if n.StopEntry != 0 {
		stop := slack.NewButtonBlockElement(StopActionID, n.StopEntry.String(), slack.NewTextBlockObject(slack.PlainTextType, "Stop", true, false))
		blocks = append(blocks, slack.NewActionBlock(StopBlockID, stop.WithStyle(slack.StyleDanger)))
	}
	return Message{Text: escape(n.Icon + " " + Plain(n.Line)), Blocks: slack.Blocks{BlockSet: blocks}}
}

// Mrkdwn writes spans in Slack's mrkdwn: names bold, code in backticks,
// moments as <!date> tokens that each reader sees in their own time zone.
func Mrkdwn(spans []Span) string {
	var b strings.Builder
	for _, s := range spans {
		switch {
		case !s.At.IsZero():
			format := "{date_short_pretty} {time}"
			if s.Clock {
				format = "{time}"
			}
			fmt.Fprintf(&b, "<!date^%d^%s|%s>", s.At.Unix(), format, escape(s.Text))
		case s.Strong:
			b.WriteString("*" + escape(strings.ReplaceAll(s.Text, "*", "∗")) + "*")
		case s.Code:
			b.WriteString("`" + escape(strings.ReplaceAll(s.Text, "`", "'")) + "`")
		default:
			b.WriteString(escape(s.Text))
		}
	}
	return b.String()
}

// escape keeps s literal in mrkdwn (reply.EscapeSlack).
func escape(s string) string { return reply.EscapeSlack(s) }
