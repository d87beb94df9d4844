package webhooks

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"

	"github.com/chatops/gateway/core"
)

var _ core.Channels = (*Service)(nil)

// SubscribeChannel makes a chat channel's own subscription (the notify
// command): format slack or mattermost, no validation, owned by the actor.
func (s *Service) SubscribeChannel(ctx context.Context, actor core.Actor, ch core.Channel, url string, events []string) (core.Subscription, error) {
	var b [3]byte
	_, _ = rand.Read(b[:])
	return s.Create(ctx, actor, Input{Name: channelSubName(ch, hex.EncodeToString(b[:])), URL: url,
		Events: EventNames(events), Format: ch.Format, Channel: ch.Key})
}

// channelSubName names a channel's subscription: "#general on Slack
// a1b2c3" when the chat told the channel's name, else "channel KEY a1b2c3";
// the suffix keeps the names of one channel's subscriptions apart.
func channelSubName(ch core.Channel, suffix string) string {
	name := strings.TrimPrefix(ch.Name, "#")
	if name == "" || len(name) > 80 || strings.ContainsAny(name, " \t\n\r") {
		return "channel " + ch.Key + " " + suffix
	}
	app, _, _ := strings.Cut(ch.Key, ":")
	if app != "" {
		app = strings.ToUpper(app[:1]) + app[1:]
	}
	return "#" + name + " on " + app + " " + suffix
}

// ChannelSubscriptions lists a channel's subscriptions that the actor may
// see, by id: what List shows of them (an admin sees every one, a member
// their own, each with its last delivery), read in one transaction from the
// channel's subscriptions only (ListChannelSubscriptions), not from every
// page of the workspace's. A channel with an empty key has none.
func (s *Service) ChannelSubscriptions(ctx context.Context, actor core.Actor, ch core.Channel) ([]core.Subscription, error) {
	ws, err := s.core.Workspace(ctx)
	if err != nil {
		return nil, err
	}
	var out []core.Subscription
	err = s.store.View(ctx, func(tx core.Tx) error {
		subs, err := tx.ListChannelSubscriptions(ws.ID, ch.Key)
		if err != nil {
			return err
		}
		for _, sub := range subs {
			if sees(actor, sub) {
				out = append(out, sub)
			}
		}
		return withLastDeliveries(tx, ws.ID, out)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UnsubscribeChannel deletes the channel's subscription id, or all that the
// actor may delete when id is zero.
func (s *Service) UnsubscribeChannel(ctx context.Context, actor core.Actor, ch core.Channel, id core.ID) (int, error) {
	subs, err := s.ChannelSubscriptions(ctx, actor, ch)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, sub := range subs {
		if id != 0 && sub.ID != id {
			continue
		}
		if err := s.Delete(ctx, actor, sub.ID); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
