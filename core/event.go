package core

import (
	"encoding/json"
	"slices"
	"strings"
	"time"
)

// Event is one state change, as subscribers see it. Every change writes
// exactly one event to the outbox, in the same transaction as the change.
type Event struct {
	// Seq is the outbox position, assigned by the store.
	Seq         int64           `json:"-"`
	ID          string          `json:"id"`
	Type        string          `json:"type"`
	Timestamp   time.Time       `json:"timestamp"`
	WorkspaceID ID              `json:"workspace_id"`
	Actor       EventActor      `json:"actor"`
	Data        json.RawMessage `json:"data"`
	// UserID is the user the changed thing belongs to (a time entry's user),
	// zero for workspace-wide things; ProjectID the project it concerns.
	// Delivery uses them to decide who may see the event.
	UserID    ID `json:"-"`
	ProjectID ID `json:"-"`
}

// EventActor is who caused an event, and through which way in.
type EventActor struct {
	ID     ID     `json:"id"`
	Name   string `json:"name"`
	Source string `json:"source"`
}

// Event types: the catalogue (CONTRACT.md section 4).
const (
	EventClientCreated        = "client.created"
	EventClientUpdated        = "client.updated"
	EventClientDeleted        = "client.deleted"
	EventProjectGroupCreated  = "project_group.created"
	EventProjectGroupUpdated  = "project_group.updated"
	EventProjectGroupDeleted  = "project_group.deleted"
	EventProjectUserCreated   = "project_user.created"
	EventProjectUserUpdated   = "project_user.updated"
	EventProjectUserDeleted   = "project_user.deleted"
	EventTagCreated           = "tag.created"
	EventTagUpdated           = "tag.updated"
	EventTagDeleted           = "tag.deleted"
	EventWorkspaceUserCreated = "workspace_user.created"
	EventWorkspaceUserUpdated = "workspace_user.updated"
	EventWorkspaceUserDeleted = "workspace_user.deleted"
	EventProjectCreated       = "project.created"
	EventProjectUpdated       = "project.updated"
	EventProjectClosed        = "project.closed"
	EventProjectDeleted       = "project.deleted"
	EventTaskCreated          = "task.created"
	EventTaskUpdated          = "task.updated"
	EventTaskClosed           = "task.closed"
	EventTaskDeleted          = "task.deleted"
	EventTimeEntryCreated     = "time_entry.created"
	EventTimeEntryUpdated     = "time_entry.updated"
	EventTimeEntryDeleted     = "time_entry.deleted"
	EventTrackerStarted       = "tracker.started"
	EventTrackerStopped       = "tracker.stopped"
	EventWorkspaceUpdated     = "workspace.updated"
	EventWebhookPing          = "webhook.ping"
	EventWebhookFailing       = "webhook.failing"
	EventWebhookDisabled      = "webhook.disabled"
	EventWebhookEnabled       = "webhook.enabled"
)

// EventType describes one entry of the catalogue.
type EventType struct {
	Name        string `json:"name"`
	Entity      string `json:"entity"`
	Action      string `json:"action"`
	Description string `json:"description"`
}

var catalogue = []EventType{
	{EventClientCreated, "client", "created", "a client was added"},
	{EventClientUpdated, "client", "updated", "a client was renamed"},
	{EventClientDeleted, "client", "deleted", "a client was deleted"},
	{EventProjectGroupCreated, "project_group", "created", "a group was given access to a project"},
	{EventProjectGroupUpdated, "project_group", "updated", "a project group changed"},
	{EventProjectGroupDeleted, "project_group", "deleted", "a group lost access to a project"},
	{EventProjectUserCreated, "project_user", "created", "a user joined a project"},
	{EventProjectUserUpdated, "project_user", "updated", "a project member changed"},
	{EventProjectUserDeleted, "project_user", "deleted", "a user left a project"},
	{EventTagCreated, "tag", "created", "a tag was added"},
	{EventTagUpdated, "tag", "updated", "a tag was renamed"},
	{EventTagDeleted, "tag", "deleted", "a tag was deleted"},
	{EventWorkspaceUserCreated, "workspace_user", "created", "a user joined the workspace"},
	{EventWorkspaceUserUpdated, "workspace_user", "updated", "a user changed (role, identities)"},
	{EventWorkspaceUserDeleted, "workspace_user", "deleted", "a user left the workspace"},
	{EventProjectCreated, "project", "created", "a project was added"},
	{EventProjectUpdated, "project", "updated", "a project changed or was reopened"},
	{EventProjectClosed, "project", "closed", "a project was closed (archived)"},
	{EventProjectDeleted, "project", "deleted", "a project was deleted"},
	{EventTaskCreated, "task", "created", "a task was added"},
	{EventTaskUpdated, "task", "updated", "a task changed or was reopened"},
	{EventTaskClosed, "task", "closed", "a task was closed"},
	{EventTaskDeleted, "task", "deleted", "a task was deleted"},
	{EventTimeEntryCreated, "time_entry", "created", "a finished time entry was added"},
	{EventTimeEntryUpdated, "time_entry", "updated", "a time entry changed"},
	{EventTimeEntryDeleted, "time_entry", "deleted", "a time entry was deleted"},
	{EventTrackerStarted, "tracker", "started", "a timer started"},
	{EventTrackerStopped, "tracker", "stopped", "a timer stopped; carries the finished time entry"},
	{EventWorkspaceUpdated, "workspace", "updated", "the workspace changed"},
	{EventWebhookPing, "webhook", "ping", "a test or validation ping (sent only to the subscription itself)"},
	{EventWebhookFailing, "webhook", "failing", "a subscription's delivery failed and awaits retry"},
	{EventWebhookDisabled, "webhook", "disabled", "a subscription was disabled"},
	{EventWebhookEnabled, "webhook", "enabled", "a subscription was enabled"},
}

// EventTypes returns the event catalogue.
func EventTypes() []EventType { return slices.Clone(catalogue) }

// SplitEventType splits "entity.action".
func SplitEventType(name string) (entity, action string) {
	entity, action, _ = strings.Cut(name, ".")
	return entity, action
}
