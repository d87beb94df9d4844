package core

import "context"

// Notify subscribes the chat channel a command comes from to events:
// `notify [URL] [EVENT_FILTER…]`.
type Notify struct {
	URL    string   `json:"url,omitempty"`
	Events []string `json:"events,omitempty"`
}

// NotifyList lists the channel's subscriptions: `notify list`.
type NotifyList struct{}

// NotifyOff removes one of the channel's subscriptions, or all of them when
// ID is zero: `notify off [ID]`.
type NotifyOff struct {
	ID ID `json:"id,omitempty"`
}

// CommandName implementations.
func (Notify) CommandName() string     { return "notify" }
func (NotifyList) CommandName() string { return "notify list" }
func (NotifyOff) CommandName() string  { return "notify off" }

// DefaultNotifyEvents is what a channel receives when notify names no filter.
var DefaultNotifyEvents = []string{"tracker.*", "task.*", "project.*"}

// Channel is the chat channel a command comes from.
type Channel struct {
	// Key identifies the channel: "slack:TEAM:CHANNEL" or
	// "mattermost:TEAM:CHANNEL".
	Key string
	// Format is the message format the channel takes: slack or mattermost.
	Format string
	// Target is where messages go when notify names no URL ("slack:CHANNEL"
	// when a bot token is configured); empty when only an incoming-webhook
	// URL can reach the channel.
	Target string
	// Name is the channel's name as the chat gave it ("general"), "" when
	// unknown: the console shows it.
	Name string
}

// Channels keeps chat channels' own subscriptions. Package webhooks
// implements it; Service.SetChannels plugs it in.
type Channels interface {
	// SubscribeChannel makes a subscription of format ch.Format to url for
	// the channel, owned by the actor.
	SubscribeChannel(ctx context.Context, actor Actor, ch Channel, url string, events []string) (Subscription, error)
	// ChannelSubscriptions lists the channel's subscriptions.
	ChannelSubscriptions(ctx context.Context, actor Actor, ch Channel) ([]Subscription, error)
	// UnsubscribeChannel deletes the channel's subscription id, or all of
	// them when id is zero, and returns how many it deleted.
	UnsubscribeChannel(ctx context.Context, actor Actor, ch Channel, id ID) (int, error)
}

// SetChannels plugs in what keeps chat channels' subscriptions. Without it,
// notify commands answer that notifications are not available.
func (s *Service) SetChannels(c Channels) { s.channels = c }

// notify runs notify, notify list and notify off.
func (s *Service) notify(ctx context.Context, actor Actor, cmd Command) (*Result, error) {
	if s.channels == nil {
		return nil, Errorf(EINVALID, "channel notifications are not available on this gateway")
	}
	ch := actor.Channel
	if ch == nil || ch.Key == "" {
		return nil, Errorf(EINVALID, "notify works in a chat channel only")
	}
	res := &Result{Command: cmd.CommandName()}
	switch c := cmd.(type) {
	case Notify:
		url := c.URL
		if url == "" {
			url = ch.Target
		}
		if url == "" {
			return nil, Errorf(EINVALID, "give this channel's incoming-webhook URL, as in: notify https://hooks.slack.com/services/T…/B…/… tracker.*")
		}
		events := c.Events
		if len(events) == 0 {
			events = DefaultNotifyEvents
		}
		sub, err := s.channels.SubscribeChannel(ctx, actor, *ch, url, events)
		if err != nil {
			return nil, err
		}
		res.Subscriptions, res.Filters = []Subscription{sub}, events
	case NotifyList:
		subs, err := s.channels.ChannelSubscriptions(ctx, actor, *ch)
		if err != nil {
			return nil, err
		}
		res.Subscriptions = subs
	case NotifyOff:
		n, err := s.channels.UnsubscribeChannel(ctx, actor, *ch, c.ID)
		if err != nil {
			return nil, err
		}
		if n == 0 && c.ID != 0 {
			return nil, Errorf(ENOTFOUND, "this channel has no subscription #%d; `notify list` shows them", c.ID)
		}
		res.Removed = n
	}
	return res, nil
}
