package webhooks

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"

	"github.com/chatops/gateway/core"
)

// aliases maps TrackingTime's event names to canonical ones.
var aliases = map[string]string{
	"task.add":          core.EventTaskCreated,
	"task.close":        core.EventTaskClosed,
	"task.track":        core.EventTrackerStarted,
	"task.stop":         core.EventTrackerStopped,
	"project.add":       core.EventProjectCreated,
	"project.close":     core.EventProjectClosed,
	"time_entry.add":    core.EventTimeEntryCreated,
	"time_entry.delete": core.EventTimeEntryDeleted,
}

// Filters are a subscription's event filters, stored as given (strings and
// {"entity","action"} objects) and matched as canonical patterns.
type Filters struct {
	raw      []json.RawMessage
	patterns []pattern
}

// pattern is a canonical "entity.action" with "*" allowed on either side.
type pattern struct{ entity, action string }

// ParseFilters reads a JSON array of filters: event names ("tracker.started"),
// wildcards ("*", "project.*", "*.deleted"), TrackingTime aliases
// ("task.track") and Toggl objects ({"entity": "project", "action": "*"}).
// It returns an invalid *core.Error naming the first filter it cannot read.
func ParseFilters(data []byte) (Filters, error) {
	return ParseFiltersWithin(data, core.DefaultLimits())
}

// storedFilters bounds nothing: filters read back were held to the limits
// of their day when saved, whatever GATEWAY_LIMIT_EVENTS says now.
var storedFilters = core.Limits{EventFilters: math.MaxInt, EventFilterChars: math.MaxInt}

// ParseFiltersWithin is ParseFilters with l's EventFilters and
// EventFilterChars (GATEWAY_LIMIT_EVENTS).
func ParseFiltersWithin(data []byte, l core.Limits) (Filters, error) {
	var raw []json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return Filters{}, core.Errorf(core.EINVALID, "events must be an array of event names or {\"entity\", \"action\"} objects")
	}
	if len(raw) == 0 {
		return Filters{}, core.Errorf(core.EINVALID, "events must name at least one event")
	}
	if len(raw) > l.EventFilters {
		return Filters{}, core.Errorf(core.EINVALID, "events may hold at most %d filters, not %d", l.EventFilters, len(raw))
	}
	f := Filters{}
	for _, r := range raw {
		var p pattern
		var name string
		var obj struct {
			Entity string `json:"entity"`
			Action string `json:"action"`
		}
		switch {
		case json.Unmarshal(r, &name) == nil:
			if err := core.CheckLength("event filter", name, l.EventFilterChars); err != nil {
				return Filters{}, err
			}
			var err error
			if p, err = parsePattern(name); err != nil {
				return Filters{}, err
			}
		case json.Unmarshal(r, &obj) == nil && obj.Entity != "" && obj.Action != "":
			if err := core.CheckLength("event filter", obj.Entity+"."+obj.Action, l.EventFilterChars); err != nil {
				return Filters{}, err
			}
			var err error
			if p, err = parsePattern(obj.Entity + "." + obj.Action); err != nil {
				return Filters{}, err
			}
		default:
			return Filters{}, core.Errorf(core.EINVALID, "event filter %s is neither a name nor an {\"entity\", \"action\"} object", r)
		}
		var compact bytes.Buffer
		if err := json.Compact(&compact, r); err != nil {
			return Filters{}, core.Errorf(core.EINVALID, "event filter %s is not JSON", r)
		}
		f.raw = append(f.raw, compact.Bytes())
		f.patterns = append(f.patterns, p)
	}
	return f, nil
}

func parsePattern(name string) (pattern, error) {
	name = strings.TrimSpace(strings.ToLower(name))
	if canon, ok := aliases[name]; ok {
		name = canon
	}
	if name == "*" {
		return pattern{"*", "*"}, nil
	}
	entity, action, ok := strings.Cut(name, ".")
	if !ok || entity == "" || action == "" {
		return pattern{}, core.Errorf(core.EINVALID, "unknown event %q: use entity.action, as in tracker.started (GET /api/v1/event-types lists them)", name)
	}
	known := false
	for _, t := range core.EventTypes() {
		if (entity == "*" || entity == t.Entity) && (action == "*" || action == t.Action) {
			known = true
			break
		}
	}
	if !known {
		return pattern{}, core.Errorf(core.EINVALID, "unknown event %q (GET /api/v1/event-types lists them)", name)
	}
	return pattern{entity, action}, nil
}

// Match reports whether an event type passes the filters. A wildcard entity
// matches every domain event but not webhook.*, which only a filter naming
// the webhook entity matches.
func (f Filters) Match(eventType string) bool {
	entity, action := core.SplitEventType(eventType)
	for _, p := range f.patterns {
		if p.entity == "*" && entity == "webhook" {
			continue
		}
		if (p.entity == "*" || p.entity == entity) && (p.action == "*" || p.action == action) {
			return true
		}
	}
	return false
}

// MarshalJSON writes the filters as they were given.
func (f Filters) MarshalJSON() ([]byte, error) {
	if len(f.raw) == 0 {
		return []byte("[]"), nil
	}
	return json.Marshal(f.raw)
}

// Aliases returns TrackingTime's event names and the canonical names they
// stand for.
func Aliases() map[string]string {
	out := make(map[string]string, len(aliases))
	for k, v := range aliases {
		out[k] = v
	}
	return out
}

// EventNames is the JSON of a filter list of event names, as Input.Events
// takes it (the WebWork API and chat commands give plain names).
func EventNames(names []string) json.RawMessage {
	b, _ := json.Marshal(names)
	return b
}
