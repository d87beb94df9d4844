package webhooks

import (
	"encoding/json"
	"time"

	"github.com/chatops/gateway/core"
)

// Input is a subscription as a client gives it (create and replace).
type Input struct {
	Name    string          `json:"name"`
	URL     string          `json:"url"`
	Events  json.RawMessage `json:"events"`
	Secret  string          `json:"secret"`
	Format  string          `json:"format"`
	Scope   string          `json:"scope"`
	Enabled *bool           `json:"enabled"`
	// Channel marks a chat channel's own subscription (notify).
	Channel string `json:"-"`
	// Validated skips validation (the WebWork API has none).
	Validated bool `json:"-"`
}

// Patch changes some fields of a subscription.
type Patch struct {
	Name    *string         `json:"name"`
	URL     *string         `json:"url"`
	Events  json.RawMessage `json:"events"`
	Secret  *string         `json:"secret"`
	Format  *string         `json:"format"`
	Scope   *string         `json:"scope"`
	Enabled *bool           `json:"enabled"`
	// Validated keeps a new URL valid without a ping (the WebWork API has
	// no validation).
	Validated bool `json:"-"`
}

// View is a subscription as the API shows it to its owner or an admin.
type View struct {
	ID     core.ID         `json:"id"`
	Name   string          `json:"name"`
	URL    string          `json:"url"`
	Events json.RawMessage `json:"events"`
	// Secret is always set in what the API answers; events about a
	// subscription leave it out (publicView).
	Secret         string        `json:"secret,omitempty"`
	Format         string        `json:"format"`
	Enabled        bool          `json:"enabled"`
	Status         string        `json:"status"`
	Scope          string        `json:"scope"`
	Owner          core.ID       `json:"owner"`
	Channel        string        `json:"channel,omitempty"`
	DisabledReason string        `json:"disabled_reason,omitempty"`
	CreatedAt      time.Time     `json:"created_at"`
	UpdatedAt      time.Time     `json:"updated_at"`
	ValidatedAt    *time.Time    `json:"validated_at"`
	LastDelivery   *LastDelivery `json:"last_delivery"`
}

// LastDelivery is the outcome of a subscription's newest attempt.
type LastDelivery struct {
	At         time.Time `json:"at"`
	StatusCode int       `json:"status_code"`
	Error      string    `json:"error"`
}

// ViewOf returns the API view of a subscription.
func ViewOf(sub core.Subscription) View {
	v := View{ID: sub.ID, Name: sub.Name, URL: sub.URL, Events: sub.Events, Secret: sub.Secret, Format: sub.Format,
		Enabled: sub.Enabled, Status: sub.Status, Scope: sub.Scope, Owner: sub.OwnerID, Channel: sub.Channel,
		DisabledReason: sub.DisabledReason, CreatedAt: sub.CreatedAt, UpdatedAt: sub.UpdatedAt, ValidatedAt: sub.ValidatedAt}
	if sub.LastDeliveryAt != nil {
		v.LastDelivery = &LastDelivery{At: *sub.LastDeliveryAt, StatusCode: sub.LastStatusCode, Error: sub.LastError}
	}
	return v
}

// publicView is what events about a subscription carry (data.webhook): the
// view without its secret, which is left out rather than sent empty.
func publicView(sub core.Subscription) View {
	v := ViewOf(sub)
	v.Secret = ""
	return v
}
