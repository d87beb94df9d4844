// Package slack is the gateway's Slack adapter: it takes slash commands at
// POST /slack/commands, checks Slack's request signature, maps the Slack user
// to a gateway user (creating a member on first sight), parses the text with
// package parser, runs it through core.Service, and answers with Block Kit
// within Slack's three seconds.
package slack
