package slack

import (
	"github.com/chatops/gateway/core"
	"github.com/slack-go/slack"
)

// channel is the chat channel a slash command comes from, for notify:
// keyed "slack:TEAM:CHANNEL", reachable at slack:CHANNEL when the gateway
// has a bot token (else notify needs the channel's incoming-webhook URL).
// It is nil when the command names no channel.
func (h *Handler) channel(sc slack.SlashCommand) *core.Channel {
	if sc.ChannelID == "" {
		return nil
	}
	ch := &core.Channel{Key: "slack:" + sc.TeamID + ":" + sc.ChannelID, Format: core.FormatSlack, Name: sc.ChannelName}
	if h.opts.BotToken != "" {
		ch.Target = "slack:" + sc.ChannelID
	}
	return ch
}
