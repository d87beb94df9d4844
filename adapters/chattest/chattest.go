// Package chattest holds checks that every chat adapter must pass, run by
// each adapter's tests against its own handler.
package chattest

import (
	"strings"
	"testing"

	"github.com/chatops/gateway/core"
)

// SizeLimits checks that a chat command's text may hold 8,000 characters,
// so a note of 4,000 fits, and that a longer text, or a note or a name over
// its limit, is an error reply (200, ephemeral) that changes nothing,
// never a 400. command sends a "/track" command and fails the test on any
// status but 200; events counts the events stored.
func SizeLimits(t *testing.T, command func(command, text, trigger string) map[string]any, events func() int) {
	t.Helper()
	note := strings.Repeat("ü", core.MaxNoteChars)
	m := command("/track", "Fix login in Website -- "+note, "t-note")
	if m["response_type"] != "in_channel" {
		t.Fatalf("a 4,000-character note: %v", m["text"])
	}
	before := events()
	for what, text := range map[string]string{
		"a text of 8,001": strings.Repeat("x", core.MaxCommandChars+1),
		"a note of 4,001": "Fix login in Website -- " + note + "ü",
		"a task of 201":   strings.Repeat("t", core.MaxNameChars+1) + " in Website",
	} {
		m := command("/track", text, "t-"+what)
		got, _ := m["text"].(string)
		if m["response_type"] != "ephemeral" || !strings.Contains(got, "longer than") {
			t.Errorf("%s: %v %q", what, m["response_type"], got)
		}
	}
	if after := events(); after != before {
		t.Errorf("refused commands wrote %d events", after-before)
	}
}
