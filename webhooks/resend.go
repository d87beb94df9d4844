package webhooks

import (
	"context"

	"github.com/chatops/gateway/core"
)

// Resend queues one delivery of a subscription again, due now, with its
// event's original id (the receiver sees the same webhook-id), and returns
// how many it queued (1). The caller must be allowed to see the
// subscription (admins every one, members their own); a delivery that is
// not the subscription's, or whose event is past the retention, is not
// found.
func (s *Service) Resend(ctx context.Context, actor core.Actor, id, deliveryID core.ID) (int, error) {
	ws, err := s.core.Workspace(ctx)
	if err != nil {
		return 0, err
	}
	err = s.store.Update(ctx, func(tx core.Tx) error {
		sub, err := visibleSub(tx, ws.ID, actor, id)
		if err != nil {
			return err
		}
		d, err := tx.Delivery(deliveryID)
		if core.ErrorCode(err) == core.ENOTFOUND || (err == nil && (d.SubscriptionID != sub.ID || d.WorkspaceID != ws.ID)) {
			return core.Errorf(core.ENOTFOUND, "delivery %d of webhook %d not found", deliveryID, id)
		}
		if err != nil {
			return err
		}
		if _, err := tx.Event(d.EventSeq); core.ErrorCode(err) == core.ENOTFOUND {
			return core.Errorf(core.ENOTFOUND, "the event of delivery %d is older than the retention and was pruned", deliveryID)
		} else if err != nil {
			return err
		}
		now := s.now()
		return tx.RequeueDelivery(&core.Delivery{WorkspaceID: ws.ID, SubscriptionID: sub.ID, EventSeq: d.EventSeq,
			EventID: d.EventID, EventType: d.EventType, State: core.DeliveryPending, NextAttemptAt: now,
			CreatedAt: now, UpdatedAt: now})
	})
	if err != nil {
		return 0, err
	}
	return 1, nil
}
