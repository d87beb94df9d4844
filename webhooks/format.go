package webhooks

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/chatops/gateway/core"
)

// Renderer turns an event into the body a subscription of one format
// receives. extra holds top-level fields every format must carry (a ping's
// validation_code and validation_code_url).
type Renderer func(ev core.Event, sub core.Subscription, extra map[string]any) ([]byte, error)

// Render renders ev for sub in sub's format. A ping to a subscription
// that awaits validation carries validation_code and validation_code_url at
// the top level, in every format; code is then the code a receiver's 2xx
// answer must echo (Echoes), else "".
func (s *Service) Render(ev core.Event, sub core.Subscription) (body []byte, code string, err error) {
	render := s.renderers[sub.Format]
	if render == nil {
		return nil, "", errors.New("no renderer for format " + sub.Format)
	}
	extra := map[string]any{}
	if ev.Type == core.EventWebhookPing {
		var d map[string]any
		_ = json.Unmarshal(ev.Data, &d)
		if c, ok := d["validation_code"].(string); ok && sub.ValidatedAt == nil {
			code = c
			extra["validation_code"] = c
			extra["validation_code_url"] = d["validation_code_url"]
		}
	}
	body, err = render(ev, sub, extra)
	return body, code, err
}

// Echoes reports whether a receiver's answer validates synchronously: it is
// {"validation_code": code}.
func Echoes(answer []byte, code string) bool {
	var v struct {
		Code string `json:"validation_code"`
	}
	return json.Unmarshal(answer, &v) == nil && v.Code == code
}

// RenderStandard writes the standard body: id, type, timestamp,
// workspace_id, actor and data, plus extra fields at the top level.
func RenderStandard(ev core.Event, _ core.Subscription, extra map[string]any) ([]byte, error) {
	body := map[string]any{
		"id":           ev.ID,
		"type":         ev.Type,
		"timestamp":    ev.Timestamp,
		"workspace_id": ev.WorkspaceID,
		"actor":        ev.Actor,
		"data":         ev.Data,
	}
	for k, v := range extra {
		body[k] = v
	}
	return json.Marshal(body)
}

// togglModel maps an event to Toggl's model and action, and names the key
// of the entity in the event's data: Toggl reports a timer as a time
// entry, created when it starts and updated when it stops, and a
// workspace user's events carry the user.
func togglModel(eventType string) (model, action, key string) {
	switch eventType {
	case core.EventTrackerStarted:
		return "time_entry", "created", "time_entry"
	case core.EventTrackerStopped:
		return "time_entry", "updated", "time_entry"
	}
	model, action = core.SplitEventType(eventType)
	key = model
	if model == "workspace_user" {
		key = "user"
	}
	return model, action, key
}

// togglRequestType is the HTTP method Toggl reports in metadata.request_type
// for an action: POST creates, DELETE deletes, PUT changes.
func togglRequestType(action string) string {
	switch action {
	case "created":
		return http.MethodPost
	case "deleted":
		return http.MethodDelete
	}
	return http.MethodPut
}

// togglPaths are the gateway API collections of the models that have one,
// for metadata.path.
var togglPaths = map[string]string{
	"client": "/api/v1/clients", "project": "/api/v1/projects", "task": "/api/v1/tasks", "tag": "/api/v1/tags",
	"time_entry": "/api/v1/time-entries", "workspace_user": "/api/v1/users", "webhook": "/api/v1/webhooks",
}

// RenderToggl writes Toggl Track's envelope: event_id, created_at,
// creator_id, metadata, payload, subscription_id, url_callback and
// timestamp, plus extra fields at the top level.
//
// payload is the entity object (the time entry for tracker events), or
// "ping" for a ping. metadata is what Toggl puts there: for an event,
// action and model (as Toggl reports a timer: tracker.started is
// time_entry/created, tracker.stopped time_entry/updated), workspace_id,
// event_user_id (who made the change), request_type (POST for created,
// DELETE for deleted, PUT otherwise), <model>_id (the entity's id) and
// path (the gateway API path of the entity, of its collection for created;
// left out for models the API has no path for); for a ping, request_type
// and event_user_id only. Ids are strings, as Toggl sends them in metadata.
func RenderToggl(ev core.Event, sub core.Subscription, extra map[string]any) ([]byte, error) {
	metadata := map[string]any{"request_type": http.MethodPost, "event_user_id": ev.Actor.ID}
	var payload any = "ping"
	if ev.Type != core.EventWebhookPing {
		model, action, key := togglModel(ev.Type)
		var data map[string]json.RawMessage
		_ = json.Unmarshal(ev.Data, &data)
		payload = json.RawMessage(ev.Data)
		var entity struct {
			ID json.RawMessage `json:"id"`
		}
		if p, ok := data[key]; ok {
			payload = p
			_ = json.Unmarshal(p, &entity)
		}
		metadata["action"], metadata["model"] = action, model
		metadata["workspace_id"] = ev.WorkspaceID
		metadata["request_type"] = togglRequestType(action)
		hasID := len(entity.ID) > 0 && string(entity.ID) != "null"
		if hasID {
			metadata[model+"_id"] = entity.ID
		}
		if p, ok := togglPaths[model]; ok && (action == "created" || hasID) {
			if action != "created" {
				var id string
				if json.Unmarshal(entity.ID, &id) != nil {
					id = string(entity.ID)
				}
				p += "/" + id
			}
			metadata["path"] = p
		}
	}
	body := map[string]any{
		"event_id":        ev.ID,
		"created_at":      ev.Timestamp,
		"creator_id":      ev.Actor.ID,
		"metadata":        metadata,
		"payload":         payload,
		"subscription_id": sub.ID,
		"url_callback":    sub.URL,
		"timestamp":       ev.Timestamp,
	}
	for k, v := range extra {
		body[k] = v
	}
	return json.Marshal(body)
}
