package postgres

import "github.com/chatops/gateway/core"

// CreateDelivery queues an event for a subscription (see
// sqltx.Tx.CreateDelivery), first locking the subscription's row FOR SHARE,
// once per transaction. The delivery's held flag comes from the
// subscription's state; a transaction that enables or disables the
// subscription (UpdateSubscription: FOR NO KEY UPDATE, then the held flag
// of its pending deliveries) now waits for this one to commit, and then
// sees its rows. Without the lock, READ COMMITTED let an enable run between
// the insert and its commit, and the delivery stayed held for an enabled
// subscription: never sent.
func (t *tx) CreateDelivery(d *core.Delivery) (bool, error) {
	if t.writable && !t.sharedSubs[d.SubscriptionID] {
		if _, err := t.Exec("SELECT 1 FROM subscriptions WHERE id = ? FOR SHARE", int64(d.SubscriptionID)); err != nil {
			return false, t.Wrap("create delivery", err)
		}
		if t.sharedSubs == nil {
			t.sharedSubs = map[core.ID]bool{}
		}
		t.sharedSubs[d.SubscriptionID] = true
	}
	return t.Tx.CreateDelivery(d)
}
