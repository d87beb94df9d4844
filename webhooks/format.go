package webhooks

import (
	"encoding/json"
	"errors"

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

// togglModel maps an event to Toggl's model and action: Toggl reports a
// timer as a time entry, created when it starts and updated when it stops.
func togglModel(eventType string) (model, action string) {
	switch eventType {
	case core.EventTrackerStarted:
		return "time_entry", "created"
	case core.EventTrackerStopped:
		return "time_entry", "updated"
	}
	return core.SplitEventType(eventType)
}

// RenderToggl writes Toggl Track's envelope: payload is the entity object
// (the time entry for tracker events), metadata names model and action.
func RenderToggl(ev core.Event, sub core.Subscription, extra map[string]any) ([]byte, error) {
	model, action := togglModel(ev.Type)
	var data map[string]json.RawMessage
	_ = json.Unmarshal(ev.Data, &data)
	var payload any = json.RawMessage(ev.Data)
	if p, ok := data[model]; ok {
		payload = p
	}
	if ev.Type == core.EventWebhookPing {
		payload = "ping"
	}
	body := map[string]any{
		"event_id":   ev.ID,
		"created_at": ev.Timestamp,
		"creator_id": ev.Actor.ID,
		"metadata": map[string]any{
			"action":        action,
			"model":         model,
			"workspace_id":  ev.WorkspaceID,
			"event_user_id": ev.Actor.ID,
		},
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
