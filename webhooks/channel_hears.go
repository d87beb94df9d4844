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
		list, err := loadRouted(tx, ws.ID)
		if err != nil {
			return err
		}
		// The event as the dispatcher will route it: the router's rule
		// decides, owners read once, a failed read is an error.
		r := NewRouter(tx)
		ev := core.Event{Type: eventType, WorkspaceID: ws.ID, UserID: user.ID, Actor: core.EventActor{ID: user.ID}}
		for _, rs := range list {
			if rs.sub.Channel != ch.Key || !rs.sub.Enabled || rs.sub.Status == core.SubDisabled {
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
