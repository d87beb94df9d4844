package webhooks

import (
	"context"
	"slices"
	"time"

	"github.com/chatops/gateway/core"
)

// What the web console reads beside the API's calls.

// Formats lists the body formats a subscription may have, sorted.
func (s *Service) Formats() []string { return s.formats() }

// Stats returns the delivery figures of the subscriptions the actor may
// see (an admin: the workspace's; a member: their own): by outcome since a
// time, the queue depth and the oldest pending delivery.
func (s *Service) Stats(ctx context.Context, actor core.Actor, since time.Time) (core.DeliveryStats, error) {
	ws, err := s.core.Workspace(ctx)
	if err != nil {
		return core.DeliveryStats{}, err
	}
	var owner core.ID
	if actor.User.Role != core.RoleAdmin {
		owner = actor.User.ID
	}
	var st core.DeliveryStats
	err = s.store.View(ctx, func(tx core.Tx) error {
		st, err = tx.DeliveryStats(ws.ID, owner, since)
		return err
	})
	return st, err
}

// DeliveryStates returns the deliveries with those ids of a subscription
// the actor may see (for their state and next attempt); ids of other
// subscriptions' deliveries, or that are gone, are left out.
func (s *Service) DeliveryStates(ctx context.Context, actor core.Actor, id core.ID, ids []core.ID) (map[core.ID]core.Delivery, error) {
	ws, err := s.core.Workspace(ctx)
	if err != nil {
		return nil, err
	}
	out := map[core.ID]core.Delivery{}
	err = s.store.View(ctx, func(tx core.Tx) error {
		if _, err := visibleSub(tx, ws.ID, actor, id); err != nil {
			return err
		}
		for _, did := range slices.Compact(slices.Sorted(slices.Values(ids))) {
			d, err := tx.Delivery(did)
			if core.ErrorCode(err) == core.ENOTFOUND {
				continue
			}
			if err != nil {
				return err
			}
			if d.SubscriptionID == id && d.WorkspaceID == ws.ID {
				out[did] = d
			}
		}
		return nil
	})
	return out, err
}
