package webhooks

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/chatops/gateway/core"
)

// Options configure the webhooks Service. The zero value is useful.
type Options struct {
	// Now returns the current time.
	Now func() time.Time
	// NewEventID returns the id of a webhook.* event. Default core.NewEventID.
	NewEventID func() string
	// Logger receives state-change lines; secrets never.
	Logger *slog.Logger
	// PublicURL is the base of validation URLs (GATEWAY_PUBLIC_URL).
	PublicURL string
	// AllowPrivateTargets lets subscriptions name loopback and private
	// addresses (GATEWAY_ALLOW_PRIVATE_TARGETS).
	AllowPrivateTargets bool
	// MaxPerUser limits subscriptions per owner (GATEWAY_MAX_WEBHOOKS_PER_USER).
	MaxPerUser int
	// Renderers adds body formats (slack, mattermost) beside standard and
	// toggl.
	Renderers map[string]Renderer
	// Targets are the kinds of target other than http(s) URLs, keyed by
	// the target's scheme: "slack" checks "slack:CHANNEL_ID" targets. A
	// target whose scheme has none must be an http(s) URL.
	Targets map[string]Target
	// Retention is how far back replay reaches (GATEWAY_RETENTION): older
	// events may have been pruned. Zero: core.DefaultRetention.
	Retention time.Duration
}

// Service holds the rules of subscriptions: what may be subscribed, their
// statuses and the events that report them, validation, replay and the
// delivery log. Package delivery sends what they receive.
type Service struct {
	core      *core.Service
	store     core.Store
	opts      Options
	renderers map[string]Renderer
}

// New returns a Service on the core service's store. Its writes go
// through that store, so that a store that wakes the delivery engine on
// commit (delivery.NotifyStore) sends a new ping at once.
func New(svc *core.Service, opts Options) *Service {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.NewEventID == nil {
		opts.NewEventID = core.NewEventID
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.MaxPerUser <= 0 {
		opts.MaxPerUser = 5
	}
	if opts.PublicURL == "" {
		opts.PublicURL = "http://localhost:8080"
	}
	r := map[string]Renderer{core.FormatStandard: RenderStandard, core.FormatToggl: RenderToggl}
	for k, v := range opts.Renderers {
		r[k] = v
	}
	return &Service{core: svc, store: svc.Store(), opts: opts, renderers: r}
}

func (s *Service) now() time.Time { return s.opts.Now().UTC().Truncate(time.Microsecond) }

// needsValidation reports whether a format is validated by a ping.
func needsValidation(format string) bool {
	return format != core.FormatSlack && format != core.FormatMattermost
}

// check validates and normalises a subscription's fields, without DNS.
func (s *Service) check(sub *core.Subscription) error {
	sub.Name = strings.Join(strings.Fields(sub.Name), " ")
	limits := s.core.Limits()
	if err := core.CheckLength("name", sub.Name, limits.Name); err != nil {
		return err
	}
	if err := core.CheckLength("url", sub.URL, limits.URL); err != nil {
		return err
	}
	if sub.Format == "" {
		sub.Format = core.FormatStandard
	}
	if _, ok := s.renderers[sub.Format]; !ok {
		return core.Errorf(core.EINVALID, "format %q is not one of %s", sub.Format, strings.Join(s.formats(), ", "))
	}
	if sub.Scope == "" {
		sub.Scope = core.ScopeWorkspace
	}
	if sub.Scope != core.ScopeWorkspace && sub.Scope != core.ScopeUser {
		return core.Errorf(core.EINVALID, "scope must be workspace or user, not %q", sub.Scope)
	}
	if _, err := ParseFiltersWithin(sub.Events, limits); err != nil {
		return err
	}
	if sub.Secret == "" {
		sub.Secret = NewSecret()
	} else if err := ValidateSecret(sub.Secret); err != nil {
		return core.Errorf(core.EINVALID, "secret: %v", err)
	}
	return nil
}

// formats lists the body formats subscriptions may use.
func (s *Service) formats() []string {
	out := []string{core.FormatStandard, core.FormatToggl}
	for _, f := range []string{core.FormatSlack, core.FormatMattermost} {
		if _, ok := s.renderers[f]; ok {
			out = append(out, f)
		}
	}
	return out
}

// target returns the kind of a target that is not an http(s) URL, nil
// for an http(s) URL or a scheme no kind is registered for.
func (s *Service) target(url string) Target {
	scheme, _, ok := strings.Cut(url, ":")
	if !ok || strings.EqualFold(scheme, "http") || strings.EqualFold(scheme, "https") {
		return nil
	}
	return s.opts.Targets[scheme]
}

// checkTarget validates a subscription's target: by its kind (Targets),
// else as an http(s) URL that is not private.
func (s *Service) checkTarget(ctx context.Context, sub core.Subscription) error {
	if t := s.target(sub.URL); t != nil {
		return t.CheckTarget(sub)
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
// validation starts not_validated and gets a ping, written with it; the
// delivery engine sends it once the answer to its creator is out
// (delivery.Options.PingDelay).
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
	if err := s.mayTarget(actor, sub.URL, sub.Channel); err != nil {
		return core.Subscription{}, err
	}
	if err := s.checkTarget(ctx, sub); err != nil {
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
	s.opts.Logger.InfoContext(ctx, "webhook created", "webhook_id", sub.ID, "owner", actor.User.ID, "format", sub.Format, "status", sub.Status)
	return sub, nil
}

// sees reports whether the actor may see a subscription: admins see every
// one, members their own. List asks the store for the same (an owner).
func sees(actor core.Actor, sub core.Subscription) bool {
	return actor.User.Role == core.RoleAdmin || sub.OwnerID == actor.User.ID
}

// visibleSub loads a subscription the actor may see (sees); others are not
// found.
func visibleSub(tx core.Tx, ws core.ID, actor core.Actor, id core.ID) (core.Subscription, error) {
	sub, err := tx.Subscription(ws, id)
	if err == nil && !sees(actor, sub) {
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
	one := []core.Subscription{*sub}
	if err := withLastDeliveries(tx, sub.WorkspaceID, one); err != nil {
		return err
	}
	*sub = one[0]
	return nil
}

// withLastDeliveries sets the last delivery of each of a workspace's
// subscriptions from its newest attempt in the log, with one read for them
// all (a page of a list costs the same as one subscription). One without
// an attempt keeps the last delivery its row holds.
func withLastDeliveries(tx core.Tx, ws core.ID, subs []core.Subscription) error {
	if len(subs) == 0 {
		return nil
	}
	ids := make([]core.ID, len(subs))
	for i, sub := range subs {
		ids[i] = sub.ID
	}
	last, err := tx.LastAttempts(ws, ids)
	if err != nil {
		return err
	}
	for i := range subs {
		if a, ok := last[subs[i].ID]; ok {
			at := a.At
			subs[i].LastDeliveryAt, subs[i].LastStatusCode, subs[i].LastError = &at, a.StatusCode, a.Error
		}
	}
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
		return withLastDeliveries(tx, ws.ID, subs)
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
	// An http(s) URL is checked, DNS included, before the transaction, so
	// that the store is not held up; other targets in it, by their kind,
	// once the subscription's format is known.
	if p.URL != nil && s.target(strings.TrimSpace(*p.URL)) == nil {
		if err := CheckURL(ctx, strings.TrimSpace(*p.URL), s.opts.AllowPrivateTargets); err != nil {
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
		if urlChanged {
			if err := s.mayTarget(actor, sub.URL, sub.Channel); err != nil {
				return err
			}
		}
		if t := s.target(sub.URL); t != nil {
			if err := t.CheckTarget(*sub); err != nil {
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
	if err := s.store.View(ctx, func(tx core.Tx) error {
		_, err := visibleSub(tx, ws.ID, actor, id)
		return err
	}); err != nil {
		return err
	}
	// The finished history goes first, historyBatch rows a transaction:
	// as one statement (ON DELETE CASCADE), a busy webhook's history held
	// the SQLite writer, and every command behind it, for as long as it
	// took, and its savepoint's journal took memory for every page. Each
	// kind goes until a batch is not full: a webhook still receiving
	// events adds history meanwhile, which goes with the subscription, as
	// does what is pending.
	for _, prune := range []func(tx core.Tx) (int, error){
		func(tx core.Tx) (int, error) { return tx.PruneSubscriptionAttempts(ws.ID, id, historyBatch) },
		func(tx core.Tx) (int, error) { return tx.PruneSubscriptionDeliveries(ws.ID, id, historyBatch) },
	} {
		for n := historyBatch; n == historyBatch; {
			if err := s.store.Update(ctx, func(tx core.Tx) error {
				var err error
				n, err = prune(tx)
				return err
			}); err != nil {
				return err
			}
		}
	}
	return s.store.Update(ctx, func(tx core.Tx) error {
		if _, err := visibleSub(tx, ws.ID, actor, id); err != nil {
			return err
		}
		return tx.DeleteSubscription(ws.ID, id)
	})
}

// historyBatch is how many rows of a webhook's history one transaction of
// Delete removes.
var historyBatch = 5000

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

// Disable turns a subscription off; its events stay queued.
func (s *Service) Disable(ctx context.Context, actor core.Actor, id core.ID) (core.Subscription, error) {
	return s.change(ctx, actor, id, func(tx core.Tx, sub *core.Subscription) error {
		if sub.Status == core.SubDisabled {
			return nil
		}
		return s.disable(tx, actor, sub, "disabled by "+actor.User.Name)
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
	return s.store.Update(ctx, func(tx core.Tx) error {
		sub, err := tx.Subscription(ws.ID, id)
		if err != nil || sub.ValidationCode == "" || subtle.ConstantTimeCompare([]byte(sub.ValidationCode), []byte(code)) != 1 {
			return core.Errorf(core.ENOTFOUND, "no webhook awaits that validation code")
		}
		return s.MarkValidated(tx, &sub)
	})
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
// receives, with their original ids, in the order they happened (due at
// increasing times, so that the engine starts the oldest first), and
// returns how many.
func (s *Service) Replay(ctx context.Context, actor core.Actor, id core.ID, since, until time.Time) (int, error) {
	if until.IsZero() {
		until = s.now()
	}
	if since.IsZero() || until.Before(since) {
		return 0, core.Errorf(core.EINVALID, "since is required and must not be after until")
	}
	if err := s.withinRetention(since); err != nil {
		return 0, err
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
	filters, err := ParseFiltersWithin(sub.Events, storedFilters)
	if err != nil {
		return 0, err
	}
	total := 0
	var after int64
	var last time.Time // due time of the newest event queued so far
	for {
		var n int
		var more bool
		from, lastBefore := after, last
		err := s.store.Update(ctx, func(tx core.Tx) error {
			after, last = from, lastBefore // fn may run again after a transient failure
			evs, err := tx.EventsBetween(since, until, after, core.MaxPageLimit)
			if err != nil {
				return err
			}
			more = len(evs) == core.MaxPageLimit
			r := NewRouter(tx)
			var queue []core.Event
			for _, ev := range evs {
				after = ev.Seq
				if ev.Type == core.EventWebhookPing {
					continue // pings are not replayed; POST …/test sends a new one
				}
				ok, err := r.receives(sub, filters, ev)
				if err != nil {
					return err
				}
				if ok {
					queue = append(queue, ev)
				}
			}
			// Queued in the order the events happened (the outbox's), each due
			// a microsecond after the one before and the newest due now: the
			// engine claims by due time, so it starts the oldest first.
			now := s.now()
			for i, ev := range queue {
				due := now.Add(-time.Duration(len(queue)-1-i) * time.Microsecond)
				if !due.After(last) {
					due = last.Add(time.Microsecond)
				}
				last = due
				d := &core.Delivery{WorkspaceID: sub.WorkspaceID, SubscriptionID: sub.ID, EventSeq: ev.Seq, EventID: ev.ID,
					EventType: ev.Type, State: core.DeliveryPending, NextAttemptAt: due, CreatedAt: now, UpdatedAt: now}
				if err := tx.RequeueDelivery(d); err != nil {
					return err
				}
			}
			n = len(queue)
			return nil
		})
		if err != nil {
			return total, err
		}
		total += n
		if !more {
			return total, nil
		}
	}
}
