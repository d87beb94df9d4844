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
		for _, rs := range list {
			if rs.sub.Channel != ch.Key || !rs.sub.Enabled || rs.sub.Status == core.SubDisabled || !rs.filters.Match(eventType) {
				continue
			}
			if rs.sub.OwnerID == user.ID {
				hears = true
				return nil
			}
			if rs.sub.Scope == core.ScopeUser {
				continue // its owner's own activity only
			}
			owner, err := tx.User(ws.ID, rs.sub.OwnerID)
			if err == nil && owner.Role == core.RoleAdmin {
				hears = true
				return nil
			}
		}
		return nil
	})
	return hears, err
}
