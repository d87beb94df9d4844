package webhooks

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/chatops/gateway/core"
)

// RenderCapped renders ev for sub as Render does, and keeps the body within
// max bytes: a body over it is rendered again from the event's data cut
// to ids (IDsOnly), or from no data when even that is too big, with
// "truncated": true at the top level (when the body is a JSON object;
// a body still over max is the caller's to refuse). A member's long notes and tag lists
// so never make an event that no subscriber can take.
func (s *Service) RenderCapped(ev core.Event, sub core.Subscription, max int) (body []byte, code string, truncated bool, err error) {
	body, code, err = s.Render(ev, sub)
	if err != nil || len(body) <= max {
		return body, code, false, err
	}
	cut := ev
	for _, data := range []json.RawMessage{IDsOnly(ev.Data), json.RawMessage(`{}`)} {
		cut.Data = data
		if body, code, err = s.Render(cut, sub); err != nil {
			return nil, "", false, err
		}
		if marked, ok := markTruncated(body); ok {
			body = marked
		}
		if len(body) <= max {
			break
		}
	}
	return body, code, true, nil
}

// markTruncated sets "truncated": true at the top level of a JSON object;
// it reports false for a body that is not one.
func markTruncated(body []byte) ([]byte, bool) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil || top == nil {
		return nil, false
	}
	top["truncated"] = json.RawMessage(`true`)
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // as the chat renderers write their bodies
	if err := enc.Encode(top); err != nil {
		return nil, false
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), true
}

// IDsOnly cuts an event's data to its ids: in every object, the members
// named "id" or ending in "_id" or "_ids", and the objects and arrays that
// still hold some after the cut. Data that is not JSON gives {}.
func IDsOnly(data json.RawMessage) json.RawMessage {
	var v any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return json.RawMessage(`{}`)
	}
	cut, _ := idsOf(v)
	if cut == nil {
		cut = map[string]any{}
	}
	b, err := json.Marshal(cut)
	if err != nil {
		return json.RawMessage(`{}`)
	}
	return b
}

// idsOf returns what of v IDsOnly keeps, and whether that is anything.
func idsOf(v any) (any, bool) {
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, x := range v {
			if k == "id" || strings.HasSuffix(k, "_id") || strings.HasSuffix(k, "_ids") {
				out[k] = x
			} else if cut, ok := idsOf(x); ok {
				out[k] = cut
			}
		}
		return out, len(out) > 0
	case []any:
		var out []any
		for _, x := range v {
			if cut, ok := idsOf(x); ok {
				out = append(out, cut)
			}
		}
		return out, len(out) > 0
	}
	return nil, false
}
