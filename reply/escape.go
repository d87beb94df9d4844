package reply

import "strings"

// Dialect is a chat's markup: how a text that a person or a GitHub issue
// supplied (a name, a note, a title) is kept literal, and how a name is set
// in bold. Every such text goes through Escape before it reaches a
// message, so that "<!channel>", "<@U1>", "<https://x|y>", "@all" or
// "![](x)" in a name shows as text and pings or links nobody.
type Dialect struct {
	// Escape keeps s literal.
	Escape func(s string) string
	// Strong sets a name in bold, escaped.
	Strong func(s string) string
	// Link links label (escaped) to url, a URL the gateway made.
	Link func(url, label string) string
}

// Slack is Slack's mrkdwn: &, < and > escaped (Slack's links, mentions
// and <!channel> all start with <), names in *bold*.
var Slack = Dialect{Escape: EscapeSlack, Strong: func(s string) string {
	return "*" + EscapeSlack(strings.ReplaceAll(s, "*", "∗")) + "*"
}, Link: func(url, label string) string {
	return "<" + EscapeSlack(url) + "|" + EscapeSlack(strings.ReplaceAll(label, "|", "¦")) + ">"
}}

// Markdown is Mattermost's Markdown: its marks escaped and every @ kept
// from mentioning, names in **bold**.
var Markdown = Dialect{Escape: EscapeMarkdown, Strong: func(s string) string {
	return "**" + EscapeMarkdown(s) + "**"
}, Link: func(url, label string) string {
	return "[" + EscapeMarkdown(label) + "](" + strings.NewReplacer("(", "%28", ")", "%29", " ", "%20").Replace(url) + ")"
}}

// slackEscaper escapes the three characters Slack's message formatting
// reserves.
var slackEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// EscapeSlack keeps s literal in Slack mrkdwn.
func EscapeSlack(s string) string { return slackEscaper.Replace(s) }

// markdownEscaper escapes Markdown's marks (so no link or image forms) and
// puts a zero-width space after every @ (a task named "@channel" must not
// page the channel).
var markdownEscaper = strings.NewReplacer(
	`\`, `\\`, "*", `\*`, "_", `\_`, "`", "\\`", "~", `\~`, "[", `\[`, "]", `\]`, "<", `\<`, ">", `\>`, "@", "@\u200b",
)

// EscapeMarkdown keeps s literal in Mattermost's Markdown.
func EscapeMarkdown(s string) string { return markdownEscaper.Replace(s) }
