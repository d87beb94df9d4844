package mattermost_test

import (
	"strings"
	"testing"
)

// TestNearMissSpelledOut checks that a near miss asks with both ways out as
// commands to copy, stores nothing, and that new names are announced.
func TestNearMissSpelledOut(t *testing.T) {
	e := newEnv(t)
	m := e.command("/tt", "track Fix bug in Website", "t1")
	if text, _ := m["text"].(string); !strings.Contains(text, "new project **Website** · new task **Fix bug** (`undo` takes it back)") {
		t.Fatalf("first track: %s", text)
	}
	n := e.eventCount()
	m = e.command("/tt", "track Fix bug in Web", "t2")
	text, _ := m["text"].(string)
	for _, want := range []string{"No project **Web**: did you mean **Website**?", "Nothing was stored", "Use it: `track \"Fix bug\" in Website`",
		"Or create **Web**: `add project Web`, then the command again."} {
		if !strings.Contains(text, want) {
			t.Errorf("reply lacks %q:\n%s", want, text)
		}
	}
	if m["response_type"] != "ephemeral" {
		t.Errorf("response_type %v", m["response_type"])
	}
	if e.eventCount() != n {
		t.Error("a question stored events")
	}
	// Both ways work as spelled out.
	e.command("/tt", "add project Web", "t3")
	if text, _ := e.command("/tt", "track Fix bug in Web", "t4")["text"].(string); !strings.Contains(text, "started **Fix bug** in **Web**") {
		t.Errorf("after add project: %s", text)
	}
	if text, _ := e.command("/tt", `track "Fix bug" in Website`, "t5")["text"].(string); !strings.Contains(text, "in **Website**") || strings.Contains(text, "new project") {
		t.Errorf("use it: %s", text)
	}
}
