package sqltx

import (
	"cmp"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/chatops/gateway/core"
)

// Subscriptions.

const subCols = `id, workspace_id, owner_id, name, url, events, format, scope, enabled, status,
	secret, previous_secret, previous_secret_until, validation_code, validated_at, failures, disabled_reason,
	last_delivery_at, last_status_code, last_error, channel, created_at, updated_at`

func scanSub(s Row, v *core.Subscription) error {
	return s.Scan((*idCol)(&v.ID), (*idCol)(&v.WorkspaceID), (*idCol)(&v.OwnerID), &v.Name, &v.URL, (*jsonCol)(&v.Events),
		(*textCol)(&v.Format), (*textCol)(&v.Scope), &v.Enabled, (*textCol)(&v.Status),
		(*textCol)(&v.Secret), (*textCol)(&v.PreviousSecret), nullTimeCol{&v.PreviousSecretUntil},
		(*textCol)(&v.ValidationCode), nullTimeCol{&v.ValidatedAt}, (*intCol)(&v.Failures), (*textCol)(&v.DisabledReason),
		nullTimeCol{&v.LastDeliveryAt}, (*intCol)(&v.LastStatusCode), (*textCol)(&v.LastError), (*textCol)(&v.Channel),
		(*timeCol)(&v.CreatedAt), (*timeCol)(&v.UpdatedAt))
}

func subConflict(name string) error {
	return core.Errorf(core.ECONFLICT, "webhook %q already exists", name)
}

// CreateSubscription adds a subscription; conflict when its name is taken in
// the workspace, not_found when the workspace or the owner (in that
// workspace) does not exist.
func (t *Tx) CreateSubscription(s *core.Subscription) error {
	if err := t.checkWorkspace(s.WorkspaceID); err != nil {
		return err
	}
	if err := t.inWorkspace("user", s.OwnerID, s.WorkspaceID); err != nil {
		return err
	}
	id, err := t.c.Insert(`INSERT INTO subscriptions (workspace_id, owner_id, name, name_key, url, events, format, scope,
		enabled, status, secret, previous_secret, previous_secret_until, validation_code, validated_at, failures,
		disabled_reason, last_delivery_at, last_status_code, last_error, channel, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		RETURNING id`,
		int64(s.WorkspaceID), int64(s.OwnerID), s.Name, core.NameKey(s.Name), s.URL, JSONOrNil(s.Events), s.Format, s.Scope,
		s.Enabled, s.Status, s.Secret, s.PreviousSecret, t.tsOrNil(s.PreviousSecretUntil), s.ValidationCode, t.tsOrNil(s.ValidatedAt),
		s.Failures, s.DisabledReason, t.tsOrNil(s.LastDeliveryAt), s.LastStatusCode, s.LastError, s.Channel,
		t.ts(s.CreatedAt), t.ts(s.UpdatedAt))
	switch {
	case t.d.IsUnique(err):
		return subConflict(s.Name)
	case t.d.IsForeignKey(err):
		return NotFound("user", s.OwnerID)
	case err != nil:
		return t.Wrap("create webhook", err)
	}
	s.ID = core.ID(id)
	return nil
}

// SubscriptionSet is the SET list of UpdateSubscription, which the stores
// write each with their own locking; SubscriptionArgs gives its arguments,
// then the workspace and id of the row.
const SubscriptionSet = `owner_id = ?, name = ?, name_key = ?, url = ?, events = ?, format = ?,
	scope = ?, enabled = ?, status = ?, secret = ?, previous_secret = ?, previous_secret_until = ?, validation_code = ?,
	validated_at = ?, failures = ?, disabled_reason = ?, last_delivery_at = ?, last_status_code = ?, last_error = ?,
	channel = ?, created_at = ?, updated_at = ?`

// SubscriptionArgs returns the arguments of SubscriptionSet followed by the
// subscription's workspace and id. LastError and DisabledReason, which may
// quote a receiver, are kept as the dialect's Text.
func (t *Tx) SubscriptionArgs(s *core.Subscription) []any {
	return []any{int64(s.OwnerID), s.Name, core.NameKey(s.Name), s.URL, JSONOrNil(s.Events), s.Format,
		s.Scope, s.Enabled, s.Status, s.Secret, s.PreviousSecret, t.tsOrNil(s.PreviousSecretUntil), s.ValidationCode,
		t.tsOrNil(s.ValidatedAt), s.Failures, t.d.Text(s.DisabledReason), t.tsOrNil(s.LastDeliveryAt), s.LastStatusCode,
		t.d.Text(s.LastError), s.Channel, t.ts(s.CreatedAt), t.ts(s.UpdatedAt),
		int64(s.WorkspaceID), int64(s.ID)}
}

// SubscriptionUpdateErr maps the error of the UPDATE of a subscription: no
// row is not_found.
func (t *Tx) SubscriptionUpdateErr(s *core.Subscription, err error) error {
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return NotFound("webhook", s.ID)
	case t.d.IsUnique(err):
		return subConflict(s.Name)
	case t.d.IsForeignKey(err):
		return NotFound("user", s.OwnerID)
	case err != nil:
		return t.Wrap("update webhook", err)
	}
	return nil
}

// HoldDeliveries sets the held flag of the subscription's pending deliveries
// as its new Enabled and Status say; UpdateSubscription runs it when the hold
// class changed (HoldOf).
func (t *Tx) HoldDeliveries(s *core.Subscription) error {
	_, err := t.c.Exec(`UPDATE deliveries SET held = `+HeldSQL("CAST(?1 AS boolean)", "CAST(?2 AS text)", "event_type")+`
		WHERE subscription_id = ?3 AND state = 'pending'`, s.Enabled, s.Status, int64(s.ID))
	if err != nil {
		return t.Wrap("update webhook: hold deliveries", err)
	}
	return nil
}

// DeleteSubscription removes a subscription; its deliveries and attempts go
// with it (ON DELETE CASCADE). not_found when it does not exist.
func (t *Tx) DeleteSubscription(ws, id core.ID) error {
	n, err := t.c.Exec("DELETE FROM subscriptions WHERE workspace_id = ? AND id = ?", int64(ws), int64(id))
	switch {
	case err != nil:
		return t.Wrap("delete webhook", err)
	case n == 0:
		return NotFound("webhook", id)
	}
	return nil
}

// Subscription returns a subscription of the workspace. In an Update that
// locks rows it stays locked until the transaction ends: every change of a
// subscription (an attempt's outcome, an edit) reads it first, and two
// processes must not both count the same failure streak from the same start.
func (t *Tx) Subscription(ws, id core.ID) (core.Subscription, error) {
	return t.subscription(ws, id, t.forUpdate)
}

// PeekSubscription is Subscription without a lock.
func (t *Tx) PeekSubscription(ws, id core.ID) (core.Subscription, error) {
	return t.subscription(ws, id, "")
}

func (t *Tx) subscription(ws, id core.ID, lock string) (core.Subscription, error) {
	var s core.Subscription
	err := scanSub(t.c.QueryRow("SELECT "+subCols+" FROM subscriptions WHERE workspace_id = ? AND id = ?"+lock,
		int64(ws), int64(id)), &s)
	if err != nil {
		return core.Subscription{}, t.Lookup(err, "get webhook", fmt.Sprintf("webhook %d not found", id))
	}
	return s, nil
}

// ListSubscriptions returns a page of a workspace's subscriptions by id, one
// owner's when owner is set.
func (t *Tx) ListSubscriptions(ws, owner core.ID, p core.Page) ([]core.Subscription, error) {
	p = p.Normalize()
	var subs []core.Subscription
	var err error
	if owner == 0 {
		subs, err = List(t, scanSub, "SELECT "+subCols+" FROM subscriptions WHERE workspace_id = ? AND id > ? ORDER BY id LIMIT ?",
			int64(ws), int64(p.After), p.Limit)
	} else {
		subs, err = List(t, scanSub, "SELECT "+subCols+" FROM subscriptions WHERE workspace_id = ? AND owner_id = ? AND id > ? ORDER BY id LIMIT ?",
			int64(ws), int64(owner), int64(p.After), p.Limit)
	}
	if err != nil {
		return nil, t.Wrap("list webhooks", err)
	}
	return subs, nil
}

// ListChannelSubscriptionsQuery selects a channel's subscriptions
// (workspace, channel). It repeats the predicate of the partial index
// subscriptions_channel (migration 0016), a channel that is not empty:
// neither database infers it from a bound channel, SQLite never and
// PostgreSQL not in a generic plan.
const ListChannelSubscriptionsQuery = "SELECT " + subCols + ` FROM subscriptions
	WHERE workspace_id = ? AND channel = ? AND channel <> '' ORDER BY id`

// ListChannelSubscriptions returns every subscription of a chat channel in
// the workspace, by id; none for the empty channel, which is no channel.
func (t *Tx) ListChannelSubscriptions(ws core.ID, channel string) ([]core.Subscription, error) {
	subs, err := List(t, scanSub, ListChannelSubscriptionsQuery, int64(ws), channel)
	if err != nil {
		return nil, t.Wrap("list channel webhooks", err)
	}
	return subs, nil
}

// CountSubscriptionsQuery counts an owner's subscriptions (workspace, owner).
const CountSubscriptionsQuery = "SELECT count(*) FROM subscriptions WHERE workspace_id = ? AND owner_id = ?"

// CountSubscriptions counts an owner's subscriptions; with owner 0, the
// workspace's.
func (t *Tx) CountSubscriptions(ws, owner core.ID) (int, error) {
	var n int
	var err error
	if owner == 0 {
		err = t.c.QueryRow("SELECT count(*) FROM subscriptions WHERE workspace_id = ?", int64(ws)).Scan((*intCol)(&n))
	} else {
		err = t.c.QueryRow(CountSubscriptionsQuery, int64(ws), int64(owner)).Scan((*intCol)(&n))
	}
	if err != nil {
		return 0, t.Wrap("count webhooks", err)
	}
	return n, nil
}

// The dispatch cursor.

// DispatchCursorName names the dispatcher's row in webhook_cursors.
const DispatchCursorName = "dispatch"

// DispatchCursor returns the Seq of the last outbox event dispatched, 0 at
// first.
func (t *Tx) DispatchCursor() (int64, error) {
	var seq int64
	err := t.c.QueryRow("SELECT seq FROM webhook_cursors WHERE name = ?", DispatchCursorName).Scan(&seq)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return 0, nil
	case err != nil:
		return 0, t.Wrap("get dispatch cursor", err)
	}
	return seq, nil
}

// SetDispatchCursor saves the Seq of the last outbox event dispatched.
func (t *Tx) SetDispatchCursor(seq int64) error {
	_, err := t.c.Exec(`INSERT INTO webhook_cursors (name, seq) VALUES (?, ?)
		ON CONFLICT (name) DO UPDATE SET seq = excluded.seq`, DispatchCursorName, seq)
	if err != nil {
		return t.Wrap("set dispatch cursor", err)
	}
	return nil
}

// Deliveries.

// Hold classes of a subscription: which of its deliveries may go out.
const (
	holdNone     = iota // every one
	holdButPings        // webhook.ping only: not validated yet
	holdAll             // none: off or disabled
)

// HoldOf is the hold class of a subscription; HeldSQL says the same in SQL.
func HoldOf(enabled bool, status string) int {
	switch {
	case !enabled || status == core.SubDisabled:
		return holdAll
	case status == core.SubNotValidated:
		return holdButPings
	}
	return holdNone
}

// HeldSQL is the SQL expression of whether a delivery of eventType is held
// for a subscription with enabled and status (column names or parameters):
// the rule of ClaimDeliveries, which HoldOf follows.
func HeldSQL(enabled, status, eventType string) string {
	return "NOT (" + enabled + " AND " + status + " <> 'disabled' AND (" + status + " <> 'not_validated' OR " +
		eventType + " = 'webhook.ping'))"
}

// DeliveryCols are the columns ScanDelivery reads.
const DeliveryCols = `id, workspace_id, subscription_id, event_seq, event_id, event_type, state, attempts,
	next_attempt_at, lease_until, created_at, updated_at, delivered_at, version`

// ScanDelivery decodes a row of DeliveryCols.
func ScanDelivery(s Row, d *core.Delivery) error {
	return s.Scan((*idCol)(&d.ID), (*idCol)(&d.WorkspaceID), (*idCol)(&d.SubscriptionID), &d.EventSeq,
		(*textCol)(&d.EventID), (*textCol)(&d.EventType), (*textCol)(&d.State), (*intCol)(&d.Attempts),
		(*timeCol)(&d.NextAttemptAt), nullTimeCol{&d.LeaseUntil}, (*timeCol)(&d.CreatedAt), (*timeCol)(&d.UpdatedAt),
		nullTimeCol{&d.DeliveredAt}, &d.Version)
}

// A delivery (and an attempt) is inserted from its subscription's row, which
// gives its held flag, so that a missing subscription inserts nothing rather
// than breaking a foreign key: the dispatcher queues hundreds of deliveries
// in one transaction, and PostgreSQL would need a savepoint for each. The
// selected arguments are CAST for PostgreSQL, which cannot tell their types
// otherwise; to SQLite the casts change nothing (a timestamptz is NUMERIC to
// it, which keeps its unix microseconds as they are).

// CreateDelivery queues an event for a subscription and sets d.ID; when the
// pair is queued already it changes nothing and returns false. not_found
// when the subscription does not exist.
func (t *Tx) CreateDelivery(d *core.Delivery) (bool, error) {
	id, err := t.c.InsertRow(`INSERT INTO deliveries (workspace_id, subscription_id, event_seq, event_id, event_type, state,
		attempts, next_attempt_at, lease_until, created_at, updated_at, delivered_at, held)
		SELECT CAST(?1 AS bigint), s.id, CAST(?3 AS bigint), CAST(?4 AS text), CAST(?5 AS text), CAST(?6 AS text),
			CAST(?7 AS integer), CAST(?8 AS timestamptz), CAST(?9 AS timestamptz), CAST(?10 AS timestamptz),
			CAST(?11 AS timestamptz), CAST(?12 AS timestamptz), `+HeldSQL("s.enabled", "s.status", "?5")+`
		FROM subscriptions s WHERE s.id = ?2
		ON CONFLICT (subscription_id, event_seq) DO NOTHING
		RETURNING id`,
		int64(d.WorkspaceID), int64(d.SubscriptionID), d.EventSeq, d.EventID, d.EventType, d.State,
		d.Attempts, t.ts(d.NextAttemptAt), t.tsOrNil(d.LeaseUntil), t.ts(d.CreatedAt), t.ts(d.UpdatedAt),
		t.tsOrNil(d.DeliveredAt))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		// Queued already, or no such subscription.
		if err := t.Exists("webhook", "SELECT 1 FROM subscriptions WHERE id = ?", d.SubscriptionID); err != nil {
			return false, err
		}
		return false, nil
	case err != nil:
		return false, t.Wrap("create delivery", err)
	}
	d.ID = core.ID(id)
	return true, nil
}

// RequeueDelivery makes the delivery of d.EventSeq to d.SubscriptionID
// pending again, due at d.NextAttemptAt, creating it when missing, and
// loads the stored row into d (its ID among others).
//
// A requeued delivery starts the retry schedule afresh: Attempts is reset to
// 0 (the delivery log keeps the earlier attempts) and DeliveredAt is
// cleared. A lease that runs past d.NextAttemptAt is kept: a worker is
// sending the delivery right now, and two must not hold it at once.
func (t *Tx) RequeueDelivery(d *core.Delivery) error {
	err := ScanDelivery(t.c.QueryRow(`INSERT INTO deliveries AS d (workspace_id, subscription_id, event_seq, event_id,
		event_type, state, attempts, next_attempt_at, lease_until, created_at, updated_at, delivered_at, held)
		SELECT CAST(?1 AS bigint), s.id, CAST(?3 AS bigint), CAST(?4 AS text), CAST(?5 AS text), CAST(?6 AS text), 0,
			CAST(?7 AS timestamptz), NULL, CAST(?8 AS timestamptz), CAST(?9 AS timestamptz), NULL,
			`+HeldSQL("s.enabled", "s.status", "?5")+`
		FROM subscriptions s WHERE s.id = ?2
		ON CONFLICT (subscription_id, event_seq) DO UPDATE SET
			state = excluded.state, attempts = 0, next_attempt_at = excluded.next_attempt_at, held = excluded.held,
			lease_until = CASE WHEN d.lease_until > excluded.next_attempt_at THEN d.lease_until END,
			delivered_at = NULL, updated_at = excluded.updated_at, version = d.version + 1
		RETURNING `+DeliveryCols,
		int64(d.WorkspaceID), int64(d.SubscriptionID), d.EventSeq, d.EventID, d.EventType, core.DeliveryPending,
		t.ts(d.NextAttemptAt), t.ts(d.CreatedAt), t.ts(d.UpdatedAt)), d)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return NotFound("webhook", d.SubscriptionID)
	case err != nil:
		return t.Wrap("requeue delivery", err)
	}
	return nil
}

// UpdateDelivery saves a delivery's state, attempts, next attempt, lease,
// delivery time and update time; not_found when it does not exist.
func (t *Tx) UpdateDelivery(d *core.Delivery) error {
	n, err := t.c.Exec(`UPDATE deliveries SET state = ?, attempts = ?, next_attempt_at = ?, lease_until = ?,
		delivered_at = ?, updated_at = ? WHERE id = ?`,
		d.State, d.Attempts, t.ts(d.NextAttemptAt), t.tsOrNil(d.LeaseUntil), t.tsOrNil(d.DeliveredAt), t.ts(d.UpdatedAt), int64(d.ID))
	switch {
	case err != nil:
		return t.Wrap("update delivery", err)
	case n == 0:
		return NotFound("delivery", d.ID)
	}
	return nil
}

// FinishDelivery saves an attempt's outcome over the version it claimed; see
// core.WebhookTx. Under PostgreSQL's READ COMMITTED the UPDATE rechecks the
// version on the newest row, so a replay committed meanwhile is never
// overwritten.
func (t *Tx) FinishDelivery(d *core.Delivery) (bool, error) {
	n, err := t.c.Exec(`UPDATE deliveries SET state = ?, attempts = ?, next_attempt_at = ?, lease_until = NULL,
		delivered_at = ?, updated_at = ? WHERE id = ? AND version = ?`,
		d.State, d.Attempts, t.ts(d.NextAttemptAt), t.tsOrNil(d.DeliveredAt), t.ts(d.UpdatedAt), int64(d.ID), d.Version)
	switch {
	case err != nil:
		return false, t.Wrap("finish delivery", err)
	case n == 1:
		return true, nil
	}
	// Moved on: drop the lease if a requeue kept it for this worker.
	if d.LeaseUntil != nil {
		if _, err := t.c.Exec("UPDATE deliveries SET lease_until = NULL WHERE id = ? AND lease_until = ?",
			int64(d.ID), t.ts(*d.LeaseUntil)); err != nil {
			return false, t.Wrap("finish delivery", err)
		}
	}
	if err := t.Exists("delivery", "SELECT 1 FROM deliveries WHERE id = ?", d.ID); err != nil {
		return false, err
	}
	return false, nil
}

// Delivery returns a delivery by id.
func (t *Tx) Delivery(id core.ID) (core.Delivery, error) {
	var d core.Delivery
	err := ScanDelivery(t.c.QueryRow("SELECT "+DeliveryCols+" FROM deliveries WHERE id = ?", int64(id)), &d)
	if err != nil {
		return core.Delivery{}, t.Lookup(err, "get delivery", fmt.Sprintf("delivery %d not found", id))
	}
	return d, nil
}

// ClaimDeliveries leases up to limit pending deliveries due at now whose
// subscription may receive them (enabled and not disabled; only pings while
// not validated), skipping those whose lease runs past now and those another
// worker is claiming at this moment. They get LeaseUntil = leaseUntil and
// are returned by due time, then id. It must run in an Update. The claim
// itself is the dialect's (Dialect.ClaimDeliveries).
func (t *Tx) ClaimDeliveries(now, leaseUntil time.Time, limit int) ([]core.Delivery, error) {
	if limit <= 0 {
		return []core.Delivery{}, nil
	}
	ds, err := List(t, ScanDelivery, t.d.ClaimDeliveries(), t.ts(leaseUntil), t.ts(now), limit)
	if err != nil {
		return nil, t.Wrap("claim deliveries", err)
	}
	// RETURNING gives the rows in no promised order.
	slices.SortFunc(ds, func(a, b core.Delivery) int {
		return cmp.Or(a.NextAttemptAt.Compare(b.NextAttemptAt), cmp.Compare(a.ID, b.ID))
	})
	return ds, nil
}

// RescheduleDeliveries makes a subscription's pending deliveries due at `at`
// and returns how many there are. A lease that runs past `at` is kept, as in
// RequeueDelivery; others are cleared.
func (t *Tx) RescheduleDeliveries(ws, sub core.ID, at time.Time) (int, error) {
	n, err := t.c.Exec(`UPDATE deliveries SET next_attempt_at = ?1,
		lease_until = CASE WHEN lease_until > ?1 THEN lease_until END
		WHERE subscription_id = ?2 AND workspace_id = ?3 AND state = 'pending'`,
		t.ts(at), int64(sub), int64(ws))
	if err != nil {
		return 0, t.Wrap("reschedule deliveries", err)
	}
	return int(n), nil
}

// CountPendingDeliveries counts the pending deliveries of every subscription.
func (t *Tx) CountPendingDeliveries() (int, error) {
	var n int
	if err := t.c.QueryRow("SELECT count(*) FROM deliveries WHERE state = 'pending'").Scan((*intCol)(&n)); err != nil {
		return 0, t.Wrap("count pending deliveries", err)
	}
	return n, nil
}

// Outbox reads of the webhook engine.

// Event returns the outbox event with that Seq; not_found when there is none.
func (t *Tx) Event(seq int64) (core.Event, error) {
	var e core.Event
	if err := ScanEvent(t.c.QueryRow("SELECT "+EventCols+" FROM outbox WHERE seq = ?", seq), &e); err != nil {
		return core.Event{}, t.Lookup(err, "get event", fmt.Sprintf("event %d not found", seq))
	}
	return e, nil
}

// EventsBetween returns up to limit outbox events with Seq > after and a
// Timestamp in [from, to], by Seq; limit is normalized as in Events.
func (t *Tx) EventsBetween(from, to time.Time, after int64, limit int) ([]core.Event, error) {
	limit = core.Page{Limit: limit}.Normalize().Limit
	evs, err := List(t, ScanEvent, "SELECT "+EventCols+` FROM outbox
		WHERE timestamp >= ? AND timestamp <= ? AND seq > ? ORDER BY seq LIMIT ?`,
		t.ts(from), t.ts(to), after, limit)
	if err != nil {
		return nil, t.Wrap("list events between", err)
	}
	return evs, nil
}

// Attempts.

const attemptCols = `id, workspace_id, subscription_id, delivery_id, event_id, event_type, attempt, at, status_code,
	latency_ms, error_class, error, response`

func scanAttempt(s Row, a *core.Attempt) error {
	return s.Scan((*idCol)(&a.ID), (*idCol)(&a.WorkspaceID), (*idCol)(&a.SubscriptionID), (*idCol)(&a.DeliveryID),
		(*textCol)(&a.EventID), (*textCol)(&a.EventType), (*intCol)(&a.Attempt), (*timeCol)(&a.At), (*intCol)(&a.StatusCode),
		&a.LatencyMillis, (*textCol)(&a.ErrorClass), (*textCol)(&a.Error), (*textCol)(&a.Response))
}

// AddAttempt records an attempt and sets its ID; not_found when its
// subscription does not exist. Like CreateDelivery, it inserts from the
// subscription's row rather than break a foreign key. Its error and response
// are kept as the dialect's Text.
func (t *Tx) AddAttempt(a *core.Attempt) error {
	id, err := t.c.InsertRow(`INSERT INTO delivery_attempts (workspace_id, subscription_id, delivery_id, event_id, event_type,
		attempt, at, status_code, latency_ms, error_class, error, response)
		SELECT CAST(?1 AS bigint), s.id, CAST(?3 AS bigint), CAST(?4 AS text), CAST(?5 AS text), CAST(?6 AS integer),
			CAST(?7 AS timestamptz), CAST(?8 AS integer), CAST(?9 AS bigint), CAST(?10 AS text), CAST(?11 AS text),
			CAST(?12 AS text)
		FROM subscriptions s WHERE s.id = ?2
		RETURNING id`,
		int64(a.WorkspaceID), int64(a.SubscriptionID), int64(a.DeliveryID), a.EventID, a.EventType,
		a.Attempt, t.ts(a.At), a.StatusCode, a.LatencyMillis, a.ErrorClass, t.d.Text(a.Error), t.d.Text(a.Response))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return NotFound("webhook", a.SubscriptionID)
	case err != nil:
		return t.Wrap("add attempt", err)
	}
	a.ID = core.ID(id)
	return nil
}

// ListAttempts returns a page of a subscription's attempts, newest (highest
// id) first; with p.After set, those with a lower id.
func (t *Tx) ListAttempts(ws, sub core.ID, p core.Page) ([]core.Attempt, error) {
	p = p.Normalize()
	before := int64(math.MaxInt64)
	if p.After != 0 {
		before = int64(p.After)
	}
	as, err := List(t, scanAttempt, "SELECT "+attemptCols+` FROM delivery_attempts
		WHERE subscription_id = ? AND workspace_id = ? AND id < ? ORDER BY id DESC LIMIT ?`,
		int64(sub), int64(ws), before, p.Limit)
	if err != nil {
		return nil, t.Wrap("list attempts", err)
	}
	return as, nil
}

// LastAttempts returns the newest attempt in the workspace of each of the
// subscriptions subs that has one, by subscription id, in one statement:
// for each id, the index on (subscription_id, id) gives its newest
// attempt's id (as ListAttempts' first row), which the primary key reads.
func (t *Tx) LastAttempts(ws core.ID, subs []core.ID) (map[core.ID]core.Attempt, error) {
	out := make(map[core.ID]core.Attempt, len(subs))
	if len(subs) == 0 {
		return out, nil
	}
	list := []byte{'['}
	for i, id := range subs {
		if i > 0 {
			list = append(list, ',')
		}
		list = strconv.AppendInt(list, int64(id), 10)
	}
	list = append(list, ']')
	as, err := List(t, scanAttempt, `SELECT `+attemptCols+` FROM (`+t.d.IDs("?2")+`) l
		JOIN delivery_attempts ON delivery_attempts.id = (SELECT a.id FROM delivery_attempts a
			WHERE a.subscription_id = l.listed_id AND a.workspace_id = ?1 ORDER BY a.id DESC LIMIT 1)`,
		int64(ws), string(list))
	if err != nil {
		return nil, t.Wrap("last attempts", err)
	}
	for _, a := range as {
		out[a.SubscriptionID] = a
	}
	return out, nil
}
