package core_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chatops/gateway/core"
)

// Sizes are code points, not bytes, and are the same for every operation:
// a name of 200 "é" (400 bytes) is taken, one of 201 is refused and stores
// nothing; a note of 4,000 is taken, 4,001 is not; 20 tags are taken, 21
// are not, by the API's rule and by chat's (log, track) alike.
func TestSizeLimits(t *testing.T) {
	m := newManager(t)
	ok := strings.Repeat("é", core.MaxNameChars)
	long := ok + "é"
	names := map[string]func(name string) error{
		"client": func(n string) error { _, err := m.svc.CreateClient(m.ctx, m.admin, n); return err },
		"tag":    func(n string) error { _, err := m.svc.CreateTag(m.ctx, m.admin, n); return err },
		"user":   func(n string) error { _, err := m.svc.CreateUser(m.ctx, m.admin, n, core.RoleMember); return err },
		"project": func(n string) error {
			_, err := m.svc.CreateProject(m.ctx, m.admin, core.NewProject{Name: n})
			return err
		},
		"chat project": func(n string) error {
			_, err := m.svc.Execute(m.ctx, m.admin, core.AddProject{Project: "P" + n[len("é"):]})
			return err
		},
		"chat task": func(n string) error {
			_, err := m.svc.Execute(m.ctx, m.admin, core.Track{Task: n, Project: "Web"})
			return err
		},
	}
	for what, create := range names {
		m.events()
		if err := create(long); core.ErrorCode(err) != core.EINVALID || !strings.Contains(err.Error(), "longer than 200 characters") {
			t.Errorf("%s of 201 characters: %v, want invalid", what, err)
		}
		if evs := m.events(); len(evs) != 0 {
			t.Errorf("%s of 201 characters wrote %d events", what, len(evs))
		}
		if err := create(ok); err != nil {
			t.Errorf("%s of 200 characters (400 bytes): %v", what, err)
		}
	}

	start := m.now.Add(-3 * time.Hour)
	end := start.Add(time.Hour)
	note := strings.Repeat("ü", core.MaxNoteChars)
	e, err := m.svc.CreateEntry(m.ctx, m.member, core.NewEntry{Start: start, End: &end, Note: note})
	if err != nil {
		t.Fatalf("a note of 4,000 characters: %v", err)
	}
	longNote := note + "ü"
	if _, err := m.svc.CreateEntry(m.ctx, m.member, core.NewEntry{Start: start, End: &end, Note: longNote}); core.ErrorCode(err) != core.EINVALID {
		t.Errorf("a new entry's note of 4,001: %v, want invalid", err)
	}
	if _, err := m.svc.UpdateEntry(m.ctx, m.member, e.ID, core.EntryPatch{Note: &longNote}); core.ErrorCode(err) != core.EINVALID {
		t.Errorf("a patched note of 4,001: %v, want invalid", err)
	}
	if _, err := m.svc.Execute(m.ctx, m.member, core.Log{Amount: core.Amount{Duration: time.Hour}, Project: "Web", Note: longNote}); core.ErrorCode(err) != core.EINVALID {
		t.Errorf("log with a note of 4,001: %v, want invalid", err)
	}
	if _, err := m.svc.Execute(m.ctx, m.member, core.Track{Task: "Notes", Project: "Web", Note: note}); err != nil {
		t.Fatalf("track with a note of 4,000: %v", err)
	}
	if _, err := m.svc.Execute(m.ctx, m.member, core.Stop{Note: "more"}); core.ErrorCode(err) != core.EINVALID {
		t.Errorf("stop adding to a full note: %v, want invalid", err)
	}

	var tags []string
	for i := range core.MaxEntryTags + 1 {
		tags = append(tags, fmt.Sprintf("t%d", i))
	}
	if _, err := m.svc.Execute(m.ctx, m.member, core.Log{Amount: core.Amount{Duration: time.Hour}, Project: "Web", Tags: tags}); core.ErrorCode(err) != core.EINVALID {
		t.Errorf("log with 21 tags: %v, want invalid", err)
	}
	if _, err := m.svc.Execute(m.ctx, m.member, core.Log{Amount: core.Amount{Duration: time.Hour}, Project: "Web", Tags: tags[:core.MaxEntryTags]}); err != nil {
		t.Errorf("log with 20 tags: %v", err)
	}
	if _, err := m.svc.UpdateEntry(m.ctx, m.member, e.ID, core.EntryPatch{Tags: &tags}); core.ErrorCode(err) != core.EINVALID {
		t.Errorf("a patch with 21 tags: %v, want invalid", err)
	}
}
