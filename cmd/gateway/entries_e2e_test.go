package main

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chatops/gateway/adapters/slack"
	"github.com/chatops/gateway/core"
)

// entryNumber reads the entry number a reply echoes ("entry #12").
func entryNumber(t *testing.T, reply string) core.ID {
	t.Helper()
	m := regexp.MustCompile(`entry #(\d+)`).FindStringSubmatch(reply)
	if m == nil {
		t.Fatalf("no entry number in %q", reply)
	}
	id, err := core.ParseID(m[1])
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// editAndContinue is the second edition's entries, edit entry (a near
// miss asked, then the existing name taken with the button) and continue,
// through signed Slack forms, on ana's entry id: 09:00–10:00 UTC three
// days ago, on Fix bug in Website, #ops, billable. Ana's zone is UTC.
func editAndContinue(t *testing.T, s *secondEdition, id core.ID) {
	t.Helper()
	n := id.String()
	// entries shows the entry by its number, with a Continue button.
	m := s.command("U0ANA", "/tt", "entries 3 days ago")
	if !strings.Contains(text(m), "#"+n+" 09:00–10:00 (1h)") || !strings.Contains(text(m), "*Fix bug* in *Website*") {
		t.Errorf("entries: %s", text(m))
	}
	if b := buttonsOf(t, m["blocks"]); b[slack.ContinueActionID] == "" {
		t.Errorf("entries buttons: %v", b)
	}
	var before core.TimeEntry
	if st := s.api("GET", "/api/v1/time-entries/"+n, &before); st != 200 {
		t.Fatalf("GET entry %s: %d", n, st)
	}

	// edit entry with a project close to Website asks, with both ways out
	// as buttons and spelled out, and changes nothing.
	mark := s.snapshot()
	m = s.command("U0ANA", "/tt", "edit entry #"+n+" 8-9 on Review in Web -- moved")
	if m["response_type"] != "ephemeral" || !strings.Contains(text(m), "No project *Web*: did you mean *Website*?") {
		t.Fatalf("edit near miss: %v", m)
	}
	b := buttonsOf(t, m["blocks"])
	if b[slack.NearUseActionID] == "" || b[slack.NearCreateActionID] == "" {
		t.Fatalf("edit near-miss buttons: %v", b)
	}
	if blocks := fmt.Sprint(m["blocks"]); !strings.Contains(blocks, "Or type `edit entry #"+n+" 08:00-09:00 on Review in Website -- moved`, or `add project Web` then the command again.") {
		t.Errorf("ways out not spelled: %s", blocks)
	}
	s.unchanged("an edit's near miss", mark)
	var same core.TimeEntry
	s.api("GET", "/api/v1/time-entries/"+n, &same)
	if !same.Start.Equal(before.Start) || same.TaskID != before.TaskID || same.Note != before.Note {
		t.Errorf("the asked edit changed the entry: %+v", same)
	}

	// [Edit in Website]: the entry moves to 08:00–09:00 on a new task
	// Review in Website, with the note; one event.
	seq := mark.seq
	s.press("U0ANA", slack.NearUseActionID, b[slack.NearUseActionID])
	if got := s.slack.answers(); len(got) == 0 || !strings.Contains(got[len(got)-1].Text, "#"+n) {
		t.Errorf("edit pressed: %+v", got)
	}
	var edited core.TimeEntry
	s.api("GET", "/api/v1/time-entries/"+n, &edited)
	var task core.Task
	s.api("GET", "/api/v1/tasks/"+edited.TaskID.String(), &task)
	if st := edited.Start.UTC(); st.Hour() != 8 || st.Minute() != 0 || !sameDate(st, before.Start.UTC()) || edited.End.UTC().Hour() != 9 ||
		edited.ProjectID != before.ProjectID || task.Name != "Review" || edited.Note != "moved" || !edited.Billable {
		t.Errorf("edited entry: %+v (task %q)", edited, task.Name)
	}
	if evs := s.events(&seq); !slices.Contains(evs, core.EventTimeEntryUpdated) || slices.Contains(evs, core.EventProjectCreated) {
		t.Errorf("edit events: %v", evs)
	}

	// continue #N: a running timer like the entry (task, project, tags,
	// billable; not the note).
	m = s.command("U0ANA", "/tt", "continue #"+n)
	if m["response_type"] != "in_channel" || !strings.Contains(text(m), "started *Review* in *Website*") {
		t.Fatalf("continue: %v", m)
	}
	timer := entryNumber(t, text(m))
	var running core.TimeEntry
	s.api("GET", "/api/v1/time-entries/"+timer.String(), &running)
	if timer == id || running.End != nil || running.TaskID != edited.TaskID || running.ProjectID != edited.ProjectID ||
		!running.Billable || running.Note != "" || fmt.Sprint(running.Tags) != fmt.Sprint(edited.Tags) || len(running.Tags) != 1 {
		t.Errorf("continued timer: %+v, like %+v", running, edited)
	}
	s.command("U0ANA", "/tt", "stop")

	// [Create "Web"] on an edit: the entry moves to a new project Web;
	// its Undo button puts the entry back and takes Web away.
	mark = s.snapshot()
	m = s.command("U0ANA", "/tt", "edit entry #"+n+" in Web")
	b = buttonsOf(t, m["blocks"])
	if b[slack.NearCreateActionID] == "" {
		t.Fatalf("edit near-miss buttons: %v", b)
	}
	s.unchanged("a project-only edit's near miss", mark)
	s.press("U0ANA", slack.NearCreateActionID, b[slack.NearCreateActionID])
	got := s.slack.answers()
	if len(got) == 0 || !strings.Contains(got[len(got)-1].Text, "*Web*") {
		t.Fatalf("create pressed: %+v", got)
	}
	var moved core.TimeEntry
	s.api("GET", "/api/v1/time-entries/"+n, &moved)
	if moved.ProjectID == edited.ProjectID || s.snapshot().projects != mark.projects+1 {
		t.Fatalf("create on an edit: %+v", moved)
	}
	undo := buttonsOf(t, got[len(got)-1].Blocks)[slack.UndoActionID]
	if undo != "project:"+moved.ProjectID.String() {
		t.Fatalf("undo button of the edit: %q", undo)
	}
	s.press("U0ANA", slack.UndoActionID, undo)
	if got := s.slack.answers(); len(got) != 1 || !strings.Contains(got[0].Text, "Undid your last change (edit entry)") {
		t.Errorf("undo pressed: %+v", got)
	}
	var back core.TimeEntry
	s.api("GET", "/api/v1/time-entries/"+n, &back)
	if back.ProjectID != edited.ProjectID || back.TaskID != edited.TaskID || s.snapshot().projects != mark.projects {
		t.Errorf("after undo: %+v, want %+v", back, edited)
	}
}

func sameDate(a, b interface{ Date() (int, time.Month, int) }) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}
