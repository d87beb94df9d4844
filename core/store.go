package core

import (
	"context"
	"time"
)

// Store keeps the gateway's state and its outbox. Implementations must pass
// the conformance suite in store/storetest.
type Store interface {
	// Update runs fn in a read-write transaction: everything fn writes,
	// including events appended to the outbox, commits together or not at
	// all. If fn returns an error, nothing it wrote is kept and Update
	// returns that error. A store may commit several Updates together (group
	// commit); each still sees only its own writes undone on error. When
	// Update returns nil, the writes are durable. A store may run fn again
	// after a transient failure (a deadlock, a serialization failure), so
	// fn must not keep state across runs other than through its result.
	Update(ctx context.Context, fn func(Tx) error) error
	// View runs fn in a read-only transaction.
	View(ctx context.Context, fn func(Tx) error) error
	// Close releases the store.
	Close() error
}

// Tx is one transaction's view of the store. Lookups of a single thing
// return a not_found *Error when it does not exist; writes that break a
// uniqueness rule return a conflict *Error. Names are matched by NameKey.
// Create methods set the ID of what they create.
type Tx interface {
	WebhookTx
	IncomingTx
	RetentionTx
	SessionTx
	ScheduleTx
	ConsoleTx

	// Workspace returns the default (first) workspace, creating it with the
	// given name when there is none.
	EnsureWorkspace(name string, now time.Time) (Workspace, error)

	CreateUser(u *User) error
	UpdateUser(u *User) error
	DeleteUser(ws, id ID) error
	User(ws, id ID) (User, error)
	UserByName(ws ID, name string) (User, error)
	UserByIdentity(ws ID, provider, subject string) (User, error)
	ListUsers(ws ID, p Page) ([]User, error)
	// AddIdentity links an identity to a user; conflict if another user
	// has it.
	AddIdentity(ws, userID ID, id Identity) error

	CreateToken(t *Token) error
	TokenByHash(hash string) (Token, error)
	CountTokens(ws ID) (int, error)
	// ListTokens returns a page of the workspace's tokens by id, those of
	// user only when user is set.
	ListTokens(ws, user ID, p Page) ([]Token, error)
	// DeleteToken revokes a token, of user only when user is set;
	// not_found when there is no such token.
	DeleteToken(ws, user, id ID) error

	CreateClient(c *Client) error
	UpdateClient(c *Client) error
	DeleteClient(ws, id ID) error
	Client(ws, id ID) (Client, error)
	ClientByName(ws ID, name string) (Client, error)
	ListClients(ws ID, p Page) ([]Client, error)

	CreateProject(p *Project) error
	UpdateProject(p *Project) error
	DeleteProject(ws, id ID) error
	Project(ws, id ID) (Project, error)
	ProjectByName(ws ID, name string) (Project, error)
	ListProjects(ws ID, p Page) ([]Project, error)

	CreateTask(t *Task) error
	UpdateTask(t *Task) error
	DeleteTask(ws, id ID) error
	Task(ws, id ID) (Task, error)
	// TaskByName finds a task by name in a project; with project 0, in any
	// project (conflict if the name is in several).
	TaskByName(ws, project ID, name string) (Task, error)
	ListTasks(ws ID, f TaskFilter, p Page) ([]Task, error)

	CreateTag(t *Tag) error
	UpdateTag(t *Tag) error
	DeleteTag(ws, id ID) error
	Tag(ws, id ID) (Tag, error)
	TagByName(ws ID, name string) (Tag, error)
	ListTags(ws ID, p Page) ([]Tag, error)

	// CreateEntry adds a time entry; an entry keeps the id it is given when
	// ID is set (undo of a delete), else gets a new one.
	CreateEntry(e *TimeEntry) error
	UpdateEntry(e *TimeEntry) error
	DeleteEntry(ws, id ID) error
	Entry(ws, id ID) (TimeEntry, error)
	// RunningEntry returns the user's running timer, not_found if none.
	RunningEntry(ws, user ID) (TimeEntry, error)
	ListEntries(ws ID, f EntryFilter, p Page) ([]TimeEntry, error)
	// LastEntryEnd returns the latest end of the user's finished entries
	// that start in [from, to), and false when there are none.
	LastEntryEnd(ws, user ID, from, to time.Time) (time.Time, bool, error)
	// CountEntries counts entries of a project (task 0) or of a task.
	CountEntries(ws, project, task ID) (int, error)

	// AppendEvent writes an event to the outbox and sets its Seq.
	AppendEvent(e *Event) error
	// Events returns outbox events with Seq > after, in order.
	Events(after int64, limit int) ([]Event, error)

	PushUndo(r *UndoRecord) error
	// LastUndo returns the user's newest not yet undone record created at or
	// after since; not_found if none.
	LastUndo(ws, user ID, since time.Time) (UndoRecord, error)
	MarkUndone(id ID) error

	// Remember records a key (a Slack retry, a GitHub delivery id) and
	// reports whether it was new: false means it was seen before.
	Remember(ws ID, key string, at time.Time) (bool, error)

	// ForgetKeys deletes at most limit remembered keys that start with
	// prefix and were seen before before, oldest first, and returns how
	// many it deleted.
	ForgetKeys(prefix string, before time.Time, limit int) (int, error)
	// PruneUndo deletes at most limit undo records created before before,
	// oldest first, and returns how many it deleted.
	PruneUndo(before time.Time, limit int) (int, error)

	// Secret returns the server secret called name (a key the gateway
	// made for itself), storing fresh as it first when there is none:
	// every caller, on every instance, gets the first one stored.
	Secret(name, fresh string, now time.Time) (string, error)
}
