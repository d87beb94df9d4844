package core

import (
	"encoding/json"
	"time"
)

// Subscription formats.
const (
	FormatStandard   = "standard"
	FormatToggl      = "toggl"
	FormatSlack      = "slack"
	FormatMattermost = "mattermost"
)

// Subscription statuses.
const (
	SubNotValidated = "not_validated"
	SubActive       = "active"
	SubPending      = "pending"
	SubDisabled     = "disabled"
)

// Subscription scopes.
const (
	ScopeWorkspace = "workspace"
	ScopeUser      = "user"
)

// Subscription is an outgoing webhook: where to POST which events, signed
// with which secret, in which format. Package webhooks holds its rules.
type Subscription struct {
	ID          ID              `json:"id"`
	WorkspaceID ID              `json:"workspace_id"`
	OwnerID     ID              `json:"owner"`
	Name        string          `json:"name"`
	URL         string          `json:"url"`
	Events      json.RawMessage `json:"events"`
	Format      string          `json:"format"`
	Scope       string          `json:"scope"`
	Enabled     bool            `json:"enabled"`
	Status      string          `json:"status"`
	// Secret signs deliveries. PreviousSecret signs beside it until
	// PreviousSecretUntil, after a rotation.
	Secret              string     `json:"-"`
	PreviousSecret      string     `json:"-"`
	PreviousSecretUntil *time.Time `json:"-"`
	ValidationCode      string     `json:"-"`
	ValidatedAt         *time.Time `json:"validated_at"`
	// Failures counts consecutive failed attempts; a success resets it.
	Failures       int        `json:"-"`
	DisabledReason string     `json:"disabled_reason,omitempty"`
	LastDeliveryAt *time.Time `json:"-"`
	LastStatusCode int        `json:"-"`
	LastError      string     `json:"-"`
	// Channel identifies the chat channel that subscribed itself with
	// `notify` ("slack:TEAM:CHANNEL"), empty otherwise.
	Channel   string    `json:"channel,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Secrets returns the secrets that sign a delivery at now, newest first.
func (s Subscription) Secrets(now time.Time) []string {
	if s.PreviousSecret != "" && s.PreviousSecretUntil != nil && now.Before(*s.PreviousSecretUntil) {
		return []string{s.Secret, s.PreviousSecret}
	}
	return []string{s.Secret}
}

// Delivery states.
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	DeliveryFailed    = "failed" // every attempt of the schedule failed
)

// Delivery is one event on its way to one subscription. Its webhook-id is
// the event id, on every attempt, resend and replay.
type Delivery struct {
	ID             ID
	WorkspaceID    ID
	SubscriptionID ID
	EventSeq       int64
	EventID        string
	EventType      string
	State          string
	// Attempts counts the attempts made so far.
	Attempts      int
	NextAttemptAt time.Time
	// LeaseUntil is set while a worker holds the delivery; a lease that
	// has run out may be claimed again by anyone.
	LeaseUntil  *time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
	DeliveredAt *time.Time
	// Version goes up with every claim and requeue: FinishDelivery saves
	// an attempt's outcome only over the version the worker claimed.
	Version int64
}

// Attempt is one HTTP request of a delivery, as the delivery log shows it.
type Attempt struct {
	ID             ID        `json:"id"`
	WorkspaceID    ID        `json:"-"`
	SubscriptionID ID        `json:"subscription_id"`
	DeliveryID     ID        `json:"delivery_id"`
	EventID        string    `json:"event_id"`
	EventType      string    `json:"event_type"`
	Attempt        int       `json:"attempt"`
	At             time.Time `json:"at"`
	StatusCode     int       `json:"status_code"`
	LatencyMillis  int64     `json:"latency_ms"`
	// ErrorClass is "" on success, else one of "timeout", "connection",
	// "refused_target", "http_status", "redirect", "validation".
	ErrorClass string `json:"error_class"`
	Error      string `json:"error"`
	// Response is the first 4 KiB of the response body.
	Response string `json:"response"`
}

// WebhookTx is the part of Tx that keeps subscriptions and their delivery
// queue.
type WebhookTx interface {
	// CreateSubscription adds a subscription; conflict when its name is
	// taken in the workspace (case-insensitively).
	CreateSubscription(s *Subscription) error
	// UpdateSubscription saves every field of s.
	UpdateSubscription(s *Subscription) error
	// DeleteSubscription removes a subscription with its deliveries and
	// attempts.
	DeleteSubscription(ws, id ID) error
	// PruneSubscriptionAttempts deletes up to limit of a subscription's
	// attempts at deliveries that are not pending, and
	// PruneSubscriptionDeliveries up to limit of its deliveries that are
	// not pending; each returns how many it deleted. Before
	// DeleteSubscription, they keep the transactions that delete a busy
	// subscription's history small.
	PruneSubscriptionAttempts(ws, id ID, limit int) (int, error)
	PruneSubscriptionDeliveries(ws, id ID, limit int) (int, error)
	// Subscription reads a subscription; in an Update on PostgreSQL it
	// locks the row (FOR NO KEY UPDATE) until the transaction ends, for a
	// read that leads to a write of it.
	Subscription(ws, id ID) (Subscription, error)
	// PeekSubscription is Subscription without the lock: for a decision
	// that leaves the row alone, or that reads it again with Subscription
	// before it writes it. Every worker recording an outcome locked the
	// same row, one after another, though most outcomes change nothing.
	PeekSubscription(ws, id ID) (Subscription, error)
	// ListSubscriptions lists a workspace's subscriptions by id; with owner
	// set, that user's only.
	ListSubscriptions(ws, owner ID, p Page) ([]Subscription, error)
	// ListChannelSubscriptions lists a workspace's subscriptions of one
	// chat channel (Channel == channel), all of them, by id; none when
	// channel is empty (the subscriptions of no channel).
	ListChannelSubscriptions(ws ID, channel string) ([]Subscription, error)
	// CountSubscriptions counts an owner's subscriptions.
	CountSubscriptions(ws, owner ID) (int, error)

	// DispatchCursor returns the Seq of the last outbox event the
	// dispatcher handled (0 at first). On a store shared by several
	// processes it also locks the cursor until the transaction ends, so that
	// one dispatcher at a time advances it.
	DispatchCursor() (int64, error)
	SetDispatchCursor(seq int64) error

	// CreateDelivery queues an event for a subscription; when that pair is
	// queued already, it changes nothing and returns false.
	CreateDelivery(d *Delivery) (bool, error)
	// RequeueDelivery makes the delivery of an event to a subscription
	// pending again, due at `at`, creating it when missing (replay).
	RequeueDelivery(d *Delivery) error
	UpdateDelivery(d *Delivery) error
	// FinishDelivery saves the outcome of an attempt at a delivery a worker
	// claimed (d as claimed, with its new state, attempts, next attempt and
	// delivery and update times; the lease is cleared) and reports true,
	// when the stored delivery still has d.Version. When it has moved on (a
	// replay requeued it, or the lease ran out and another worker claimed
	// it) FinishDelivery changes nothing but the lease the worker held,
	// which it drops, and reports false. not_found when it is gone.
	FinishDelivery(d *Delivery) (bool, error)
	Delivery(id ID) (Delivery, error)
	// ClaimDeliveries leases up to limit pending deliveries due at now whose
	// subscription may receive them: enabled and not disabled; while a
	// subscription is not validated, only its webhook.ping deliveries. A
	// delivery leased to another worker is skipped until its lease runs out.
	// Claimed deliveries get LeaseUntil = leaseUntil.
	ClaimDeliveries(now, leaseUntil time.Time, limit int) ([]Delivery, error)
	// RescheduleDeliveries makes a subscription's pending deliveries due at
	// `at` (on enable or validation), returning how many.
	RescheduleDeliveries(ws, sub ID, at time.Time) (int, error)
	// CountPendingDeliveries counts pending deliveries (the queue depth).
	CountPendingDeliveries() (int, error)

	// Event returns the outbox event with that Seq.
	Event(seq int64) (Event, error)
	// EventsBetween returns outbox events with Seq > after and a Timestamp
	// in [from, to], in order, at most limit.
	EventsBetween(from, to time.Time, after int64, limit int) ([]Event, error)

	AddAttempt(a *Attempt) error
	// ListAttempts lists a subscription's attempts, newest first: with
	// p.After set, those older than that id.
	ListAttempts(ws, sub ID, p Page) ([]Attempt, error)
	// LastAttempts returns, in one read, the newest attempt of each of the
	// subscriptions subs that has one in the workspace, by subscription id:
	// for each, what ListAttempts(ws, sub, Page{Limit: 1}) returns first.
	// Subscriptions without one, or of another workspace, are left out.
	LastAttempts(ws ID, subs []ID) (map[ID]Attempt, error)
}
