package webhooks

import (
	"encoding/json"

	"github.com/chatops/gateway/core"
)

// routed is a subscription with its parsed filters.
type routed struct {
	sub     core.Subscription
	filters Filters
}

// loadRouted reads every subscription of a workspace with its filters.
func loadRouted(tx core.Tx, ws core.ID) ([]routed, error) {
	var out []routed
	p := core.Page{Limit: core.MaxPageLimit}
	for {
		subs, err := tx.ListSubscriptions(ws, 0, p)
		if err != nil {
			return nil, err
		}
		out = appendRouted(out, subs)
		if len(subs) < p.Limit {
			return out, nil
		}
		p.After = subs[len(subs)-1].ID
	}
}

// appendRouted appends subscriptions with their parsed filters to out,
// leaving out any whose stored filters do not parse.
func appendRouted(out []routed, subs []core.Subscription) []routed {
	for _, sub := range subs {
		f, err := ParseFiltersWithin(sub.Events, storedFilters)
		if err != nil {
			continue // stored filters were checked when saved
		}
		out = append(out, routed{sub, f})
	}
	return out
}

// Router decides which subscriptions receive an event, caching what it
// looks up within one transaction.
type Router struct {
	tx     core.Tx
	subs   map[core.ID][]routed
	users  map[core.ID]core.User
	member map[[2]core.ID]bool
}

// NewRouter returns a Router that reads through tx; it lives as long as tx.
func NewRouter(tx core.Tx) *Router {
	return &Router{tx: tx, subs: map[core.ID][]routed{}, users: map[core.ID]core.User{}, member: map[[2]core.ID]bool{}}
}

// Recipients returns the subscriptions that receive ev when it is
// dispatched: those of its workspace that receive it and were made before
// it (Replay sends older events on request).
func (r *Router) Recipients(ev core.Event) ([]core.Subscription, error) {
	list, ok := r.subs[ev.WorkspaceID]
	if !ok {
		var err error
		if list, err = loadRouted(r.tx, ev.WorkspaceID); err != nil {
			return nil, err
		}
		r.subs[ev.WorkspaceID] = list
	}
	var out []core.Subscription
	for _, rs := range list {
		if ev.Timestamp.Before(rs.sub.CreatedAt) {
			continue
		}
		ok, err := r.receives(rs.sub, rs.filters, ev)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, rs.sub)
		}
	}
	return out, nil
}

// eventSubscription returns the subscription a webhook.* event is about.
func eventSubscription(ev core.Event) core.ID {
	var d struct {
		SubscriptionID core.ID `json:"subscription_id"`
		Webhook        struct {
			ID core.ID `json:"id"`
		} `json:"webhook"`
	}
	_ = json.Unmarshal(ev.Data, &d)
	if d.SubscriptionID != 0 {
		return d.SubscriptionID
	}
	return d.Webhook.ID
}

// receives reports whether sub gets ev: a ping only its own; webhook.*
// alerts, to subscriptions that name them, about the owner's other
// subscriptions, and for an admin's workspace-scoped ones about everyone's; domain
// events when the filters match and the owner may see the event (admins see
// all; members their own entries and timers, and the projects they belong
// to; a user-scoped subscription only its owner's own activity).
func (r *Router) receives(sub core.Subscription, f Filters, ev core.Event) (bool, error) {
	entity, _ := core.SplitEventType(ev.Type)
	if ev.Type == core.EventWebhookPing || core.Directed(ev.Type) {
		return eventSubscription(ev) == sub.ID, nil
	}
	if !f.Match(ev.Type) {
		return false, nil
	}
	if entity == "webhook" && (eventSubscription(ev) == sub.ID || ev.UserID == sub.OwnerID) {
		// A subscription's own alerts go to its owner's other subscriptions.
		return eventSubscription(ev) != sub.ID, nil
	}
	if sub.Scope == core.ScopeUser && ev.UserID != sub.OwnerID && ev.Actor.ID != sub.OwnerID {
		return false, nil
	}
	owner, ok := r.users[sub.OwnerID]
	if !ok {
		u, err := r.tx.User(sub.WorkspaceID, sub.OwnerID)
		if core.ErrorCode(err) == core.ENOTFOUND {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		owner = u
		r.users[sub.OwnerID] = u
	}
	if entity == "webhook" {
		// Another user's subscription: admins receive every event.
		return owner.Role == core.RoleAdmin, nil
	}
	switch {
	case owner.Role == core.RoleAdmin:
		return true, nil
	case ev.UserID != 0:
		return ev.UserID == owner.ID, nil
	case ev.ProjectID != 0:
		return r.belongs(owner, ev.WorkspaceID, ev.ProjectID)
	}
	return true, nil
}

// belongs reports whether a member belongs to a project: they made it or
// have time in it.
func (r *Router) belongs(u core.User, ws, project core.ID) (bool, error) {
	key := [2]core.ID{u.ID, project}
	if v, ok := r.member[key]; ok {
		return v, nil
	}
	p, err := r.tx.Project(ws, project)
	if err != nil && core.ErrorCode(err) != core.ENOTFOUND {
		return false, err
	}
	v := err == nil && p.CreatedBy == u.ID
	if !v {
		es, err := r.tx.ListEntries(ws, core.EntryFilter{UserID: u.ID, ProjectID: project}, core.Page{Limit: 1})
		if err != nil {
			return false, err
		}
		v = len(es) > 0
	}
	r.member[key] = v
	return v, nil
}
