package webhooks

import (
	"strings"

	"github.com/chatops/gateway/core"
)

// mayTarget says whether the actor may point a subscription at url. A
// chat target ("slack:CHANNEL_ID") posts into a channel the bot is in,
// private ones included, so an admin may name any through the API, and a
// member only the channel they typed notify in (channel is the
// subscription's channel key, "slack:TEAM:CHANNEL_ID"; "" through the
// API). http(s) URLs are anyone's.
func (s *Service) mayTarget(actor core.Actor, url, channel string) error {
	if s.target(url) == nil || actor.User.Role == core.RoleAdmin {
		return nil
	}
	scheme, address, _ := strings.Cut(url, ":")
	if channel != "" && strings.HasPrefix(channel, scheme+":") && address != "" &&
		channel[strings.LastIndex(channel, ":")+1:] == address {
		return nil
	}
	return core.Errorf(core.EFORBIDDEN, "only admins can send a webhook to %s: a member subscribes a channel with notify in that channel", url)
}
