// Package reply writes the answer a person reads after a command: what a
// core.Result says happened (a timer started, an entry logged, a report),
// as one paragraph of Slack mrkdwn (*bold*, `code`, emoji such as ⏱ and ⏹).
// Core keeps facts only; every chat adapter answers through Render in its
// Dialect (Text is Slack's), and the generic hook and the GitHub webhook
// put Slack's text into their JSON answers. Every name, note or title a
// person or a GitHub issue supplied is escaped for the dialect (Slack: &, <
// and >; Mattermost: Markdown's marks and @), so no name pings, mentions or
// links anyone. Help texts, being chat answers too, live here as well.
//
// The package imports core and the standard library only.
package reply
