package core_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chatops/gateway/core"
)

// TestUndoPressed checks that an Undo button reverses the actor's last
// change only while that change is the one that made what the button
// names, and says why it does nothing otherwise.
func TestUndoPressed(t *testing.T) {
	f := newFixture(t)
	ana := f.user("ana", core.RoleMember)
	press := func(kind string, id core.ID, wantErr string) *core.Result {
		t.Helper()
		res, err := f.svc.UndoPressed(f.ctx, ana, kind, id)
		if wantErr == "" && err != nil || wantErr != "" && (core.ErrorCode(err) != core.EINVALID || !strings.Contains(core.ErrorMessage(err), wantErr)) {
			t.Fatalf("UndoPressed(%s, %d): %v, want %q", kind, id, err, wantErr)
		}
		return res
	}
	press("tag", 1, `cannot undo a "tag"`)
	press(core.UndoOfEntry, 1, "nothing to undo in the last")

	first := f.do(ana, core.Log{Amount: core.Amount{Duration: time.Hour}, Task: "Specs", Project: "Web"}).Entry
	second := f.do(ana, core.Log{Amount: core.Amount{Duration: time.Minute}, Task: "Specs", Project: "Web"}).Entry
	f.events()

	// The first log's button: a later change came in between.
	press(core.UndoOfEntry, first.ID, "no longer your last change")
	press(core.UndoOfProject, first.ProjectID, "no longer your last change")
	f.wantEvents()

	// The second's undoes it; then the first is the last change again.
	if res := press(core.UndoOfEntry, second.ID, ""); res.Undone != "log" {
		t.Errorf("undone %q", res.Undone)
	}
	f.wantEvents(core.EventTimeEntryDeleted)
	press(core.UndoOfProject, first.ProjectID, "")
	f.wantEvents(core.EventTimeEntryDeleted, core.EventTaskDeleted, core.EventProjectDeleted)
	if es := f.entries(ana); len(es) != 0 {
		t.Fatalf("entries %+v", es)
	}
	press(core.UndoOfEntry, first.ID, "nothing to undo in the last")
}
