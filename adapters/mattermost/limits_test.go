package mattermost_test

import (
	"strings"
	"testing"

	"github.com/chatops/gateway/core"
)

// A chat command's text may hold 8,000 characters, so a note of 4,000
// fits; a longer text, or a note over 4,000, is an error reply (200,
// ephemeral) that changes nothing, never a 400.
func TestChatSizeLimits(t *testing.T) {
	e := newEnv(t)
	note := strings.Repeat("ü", core.MaxNoteChars)
	m := e.command("/track", "Fix login in Website -- "+note, "t-note")
	if m["response_type"] != "in_channel" {
		t.Fatalf("a 4,000-character note: %v", m["text"])
	}
	before := e.eventCount()
	for what, text := range map[string]string{
		"a text of 8,001": strings.Repeat("x", core.MaxCommandChars+1),
		"a note of 4,001": "Fix login in Website -- " + note + "ü",
		"a task of 201":   strings.Repeat("t", core.MaxNameChars+1) + " in Website",
	} {
		m := e.command("/track", text, "t-"+what)
		got, _ := m["text"].(string)
		if m["response_type"] != "ephemeral" || !strings.Contains(got, "longer than") {
			t.Errorf("%s: %v %q", what, m["response_type"], got)
		}
	}
	if after := e.eventCount(); after != before {
		t.Errorf("refused commands wrote %d events", after-before)
	}
}
