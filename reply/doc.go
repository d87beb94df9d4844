// Package reply writes the answer a person reads after a command: what a
// core.Result says happened (a timer started, an entry logged, a report),
// as one paragraph of Slack mrkdwn (*bold*, `code`, emoji such as ⏱ and ⏹).
// Core keeps facts only; every chat adapter answers through Text, Slack as
// is, Mattermost after turning *bold* into **bold**, and the generic hook
// and the GitHub webhook put the same text into their JSON answers. Help
// texts, being chat answers too, live here as well.
//
// The package imports core and the standard library only.
package reply
