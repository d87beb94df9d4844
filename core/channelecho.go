package core

import "context"

// channelHearer is what keeps channels' subscriptions, when it can tell
// whether a channel's own subscription posts an event (package webhooks).
type channelHearer interface {
	ChannelHears(ctx context.Context, ch Channel, eventType string, user User) (bool, error)
}

// quietInChannel makes the answer to track or stop the asker's alone when
// the channel it came from has a subscription (notify) that posts the
// same start or stop: the channel sees each thing once. When that cannot
// be told, the answer stays in the channel.
func (s *Service) quietInChannel(ctx context.Context, actor Actor, res *Result) {
	if res == nil || !res.Public || actor.Channel == nil || actor.Channel.Key == "" {
		return
	}
	h, ok := s.channels.(channelHearer)
	if !ok {
		return
	}
	typ := EventTrackerStopped
	if res.Command == "track" || res.Command == "continue" {
		typ = EventTrackerStarted
	}
	hears, err := h.ChannelHears(ctx, *actor.Channel, typ, res.User)
	if err != nil {
		// The reply stays public: the channel may see the event twice.
		s.opts.Logger.WarnContext(ctx, "could not tell whether the channel is notified", "channel", actor.Channel.Key, "err", err)
		return
	}
	if hears {
		res.Public = false
	}
}
