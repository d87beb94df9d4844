package webhooks

import (
	"context"

	"github.com/chatops/gateway/core"
)

// ChannelHears reports whether a chat channel's own subscriptions (notify)
// will post an event of type eventType about user's own activity: one of
// them is enabled, its filters match, and its owner may see the user's
// entries (an admin, or the user). core asks before it answers track and
// stop in the channel, so the channel sees each start and stop once.
//
// It reads the channel's subscriptions only (ListChannelSubscriptions), not
// the workspace's, and from the store each time: gateways that share one
// database see each other's notify at once, with no cache to invalidate.
func (s *Service) ChannelHears(ctx context.Context, ch core.Channel, eventType string, user core.User) (bool, error) {
	if ch.Key == "" {
		return false, nil
	}
	ws, err := s.core.Workspace(ctx)
	if err != nil {
		return false, err
	}
	hears := false
	err = s.store.View(ctx, func(tx core.Tx) error {
		subs, err := tx.ListChannelSubscriptions(ws.ID, ch.Key)
		if err != nil {
			return err
		}
		// The event as the dispatcher will route it: the router's rule
		// decides, owners read once, a failed read is an error.
		r := NewRouter(tx)
		ev := core.Event{Type: eventType, WorkspaceID: ws.ID, UserID: user.ID, Actor: core.EventActor{ID: user.ID}}
		for _, rs := range appendRouted(nil, subs) {
			if !rs.sub.Enabled || rs.sub.Status == core.SubDisabled {
				continue
			}
			if hears, err = r.receives(rs.sub, rs.filters, ev); err != nil || hears {
				return err
			}
		}
		return nil
	})
	return hears, err
}
