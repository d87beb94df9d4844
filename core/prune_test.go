package core_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/chatops/gateway/core"
)

func TestPruneForgetsOldKeysAndUndoRecords(t *testing.T) {
	f := newFixture(t)
	ana := f.user("ana", core.RoleMember)
	retried := ana
	retried.DedupeKey = "slack:trigger-1"
	f.do(retried, core.AddProject{Project: "Website"})
	if _, err := f.svc.Execute(f.ctx, retried, core.AddProject{Project: "Website"}); err != core.ErrDuplicate {
		t.Fatalf("a retry within the retention: %v, want ErrDuplicate", err)
	}
	// More keys than one prune transaction deletes.
	ws, err := f.svc.Workspace(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	err = f.store.Update(f.ctx, func(tx core.Tx) error {
		for i := range 2500 {
			if _, err := tx.Remember(ws.ID, fmt.Sprint("github:delivery:", i), f.clock.Now()); err != nil {
				return err
			}
		}
		// A commit's directive is remembered for good.
		_, err := tx.Remember(ws.ID, "github:acme/web:0a1b2c3d:0", f.clock.Now())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	undoRecords := func() bool {
		err := f.store.View(f.ctx, func(tx core.Tx) error {
			_, err := tx.LastUndo(ws.ID, ana.User.ID, time.Time{})
			return err
		})
		if err != nil && core.ErrorCode(err) != core.ENOTFOUND {
			t.Fatal(err)
		}
		return err == nil
	}
	if !undoRecords() {
		t.Fatal("no undo record for the project")
	}

	// Within the retention nothing goes.
	f.clock.Add(6 * 24 * time.Hour)
	if p, err := f.svc.Prune(f.ctx); err != nil || p.Total() != 1 { // the undo record only
		t.Fatalf("prune after 6 days: %+v, %v; want 1 (the undo record)", p, err)
	}
	if undoRecords() {
		t.Fatal("the undo record outlived the undo window")
	}
	f.clock.Add(2 * 24 * time.Hour)
	if p, err := f.svc.Prune(f.ctx); err != nil || p.Keys != 2501 || p.Total() != 2501 {
		t.Fatalf("prune after 8 days: %+v, %v; want 2501 keys", p, err)
	}
	// The key is forgotten: the same trigger applies again (long after any
	// sender would retry it).
	if _, err := f.svc.Execute(f.ctx, retried, core.AddProject{Project: "Website 2"}); err != nil {
		t.Fatalf("after the retention: %v", err)
	}
	var kept bool
	err = f.store.View(f.ctx, func(tx core.Tx) error {
		kept, err = tx.Remembered(ws.ID, "github:acme/web:0a1b2c3d:0")
		return err
	})
	if err != nil || !kept {
		t.Fatalf("a commit directive's key was pruned (%v)", err)
	}
	if p, err := f.svc.Prune(f.ctx); err != nil || p.Total() != 0 {
		t.Fatalf("prune with nothing old: %+v, %v", p, err)
	}
}
