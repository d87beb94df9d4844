package webhooks

import (
	"encoding/json"
	"time"

	"github.com/chatops/gateway/core"
)

// A subscription's status changes in a transaction, and every change its
// owner hears about is a webhook.* event written to the outbox in the same
// transaction.

// actorGateway is the actor of events the gateway itself causes.
var actorGateway = core.Actor{User: core.User{Name: "gateway"}, Source: "webhooks"}

// Alert is a change in a subscription's health that a failed delivery
// caused: webhook.failing (it turned pending) or webhook.disabled.
type Alert struct {
	// Type is core.EventWebhookFailing or core.EventWebhookDisabled.
	Type string
	// Reason says why: the attempt's error, or why it was disabled.
	Reason string
	// NextAttemptAt is when the failing delivery is tried again.
	NextAttemptAt time.Time
}

// Alert writes the event of an alert about sub, whose status already shows
// it (MarkDisabled, pending), in tx.
func (s *Service) Alert(tx core.Tx, sub core.Subscription, a Alert) error {
	if a.Type == core.EventWebhookFailing {
		s.opts.Logger.Warn("webhook failing", "webhook_id", sub.ID, "error", sub.LastError)
		return s.appendEvent(tx, actorGateway, core.EventWebhookFailing, sub, map[string]any{
			"reason": a.Reason, "last_error": sub.LastError, "status_code": sub.LastStatusCode, "next_attempt_at": a.NextAttemptAt})
	}
	return s.disabled(tx, actorGateway, sub, a.Reason)
}

// MarkDisabled turns sub off with a reason; what is queued for it waits.
func MarkDisabled(sub *core.Subscription, reason string) {
	sub.Enabled, sub.Status, sub.DisabledReason = false, core.SubDisabled, reason
}

// disable turns sub off and tells its owner.
func (s *Service) disable(tx core.Tx, actor core.Actor, sub *core.Subscription, reason string) error {
	MarkDisabled(sub, reason)
	return s.disabled(tx, actor, *sub, reason)
}

// disabled logs and writes the webhook.disabled event of sub.
func (s *Service) disabled(tx core.Tx, actor core.Actor, sub core.Subscription, reason string) error {
	s.opts.Logger.Warn("webhook disabled", "webhook_id", sub.ID, "reason", reason)
	return s.appendEvent(tx, actor, core.EventWebhookDisabled, sub, map[string]any{
		"reason": reason, "last_error": sub.LastError,
		"how_to_enable": "POST /api/v1/webhooks/" + sub.ID.String() + "/enable",
	})
}

// enable turns sub on: what was queued while it was off goes out.
func (s *Service) enable(tx core.Tx, actor core.Actor, sub *core.Subscription) error {
	sub.Enabled, sub.Failures, sub.DisabledReason = true, 0, ""
	sub.Status = core.SubActive
	if sub.ValidatedAt == nil && needsValidation(sub.Format) {
		sub.Status = core.SubNotValidated
	}
	if _, err := tx.RescheduleDeliveries(sub.WorkspaceID, sub.ID, s.now()); err != nil {
		return err
	}
	s.opts.Logger.Info("webhook enabled", "webhook_id", sub.ID, "by", actor.User.ID)
	return s.appendEvent(tx, actor, core.EventWebhookEnabled, *sub, map[string]any{})
}

// MarkValidated marks sub validated, releases what it kept and saves it,
// in tx: when its receiver echoed the validation code (package delivery)
// or fetched validation_code_url (Validate). An already validated sub is
// left as it is.
func (s *Service) MarkValidated(tx core.Tx, sub *core.Subscription) error {
	if sub.ValidatedAt != nil {
		return nil
	}
	now := s.now()
	sub.ValidatedAt, sub.UpdatedAt = &now, now
	if sub.Status == core.SubNotValidated {
		sub.Status = core.SubActive
	}
	if _, err := tx.RescheduleDeliveries(sub.WorkspaceID, sub.ID, now); err != nil {
		return err
	}
	s.opts.Logger.Info("webhook validated", "webhook_id", sub.ID)
	return tx.UpdateSubscription(sub)
}

// appendEvent writes a webhook event to the outbox in tx.
func (s *Service) appendEvent(tx core.Tx, actor core.Actor, typ string, sub core.Subscription, data map[string]any) error {
	data["webhook"] = publicView(sub)
	b, err := json.Marshal(data)
	if err != nil {
		return err
	}
	return tx.AppendEvent(&core.Event{
		ID: s.opts.NewEventID(), Type: typ, Timestamp: s.now(), WorkspaceID: sub.WorkspaceID,
		Actor: core.EventActor{ID: actor.User.ID, Name: actor.User.Name, Source: actor.Source},
		Data:  b, UserID: sub.OwnerID,
	})
}
