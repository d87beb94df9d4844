// Package mattermost is the gateway's Mattermost adapter: it takes slash
// commands at POST /mattermost/commands, checks the command's token
// ("Authorization: Token …", compared in constant time), maps the
// Mattermost user to a gateway user through the "mattermost" identity
// TEAM:USER (creating a member on first sight), parses the text with package
// parser (the slash command may imply the verb, as with Slack) and answers
// in Mattermost's JSON: {"response_type": "ephemeral"|"in_channel",
// "text": …} with Markdown.
package mattermost
