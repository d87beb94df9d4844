package core

import "time"

// Result is what a command did: the facts a transport renders (package
// reply writes them as a chat answer). Its JSON form is the answer of the
// generic hook, which adds the rendered text.
type Result struct {
	// Command is the verb that ran.
	Command string `json:"command"`
	// Public says the answer is meant for the whole channel (track, stop).
	Public bool `json:"public"`

	Entry   *TimeEntry `json:"time_entry,omitempty"`
	Stopped *TimeEntry `json:"stopped,omitempty"`
	Task    *Task      `json:"task,omitempty"`
	Project *Project   `json:"project,omitempty"`
	Client  *Client    `json:"client,omitempty"`
	Report  *Summary   `json:"report,omitempty"`
	// Link is a link to the report as CSV (report … csv), working until
	// LinkExpires.
	Link        string    `json:"link,omitempty"`
	LinkExpires time.Time `json:"-"`
	// List is what entries and who show.
	List *EntryList `json:"entries,omitempty"`
	// Events are the types of the events the command wrote, in order.
	Events []string `json:"events,omitempty"`

	// The facts below are for renderers only; they are not in the JSON
	// form.

	// User is who the command ran as; At is when it ran.
	User User      `json:"-"`
	At   time.Time `json:"-"`
	// StoppedTask and StoppedProject are the task and project of the
	// Stopped entry, when it has them (stop).
	StoppedTask    *Task    `json:"-"`
	StoppedProject *Project `json:"-"`
	// FromCommit says the Entry was made by a commit's time directive; it
	// ends at the commit's time.
	FromCommit bool `json:"-"`
	// Unchanged says the command found everything as it asked and changed
	// nothing (a GitHub issue event seen in its state already).
	Unchanged bool `json:"-"`
	// Changed says tz set the user's time zone (User has the new one).
	Changed bool `json:"-"`
	// Undone is the action that undo reversed.
	Undone string `json:"-"`
	// Topic is what help was asked about ("" for all).
	Topic string `json:"-"`
	// Subscriptions are the subscription notify made, or the channel's
	// for notify list; Filters the event filters notify subscribed to;
	// Removed how many subscriptions notify off removed.
	Subscriptions []Subscription `json:"-"`
	Filters       []string       `json:"-"`
	Removed       int            `json:"-"`
	// Reminder is the actor's reminder (remind), nil when none;
	// Schedules the scheduled reports a command made, removed or listed.
	Reminder  *Reminder  `json:"-"`
	Schedules []Schedule `json:"-"`
}
