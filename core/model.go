package core

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ID identifies a stored object. It is a positive integer in the store and a
// string in JSON ("42"); the zero ID means "none" and encodes as null.
type ID int64

// MarshalJSON encodes id as a JSON string, or null for the zero ID.
func (id ID) MarshalJSON() ([]byte, error) {
	if id == 0 {
		return []byte("null"), nil
	}
	return []byte(`"` + strconv.FormatInt(int64(id), 10) + `"`), nil
}

// UnmarshalJSON accepts a string or a number.
func (id *ID) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "null" || s == "" {
		*id = 0
		return nil
	}
	n, err := ParseID(s)
	if err != nil {
		return err
	}
	*id = n
	return nil
}

func (id ID) String() string { return strconv.FormatInt(int64(id), 10) }

// ParseID parses a decimal id, with an optional leading '#'. It returns an
// invalid error for anything that is not a positive integer.
func ParseID(s string) (ID, error) {
	n, err := strconv.ParseInt(strings.TrimPrefix(s, "#"), 10, 64)
	if err != nil || n <= 0 {
		return 0, Errorf(EINVALID, "%q is not an id", s)
	}
	return ID(n), nil
}

// Role is what a user may do in a workspace.
type Role string

// Roles.
const (
	RoleAdmin  Role = "admin"
	RoleMember Role = "member"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == RoleAdmin || r == RoleMember }

// Status of a project or task.
const (
	StatusOpen   = "open"
	StatusClosed = "closed"
)

// Identity providers.
const (
	ProviderSlack      = "slack"
	ProviderMattermost = "mattermost"
	ProviderGitHub     = "github"
	ProviderEmail      = "email"
)

// ValidProvider reports whether p is a known identity provider.
func ValidProvider(p string) bool {
	switch p {
	case ProviderSlack, ProviderMattermost, ProviderGitHub, ProviderEmail:
		return true
	}
	return false
}

// Workspace holds everything else. A gateway serves one by default.
type Workspace struct {
	ID        ID        `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

// User is a person (or a built-in system user such as "github").
type User struct {
	ID          ID         `json:"id"`
	WorkspaceID ID         `json:"workspace_id"`
	Name        string     `json:"name"`
	Role        Role       `json:"role"`
	TimeZone    string     `json:"time_zone"`
	Identities  []Identity `json:"identities"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

// Location returns the user's time zone, UTC when unset or unknown.
func (u User) Location() *time.Location {
	if u.TimeZone == "" {
		return time.UTC
	}
	if loc, ok := locations.Load(u.TimeZone); ok {
		return loc.(*time.Location)
	}
	loc, err := time.LoadLocation(u.TimeZone)
	if err != nil {
		return time.UTC
	}
	locations.Store(u.TimeZone, loc)
	return loc
}

// locations keeps the time zones loaded so far: time.LoadLocation reads the
// zone database each time it is called.
var locations sync.Map // name → *time.Location

// Identity links a user to an account elsewhere: slack "TEAM:USER",
// mattermost "TEAM:USER", github login, email address.
type Identity struct {
	Provider string `json:"provider"`
	Subject  string `json:"subject"`
}

// Token is an API token. Only its SHA-256 hash is stored.
type Token struct {
	ID          ID        `json:"id"`
	WorkspaceID ID        `json:"workspace_id"`
	UserID      ID        `json:"user_id"`
	Hash        string    `json:"-"`
	CreatedAt   time.Time `json:"created_at"`
}

// Client is a customer that projects are done for.
type Client struct {
	ID          ID        `json:"id"`
	WorkspaceID ID        `json:"workspace_id"`
	Name        string    `json:"name"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Project groups tasks.
type Project struct {
	ID          ID        `json:"id"`
	WorkspaceID ID        `json:"workspace_id"`
	ClientID    ID        `json:"client_id"`
	Name        string    `json:"name"`
	Status      string    `json:"status"`
	CreatedBy   ID        `json:"created_by"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Task is a piece of work in a project.
type Task struct {
	ID          ID        `json:"id"`
	WorkspaceID ID        `json:"workspace_id"`
	ProjectID   ID        `json:"project_id"`
	Name        string    `json:"name"`
	Status      string    `json:"status"`
	CreatedBy   ID        `json:"created_by"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Tag labels time entries.
type Tag struct {
	ID          ID        `json:"id"`
	WorkspaceID ID        `json:"workspace_id"`
	Name        string    `json:"name"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// TimeEntry is a span of work by one user, on a task of a project (either may
// be zero). End is nil while the entry is a running timer.
type TimeEntry struct {
	ID              ID         `json:"id"`
	WorkspaceID     ID         `json:"workspace_id"`
	UserID          ID         `json:"user_id"`
	TaskID          ID         `json:"task_id"`
	ProjectID       ID         `json:"project_id"`
	Start           time.Time  `json:"start"`
	End             *time.Time `json:"end"`
	DurationSeconds int64      `json:"duration_seconds"`
	Note            string     `json:"note"`
	Billable        bool       `json:"billable"`
	Tags            []string   `json:"tags"`
	Source          string     `json:"source"`
	CreatedAt       time.Time  `json:"created_at"`
	UpdatedAt       time.Time  `json:"updated_at"`
}

// Running reports whether e is a running timer.
func (e TimeEntry) Running() bool { return e.End == nil }

// Duration returns the entry's length; for a running timer, up to now.
func (e TimeEntry) Duration(now time.Time) time.Duration {
	if e.End == nil {
		return now.Sub(e.Start)
	}
	return e.End.Sub(e.Start)
}

// NameKey is the case-insensitive form of a name that uniqueness and lookups
// use: names are unique per workspace (tasks per project) ignoring case.
func NameKey(name string) string { return strings.ToLower(strings.TrimSpace(name)) }

// Page selects a slice of a list ordered by id: items with an id greater than
// After, at most Limit of them.
type Page struct {
	After ID
	Limit int
}

// Page limits.
const (
	DefaultPageLimit = 100
	MaxPageLimit     = 1000
)

// Normalize applies the default and maximum limits.
func (p Page) Normalize() Page {
	if p.Limit <= 0 {
		p.Limit = DefaultPageLimit
	}
	if p.Limit > MaxPageLimit {
		p.Limit = MaxPageLimit
	}
	return p
}

// EntryFilter selects time entries. Zero fields match everything. From and To
// select entries that overlap [From, To).
type EntryFilter struct {
	UserID    ID
	ProjectID ID
	TaskID    ID
	From, To  time.Time
}

// TaskFilter selects tasks.
type TaskFilter struct {
	ProjectID ID
}

// UndoRecord remembers how to reverse one change: Steps run in order.
type UndoRecord struct {
	ID          ID
	WorkspaceID ID
	UserID      ID
	Action      string
	Steps       []UndoStep
	CreatedAt   time.Time
}

// UndoStep is one reversing operation.
type UndoStep struct {
	Op string          `json:"op"`
	ID ID              `json:"id,omitempty"`
	At *time.Time      `json:"at,omitempty"`
	V  json.RawMessage `json:"v,omitempty"`
}

// HumanDuration writes d as "1h 30m", "45m" or "20s".
func HumanDuration(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	d = d.Round(time.Second)
	h, m, s := int(d/time.Hour), int(d%time.Hour/time.Minute), int(d%time.Minute/time.Second)
	switch {
	case h > 0 && m > 0:
		return fmt.Sprintf("%dh %dm", h, m)
	case h > 0:
		return fmt.Sprintf("%dh", h)
	case m > 0:
		return fmt.Sprintf("%dm", m)
	}
	return fmt.Sprintf("%ds", s)
}
