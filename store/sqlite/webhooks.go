package sqlite

import (
	"cmp"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/chatops/gateway/core"
)

// Subscriptions.

const subCols = `id, workspace_id, owner_id, name, url, events, format, scope, enabled, status,
	secret, previous_secret, previous_secret_until, validation_code, validated_at, failures, disabled_reason,
	last_delivery_at, last_status_code, last_error, channel, created_at, updated_at`

func scanSub(s scanner, v *core.Subscription) error {
	var events []byte
	err := s.Scan((*idCol)(&v.ID), (*idCol)(&v.WorkspaceID), (*idCol)(&v.OwnerID), &v.Name, &v.URL, &events,
		(*textCol)(&v.Format), (*textCol)(&v.Scope), &v.Enabled, (*textCol)(&v.Status),
		(*textCol)(&v.Secret), (*textCol)(&v.PreviousSecret), nullTimeCol{&v.PreviousSecretUntil},
		(*textCol)(&v.ValidationCode), nullTimeCol{&v.ValidatedAt}, (*intCol)(&v.Failures), (*textCol)(&v.DisabledReason),
		nullTimeCol{&v.LastDeliveryAt}, (*intCol)(&v.LastStatusCode), (*textCol)(&v.LastError), (*textCol)(&v.Channel),
		(*timeCol)(&v.CreatedAt), (*timeCol)(&v.UpdatedAt))
	if err != nil {
		return err
	}
	v.Events = nil
	if events != nil {
		v.Events = json.RawMessage(events)
	}
	return nil
}

// eventsOrNil stores nil filters as NULL and any others as the text given.
func eventsOrNil(events json.RawMessage) any {
	if events == nil {
		return nil
	}
	return string(events)
}

func subConflict(name string) error {
	return core.Errorf(core.ECONFLICT, "webhook %q already exists", name)
}

// CreateSubscription adds a subscription; conflict when its name is taken in
// the workspace, not_found when the workspace or the owner (in that
// workspace) does not exist.
func (t *tx) CreateSubscription(s *core.Subscription) error {
	if err := t.checkWorkspace(s.WorkspaceID); err != nil {
		return err
	}
	if err := t.exists("user", "SELECT 1 FROM users WHERE id = ? AND workspace_id = ?", s.OwnerID, int64(s.WorkspaceID)); err != nil {
		return err
	}
	id, err := t.insert(`INSERT INTO subscriptions (workspace_id, owner_id, name, name_key, url, events, format, scope,
		enabled, status, secret, previous_secret, previous_secret_until, validation_code, validated_at, failures,
		disabled_reason, last_delivery_at, last_status_code, last_error, channel, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		int64(s.WorkspaceID), int64(s.OwnerID), s.Name, core.NameKey(s.Name), s.URL, eventsOrNil(s.Events), s.Format, s.Scope,
		s.Enabled, s.Status, s.Secret, s.PreviousSecret, tsOrNil(s.PreviousSecretUntil), s.ValidationCode, tsOrNil(s.ValidatedAt),
		s.Failures, s.DisabledReason, tsOrNil(s.LastDeliveryAt), s.LastStatusCode, s.LastError, s.Channel,
		ts(s.CreatedAt), ts(s.UpdatedAt))
	switch {
	case isUnique(err):
		return subConflict(s.Name)
	case err != nil:
		return fmt.Errorf("create webhook: %w", err)
	}
	s.ID = id
	return nil
}

// UpdateSubscription saves every field of s but its ID and WorkspaceID, which
// name the row; conflict when the new name is taken, not_found when the
// subscription or the new owner does not exist. When the change stops or
// resumes deliveries, it also updates the held flag of its pending ones.
func (t *tx) UpdateSubscription(s *core.Subscription) error {
	var enabled bool
	var status string
	err := t.row("SELECT enabled, status FROM subscriptions WHERE workspace_id = ? AND id = ?", int64(s.WorkspaceID), int64(s.ID)).
		Scan(&enabled, (*textCol)(&status))
	if err != nil {
		return lookup(err, "update webhook", fmt.Sprintf("webhook %d not found", s.ID))
	}
	if holdOf(enabled, status) == holdOf(s.Enabled, s.Status) {
		return t.updateSubscription(s)
	}
	return t.atomic(func() error {
		if err := t.updateSubscription(s); err != nil {
			return err
		}
		_, err := t.exec(`UPDATE deliveries SET held = `+heldSQL("?1", "?2", "event_type")+`
			WHERE subscription_id = ?3 AND state = 'pending'`, s.Enabled, s.Status, int64(s.ID))
		if err != nil {
			return fmt.Errorf("update webhook: hold deliveries: %w", err)
		}
		return nil
	})
}

func (t *tx) updateSubscription(s *core.Subscription) error {
	n, err := t.affected(`UPDATE subscriptions SET owner_id = ?, name = ?, name_key = ?, url = ?, events = ?, format = ?,
		scope = ?, enabled = ?, status = ?, secret = ?, previous_secret = ?, previous_secret_until = ?, validation_code = ?,
		validated_at = ?, failures = ?, disabled_reason = ?, last_delivery_at = ?, last_status_code = ?, last_error = ?,
		channel = ?, created_at = ?, updated_at = ?
		WHERE workspace_id = ? AND id = ?`,
		int64(s.OwnerID), s.Name, core.NameKey(s.Name), s.URL, eventsOrNil(s.Events), s.Format,
		s.Scope, s.Enabled, s.Status, s.Secret, s.PreviousSecret, tsOrNil(s.PreviousSecretUntil), s.ValidationCode,
		tsOrNil(s.ValidatedAt), s.Failures, s.DisabledReason, tsOrNil(s.LastDeliveryAt), s.LastStatusCode, s.LastError,
		s.Channel, ts(s.CreatedAt), ts(s.UpdatedAt),
		int64(s.WorkspaceID), int64(s.ID))
	switch {
	case isUnique(err):
		return subConflict(s.Name)
	case isForeignKey(err):
		return notFound("user", s.OwnerID)
	case err != nil:
		return fmt.Errorf("update webhook: %w", err)
	case n == 0:
		return notFound("webhook", s.ID)
	}
	return nil
}

// DeleteSubscription removes a subscription; its deliveries and attempts go
// with it (ON DELETE CASCADE). not_found when it does not exist.
func (t *tx) DeleteSubscription(ws, id core.ID) error {
	n, err := t.affected("DELETE FROM subscriptions WHERE workspace_id = ? AND id = ?", int64(ws), int64(id))
	switch {
	case err != nil:
		return fmt.Errorf("delete webhook: %w", err)
	case n == 0:
		return notFound("webhook", id)
	}
	return nil
}

// Subscription returns a subscription of the workspace.
func (t *tx) Subscription(ws, id core.ID) (core.Subscription, error) {
	var s core.Subscription
	err := scanSub(t.row("SELECT "+subCols+" FROM subscriptions WHERE workspace_id = ? AND id = ?", int64(ws), int64(id)), &s)
	if err != nil {
		return core.Subscription{}, lookup(err, "get webhook", fmt.Sprintf("webhook %d not found", id))
	}
	return s, nil
}

// ListSubscriptions returns a page of a workspace's subscriptions by id, one
// owner's when owner is set.
func (t *tx) ListSubscriptions(ws, owner core.ID, p core.Page) ([]core.Subscription, error) {
	p = p.Normalize()
	var subs []core.Subscription
	var err error
	if owner == 0 {
		subs, err = list(t, scanSub, "SELECT "+subCols+" FROM subscriptions WHERE workspace_id = ? AND id > ? ORDER BY id LIMIT ?",
			int64(ws), int64(p.After), p.Limit)
	} else {
		subs, err = list(t, scanSub, "SELECT "+subCols+" FROM subscriptions WHERE workspace_id = ? AND owner_id = ? AND id > ? ORDER BY id LIMIT ?",
			int64(ws), int64(owner), int64(p.After), p.Limit)
	}
	if err != nil {
		return nil, fmt.Errorf("list webhooks: %w", err)
	}
	return subs, nil
}

// CountSubscriptions counts an owner's subscriptions; with owner 0, the
// workspace's.
func (t *tx) CountSubscriptions(ws, owner core.ID) (int, error) {
	var n int
	var err error
	if owner == 0 {
		err = t.row("SELECT count(*) FROM subscriptions WHERE workspace_id = ?", int64(ws)).Scan((*intCol)(&n))
	} else {
		err = t.row("SELECT count(*) FROM subscriptions WHERE workspace_id = ? AND owner_id = ?", int64(ws), int64(owner)).
			Scan((*intCol)(&n))
	}
	if err != nil {
		return 0, fmt.Errorf("count webhooks: %w", err)
	}
	return n, nil
}

// The dispatch cursor.

// dispatchCursor names the dispatcher's row in webhook_cursors.
const dispatchCursor = "dispatch"

// DispatchCursor returns the Seq of the last outbox event dispatched, 0 at
// first. SQLite has one writer at a time, so an Update holds the cursor for
// its whole transaction without a lock of its own.
func (t *tx) DispatchCursor() (int64, error) {
	var seq int64
	err := t.row("SELECT seq FROM webhook_cursors WHERE name = ?", dispatchCursor).Scan(&seq)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return 0, nil
	case err != nil:
		return 0, fmt.Errorf("get dispatch cursor: %w", err)
	}
	return seq, nil
}

// SetDispatchCursor saves the Seq of the last outbox event dispatched.
func (t *tx) SetDispatchCursor(seq int64) error {
	_, err := t.exec(`INSERT INTO webhook_cursors (name, seq) VALUES (?, ?)
		ON CONFLICT (name) DO UPDATE SET seq = excluded.seq`, dispatchCursor, seq)
	if err != nil {
		return fmt.Errorf("set dispatch cursor: %w", err)
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

// holdOf is the hold class of a subscription; heldSQL says the same in SQL.
func holdOf(enabled bool, status string) int {
	switch {
	case !enabled || status == core.SubDisabled:
		return holdAll
	case status == core.SubNotValidated:
		return holdButPings
	}
	return holdNone
}

// heldSQL is the SQL expression, 1 or 0, of whether a delivery of eventType
// is held for a subscription with enabled and status (column names or
// parameters): the rule of ClaimDeliveries, which holdOf follows.
func heldSQL(enabled, status, eventType string) string {
	return "NOT (" + enabled + " AND " + status + " != 'disabled' AND (" + status + " != 'not_validated' OR " +
		eventType + " = 'webhook.ping'))"
}

// heldOfNew is the held flag of a delivery being queued (?2 its subscription,
// ?5 its event type); 0 for a missing subscription, whose foreign key then
// fails the insert.
var heldOfNew = "coalesce((SELECT " + heldSQL("s.enabled", "s.status", "?5") + " FROM subscriptions s WHERE s.id = ?2), 0)"

const deliveryCols = `id, workspace_id, subscription_id, event_seq, event_id, event_type, state, attempts,
	next_attempt_at, lease_until, created_at, updated_at, delivered_at, version`

func scanDelivery(s scanner, d *core.Delivery) error {
	return s.Scan((*idCol)(&d.ID), (*idCol)(&d.WorkspaceID), (*idCol)(&d.SubscriptionID), &d.EventSeq,
		(*textCol)(&d.EventID), (*textCol)(&d.EventType), (*textCol)(&d.State), (*intCol)(&d.Attempts),
		(*timeCol)(&d.NextAttemptAt), nullTimeCol{&d.LeaseUntil}, (*timeCol)(&d.CreatedAt), (*timeCol)(&d.UpdatedAt),
		nullTimeCol{&d.DeliveredAt}, &d.Version)
}

// CreateDelivery queues an event for a subscription and sets d.ID; when the
// pair is queued already it changes nothing and returns false. not_found
// when the subscription does not exist.
func (t *tx) CreateDelivery(d *core.Delivery) (bool, error) {
	res, err := t.exec(`INSERT INTO deliveries (workspace_id, subscription_id, event_seq, event_id, event_type, state,
		attempts, next_attempt_at, lease_until, created_at, updated_at, delivered_at, held)
		VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, `+heldOfNew+`)
		ON CONFLICT (subscription_id, event_seq) DO NOTHING`,
		int64(d.WorkspaceID), int64(d.SubscriptionID), d.EventSeq, d.EventID, d.EventType, d.State,
		d.Attempts, ts(d.NextAttemptAt), tsOrNil(d.LeaseUntil), ts(d.CreatedAt), ts(d.UpdatedAt), tsOrNil(d.DeliveredAt))
	if isForeignKey(err) {
		return false, notFound("webhook", d.SubscriptionID)
	}
	if err != nil {
		return false, fmt.Errorf("create delivery: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("create delivery: %w", err)
	}
	if n == 0 {
		return false, nil
	}
	id, err := res.LastInsertId()
	if err != nil {
		return false, fmt.Errorf("create delivery: %w", err)
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
func (t *tx) RequeueDelivery(d *core.Delivery) error {
	err := scanDelivery(t.row(`INSERT INTO deliveries (workspace_id, subscription_id, event_seq, event_id, event_type,
		state, attempts, next_attempt_at, lease_until, created_at, updated_at, delivered_at, held)
		VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, ?7, NULL, ?8, ?9, NULL, `+heldOfNew+`)
		ON CONFLICT (subscription_id, event_seq) DO UPDATE SET
			state = excluded.state, attempts = 0, next_attempt_at = excluded.next_attempt_at, held = excluded.held,
			lease_until = CASE WHEN lease_until > excluded.next_attempt_at THEN lease_until END,
			delivered_at = NULL, updated_at = excluded.updated_at, version = version + 1
		RETURNING `+deliveryCols,
		int64(d.WorkspaceID), int64(d.SubscriptionID), d.EventSeq, d.EventID, d.EventType, core.DeliveryPending,
		ts(d.NextAttemptAt), ts(d.CreatedAt), ts(d.UpdatedAt)), d)
	switch {
	case isForeignKey(err):
		return notFound("webhook", d.SubscriptionID)
	case err != nil:
		return fmt.Errorf("requeue delivery: %w", err)
	}
	return nil
}

// UpdateDelivery saves a delivery's state, attempts, next attempt, lease,
// delivery time and update time; not_found when it does not exist.
func (t *tx) UpdateDelivery(d *core.Delivery) error {
	n, err := t.affected(`UPDATE deliveries SET state = ?, attempts = ?, next_attempt_at = ?, lease_until = ?,
		delivered_at = ?, updated_at = ? WHERE id = ?`,
		d.State, d.Attempts, ts(d.NextAttemptAt), tsOrNil(d.LeaseUntil), tsOrNil(d.DeliveredAt), ts(d.UpdatedAt), int64(d.ID))
	switch {
	case err != nil:
		return fmt.Errorf("update delivery: %w", err)
	case n == 0:
		return notFound("delivery", d.ID)
	}
	return nil
}

// FinishDelivery saves an attempt's outcome over the version it claimed; see
// core.WebhookTx.
func (t *tx) FinishDelivery(d *core.Delivery) (bool, error) {
	n, err := t.affected(`UPDATE deliveries SET state = ?, attempts = ?, next_attempt_at = ?, lease_until = NULL,
		delivered_at = ?, updated_at = ? WHERE id = ? AND version = ?`,
		d.State, d.Attempts, ts(d.NextAttemptAt), tsOrNil(d.DeliveredAt), ts(d.UpdatedAt), int64(d.ID), d.Version)
	switch {
	case err != nil:
		return false, fmt.Errorf("finish delivery: %w", err)
	case n == 1:
		return true, nil
	}
	// Moved on: drop the lease if a requeue kept it for this worker.
	if d.LeaseUntil != nil {
		if _, err := t.exec("UPDATE deliveries SET lease_until = NULL WHERE id = ? AND lease_until = ?",
			int64(d.ID), ts(*d.LeaseUntil)); err != nil {
			return false, fmt.Errorf("finish delivery: %w", err)
		}
	}
	if err := t.exists("delivery", "SELECT 1 FROM deliveries WHERE id = ?", d.ID); err != nil {
		return false, err
	}
	return false, nil
}

// Delivery returns a delivery by id.
func (t *tx) Delivery(id core.ID) (core.Delivery, error) {
	var d core.Delivery
	err := scanDelivery(t.row("SELECT "+deliveryCols+" FROM deliveries WHERE id = ?", int64(id)), &d)
	if err != nil {
		return core.Delivery{}, lookup(err, "get delivery", fmt.Sprintf("delivery %d not found", id))
	}
	return d, nil
}

// claimQuery leases the due deliveries in one statement: the subquery walks
// deliveries_due in order past the held rows, skipping leased ones (and,
// though held says so already, any whose subscription may not receive them),
// and the UPDATE leases what it found.
var claimQuery = `UPDATE deliveries SET lease_until = ?1, version = version + 1
	WHERE id IN (
		SELECT d.id FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id
		WHERE d.state = 'pending' AND d.held = 0 AND d.next_attempt_at <= ?2
			AND (d.lease_until IS NULL OR d.lease_until <= ?2)
			AND NOT ` + heldSQL("s.enabled", "s.status", "d.event_type") + `
		ORDER BY d.next_attempt_at, d.id
		LIMIT ?3)
	RETURNING ` + deliveryCols

// ClaimDeliveries leases up to limit pending deliveries due at now whose
// subscription may receive them (enabled and not disabled; only pings while
// not validated), skipping those whose lease runs past now. They get
// LeaseUntil = leaseUntil and are returned by due time, then id. It must run
// in an Update.
func (t *tx) ClaimDeliveries(now, leaseUntil time.Time, limit int) ([]core.Delivery, error) {
	if limit <= 0 {
		return []core.Delivery{}, nil
	}
	ds, err := list(t, scanDelivery, claimQuery, ts(leaseUntil), ts(now), limit)
	if err != nil {
		return nil, fmt.Errorf("claim deliveries: %w", err)
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
func (t *tx) RescheduleDeliveries(ws, sub core.ID, at time.Time) (int, error) {
	n, err := t.affected(`UPDATE deliveries SET next_attempt_at = ?1,
		lease_until = CASE WHEN lease_until > ?1 THEN lease_until END
		WHERE subscription_id = ?2 AND workspace_id = ?3 AND state = 'pending'`,
		ts(at), int64(sub), int64(ws))
	if err != nil {
		return 0, fmt.Errorf("reschedule deliveries: %w", err)
	}
	return int(n), nil
}

// CountPendingDeliveries counts the pending deliveries of every subscription.
func (t *tx) CountPendingDeliveries() (int, error) {
	var n int
	if err := t.row("SELECT count(*) FROM deliveries WHERE state = 'pending'").Scan((*intCol)(&n)); err != nil {
		return 0, fmt.Errorf("count pending deliveries: %w", err)
	}
	return n, nil
}

// Outbox reads of the webhook engine.

const eventCols = "seq, id, type, timestamp, workspace_id, actor, data, user_id, project_id"

// scanEvent decodes an outbox row as Events does.
func scanEvent(s scanner, e *core.Event) error {
	var actor, data []byte
	if err := s.Scan(&e.Seq, &e.ID, &e.Type, (*timeCol)(&e.Timestamp), (*idCol)(&e.WorkspaceID),
		&actor, &data, (*idCol)(&e.UserID), (*idCol)(&e.ProjectID)); err != nil {
		return err
	}
	if err := json.Unmarshal(actor, &e.Actor); err != nil {
		return fmt.Errorf("event %d actor: %w", e.Seq, err)
	}
	e.Data = nil
	if data != nil {
		e.Data = json.RawMessage(data)
	}
	return nil
}

// Event returns the outbox event with that Seq; not_found when there is none.
func (t *tx) Event(seq int64) (core.Event, error) {
	var e core.Event
	if err := scanEvent(t.row("SELECT "+eventCols+" FROM outbox WHERE seq = ?", seq), &e); err != nil {
		return core.Event{}, lookup(err, "get event", fmt.Sprintf("event %d not found", seq))
	}
	return e, nil
}

// EventsBetween returns up to limit outbox events with Seq > after and a
// Timestamp in [from, to], by Seq; limit is normalized as in Events.
func (t *tx) EventsBetween(from, to time.Time, after int64, limit int) ([]core.Event, error) {
	limit = core.Page{Limit: limit}.Normalize().Limit
	evs, err := list(t, scanEvent, "SELECT "+eventCols+` FROM outbox
		WHERE timestamp >= ? AND timestamp <= ? AND seq > ? ORDER BY seq LIMIT ?`,
		ts(from), ts(to), after, limit)
	if err != nil {
		return nil, fmt.Errorf("list events between: %w", err)
	}
	return evs, nil
}

// Attempts.

const attemptCols = `id, workspace_id, subscription_id, delivery_id, event_id, event_type, attempt, at, status_code,
	latency_ms, error_class, error, response`

func scanAttempt(s scanner, a *core.Attempt) error {
	return s.Scan((*idCol)(&a.ID), (*idCol)(&a.WorkspaceID), (*idCol)(&a.SubscriptionID), (*idCol)(&a.DeliveryID),
		(*textCol)(&a.EventID), (*textCol)(&a.EventType), (*intCol)(&a.Attempt), (*timeCol)(&a.At), (*intCol)(&a.StatusCode),
		&a.LatencyMillis, (*textCol)(&a.ErrorClass), (*textCol)(&a.Error), (*textCol)(&a.Response))
}

// AddAttempt records an attempt and sets its ID; not_found when its
// subscription does not exist.
func (t *tx) AddAttempt(a *core.Attempt) error {
	id, err := t.insert(`INSERT INTO delivery_attempts (workspace_id, subscription_id, delivery_id, event_id, event_type,
		attempt, at, status_code, latency_ms, error_class, error, response)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		int64(a.WorkspaceID), int64(a.SubscriptionID), int64(a.DeliveryID), a.EventID, a.EventType,
		a.Attempt, ts(a.At), a.StatusCode, a.LatencyMillis, a.ErrorClass, a.Error, a.Response)
	switch {
	case isForeignKey(err):
		return notFound("webhook", a.SubscriptionID)
	case err != nil:
		return fmt.Errorf("add attempt: %w", err)
	}
	a.ID = id
	return nil
}

// ListAttempts returns a page of a subscription's attempts, newest (highest
// id) first; with p.After set, those with a lower id.
func (t *tx) ListAttempts(ws, sub core.ID, p core.Page) ([]core.Attempt, error) {
	p = p.Normalize()
	before := int64(math.MaxInt64)
	if p.After != 0 {
		before = int64(p.After)
	}
	as, err := list(t, scanAttempt, "SELECT "+attemptCols+` FROM delivery_attempts
		WHERE subscription_id = ? AND workspace_id = ? AND id < ? ORDER BY id DESC LIMIT ?`,
		int64(sub), int64(ws), before, p.Limit)
	if err != nil {
		return nil, fmt.Errorf("list attempts: %w", err)
	}
	return as, nil
}

// intCol scans an INTEGER into an int without database/sql's detour through
// strconv: (*intCol)(&x.N).
type intCol int

func (c *intCol) Scan(src any) error {
	v, ok := src.(int64)
	if !ok {
		return fmt.Errorf("integer column holds %T", src)
	}
	*c = intCol(v)
	return nil
}
