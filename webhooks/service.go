package webhooks

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/chatops/gateway/core"
)

// Options configure the webhooks Service. The zero value is useful.
type Options struct {
	// Now returns the current time.
	Now func() time.Time
	// Logger receives delivery and state-change lines; secrets never.
	Logger *slog.Logger
	// PublicURL is the base of validation URLs (GATEWAY_PUBLIC_URL).
	PublicURL string
	// AllowPrivateTargets lets deliveries reach loopback and private
	// addresses (GATEWAY_ALLOW_PRIVATE_TARGETS).
	AllowPrivateTargets bool
	// RetrySchedule is the delay before each attempt (GATEWAY_RETRY_SCHEDULE).
	RetrySchedule []time.Duration
	// DisableAfter consecutive failed attempts disable a subscription.
	DisableAfter int
	// Timeout bounds one attempt (GATEWAY_DELIVERY_TIMEOUT).
	Timeout time.Duration
	// MaxPerUser limits subscriptions per owner (GATEWAY_MAX_WEBHOOKS_PER_USER).
	MaxPerUser int
	// Workers is how many deliveries are in flight at once. Default 64.
	Workers int
	// BatchSize is how many deliveries one claim takes. Default 100.
	BatchSize int
	// Lease is how long a claimed delivery stays with its worker before
	// anyone may claim it again. Default Timeout + 5s.
	Lease time.Duration
	// PollInterval is how often an idle engine looks for work it was not
	// told about (other processes, due retries). Default 250ms.
	PollInterval time.Duration
	// Renderers adds body formats (slack, mattermost) beside standard and
	// toggl.
	Renderers map[string]Renderer
	// Senders deliver to targets that are not http(s) URLs, keyed by the
	// target's scheme: "slack" sends "slack:CHANNEL_ID" targets. A target
	// whose scheme has no sender is refused when a subscription is made.
	Senders map[string]Sender
	// Client sends deliveries. Default NewHTTPClient(Timeout, AllowPrivateTargets).
	Client *http.Client
	// Version goes into the User-Agent header.
	Version string
	// Store is what the engine reads and writes; default the core service's
	// store. Give the inner store when the core service's is a NotifyStore,
	// so that the engine's own writes do not wake it.
	Store core.Store
}

// Service holds the rules of subscriptions and runs their delivery.
type Service struct {
	core         *core.Service
	store        core.Store
	opts         Options
	renderers    map[string]Renderer
	metrics      *Metrics
	wakeDispatch chan struct{}
	wakeClaim    chan struct{}
}

// New returns a Service on the core service's store.
func New(svc *core.Service, opts Options) *Service {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if len(opts.RetrySchedule) == 0 {
		opts.RetrySchedule = DefaultRetrySchedule
	}
	if opts.DisableAfter <= 0 {
		opts.DisableAfter = 3
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 15 * time.Second
	}
	if opts.MaxPerUser <= 0 {
		opts.MaxPerUser = 5
	}
	if opts.Workers <= 0 {
		opts.Workers = 64
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 100
	}
	if opts.Lease <= 0 {
		opts.Lease = opts.Timeout + 5*time.Second
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = 250 * time.Millisecond
	}
	if opts.Client == nil {
		opts.Client = NewHTTPClient(opts.Timeout, opts.AllowPrivateTargets)
	}
	if opts.PublicURL == "" {
		opts.PublicURL = "http://localhost:8080"
	}
	r := map[string]Renderer{core.FormatStandard: RenderStandard, core.FormatToggl: RenderToggl}
	for k, v := range opts.Renderers {
		r[k] = v
	}
	if opts.Store == nil {
		opts.Store = svc.Store()
	}
	s := &Service{core: svc, store: opts.Store, opts: opts, renderers: r, wakeDispatch: make(chan struct{}, 1), wakeClaim: make(chan struct{}, 1)}
	s.metrics = newMetrics(s)
	return s
}

func (s *Service) now() time.Time { return s.opts.Now().UTC().Truncate(time.Microsecond) }

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
	ID             core.ID         `json:"id"`
	Name           string          `json:"name"`
	URL            string          `json:"url"`
	Events         json.RawMessage `json:"events"`
	Secret         string          `json:"secret"`
	Format         string          `json:"format"`
	Enabled        bool            `json:"enabled"`
	Status         string          `json:"status"`
	Scope          string          `json:"scope"`
	Owner          core.ID         `json:"owner"`
	Channel        string          `json:"channel,omitempty"`
	DisabledReason string          `json:"disabled_reason,omitempty"`
	CreatedAt      time.Time       `json:"created_at"`
	UpdatedAt      time.Time       `json:"updated_at"`
	ValidatedAt    *time.Time      `json:"validated_at"`
	LastDelivery   *LastDelivery   `json:"last_delivery"`
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

// publicView is what events about a subscription carry: no secret.
func publicView(sub core.Subscription) View {
	v := ViewOf(sub)
	v.Secret = ""
	return v
}

// needsValidation reports whether a format is validated by a ping.
func needsValidation(format string) bool {
	return format != core.FormatSlack && format != core.FormatMattermost
}

// check validates and normalises a subscription's fields, without DNS.
func (s *Service) check(sub *core.Subscription) error {
	sub.Name = strings.Join(strings.Fields(sub.Name), " ")
	if len(sub.Name) > 200 {
		return core.Errorf(core.EINVALID, "name is longer than 200 characters")
	}
	if sub.Format == "" {
		sub.Format = core.FormatStandard
	}
	if _, ok := s.renderers[sub.Format]; !ok {
		return core.Errorf(core.EINVALID, "format %q is not one of %s", sub.Format, strings.Join(s.Formats(), ", "))
	}
	if sub.Scope == "" {
		sub.Scope = core.ScopeWorkspace
	}
	if sub.Scope != core.ScopeWorkspace && sub.Scope != core.ScopeUser {
		return core.Errorf(core.EINVALID, "scope must be workspace or user, not %q", sub.Scope)
	}
	if _, err := ParseFilters(sub.Events); err != nil {
		return err
	}
	if sub.Secret == "" {
		sub.Secret = NewSecret()
	} else if err := ValidateSecret(sub.Secret); err != nil {
		return core.Errorf(core.EINVALID, "secret: %v", err)
	}
	return nil
}

// Formats lists the body formats subscriptions may use.
func (s *Service) Formats() []string {
	out := []string{core.FormatStandard, core.FormatToggl}
	for _, f := range []string{core.FormatSlack, core.FormatMattermost} {
		if _, ok := s.renderers[f]; ok {
			out = append(out, f)
		}
	}
	return out
}

// checkURL validates a target: an http(s) URL that is not private, or, for
// the slack format, "slack:CHANNEL_ID".
func (s *Service) checkURL(ctx context.Context, sub *core.Subscription) error {
	if strings.HasPrefix(sub.URL, "slack:") {
		if sub.Format != core.FormatSlack || len(sub.URL) < 7 {
			return core.Errorf(core.EINVALID, "a slack:CHANNEL_ID target needs the slack format and a channel id")
		}
		if s.opts.Senders["slack"] == nil {
			return core.Errorf(core.EINVALID, "a slack:CHANNEL_ID target needs a Slack bot token (GATEWAY_SLACK_BOT_TOKEN); give the channel's incoming-webhook URL instead")
		}
		return nil
	}
	return CheckURL(ctx, sub.URL, s.opts.AllowPrivateTargets)
}

// defaultName names a subscription after its URL's host.
func defaultName(rawURL string) string {
	host := rawURL
	if u, err := url.Parse(rawURL); err == nil && u.Host != "" {
		host = u.Host
	}
	if len(host) > 100 {
		host = host[:100]
	}
	var b [3]byte
	_, _ = rand.Read(b[:])
	return host + " " + hex.EncodeToString(b[:])
}

func newValidationCode() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// validationURL is where a subscriber validates asynchronously.
func (s *Service) validationURL(sub core.Subscription) string {
	return strings.TrimRight(s.opts.PublicURL, "/") + "/api/v1/webhooks/" + sub.ID.String() + "/validate/" + sub.ValidationCode
}

// appendEvent writes a webhook event to the outbox in tx.
func (s *Service) appendEvent(tx core.Tx, actor core.Actor, typ string, sub core.Subscription, data map[string]any) error {
	data["webhook"] = publicView(sub)
	b, err := json.Marshal(data)
	if err != nil {
		return err
	}
	return tx.AppendEvent(&core.Event{
		ID: core.NewEventID(), Type: typ, Timestamp: s.now(), WorkspaceID: sub.WorkspaceID,
		Actor: core.EventActor{ID: actor.User.ID, Name: actor.User.Name, Source: actor.Source},
		Data:  b, UserID: sub.OwnerID,
	})
}

// ping queues a webhook.ping to the subscription itself.
func (s *Service) ping(tx core.Tx, actor core.Actor, sub core.Subscription) error {
	data := map[string]any{"subscription_id": sub.ID}
	if sub.ValidatedAt == nil && needsValidation(sub.Format) {
		data["validation_code"] = sub.ValidationCode
		data["validation_code_url"] = s.validationURL(sub)
	}
	return s.appendEvent(tx, actor, core.EventWebhookPing, sub, data)
}

// Create adds a subscription owned by the actor. It answers limit when the
// owner has MaxPerUser subscriptions, invalid for a bad URL, event, format
// or secret, conflict for a taken name. A subscription that needs
// validation starts not_validated and gets a ping at once.
func (s *Service) Create(ctx context.Context, actor core.Actor, in Input) (core.Subscription, error) {
	ws, err := s.core.Workspace(ctx)
	if err != nil {
		return core.Subscription{}, err
	}
	now := s.now()
	sub := core.Subscription{WorkspaceID: ws.ID, OwnerID: actor.User.ID, Name: in.Name, URL: strings.TrimSpace(in.URL),
		Events: in.Events, Format: in.Format, Scope: in.Scope, Enabled: in.Enabled == nil || *in.Enabled,
		Secret: in.Secret, Channel: in.Channel, CreatedAt: now, UpdatedAt: now, ValidationCode: newValidationCode()}
	if sub.Name == "" {
		sub.Name = defaultName(sub.URL)
	}
	if err := s.check(&sub); err != nil {
		return core.Subscription{}, err
	}
	if err := s.checkURL(ctx, &sub); err != nil {
		return core.Subscription{}, err
	}
	sub.Status = core.SubNotValidated
	if in.Validated || !needsValidation(sub.Format) {
		sub.Status, sub.ValidatedAt = core.SubActive, &now
	}
	if !sub.Enabled {
		sub.Status, sub.DisabledReason = core.SubDisabled, "created disabled"
	}
	err = s.store.Update(ctx, func(tx core.Tx) error {
		n, err := tx.CountSubscriptions(ws.ID, actor.User.ID)
		if err != nil {
			return err
		}
		if n >= s.opts.MaxPerUser {
			return core.Errorf(core.ELIMIT, "%s already has %d webhooks, the most one user may have", actor.User.Name, n)
		}
		if err := tx.CreateSubscription(&sub); err != nil {
			return err
		}
		if sub.Status == core.SubNotValidated {
			return s.ping(tx, actor, sub)
		}
		return nil
	})
	if err != nil {
		return core.Subscription{}, err
	}
	s.Wake()
	s.opts.Logger.Info("webhook created", "webhook_id", sub.ID, "owner", actor.User.ID, "format", sub.Format, "status", sub.Status)
	return sub, nil
}

// visibleSub loads a subscription the actor may see: admins see every one,
// members their own; others are not found.
func visibleSub(tx core.Tx, ws core.ID, actor core.Actor, id core.ID) (core.Subscription, error) {
	sub, err := tx.Subscription(ws, id)
	if err == nil && actor.User.Role != core.RoleAdmin && sub.OwnerID != actor.User.ID {
		err = core.Errorf(core.ENOTFOUND, "webhook %d not found", id)
	}
	return sub, err
}

// Get returns a subscription the actor may see.
func (s *Service) Get(ctx context.Context, actor core.Actor, id core.ID) (core.Subscription, error) {
	ws, err := s.core.Workspace(ctx)
	if err != nil {
		return core.Subscription{}, err
	}
	var sub core.Subscription
	err = s.store.View(ctx, func(tx core.Tx) error {
		if sub, err = visibleSub(tx, ws.ID, actor, id); err != nil {
			return err
		}
		return withLastDelivery(tx, &sub)
	})
	return sub, err
}

// withLastDelivery sets a subscription's last delivery from its newest
// attempt in the log.
func withLastDelivery(tx core.Tx, sub *core.Subscription) error {
	last, err := tx.ListAttempts(sub.WorkspaceID, sub.ID, core.Page{Limit: 1})
	if err != nil || len(last) == 0 {
		return err
	}
	at := last[0].At
	sub.LastDeliveryAt, sub.LastStatusCode, sub.LastError = &at, last[0].StatusCode, last[0].Error
	return nil
}

// List returns the subscriptions the actor may see, a page at a time, and
// the cursor of the next page (0 on the last).
func (s *Service) List(ctx context.Context, actor core.Actor, p core.Page) ([]core.Subscription, core.ID, error) {
	ws, err := s.core.Workspace(ctx)
	if err != nil {
		return nil, 0, err
	}
	var owner core.ID
	if actor.User.Role != core.RoleAdmin {
		owner = actor.User.ID
	}
	var subs []core.Subscription
	var next core.ID
	err = s.store.View(ctx, func(tx core.Tx) error {
		subs, next, err = core.Paged(p, func(s core.Subscription) core.ID { return s.ID },
			func(p core.Page) ([]core.Subscription, error) { return tx.ListSubscriptions(ws.ID, owner, p) })
		if err != nil {
			return err
		}
		for i := range subs {
			if err := withLastDelivery(tx, &subs[i]); err != nil {
				return err
			}
		}
		return nil
	})
	return subs, next, err
}

// change loads a visible subscription, lets fn change it, checks and saves
// it, in one transaction.
func (s *Service) change(ctx context.Context, actor core.Actor, id core.ID, fn func(tx core.Tx, sub *core.Subscription) error) (core.Subscription, error) {
	ws, err := s.core.Workspace(ctx)
	if err != nil {
		return core.Subscription{}, err
	}
	var sub core.Subscription
	err = s.store.Update(ctx, func(tx core.Tx) error {
		if sub, err = visibleSub(tx, ws.ID, actor, id); err != nil {
			return err
		}
		if err := fn(tx, &sub); err != nil {
			return err
		}
		sub.UpdatedAt = s.now()
		if err := tx.UpdateSubscription(&sub); err != nil {
			return err
		}
		return withLastDelivery(tx, &sub)
	})
	if err == nil {
		s.Wake()
	}
	return sub, err
}

// Replace sets every field of a subscription (PUT). An empty secret keeps
// the current one. A new URL must be validated again.
func (s *Service) Replace(ctx context.Context, actor core.Actor, id core.ID, in Input) (core.Subscription, error) {
	p := Patch{Name: &in.Name, URL: &in.URL, Events: in.Events, Format: &in.Format, Scope: &in.Scope, Enabled: in.Enabled}
	if in.Secret != "" {
		p.Secret = &in.Secret
	}
	if in.Enabled == nil {
		t := true
		p.Enabled = &t
	}
	if len(in.Events) == 0 {
		return core.Subscription{}, core.Errorf(core.EINVALID, "events is required")
	}
	return s.Update(ctx, actor, id, p)
}

// Update changes the given fields of a subscription (PATCH).
func (s *Service) Update(ctx context.Context, actor core.Actor, id core.ID, p Patch) (core.Subscription, error) {
	if p.URL != nil {
		probe := core.Subscription{URL: strings.TrimSpace(*p.URL), Format: core.FormatStandard}
		if p.Format != nil {
			probe.Format = *p.Format
		}
		if err := s.checkURL(ctx, &probe); err != nil && !strings.HasPrefix(probe.URL, "slack:") {
			return core.Subscription{}, err
		}
	}
	return s.change(ctx, actor, id, func(tx core.Tx, sub *core.Subscription) error {
		urlChanged := false
		if p.Name != nil {
			sub.Name = *p.Name
			if strings.TrimSpace(sub.Name) == "" {
				sub.Name = defaultName(sub.URL)
			}
		}
		if p.URL != nil && strings.TrimSpace(*p.URL) != sub.URL {
			sub.URL, urlChanged = strings.TrimSpace(*p.URL), true
		}
		if len(p.Events) > 0 && string(p.Events) != "null" {
			sub.Events = p.Events
		}
		if p.Secret != nil {
			sub.Secret = *p.Secret
		}
		if p.Format != nil {
			sub.Format = *p.Format
		}
		if p.Scope != nil {
			sub.Scope = *p.Scope
		}
		if err := s.check(sub); err != nil {
			return err
		}
		// An http(s) URL was checked, DNS included, before the transaction;
		// here only what needs no network, so the store is not held up.
		if strings.HasPrefix(sub.URL, "slack:") {
			if err := s.checkURL(ctx, sub); err != nil {
				return err
			}
		}
		if urlChanged && needsValidation(sub.Format) && !p.Validated {
			sub.ValidatedAt, sub.ValidationCode = nil, newValidationCode()
			if sub.Status != core.SubDisabled {
				sub.Status = core.SubNotValidated
			}
			if err := s.ping(tx, actor, *sub); err != nil {
				return err
			}
		}
		if p.Enabled != nil && *p.Enabled != sub.Enabled {
			if *p.Enabled {
				return s.enable(tx, actor, sub)
			}
			return s.disable(tx, actor, sub, "disabled by "+actor.User.Name)
		}
		return nil
	})
}

// Delete removes a subscription with its queue and log.
func (s *Service) Delete(ctx context.Context, actor core.Actor, id core.ID) error {
	ws, err := s.core.Workspace(ctx)
	if err != nil {
		return err
	}
	return s.store.Update(ctx, func(tx core.Tx) error {
		if _, err := visibleSub(tx, ws.ID, actor, id); err != nil {
			return err
		}
		return tx.DeleteSubscription(ws.ID, id)
	})
}

// Test queues a webhook.ping to the subscription now.
func (s *Service) Test(ctx context.Context, actor core.Actor, id core.ID) (core.Subscription, error) {
	return s.change(ctx, actor, id, func(tx core.Tx, sub *core.Subscription) error {
		return s.ping(tx, actor, *sub)
	})
}

// Enable turns a subscription on: what was queued while it was off goes out.
func (s *Service) Enable(ctx context.Context, actor core.Actor, id core.ID) (core.Subscription, error) {
	return s.change(ctx, actor, id, func(tx core.Tx, sub *core.Subscription) error {
		if sub.Enabled && sub.Status != core.SubDisabled {
			return nil
		}
		return s.enable(tx, actor, sub)
	})
}

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

// Disable turns a subscription off; its events stay queued.
func (s *Service) Disable(ctx context.Context, actor core.Actor, id core.ID) (core.Subscription, error) {
	return s.change(ctx, actor, id, func(tx core.Tx, sub *core.Subscription) error {
		if sub.Status == core.SubDisabled {
			return nil
		}
		return s.disable(tx, actor, sub, "disabled by "+actor.User.Name)
	})
}

func (s *Service) disable(tx core.Tx, actor core.Actor, sub *core.Subscription, reason string) error {
	sub.Enabled, sub.Status, sub.DisabledReason = false, core.SubDisabled, reason
	s.opts.Logger.Warn("webhook disabled", "webhook_id", sub.ID, "reason", reason)
	return s.appendEvent(tx, actor, core.EventWebhookDisabled, *sub, map[string]any{
		"reason": reason, "last_error": sub.LastError,
		"how_to_enable": "POST /api/v1/webhooks/" + sub.ID.String() + "/enable",
	})
}

// RotationOverlap is how long an old secret keeps signing after a rotation.
const RotationOverlap = 24 * time.Hour

// RotateSecret gives a subscription a new secret; the old one signs beside
// it for RotationOverlap.
func (s *Service) RotateSecret(ctx context.Context, actor core.Actor, id core.ID) (core.Subscription, error) {
	return s.change(ctx, actor, id, func(tx core.Tx, sub *core.Subscription) error {
		until := s.now().Add(RotationOverlap)
		sub.PreviousSecret, sub.PreviousSecretUntil, sub.Secret = sub.Secret, &until, NewSecret()
		return nil
	})
}

// Validate validates a subscription asynchronously: a GET of its
// validation_code_url. A wrong code is not found.
func (s *Service) Validate(ctx context.Context, id core.ID, code string) error {
	ws, err := s.core.Workspace(ctx)
	if err != nil {
		return err
	}
	err = s.store.Update(ctx, func(tx core.Tx) error {
		sub, err := tx.Subscription(ws.ID, id)
		if err != nil || sub.ValidationCode == "" || subtle.ConstantTimeCompare([]byte(sub.ValidationCode), []byte(code)) != 1 {
			return core.Errorf(core.ENOTFOUND, "no webhook awaits that validation code")
		}
		return s.validated(tx, &sub)
	})
	if err == nil {
		s.Wake()
	}
	return err
}

// validated marks a subscription validated and releases what it kept.
func (s *Service) validated(tx core.Tx, sub *core.Subscription) error {
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

// Deliveries returns a subscription's delivery log, newest first.
func (s *Service) Deliveries(ctx context.Context, actor core.Actor, id core.ID, p core.Page) ([]core.Attempt, core.ID, error) {
	ws, err := s.core.Workspace(ctx)
	if err != nil {
		return nil, 0, err
	}
	var out []core.Attempt
	var next core.ID
	err = s.store.View(ctx, func(tx core.Tx) error {
		if _, err := visibleSub(tx, ws.ID, actor, id); err != nil {
			return err
		}
		out, next, err = core.Paged(p, func(a core.Attempt) core.ID { return a.ID },
			func(p core.Page) ([]core.Attempt, error) { return tx.ListAttempts(ws.ID, id, p) })
		return err
	})
	return out, next, err
}

// Replay queues again the events in [since, until] that the subscription
// receives, with their original ids, and returns how many.
func (s *Service) Replay(ctx context.Context, actor core.Actor, id core.ID, since, until time.Time) (int, error) {
	if until.IsZero() {
		until = s.now()
	}
	if since.IsZero() || until.Before(since) {
		return 0, core.Errorf(core.EINVALID, "since is required and must not be after until")
	}
	ws, err := s.core.Workspace(ctx)
	if err != nil {
		return 0, err
	}
	var sub core.Subscription
	if err := s.store.View(ctx, func(tx core.Tx) error {
		sub, err = visibleSub(tx, ws.ID, actor, id)
		return err
	}); err != nil {
		return 0, err
	}
	filters, err := ParseFilters(sub.Events)
	if err != nil {
		return 0, err
	}
	total := 0
	var after int64
	for {
		var n int
		var more bool
		from := after
		err := s.store.Update(ctx, func(tx core.Tx) error {
			after = from // fn may run again after a transient failure
			evs, err := tx.EventsBetween(since, until, after, core.MaxPageLimit)
			if err != nil {
				return err
			}
			more = len(evs) == core.MaxPageLimit
			r := newRouter(tx)
			n = 0
			for _, ev := range evs {
				after = ev.Seq
				if ev.Type == core.EventWebhookPing {
					continue // pings are not replayed; POST …/test sends a new one
				}
				ok, err := r.receives(sub, filters, ev)
				if err != nil {
					return err
				}
				if !ok {
					continue
				}
				d := &core.Delivery{WorkspaceID: sub.WorkspaceID, SubscriptionID: sub.ID, EventSeq: ev.Seq, EventID: ev.ID,
					EventType: ev.Type, State: core.DeliveryPending, NextAttemptAt: s.now(), CreatedAt: s.now(), UpdatedAt: s.now()}
				if err := tx.RequeueDelivery(d); err != nil {
					return err
				}
				n++
			}
			return nil
		})
		if err != nil {
			return total, err
		}
		total += n
		if !more {
			break
		}
	}
	s.Wake()
	return total, nil
}
