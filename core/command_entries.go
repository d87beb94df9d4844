package core

import "time"

// The commands of the second edition that show and fix what was stored:
// entries, edit entry, continue, reopen and who. Their rules live in
// entries_cmd.go (and report.go for report by … and team).

// Entries lists the user's entries that start on a day (When) or in a week
// (Week "this" or "last"), the running timer too.
type Entries struct {
	When Day    `json:"when"`
	Week string `json:"week,omitempty"`
}

// EditEntry changes an entry of the user's (an admin's: anyone's): entry ID,
// or with Last the user's entry with the latest start. Only what is given
// changes: a duration keeps the start and moves the end; a clock range sets
// both, on When's day or the entry's own; When alone moves the entry to
// that day, At its start, both keeping its length. Explicit times that
// overlap another entry of the same person are refused unless Anyway.
type EditEntry struct {
	ID       ID       `json:"id,omitempty"`
	Last     bool     `json:"last,omitempty"`
	Amount   *Amount  `json:"amount,omitempty"`
	Task     string   `json:"task,omitempty"`
	Project  string   `json:"project,omitempty"`
	When     *Day     `json:"when,omitempty"`
	At       *Clock   `json:"at,omitempty"`
	Tags     []string `json:"tags,omitempty"`
	Billable *bool    `json:"billable,omitempty"`
	Note     *string  `json:"note,omitempty"`
	Anyway   bool     `json:"anyway,omitempty"`
}

// Continue starts a timer like entry ID (its task, project, tags and
// billable flag, not its note), or like the user's entry with the latest
// start when ID is zero.
type Continue struct {
	ID ID `json:"id,omitempty"`
}

// ReopenTask reopens a closed task. Project may be empty when the name is
// unique.
type ReopenTask struct {
	Task    string `json:"task"`
	Project string `json:"project,omitempty"`
}

// ReopenProject reopens a closed project.
type ReopenProject struct {
	Project string `json:"project"`
}

// Who shows whose timer runs now, on what, since when.
type Who struct{}

// CommandName implementations.
func (Entries) CommandName() string       { return "entries" }
func (EditEntry) CommandName() string     { return "edit entry" }
func (Continue) CommandName() string      { return "continue" }
func (ReopenTask) CommandName() string    { return "reopen task" }
func (ReopenProject) CommandName() string { return "reopen project" }
func (Who) CommandName() string           { return "who" }

// Report groupings (Report.By).
const (
	ByProject  = GroupProject
	ByTask     = GroupTask
	ByTag      = GroupTag
	ByUser     = GroupUser
	ByBillable = GroupBillable
)

// EntryList is what entries and who show: entries with their names.
type EntryList struct {
	Title string      `json:"title"`
	From  time.Time   `json:"from,omitzero"`
	To    time.Time   `json:"to,omitzero"`
	Lines []EntryLine `json:"lines"`
}

// EntryLine is one entry of an EntryList, with the names of its task,
// project and user ("" for none).
type EntryLine struct {
	Entry   TimeEntry `json:"time_entry"`
	Task    string    `json:"task,omitempty"`
	Project string    `json:"project,omitempty"`
	User    string    `json:"user,omitempty"`
}
