package generic_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chatops/gateway/core"
)

// TestShowAndFixThroughAHook: entries, edit entry, continue, who, reopen
// and report by … work in a hook's text as in chat, and answer with what
// was stored: the entry number, labels, note and times.
func TestShowAndFixThroughAHook(t *testing.T) {
	e := newEnv(t)
	enc := encodings[0]
	text := func(token, cmd string) string {
		t.Helper()
		m := e.ok(enc, token, map[string]any{"text": cmd})
		return m["result"].(map[string]any)["text"].(string)
	}
	if got := text(e.hook, "log 9-10 on Specs in Website 2026-11-20 #docs"); !strings.Contains(got, "(entry #1)") {
		t.Fatalf("log: %q", got)
	}
	e.events()
	if got, want := text(e.hook, "entries 2026-11-20"), "*Fri 20 Nov 2026* (UTC): 1 entry, 1h\n• #1 09:00–10:00 (1h) *Specs* in *Website* #docs"; !strings.HasPrefix(got, want) {
		t.Fatalf("entries:\n got %q\nwant %q…", got, want)
	}
	if got, want := text(e.hook, "edit entry #1 9-11 billable -- specs v2"), "✏️ Entry #1 is now 2h on *Specs* in *Website* #docs $, Fri 20 Nov 09:00–11:00 UTC — specs v2"; got != want {
		t.Fatalf("edit:\n got %q\nwant %q", got, want)
	}
	e.wantEvents(core.EventTimeEntryUpdated)
	if got := text(e.hook, "continue"); !strings.HasPrefix(got, "⏱ Ana started *Specs* in *Website* #docs $ (entry #2, ") {
		t.Fatalf("continue: %q", got)
	}
	e.wantEvents(core.EventTrackerStarted)
	if got := text(e.admins, "who"); !strings.HasPrefix(got, "*Running now* (UTC):\n• Ana: *Specs* in *Website* #docs $ since ") {
		t.Fatalf("who: %q", got)
	}
	if got := text(e.hook, "report 2026-11-20 by task"); !strings.HasSuffix(got, "\n*Fri 20 Nov 2026* by task: 2h\n• Specs (Website): 2h (100%)") {
		t.Fatalf("report: %q", got)
	}
	text(e.hook, "stop")
	text(e.hook, "close task Specs in Website")
	e.events()
	if got := text(e.hook, "reopen task Specs in Website"); got != "Reopened task *Specs* in *Website*" {
		t.Fatalf("reopen: %q", got)
	}
	e.wantEvents(core.EventTaskUpdated)
	// A member asking for the team's report is refused; nothing is stored.
	status, m := enc.send(e, e.hook, map[string]any{"text": "report team"})
	if status != http.StatusForbidden || !strings.Contains(toString(m), "only admins") {
		t.Fatalf("report team: %d %v", status, m)
	}
	e.wantEvents()
}
