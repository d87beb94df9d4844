package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chatops/gateway/adapters/slack"
	"github.com/chatops/gateway/core"
)

// The tests here are the second edition's acceptance 2 and 3 through the
// real gateway: signed Slack forms and button presses, a fake Slack Web
// API (users.info with a zone, chat.postMessage, response_url), and what
// is stored read back through the management API and the outbox.

// secondEdition is a gateway with the Slack adapter, a bot token and the
// fake Slack.
type secondEdition struct {
	*gateway
	slack *slackFake
	n     int
}

func startSecondEdition(t *testing.T) *secondEdition {
	t.Helper()
	f := newSlackFake(t, map[string]string{"U0ANA": "UTC", "U0BERTA": "Europe/Berlin", "U0CARL": "America/Los_Angeles"})
	cfg := testConfig(t, filepath.Join(t.TempDir(), "e2e.db"), f.settings(nil))
	return &secondEdition{gateway: startGateway(t, cfg), slack: f}
}

// command sends a signed slash command as a Slack user and returns the
// reply, errors included.
func (s *secondEdition) command(user, slash, text string) map[string]any {
	s.t.Helper()
	s.n++
	form := slashForm(user, strings.ToLower(strings.TrimPrefix(user, "U0")), slash, text, fmt.Sprintf("trig-%d", s.n))
	form.Set("response_url", s.slack.srv.URL+"/response/cmd")
	return s.post("/slack/commands", form.Encode())
}

// post sends a signed form to path and returns the answer, if any; a
// status other than 200 fails the test.
func (s *secondEdition) post(path, form string) map[string]any {
	s.t.Helper()
	status, b := signedPost(s.t, s.base+path, form)
	if status != http.StatusOK {
		s.t.Fatalf("%s: status %d %s", path, status, b)
	}
	var m map[string]any
	if len(b) > 0 {
		if err := json.Unmarshal(b, &m); err != nil {
			s.t.Fatalf("%s: %v: %s", path, err, b)
		}
	}
	return m
}

// press sends a signed press of a button (action id and value) by a Slack
// user, as Slack sends block_actions.
func (s *secondEdition) press(user, actionID, value string) {
	s.t.Helper()
	s.n++
	s.post("/slack/interactions", interactionForm(map[string]any{
		"type": "block_actions", "team": map[string]any{"id": "T0001"},
		"user":       map[string]any{"id": user, "username": strings.ToLower(strings.TrimPrefix(user, "U0")), "team_id": "T0001"},
		"trigger_id": fmt.Sprintf("press-%d", s.n), "channel": map[string]any{"id": "C1"},
		"container":    map[string]any{"type": "message", "is_ephemeral": true},
		"response_url": s.slack.srv.URL + "/response/press",
		"actions":      []map[string]any{{"action_id": actionID, "block_id": "b", "type": "button", "value": value}},
	}))
}

// buttonsOf returns the action ids and values of the buttons in blocks.
func buttonsOf(t *testing.T, blocks any) map[string]string {
	t.Helper()
	b, _ := json.Marshal(blocks)
	var bs []struct {
		Type     string `json:"type"`
		Elements []struct {
			Type     string `json:"type"`
			ActionID string `json:"action_id"`
			Value    string `json:"value"`
		} `json:"elements"`
	}
	if err := json.Unmarshal(b, &bs); err != nil {
		t.Fatalf("blocks: %v", err)
	}
	out := map[string]string{}
	for _, bl := range bs {
		for _, e := range bl.Elements {
			if e.Type == "button" {
				out[e.ActionID] = e.Value
			}
		}
	}
	return out
}

// snapshot is what the API lists and the outbox holds.
type snapshot struct {
	entries, projects, tasks, tags int
	seq                            int64
}

func (s *secondEdition) snapshot() snapshot {
	s.t.Helper()
	var out snapshot
	for path, n := range map[string]*int{"/api/v1/time-entries": &out.entries, "/api/v1/projects": &out.projects, "/api/v1/tasks": &out.tasks, "/api/v1/tags": &out.tags} {
		var list struct {
			Data []json.RawMessage `json:"data"`
		}
		if st := s.api("GET", path+"?limit=1000", &list); st != 200 {
			s.t.Fatalf("GET %s: %d", path, st)
		}
		*n = len(list.Data)
	}
	s.events(&out.seq)
	return out
}

// unchanged checks that nothing was stored since before: the API lists the
// same and the outbox has no new event.
func (s *secondEdition) unchanged(what string, before snapshot) {
	s.t.Helper()
	seq := before.seq
	if evs := s.events(&seq); len(evs) != 0 {
		s.t.Errorf("%s: the outbox got %v", what, evs)
	}
	after := s.snapshot()
	after.seq = before.seq
	if after != before {
		s.t.Errorf("%s: stored something: before %+v, after %+v", what, before, after)
	}
}

func text(m map[string]any) string { s, _ := m["text"].(string); return s }

// TestSecondEditionSlackEndToEnd is acceptance 2: ask → click → created or
// used, Undo, an overlap refused then taken with anyway, and a Berlin
// user's log in their zone from users.info.
func TestSecondEditionSlackEndToEnd(t *testing.T) {
	s := startSecondEdition(t)
	var seq int64
	s.events(&seq)

	// A name nothing is close to is made, announced, with an Undo button.
	m := s.command("U0ANA", "/tt", "track Fix bug in Website")
	if m["response_type"] != "in_channel" || !strings.Contains(text(m), "started *Fix bug* in *Website*") {
		t.Fatalf("first track: %v", m)
	}
	if b := buttonsOf(t, m["blocks"]); !strings.HasPrefix(b[slack.UndoActionID], "entry:") {
		t.Errorf("no Undo button for new names: %v", b)
	}
	s.command("U0ANA", "/tt", "stop")

	// /track tarck Fix bug in Web: the verb typo is asked first.
	before := s.snapshot()
	if m := s.command("U0ANA", "/track", "tarck Fix bug in Web"); !strings.Contains(text(m), `did you mean \"track\"`) && !strings.Contains(text(m), `did you mean "track"`) {
		t.Errorf("verb typo: %s", text(m))
	}
	s.unchanged("a verb typo", before)

	// A near miss asks, with buttons, and stores nothing.
	m = s.command("U0ANA", "/track", "Fix bug in Web")
	if m["response_type"] != "ephemeral" || !strings.Contains(text(m), "No project *Web*: did you mean *Website*?") {
		t.Fatalf("near miss: %v", m)
	}
	b := buttonsOf(t, m["blocks"])
	if b[slack.NearUseActionID] == "" || b[slack.NearCreateActionID] == "" {
		t.Fatalf("near-miss buttons: %v", b)
	}
	s.unchanged("a near miss", before)

	// [Create "Web"]: the question goes, the channel sees the start.
	s.press("U0ANA", slack.NearCreateActionID, b[slack.NearCreateActionID])
	got := s.slack.answers()
	if len(got) != 2 || !got[0].DeleteOriginal || got[1].ResponseType != "in_channel" || !strings.Contains(got[1].Text, "started *Fix bug* in *Web*") {
		t.Fatalf("create pressed: %+v", got)
	}
	undo := buttonsOf(t, got[1].Blocks)[slack.UndoActionID]
	if !strings.HasPrefix(undo, "entry:") {
		t.Fatalf("no Undo after creating: %s", got[1].Blocks)
	}
	if snap := s.snapshot(); snap.projects != before.projects+1 || snap.entries != before.entries+1 {
		t.Errorf("after create: %+v (before %+v)", snap, before)
	}

	// [Undo]: the entry, task and project go again.
	s.press("U0ANA", slack.UndoActionID, undo)
	got = s.slack.answers()
	if len(got) != 1 || !got[0].ReplaceOriginal || !strings.Contains(got[0].Text, "Undid your last change (track)") {
		t.Fatalf("undo pressed: %+v", got)
	}
	if snap := s.snapshot(); snap.projects != before.projects || snap.entries != before.entries || snap.tasks != before.tasks {
		t.Errorf("after undo: %+v (before %+v)", snap, before)
	}
	// The same Undo again, or an old one, changes nothing.
	mark := s.snapshot()
	s.press("U0ANA", slack.UndoActionID, undo)
	if got := s.slack.answers(); len(got) != 1 || !strings.Contains(got[0].Text, ":warning:") {
		t.Errorf("second undo: %+v", got)
	}
	s.unchanged("a stale Undo", mark)

	// Ask again, and take the existing name: [Track in Website].
	m = s.command("U0ANA", "/track", "Fix bug in Web")
	s.press("U0ANA", slack.NearUseActionID, buttonsOf(t, m["blocks"])[slack.NearUseActionID])
	got = s.slack.answers()
	if len(got) != 2 || !strings.Contains(got[1].Text, "started *Fix bug* in *Website*") {
		t.Fatalf("use pressed: %+v", got)
	}
	if snap := s.snapshot(); snap.projects != before.projects {
		t.Errorf("use made a project: %+v", snap)
	}
	s.command("U0ANA", "/tt", "stop")

	// An overlap is refused, naming the entry; anyway takes it.
	m = s.command("U0ANA", "/tt", "log 9-10 on Fix bug in Website 3 days ago #ops billable")
	if !strings.Contains(text(m), "Logged 1h") {
		t.Fatalf("log: %s", text(m))
	}
	logged := entryNumber(t, text(m))
	mark = s.snapshot()
	if m := s.command("U0ANA", "/tt", "log 9:30-10:30 on Fix bug in Website 3 days ago"); !strings.Contains(text(m), "overlaps #") {
		t.Errorf("overlap: %s", text(m))
	}
	s.unchanged("an overlap", mark)
	if m := s.command("U0ANA", "/tt", "log 9:30-10:30 on Fix bug in Website 3 days ago anyway"); !strings.Contains(text(m), "Logged 1h") {
		t.Errorf("anyway: %s", text(m))
	}

	editAndContinue(t, s, logged)

	// Berta's zone comes from users.info at her first command: 9-11 on
	// 1 Dec in Berlin (winter, CET) is 08:00-10:00 UTC.
	m = s.command("U0BERTA", "/tt", "log 9-11 on Specs in Website 1 Dec")
	if !strings.Contains(text(m), "CET") {
		t.Errorf("Berlin log: %s", text(m))
	}
	var users struct {
		Data []core.User `json:"data"`
	}
	s.api("GET", "/api/v1/users", &users)
	var berta core.User
	for _, u := range users.Data {
		if u.Name == "berta" {
			berta = u
		}
	}
	if berta.TimeZone != "Europe/Berlin" {
		t.Fatalf("berta's zone: %+v", berta)
	}
	var entries entryList
	s.api("GET", fmt.Sprintf("/api/v1/time-entries?user_id=%d", berta.ID), &entries)
	if len(entries.Data) != 1 {
		t.Fatalf("berta's entries: %+v", entries.Data)
	}
	e := entries.Data[0]
	if st, en := e.Start.UTC(), e.End.UTC(); st.Month() != time.December || st.Day() != 1 || st.Hour() != 8 || st.Minute() != 0 || en.Hour() != 10 {
		t.Errorf("berta's entry: %s–%s, want 1 Dec 08:00–10:00 UTC", st, en)
	}
	// Asked once; a known user is not asked again.
	s.command("U0BERTA", "/tt", "status")
	if n := s.slack.calls("U0BERTA"); n != 1 {
		t.Errorf("users.info asked %d times for berta", n)
	}
	// A first command that only reads makes the user in their zone too.
	s.command("U0CARL", "/tt", "status")
	if m := s.command("U0CARL", "/tt", "tz"); !strings.Contains(text(m), "America/Los_Angeles") {
		t.Errorf("carl's first tz: %s", text(m))
	}
}

// TestNothingStoredForAskedRefusedOrMistyped is acceptance 3: no entry,
// project, task or tag and no event for a command that was asked about,
// refused or mistyped, through Slack.
func TestNothingStoredForAskedRefusedOrMistyped(t *testing.T) {
	s := startSecondEdition(t)
	s.command("U0ANA", "/tt", "track Fix bug in Website #ui")
	s.command("U0ANA", "/tt", "stop")
	s.command("U0ANA", "/tt", "log 9-11 on Standup in Website 2 days ago")
	for _, c := range []struct{ slash, text, reply string }{
		{"/track", "tarck Fix bug in Website", `did you mean "track"`},
		{"/tt", "stpo", "stop"},
		{"/tt", "track Fix bug in Web", "did you mean *Website*"},
		{"/tt", "track Fix bug in Websiet #new", "did you mean *Website*"},
		{"/tt", "log 1h on Fix bgu in Website yesterday #new", "did you mean *Fix bug*"},
		{"/tt", "log 1h on Standup in Web yesterday", "did you mean *Website*"},
		{"/tt", "log 10-12 on Standup in Website 2 days ago #new", "overlaps #"},
		{"/tt", "log 25h on X in Y", "over 24 hours"},
		{"/tt", "log 1h on Specs in Website 12/01", "1 Dec"},
		{"/tt", "log 9-11 on Specs in Website tomorrow", "did you mean *Website*"}, // "tomorrow" is no day: part of the name
		{"/tt", "log 1h30m on Write specs in Website at 11pm", "future"},
		{"/tt", "delete entry #999", "not found"},
	} {
		before := s.snapshot()
		m := s.command("U0ANA", c.slash, c.text)
		if m["response_type"] != "ephemeral" || !strings.Contains(text(m), c.reply) {
			t.Errorf("%s %s: %v", c.slash, c.text, text(m))
		}
		s.unchanged(c.slash+" "+c.text, before)
	}
}

// TestNearMissThroughAHook is acceptance 3 for generic hooks: a near miss
// is a 422 that spells both ways out, and stores nothing; each way then
// works as spelled.
func TestNearMissThroughAHook(t *testing.T) {
	s := startSecondEdition(t)
	var hook struct{ URL string }
	if st := s.apiBody("POST", "/api/v1/incoming", map[string]string{"name": "ci"}, &hook); st != 201 {
		t.Fatalf("create hook: %d", st)
	}
	path := s.base + "/hooks/" + hook.URL[strings.LastIndex(hook.URL, "/")+1:]
	if a := call(t, "POST", path, "", `{"text":"track Fix bug in Website"}`); a.status != 200 {
		t.Fatalf("track: %d %s", a.status, a.body)
	}
	before := s.snapshot()
	for _, cmd := range []string{"track Fix bug in Web", `log 1h on \"Fix bgu\" in Website yesterday`, "log 1h on Fix bug in Web yesterday"} {
		a := call(t, "POST", path, "", `{"text":"`+cmd+`"}`)
		if a.status != http.StatusUnprocessableEntity || !strings.Contains(string(a.body), "did you mean") || !strings.Contains(string(a.body), "Use it: ") {
			t.Errorf("%s: %d %s", cmd, a.status, a.body)
		}
		s.unchanged(cmd, before)
	}
	a := call(t, "POST", path, "", `{"text":"track Fix bug in Web"}`)
	if !strings.Contains(string(a.body), `track \"Fix bug\" in Website; or create \"Web\": add project Web, then the command again.`) {
		t.Errorf("ways out: %s", a.body)
	}
	for _, cmd := range []string{"add project Web", "track Fix bug in Web"} {
		if a := call(t, "POST", path, "", `{"text":"`+cmd+`"}`); a.status != 200 {
			t.Errorf("%s: %d %s", cmd, a.status, a.body)
		}
	}
}
