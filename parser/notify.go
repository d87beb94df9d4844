package parser

import (
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/chatops/gateway/core"
)

// filterRE is the shape of an event filter: "*", or entity.action where
// either side may be "*" (tracker.started, project.*, *.deleted). Whether
// the event exists is for the subscription to check (package webhooks),
// which also knows the aliases.
var filterRE = regexp.MustCompile(`^(?:\*|(?:[a-z_]+|\*)\.(?:[a-z_]+|\*))$`)

const filterHint = "an event filter is an event name or a wildcard, as in tracker.started, tracker.*, *.deleted or webhook.*"

// notify converts notify, notify list and notify off. Filters are keywords:
// they are lowercased, and a filter given twice counts once. A URL, at most
// one and anywhere among the filters, is the channel's incoming webhook.
func (c *converter) notify(t *notifyCmd) (core.Command, error) {
	switch {
	case t.List:
		return core.NotifyList{}, nil
	case t.Off != nil:
		if t.Off.ID == nil || t.Off.ID.Value == "" {
			return core.NotifyOff{}, nil
		}
		id, err := core.ParseID(t.Off.ID.Value)
		if err != nil {
			return nil, c.fail(t.Off.ID.Pos.Column, "a subscription id is a number, as `notify list` shows it", "%q is not a subscription id", t.Off.ID.Value)
		}
		return core.NotifyOff{ID: id}, nil
	}
	var cmd core.Notify
	for _, a := range t.Args {
		v := a.Value
		if isURL(v) {
			if cmd.URL != "" {
				return nil, c.fail(a.Pos.Column, "give one incoming-webhook URL", "URL given twice")
			}
			u, err := url.Parse(v)
			if err != nil || u.Host == "" {
				return nil, c.fail(a.Pos.Column, "an incoming-webhook URL looks like https://hooks.slack.com/services/T…/B…/…", "%q is not a URL", v)
			}
			cmd.URL = v
			continue
		}
		f := strings.ToLower(v)
		if !filterRE.MatchString(f) {
			return nil, c.fail(a.Pos.Column, filterHint, "%q is not an event filter", v)
		}
		if !slices.Contains(cmd.Events, f) {
			cmd.Events = append(cmd.Events, f)
		}
	}
	return cmd, nil
}

// isURL reports whether a token is meant as a URL: it starts with http://
// or https://, in any case.
func isURL(s string) bool {
	s = strings.ToLower(s)
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")
}
