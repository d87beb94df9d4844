package mattermost

import "github.com/chatops/gateway/core"

// commandChannel is the chat channel a slash command comes from, for
// notify: keyed "mattermost:TEAM:CHANNEL". Mattermost channels are reached
// through their incoming-webhook URL only, so the channel has no target of
// its own and notify needs the URL. It is nil when the command names no
// channel.
func commandChannel(c Command) *core.Channel {
	if c.ChannelID == "" {
		return nil
	}
	return &core.Channel{Key: "mattermost:" + c.TeamID + ":" + c.ChannelID, Format: core.FormatMattermost, Name: c.ChannelName}
}
