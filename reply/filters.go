package reply

import (
	"encoding/json"
	"fmt"
	"strings"
)

// filtersText writes a subscription's stored event filters for people:
// names and wildcards as they are, Toggl-style objects as entity.action,
// comma-separated, no JSON quotes.
func filtersText(raw json.RawMessage) string {
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return strings.Trim(string(raw), "[]")
	}
	parts := make([]string, 0, len(items))
	for _, it := range items {
		var name string
		if json.Unmarshal(it, &name) == nil {
			parts = append(parts, name)
			continue
		}
		var obj struct {
			Entity string `json:"entity"`
			Action string `json:"action"`
		}
		if json.Unmarshal(it, &obj) == nil && obj.Entity != "" {
			parts = append(parts, fmt.Sprintf("%s.%s", obj.Entity, obj.Action))
			continue
		}
		parts = append(parts, string(it))
	}
	return strings.Join(parts, ", ")
}
