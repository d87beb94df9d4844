package core

import "unicode/utf8"

// Sizes every way in shares (CONTRACT §7): chat, hooks, GitHub, the API,
// WebWork and the web page all reach these through the same rule of each
// operation, so a field over its limit is refused alike everywhere (chat:
// an error reply; the API and hooks: 422). Lengths are Unicode code points,
// not bytes.
const (
	// MaxNameChars bounds a name: client, project, task, tag, user,
	// subscription, incoming hook.
	MaxNameChars = 200
	// MaxNoteChars bounds an entry's note.
	MaxNoteChars = 4000
	// MaxEntryTags bounds the tags on one entry.
	MaxEntryTags = 20
	// MaxEventFilters bounds a subscription's events, and
	// MaxEventFilterChars each one of them.
	MaxEventFilters     = 100
	MaxEventFilterChars = 100
	// MaxURLChars bounds a URL (a subscription's target).
	MaxURLChars = 2048
	// MaxCommandChars bounds a chat command's text, so that a note of
	// MaxNoteChars fits in one.
	MaxCommandChars = 8000
)

// Limits are the sizes CONTRACT §7 makes settings (GATEWAY_LIMIT_*): a
// Service holds them (Options.Limits); a zero field is its default.
type Limits struct {
	// Name bounds a name (client, project, task, tag, user, subscription,
	// incoming hook); Note an entry's note; Tags the tags on one entry.
	Name, Note, Tags int
	// EventFilters bounds a subscription's events, EventFilterChars each
	// one of them.
	EventFilters, EventFilterChars int
	// URL bounds a URL; ChatText a chat command's text.
	URL, ChatText int
}

// DefaultLimits are the sizes of the constants above.
func DefaultLimits() Limits {
	return Limits{Name: MaxNameChars, Note: MaxNoteChars, Tags: MaxEntryTags, EventFilters: MaxEventFilters,
		EventFilterChars: MaxEventFilterChars, URL: MaxURLChars, ChatText: MaxCommandChars}
}

// orDefault fills the zero (or negative) fields of l with the defaults.
func (l Limits) orDefault() Limits {
	d := DefaultLimits()
	for _, f := range []struct{ v, def *int }{{&l.Name, &d.Name}, {&l.Note, &d.Note}, {&l.Tags, &d.Tags},
		{&l.EventFilters, &d.EventFilters}, {&l.EventFilterChars, &d.EventFilterChars}, {&l.URL, &d.URL}, {&l.ChatText, &d.ChatText}} {
		if *f.v <= 0 {
			*f.v = *f.def
		}
	}
	return l
}

// Limits are the sizes this service holds every way in to.
func (s *Service) Limits() Limits { return s.opts.Limits.orDefault() }

// CheckLength answers an invalid error naming what when s holds more than
// max code points.
func CheckLength(what, s string, max int) error {
	if utf8.RuneCountInString(s) > max {
		return Errorf(EINVALID, "%s is longer than %d characters", what, max)
	}
	return nil
}

// checkEntry holds an entry to the sizes of its note and tags, before it
// is written.
func (l Limits) checkEntry(e *TimeEntry) error {
	if err := CheckLength("note", e.Note, l.Note); err != nil {
		return err
	}
	if len(e.Tags) > l.Tags {
		return Errorf(EINVALID, "an entry may have at most %d tags, not %d", l.Tags, len(e.Tags))
	}
	return nil
}
