// Package slack is the gateway's Slack adapter. Inbound, it takes slash
// commands at POST /slack/commands and button presses at
// POST /slack/interactions, checks Slack's request signature, maps the Slack
// user to a gateway user (creating a member on first sight), parses the text
// with package parser, runs it through core.Service, and answers with Block
// Kit within Slack's three seconds. Outbound, it renders events as channel
// messages (RenderEvent, the "slack" subscription format) and posts them
// with chat.postMessage when a bot token is configured (NewPoster).
package slack
