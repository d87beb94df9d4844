package postgres

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/chatops/gateway/core"
	"github.com/jackc/pgx/v5"
)

// Subscriptions.

const subCols = `id, workspace_id, owner_id, name, url, events, format, scope, enabled, status,
	secret, previous_secret, previous_secret_until, validation_code, validated_at, failures, disabled_reason,
	last_delivery_at, last_status_code, last_error, channel, created_at, updated_at`

func scanSub(s pgx.Row, v *core.Subscription) error {
	var events []byte
	err := s.Scan(&v.ID, &v.WorkspaceID, &v.OwnerID, &v.Name, &v.URL, &events, &v.Format, &v.Scope, &v.Enabled, &v.Status,
		&v.Secret, &v.PreviousSecret, &v.PreviousSecretUntil, &v.ValidationCode, &v.ValidatedAt, &v.Failures, &v.DisabledReason,
		&v.LastDeliveryAt, &v.LastStatusCode, &v.LastError, &v.Channel, &v.CreatedAt, &v.UpdatedAt)
	if err != nil {
		return err
	}
	v.Events = nil
	if events != nil {
		v.Events = json.RawMessage(events)
	}
	return nil
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
	if err := t.exists("user", "SELECT 1 FROM users WHERE id = $1 AND workspace_id = $2", s.OwnerID, int64(s.WorkspaceID)); err != nil {
		return err
	}
	var id core.ID
	_, err := t.guard(func(r pgx.Row) error { return r.Scan(&id) },
		`INSERT INTO subscriptions (workspace_id, owner_id, name, name_key, url, events, format, scope,
		enabled, status, secret, previous_secret, previous_secret_until, validation_code, validated_at, failures,
		disabled_reason, last_delivery_at, last_status_code, last_error, channel, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)
		RETURNING id`,
		int64(s.WorkspaceID), int64(s.OwnerID), s.Name, core.NameKey(s.Name), s.URL, jsonOrNil(s.Events), s.Format, s.Scope,
		s.Enabled, s.Status, s.Secret, s.PreviousSecret, s.PreviousSecretUntil, s.ValidationCode, s.ValidatedAt,
		s.Failures, s.DisabledReason, s.LastDeliveryAt, s.LastStatusCode, s.LastError, s.Channel, s.CreatedAt, s.UpdatedAt)
	switch {
	case isUnique(err):
		return subConflict(s.Name)
	case isForeignKey(err):
		return notFound("user", s.OwnerID)
	case err != nil:
		return wrap("create webhook", err)
	}
	s.ID = id
	return nil
}

// UpdateSubscription saves every field of s but its ID and WorkspaceID, which
// name the row (LastError and DisabledReason as logText); conflict when the
// new name is taken, not_found when the subscription or the new owner does
// not exist. When the change stops or
// resumes deliveries, it also updates the held flag of its pending ones.
func (t *tx) UpdateSubscription(s *core.Subscription) error {
	var wasEnabled bool
	var wasStatus string
	// The subquery locks the row and reads its state before the change.
	_, err := t.guard(func(r pgx.Row) error { return r.Scan(&wasEnabled, &wasStatus) },
		`UPDATE subscriptions s SET owner_id = $1, name = $2, name_key = $3, url = $4, events = $5, format = $6,
		scope = $7, enabled = $8, status = $9, secret = $10, previous_secret = $11, previous_secret_until = $12,
		validation_code = $13, validated_at = $14, failures = $15, disabled_reason = $16, last_delivery_at = $17,
		last_status_code = $18, last_error = $19, channel = $20, created_at = $21, updated_at = $22
		FROM (SELECT id, enabled, status FROM subscriptions WHERE workspace_id = $23 AND id = $24 FOR NO KEY UPDATE) old
		WHERE s.id = old.id
		RETURNING old.enabled, old.status`,
		int64(s.OwnerID), s.Name, core.NameKey(s.Name), s.URL, jsonOrNil(s.Events), s.Format,
		s.Scope, s.Enabled, s.Status, s.Secret, s.PreviousSecret, s.PreviousSecretUntil, s.ValidationCode,
		s.ValidatedAt, s.Failures, logText(s.DisabledReason), s.LastDeliveryAt, s.LastStatusCode, logText(s.LastError),
		s.Channel, s.CreatedAt, s.UpdatedAt,
		int64(s.WorkspaceID), int64(s.ID))
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return notFound("webhook", s.ID)
	case isUnique(err):
		return subConflict(s.Name)
	case isForeignKey(err):
		return notFound("user", s.OwnerID)
	case err != nil:
		return wrap("update webhook", err)
	}
	if holdOf(wasEnabled, wasStatus) == holdOf(s.Enabled, s.Status) {
		return nil
	}
	_, err = t.exec(`UPDATE deliveries SET held = `+heldSQL("$1::boolean", "$2::text", "event_type")+`
		WHERE subscription_id = $3 AND state = 'pending'`, s.Enabled, s.Status, int64(s.ID))
	if err != nil {
		return wrap("update webhook: hold deliveries", err)
	}
	return nil
}

// DeleteSubscription removes a subscription; its deliveries and attempts go
// with it (ON DELETE CASCADE). not_found when it does not exist.
func (t *tx) DeleteSubscription(ws, id core.ID) error {
	n, err := t.affected("DELETE FROM subscriptions WHERE workspace_id = $1 AND id = $2", int64(ws), int64(id))
	switch {
	case err != nil:
		return wrap("delete webhook", err)
	case n == 0:
		return notFound("webhook", id)
	}
	return nil
}

// Subscription returns a subscription of the workspace. In an Update it
// stays locked until the transaction ends: every change of a subscription
// (an attempt's outcome, an edit) reads it first, and two processes must not
// both count the same failure streak from the same start.
func (t *tx) Subscription(ws, id core.ID) (core.Subscription, error) {
	var s core.Subscription
	err := scanSub(t.row("SELECT "+subCols+" FROM subscriptions WHERE workspace_id = $1 AND id = $2"+t.forUpdate(),
		int64(ws), int64(id)), &s)
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
		subs, err = list(t, scanSub, "SELECT "+subCols+" FROM subscriptions WHERE workspace_id = $1 AND id > $2 ORDER BY id LIMIT $3",
			int64(ws), int64(p.After), p.Limit)
	} else {
		subs, err = list(t, scanSub, "SELECT "+subCols+" FROM subscriptions WHERE workspace_id = $1 AND owner_id = $2 AND id > $3 ORDER BY id LIMIT $4",
			int64(ws), int64(owner), int64(p.After), p.Limit)
	}
	if err != nil {
		return nil, wrap("list webhooks", err)
	}
	return subs, nil
}

// CountSubscriptions counts an owner's subscriptions; with owner 0, the
// workspace's. In an Update it first locks the owner, so that the count
// stays true until the transaction ends (a per-user limit holds across
// processes).
func (t *tx) CountSubscriptions(ws, owner core.ID) (int, error) {
	var n int
	var err error
	switch {
	case owner == 0:
		err = t.row("SELECT count(*) FROM subscriptions WHERE workspace_id = $1", int64(ws)).Scan(&n)
	case t.writable:
		b := &pgx.Batch{}
		b.Queue("SELECT 1 FROM users WHERE id = $1 FOR NO KEY UPDATE", int64(owner))
		b.Queue("SELECT count(*) FROM subscriptions WHERE workspace_id = $1 AND owner_id = $2", int64(ws), int64(owner))
		br := t.tx.SendBatch(t.ctx, b)
		_, err = br.Exec()
		if err == nil {
			err = br.QueryRow().Scan(&n)
		}
		if cerr := br.Close(); err == nil {
			err = cerr
		}
		t.note(err)
	default:
		err = t.row("SELECT count(*) FROM subscriptions WHERE workspace_id = $1 AND owner_id = $2", int64(ws), int64(owner)).Scan(&n)
	}
	if err != nil {
		return 0, wrap("count webhooks", err)
	}
	return n, nil
}

// The dispatch cursor.

// dispatchCursor names the dispatcher's row in webhook_cursors.
const dispatchCursor = "dispatch"

// DispatchCursor returns the Seq of the last outbox event dispatched, 0 at
// first. In an Update it locks the cursor row until the transaction ends: a
// dispatcher of another process waits here, then reads the cursor the first
// one moved.
func (t *tx) DispatchCursor() (int64, error) {
	var seq int64
	q := "SELECT seq FROM webhook_cursors WHERE name = $1"
	if t.writable {
		q += " FOR UPDATE"
	}
	err := t.row(q, dispatchCursor).Scan(&seq)
	if errors.Is(err, pgx.ErrNoRows) && t.writable {
		// The migration made the row; it was deleted since. Make it again,
		// then lock it.
		if _, err := t.exec("INSERT INTO webhook_cursors (name, seq) VALUES ($1, 0) ON CONFLICT DO NOTHING", dispatchCursor); err != nil {
			return 0, wrap("get dispatch cursor", err)
		}
		err = t.row(q, dispatchCursor).Scan(&seq)
	}
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return 0, nil
	case err != nil:
		return 0, wrap("get dispatch cursor", err)
	}
	return seq, nil
}

// SetDispatchCursor saves the Seq of the last outbox event dispatched.
func (t *tx) SetDispatchCursor(seq int64) error {
	_, err := t.exec(`INSERT INTO webhook_cursors (name, seq) VALUES ($1, $2)
		ON CONFLICT (name) DO UPDATE SET seq = EXCLUDED.seq`, dispatchCursor, seq)
	if err != nil {
		return wrap("set dispatch cursor", err)
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

// heldSQL is the SQL expression of whether a delivery of eventType is held
// for a subscription with enabled and status (column names or parameters):
// the rule of ClaimDeliveries, which holdOf follows.
func heldSQL(enabled, status, eventType string) string {
	return "NOT (" + enabled + " AND " + status + " <> 'disabled' AND (" + status + " <> 'not_validated' OR " +
		eventType + " = 'webhook.ping'))"
}

const deliveryCols = `id, workspace_id, subscription_id, event_seq, event_id, event_type, state, attempts,
	next_attempt_at, lease_until, created_at, updated_at, delivered_at, version`

func scanDelivery(s pgx.Row, d *core.Delivery) error {
	return s.Scan(&d.ID, &d.WorkspaceID, &d.SubscriptionID, &d.EventSeq, &d.EventID, &d.EventType, &d.State, &d.Attempts,
		&d.NextAttemptAt, &d.LeaseUntil, &d.CreatedAt, &d.UpdatedAt, &d.DeliveredAt, &d.Version)
}

// CreateDelivery queues an event for a subscription and sets d.ID; when the
// pair is queued already it changes nothing and returns false. not_found
// when the subscription does not exist.
//
// The row is inserted from the subscription's (which gives its held flag), so
// that a missing subscription inserts nothing rather than breaking a foreign
// key: the dispatcher queues hundreds of deliveries in one transaction
// without a savepoint for each.
func (t *tx) CreateDelivery(d *core.Delivery) (bool, error) {
	var id core.ID
	err := t.row(`INSERT INTO deliveries (workspace_id, subscription_id, event_seq, event_id, event_type, state,
		attempts, next_attempt_at, lease_until, created_at, updated_at, delivered_at, held)
		SELECT $1::bigint, s.id, $3::bigint, $4::text, $5::text, $6::text, $7::integer, $8::timestamptz, $9::timestamptz,
			$10::timestamptz, $11::timestamptz, $12::timestamptz, `+heldSQL("s.enabled", "s.status", "$5::text")+`
		FROM subscriptions s WHERE s.id = $2::bigint
		ON CONFLICT (subscription_id, event_seq) DO NOTHING
		RETURNING id`,
		int64(d.WorkspaceID), int64(d.SubscriptionID), d.EventSeq, d.EventID, d.EventType, d.State,
		d.Attempts, d.NextAttemptAt, d.LeaseUntil, d.CreatedAt, d.UpdatedAt, d.DeliveredAt).Scan(&id)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		if err := t.exists("webhook", "SELECT 1 FROM subscriptions WHERE id = $1", d.SubscriptionID); err != nil {
			return false, err
		}
		return false, nil
	case err != nil:
		return false, wrap("create delivery", err)
	}
	d.ID = id
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
	err := scanDelivery(t.row(`INSERT INTO deliveries AS d (workspace_id, subscription_id, event_seq, event_id, event_type,
		state, attempts, next_attempt_at, lease_until, created_at, updated_at, delivered_at, held)
		SELECT $1::bigint, s.id, $3::bigint, $4::text, $5::text, $6::text, 0, $7::timestamptz, NULL, $8::timestamptz,
			$9::timestamptz, NULL, `+heldSQL("s.enabled", "s.status", "$5::text")+`
		FROM subscriptions s WHERE s.id = $2::bigint
		ON CONFLICT (subscription_id, event_seq) DO UPDATE SET
			state = EXCLUDED.state, attempts = 0, next_attempt_at = EXCLUDED.next_attempt_at, held = EXCLUDED.held,
			lease_until = CASE WHEN d.lease_until > EXCLUDED.next_attempt_at THEN d.lease_until END,
			delivered_at = NULL, updated_at = EXCLUDED.updated_at, version = d.version + 1
		RETURNING `+deliveryCols,
		int64(d.WorkspaceID), int64(d.SubscriptionID), d.EventSeq, d.EventID, d.EventType, core.DeliveryPending,
		d.NextAttemptAt, d.CreatedAt, d.UpdatedAt), d)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return notFound("webhook", d.SubscriptionID)
	case err != nil:
		return wrap("requeue delivery", err)
	}
	return nil
}

// UpdateDelivery saves a delivery's state, attempts, next attempt, lease,
// delivery time and update time; not_found when it does not exist.
func (t *tx) UpdateDelivery(d *core.Delivery) error {
	n, err := t.affected(`UPDATE deliveries SET state = $1, attempts = $2, next_attempt_at = $3, lease_until = $4,
		delivered_at = $5, updated_at = $6 WHERE id = $7`,
		d.State, d.Attempts, d.NextAttemptAt, d.LeaseUntil, d.DeliveredAt, d.UpdatedAt, int64(d.ID))
	switch {
	case err != nil:
		return wrap("update delivery", err)
	case n == 0:
		return notFound("delivery", d.ID)
	}
	return nil
}

// FinishDelivery saves an attempt's outcome over the version it claimed; see
// core.WebhookTx. Under READ COMMITTED the UPDATE rechecks the version on
// the newest row, so a replay committed meanwhile is never overwritten.
func (t *tx) FinishDelivery(d *core.Delivery) (bool, error) {
	n, err := t.affected(`UPDATE deliveries SET state = $1, attempts = $2, next_attempt_at = $3, lease_until = NULL,
		delivered_at = $4, updated_at = $5 WHERE id = $6 AND version = $7`,
		d.State, d.Attempts, d.NextAttemptAt, d.DeliveredAt, d.UpdatedAt, int64(d.ID), d.Version)
	switch {
	case err != nil:
		return false, wrap("finish delivery", err)
	case n == 1:
		return true, nil
	}
	// Moved on: drop the lease if a requeue kept it for this worker.
	if d.LeaseUntil != nil {
		if _, err := t.exec("UPDATE deliveries SET lease_until = NULL WHERE id = $1 AND lease_until = $2",
			int64(d.ID), *d.LeaseUntil); err != nil {
			return false, wrap("finish delivery", err)
		}
	}
	if err := t.exists("delivery", "SELECT 1 FROM deliveries WHERE id = $1", d.ID); err != nil {
		return false, err
	}
	return false, nil
}

// Delivery returns a delivery by id.
func (t *tx) Delivery(id core.ID) (core.Delivery, error) {
	var d core.Delivery
	err := scanDelivery(t.row("SELECT "+deliveryCols+" FROM deliveries WHERE id = $1", int64(id)), &d)
	if err != nil {
		return core.Delivery{}, lookup(err, "get delivery", fmt.Sprintf("delivery %d not found", id))
	}
	return d, nil
}

// claimQuery leases the due deliveries in one statement. The CTE walks
// deliveries_due by due time past leased rows, skipping rows another
// transaction is claiming right now (SKIP LOCKED) and, though held says so
// already, any whose subscription may not receive them; the UPDATE leases
// what it found. A row another process leased and committed meanwhile is
// rechecked when locked, and dropped since its lease now runs.
var claimQuery = `WITH due AS (
		SELECT d.id FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id
		WHERE d.state = 'pending' AND NOT d.held AND d.next_attempt_at <= $2
			AND (d.lease_until IS NULL OR d.lease_until <= $2)
			AND NOT ` + heldSQL("s.enabled", "s.status", "d.event_type") + `
		ORDER BY d.next_attempt_at, d.id
		LIMIT $3
		FOR UPDATE OF d SKIP LOCKED)
	UPDATE deliveries SET lease_until = $1, version = deliveries.version + 1 FROM due WHERE deliveries.id = due.id
	RETURNING ` + qualify("deliveries", deliveryCols)

// qualify prefixes each of a list of columns with a table name.
func qualify(table, cols string) string {
	parts := strings.Split(cols, ",")
	for i, c := range parts {
		parts[i] = table + "." + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}

// ClaimDeliveries leases up to limit pending deliveries due at now whose
// subscription may receive them (enabled and not disabled; only pings while
// not validated), skipping those whose lease runs past now and those another
// worker is claiming at this moment. They get LeaseUntil = leaseUntil and
// are returned by due time, then id. It must run in an Update.
func (t *tx) ClaimDeliveries(now, leaseUntil time.Time, limit int) ([]core.Delivery, error) {
	if limit <= 0 {
		return []core.Delivery{}, nil
	}
	ds, err := list(t, scanDelivery, claimQuery, leaseUntil, now, limit)
	if err != nil {
		return nil, wrap("claim deliveries", err)
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
	n, err := t.affected(`UPDATE deliveries SET next_attempt_at = $1,
		lease_until = CASE WHEN lease_until > $1 THEN lease_until END
		WHERE subscription_id = $2 AND workspace_id = $3 AND state = 'pending'`,
		at, int64(sub), int64(ws))
	if err != nil {
		return 0, wrap("reschedule deliveries", err)
	}
	return int(n), nil
}

// CountPendingDeliveries counts the pending deliveries of every subscription.
func (t *tx) CountPendingDeliveries() (int, error) {
	var n int
	if err := t.row("SELECT count(*) FROM deliveries WHERE state = 'pending'").Scan(&n); err != nil {
		return 0, wrap("count pending deliveries", err)
	}
	return n, nil
}

// Outbox reads of the webhook engine.

// Event returns the outbox event with that Seq; not_found when there is none.
func (t *tx) Event(seq int64) (core.Event, error) {
	var e core.Event
	if err := scanEvent(t.row("SELECT "+eventCols+" FROM outbox WHERE seq = $1", seq), &e); err != nil {
		return core.Event{}, lookup(err, "get event", fmt.Sprintf("event %d not found", seq))
	}
	return e, nil
}

// EventsBetween returns up to limit outbox events with Seq > after and a
// Timestamp in [from, to], by Seq; limit is normalized as in Events.
func (t *tx) EventsBetween(from, to time.Time, after int64, limit int) ([]core.Event, error) {
	limit = core.Page{Limit: limit}.Normalize().Limit
	evs, err := list(t, scanEvent, "SELECT "+eventCols+` FROM outbox
		WHERE timestamp >= $1 AND timestamp <= $2 AND seq > $3 ORDER BY seq LIMIT $4`,
		from, to, after, limit)
	if err != nil {
		return nil, wrap("list events between", err)
	}
	return evs, nil
}

// Attempts.

const attemptCols = `id, workspace_id, subscription_id, delivery_id, event_id, event_type, attempt, at, status_code,
	latency_ms, error_class, error, response`

func scanAttempt(s pgx.Row, a *core.Attempt) error {
	return s.Scan(&a.ID, &a.WorkspaceID, &a.SubscriptionID, &a.DeliveryID, &a.EventID, &a.EventType, &a.Attempt, &a.At,
		&a.StatusCode, &a.LatencyMillis, &a.ErrorClass, &a.Error, &a.Response)
}

// logText is how text from outside (a receiver's response, an error that
// quotes one) is kept in the delivery log: PostgreSQL's text holds neither
// NUL nor invalid UTF-8 (a response cut at 4 KiB may end inside a
// character), which become U+FFFD rather than fail the recording of an
// attempt, and with it the delivery.
func logText(s string) string {
	if strings.IndexByte(s, 0) < 0 && utf8.ValidString(s) {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}

// AddAttempt records an attempt and sets its ID; not_found when its
// subscription does not exist. Like CreateDelivery, it inserts from the
// subscription's row rather than break a foreign key. Its error and response
// are kept as logText.
func (t *tx) AddAttempt(a *core.Attempt) error {
	var id core.ID
	err := t.row(`INSERT INTO delivery_attempts (workspace_id, subscription_id, delivery_id, event_id, event_type,
		attempt, at, status_code, latency_ms, error_class, error, response)
		SELECT $1::bigint, s.id, $3::bigint, $4::text, $5::text, $6::integer, $7::timestamptz, $8::integer, $9::bigint,
			$10::text, $11::text, $12::text
		FROM subscriptions s WHERE s.id = $2::bigint
		RETURNING id`,
		int64(a.WorkspaceID), int64(a.SubscriptionID), int64(a.DeliveryID), a.EventID, a.EventType,
		a.Attempt, a.At, a.StatusCode, a.LatencyMillis, a.ErrorClass, logText(a.Error), logText(a.Response)).Scan(&id)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return notFound("webhook", a.SubscriptionID)
	case err != nil:
		return wrap("add attempt", err)
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
		WHERE subscription_id = $1 AND workspace_id = $2 AND id < $3 ORDER BY id DESC LIMIT $4`,
		int64(sub), int64(ws), before, p.Limit)
	if err != nil {
		return nil, wrap("list attempts", err)
	}
	return as, nil
}
