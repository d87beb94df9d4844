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
func checkEntry(e *TimeEntry) error {
	if err := CheckLength("note", e.Note, MaxNoteChars); err != nil {
		return err
	}
	if len(e.Tags) > MaxEntryTags {
		return Errorf(EINVALID, "an entry may have at most %d tags, not %d", MaxEntryTags, len(e.Tags))
	}
	return nil
}
