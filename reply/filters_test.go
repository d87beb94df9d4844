package reply

import (
	"encoding/json"
	"testing"
)

func TestFiltersTextReadsCleanly(t *testing.T) {
	for raw, want := range map[string]string{
		`["tracker.*","task.*"]`:                                   "tracker.*, task.*",
		`[{"entity":"project","action":"*"},"time_entry.created"]`: "project.*, time_entry.created",
		`[]`:       "",
		`not json`: "not json",
	} {
		if got := filtersText(json.RawMessage(raw)); got != want {
			t.Errorf("%s: got %q, want %q", raw, got, want)
		}
	}
}
