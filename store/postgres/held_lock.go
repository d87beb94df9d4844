package postgres

import "github.com/chatops/gateway/core"

// CreateDelivery queues an event for a subscription (see
// sqltx.Tx.CreateDelivery), first locking the subscription's row FOR SHARE
// (shareSubscription).
func (t *tx) CreateDelivery(d *core.Delivery) (bool, error) {
	if err := t.shareSubscription(d.SubscriptionID); err != nil {
		return false, t.Wrap("create delivery", err)
	}
	return t.Tx.CreateDelivery(d)
}

// RequeueDelivery makes a delivery pending again (see
// sqltx.Tx.RequeueDelivery: a replay), first locking the subscription's row
// FOR SHARE (shareSubscription).
func (t *tx) RequeueDelivery(d *core.Delivery) error {
	if err := t.shareSubscription(d.SubscriptionID); err != nil {
		return t.Wrap("requeue delivery", err)
	}
	return t.Tx.RequeueDelivery(d)
}

// shareSubscription locks a subscription's row FOR SHARE, once per
// transaction, before a delivery of it is written. The delivery's held flag
// comes from the subscription's state; a transaction that enables or
// disables the subscription (UpdateSubscription: FOR NO KEY UPDATE, then
// the held flag of its pending deliveries) now waits for this one to
// commit, and then sees its rows. Without the lock, READ COMMITTED let an
// enable run between the write and its commit, and the delivery stayed held
// for an enabled subscription: never sent.
func (t *tx) shareSubscription(id core.ID) error {
	if !t.writable || t.sharedSubs[id] {
		return nil
	}
	if _, err := t.Exec("SELECT 1 FROM subscriptions WHERE id = ? FOR SHARE", int64(id)); err != nil {
		return err
	}
	if t.sharedSubs == nil {
		t.sharedSubs = map[core.ID]bool{}
	}
	t.sharedSubs[id] = true
	return nil
}
