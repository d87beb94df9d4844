package mattermost_test

import (
	"regexp"
	"strings"
	"testing"
)

// TestNearMissOfEditSpelledOut checks that edit entry asks about a name
// close to an existing one with both ways out as commands, stores nothing,
// and that the spelled-out way in goes through.
func TestNearMissOfEditSpelledOut(t *testing.T) {
	e := newEnv(t)
	e.command("/tt", "add task Fix bug in Website", "t1")
	text, _ := e.command("/tt", "log 1h on Triage in Ops yesterday", "t2")["text"].(string)
	m := regexp.MustCompile(`entry #(\d+)`).FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("log reply has no entry number: %s", text)
	}
	n := e.eventCount()
	r := e.command("/tt", "edit entry #"+m[1]+" on Fix bug in Web", "t3")
	text, _ = r["text"].(string)
	use := "edit entry #" + m[1] + ` on "Fix bug" in Website`
	for _, want := range []string{"No project **Web**: did you mean **Website**?", "Nothing was stored", "Use it: `" + use + "`",
		"Or create **Web**: `add project Web`, then the command again."} {
		if !strings.Contains(text, want) {
			t.Errorf("reply lacks %q:\n%s", want, text)
		}
	}
	if r["response_type"] != "ephemeral" {
		t.Errorf("response_type %v", r["response_type"])
	}
	if e.eventCount() != n {
		t.Error("a question stored events")
	}
	if text, _ := e.command("/tt", use, "t4")["text"].(string); !strings.Contains(text, "**Fix bug**") || !strings.Contains(text, "**Website**") {
		t.Errorf("use it: %s", text)
	}
	if e.eventCount() != n+1 {
		t.Errorf("the edit wrote %d events, want 1", e.eventCount()-n)
	}
	// A name nothing is close to is made, and said so.
	if text, _ := e.command("/tt", "edit entry #"+m[1]+" in Backend", "t5")["text"].(string); !strings.Contains(text, "new project **Backend** (`undo` takes it back)") {
		t.Errorf("new project on an edit: %s", text)
	}
}
