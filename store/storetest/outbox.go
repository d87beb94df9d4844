package storetest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/chatops/gateway/core"
)

func sameEvent(t *testing.T, got, want core.Event) {
	t.Helper()
	if got.Seq != want.Seq || got.ID != want.ID || got.Type != want.Type || got.WorkspaceID != want.WorkspaceID ||
		got.Actor != want.Actor || got.UserID != want.UserID || got.ProjectID != want.ProjectID {
		t.Errorf("got event %+v, want %+v", got, want)
	}
	if !sameJSON(got.Data, want.Data) {
		t.Errorf("event %s data %s, want %s", got.ID, got.Data, want.Data)
	}
	sameTime(t, "event timestamp", got.Timestamp, want.Timestamp)
}

// sameJSON reports whether a and b are the same JSON value, or both absent.
func sameJSON(a, b json.RawMessage) bool {
	if len(a) == 0 || len(b) == 0 {
		return len(a) == len(b) || bytes.Equal(bytes.TrimSpace(a), []byte("null")) || bytes.Equal(bytes.TrimSpace(b), []byte("null"))
	}
	var va, vb any
	if json.Unmarshal(a, &va) != nil || json.Unmarshal(b, &vb) != nil {
		return false
	}
	return reflect.DeepEqual(va, vb)
}

func appendEvent(t *testing.T, s core.Store, e core.Event) core.Event {
	t.Helper()
	return write(t, s, func(tx core.Tx) (core.Event, error) {
		err := tx.AppendEvent(&e)
		return e, err
	})
}

func events(t *testing.T, s core.Store, after int64, limit int) []core.Event {
	t.Helper()
	return read(t, s, func(tx core.Tx) ([]core.Event, error) { return tx.Events(after, limit) })
}

var outboxTests = []test{
	{"Events/AppendAndRead", func(t *testing.T, s core.Store) {
		f := setup(t, s)
		if evs := events(t, s, 0, 10); len(evs) != 0 {
			t.Fatalf("new store has events: %v", evs)
		}
		var want []core.Event
		for i := range 5 {
			e := appendEvent(t, s, core.Event{
				ID:          fmt.Sprintf("evt_%02d", i),
				Type:        core.EventTrackerStarted,
				Timestamp:   at(time.Duration(i) * time.Second).Add(123 * time.Microsecond),
				WorkspaceID: f.ws,
				Actor:       core.EventActor{ID: f.user.ID, Name: "Alice", Source: "slack"},
				Data:        json.RawMessage(fmt.Sprintf(`{"id":"%d","nested":{"a":[1,2,"x"]},"s":"é\"\\"}`, i)),
				UserID:      f.user.ID,
				ProjectID:   core.ID(i),
			})
			if e.Seq <= 0 || (i > 0 && e.Seq <= want[i-1].Seq) {
				t.Fatalf("event %d got seq %d after %v", i, e.Seq, want)
			}
			want = append(want, e)
		}
		got := events(t, s, 0, 100)
		if len(got) != len(want) {
			t.Fatalf("got %d events, want %d", len(got), len(want))
		}
		for i := range got {
			sameEvent(t, got[i], want[i])
		}
		got = events(t, s, want[1].Seq, 2)
		if len(got) != 2 || got[0].Seq != want[2].Seq || got[1].Seq != want[3].Seq {
			t.Errorf("Events(after %d, 2) = %v", want[1].Seq, got)
		}
		if got := events(t, s, want[4].Seq, 10); len(got) != 0 {
			t.Errorf("events after the last: %v", got)
		}
		// An event without a user, project or data.
		e := appendEvent(t, s, core.Event{ID: "evt_ws", Type: core.EventWorkspaceUpdated, Timestamp: t0, WorkspaceID: f.ws,
			Actor: core.EventActor{Source: "api"}})
		got = events(t, s, want[4].Seq, 10)
		if len(got) != 1 {
			t.Fatalf("got %d events, want 1", len(got))
		}
		sameEvent(t, got[0], e)
		wantCode(t, writeErr(t, s, func(tx core.Tx) error {
			return tx.AppendEvent(&core.Event{ID: "evt_00", Type: core.EventTagCreated, Timestamp: t0, WorkspaceID: f.ws})
		}), core.ECONFLICT)
	}},
	{"Undo/PushLastMark", func(t *testing.T, s core.Store) {
		f := setup(t, s)
		bob := addUser(t, s, f.ws, "Bob")
		last := func(user core.ID, since time.Time) (core.UndoRecord, error) {
			var r core.UndoRecord
			err := s.View(t.Context(), func(tx core.Tx) error {
				var err error
				r, err = tx.LastUndo(f.ws, user, since)
				return err
			})
			return r, err
		}
		push := func(user core.ID, action string, created time.Time) core.UndoRecord {
			t.Helper()
			return write(t, s, func(tx core.Tx) (core.UndoRecord, error) {
				r := core.UndoRecord{WorkspaceID: f.ws, UserID: user, Action: action, CreatedAt: created, Steps: []core.UndoStep{
					{Op: "delete_entry", ID: 7},
					{Op: "restore_entry", At: ptr(created), V: json.RawMessage(`{"note":"x"}`)},
				}}
				err := tx.PushUndo(&r)
				return r, err
			})
		}
		_, err := last(f.user.ID, t0)
		wantCode(t, err, core.ENOTFOUND)
		r1 := push(f.user.ID, "track", at(time.Minute))
		r2 := push(f.user.ID, "log", at(2*time.Minute))
		push(bob.ID, "stop", at(3*time.Minute))
		if r1.ID == 0 || r2.ID == 0 || r1.ID == r2.ID {
			t.Fatalf("PushUndo ids %d, %d", r1.ID, r2.ID)
		}
		got, err := last(f.user.ID, t0)
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != r2.ID || got.Action != "log" || got.UserID != f.user.ID || got.WorkspaceID != f.ws || len(got.Steps) != 2 {
			t.Fatalf("LastUndo = %+v, want %+v", got, r2)
		}
		sameTime(t, "undo created_at", got.CreatedAt, r2.CreatedAt)
		st := got.Steps[1]
		if got.Steps[0].Op != "delete_entry" || got.Steps[0].ID != 7 || st.Op != "restore_entry" || st.At == nil ||
			!st.At.Equal(r2.CreatedAt) {
			t.Errorf("steps %+v, want %+v", got.Steps, r2.Steps)
		}
		var v map[string]string
		if err := json.Unmarshal(st.V, &v); err != nil || v["note"] != "x" {
			t.Errorf("step value %s", st.V)
		}
		// Records before since are out of reach.
		if _, err := last(f.user.ID, at(2*time.Minute+time.Microsecond)); core.ErrorCode(err) != core.ENOTFOUND {
			t.Errorf("LastUndo after the newest: %v, want not_found", err)
		}
		write(t, s, func(tx core.Tx) (any, error) { return nil, tx.MarkUndone(r2.ID) })
		got, err = last(f.user.ID, t0)
		if err != nil || got.ID != r1.ID {
			t.Fatalf("after undoing %d: LastUndo = %d, %v; want %d", r2.ID, got.ID, err, r1.ID)
		}
		write(t, s, func(tx core.Tx) (any, error) { return nil, tx.MarkUndone(r1.ID) })
		_, err = last(f.user.ID, t0)
		wantCode(t, err, core.ENOTFOUND)
		wantCode(t, writeErr(t, s, func(tx core.Tx) error { return tx.MarkUndone(99999) }), core.ENOTFOUND)
	}},
	{"Prune/OldKeysWithAPrefix", func(t *testing.T, s core.Store) {
		f := setup(t, s)
		remember := func(key string, seen time.Time) bool {
			t.Helper()
			return write(t, s, func(tx core.Tx) (bool, error) { return tx.Remember(f.ws, key, seen) })
		}
		for i := range 5 {
			remember(fmt.Sprint("slack:trigger-", i), at(time.Duration(i)*time.Hour))
		}
		// Another prefix, and keys that only look alike (LIKE patterns).
		remember("github:o/r:abc:1", at(0))
		remember("slack_trigger", at(0))
		remember("slack%x", at(0))
		forget := func(prefix string, before time.Time, limit int) int {
			t.Helper()
			return write(t, s, func(tx core.Tx) (int, error) { return tx.ForgetKeys(prefix, before, limit) })
		}
		// slack:trigger-0..2 are old; the limit takes the two oldest first.
		if n := forget("slack:", at(3*time.Hour), 2); n != 2 {
			t.Fatalf("first call deleted %d keys, want 2", n)
		}
		if n := forget("slack:", at(3*time.Hour), 2); n != 1 {
			t.Fatalf("second call deleted %d keys, want 1", n)
		}
		if n := forget("slack:", at(3*time.Hour), 2); n != 0 {
			t.Fatalf("third call deleted %d keys, want 0", n)
		}
		seen := func(key string) bool {
			return read(t, s, func(tx core.Tx) (bool, error) { return tx.Remembered(f.ws, key) })
		}
		for key, want := range map[string]bool{"slack:trigger-0": false, "slack:trigger-1": false, "slack:trigger-2": false,
			"slack:trigger-3": true, "slack:trigger-4": true, "github:o/r:abc:1": true, "slack_trigger": true, "slack%x": true} {
			if got := seen(key); got != want {
				t.Errorf("%s remembered = %v after forgetting, want %v", key, got, want)
			}
		}
		// A forgotten key is new again.
		if !remember("slack:trigger-0", at(5*time.Hour)) {
			t.Error("a forgotten key was still remembered")
		}
	}},
	{"Prune/OldUndoRecords", func(t *testing.T, s core.Store) {
		f := setup(t, s)
		for i := range 5 {
			write(t, s, func(tx core.Tx) (any, error) {
				return nil, tx.PushUndo(&core.UndoRecord{WorkspaceID: f.ws, UserID: f.user.ID, Action: "log",
					CreatedAt: at(time.Duration(i) * time.Hour), Steps: []core.UndoStep{{Op: "delete_entry", ID: core.ID(i + 1)}}})
			})
		}
		prune := func(limit int) int {
			t.Helper()
			return write(t, s, func(tx core.Tx) (int, error) { return tx.PruneUndo(at(2*time.Hour), limit) })
		}
		if n := prune(1); n != 1 {
			t.Fatalf("first call deleted %d records, want 1", n)
		}
		if n := prune(5); n != 1 {
			t.Fatalf("second call deleted %d records, want 1", n)
		}
		// Left: the records of 2h, 3h and 4h, newest first.
		for _, want := range []time.Duration{4 * time.Hour, 3 * time.Hour, 2 * time.Hour} {
			r := read(t, s, func(tx core.Tx) (core.UndoRecord, error) { return tx.LastUndo(f.ws, f.user.ID, t0) })
			if !r.CreatedAt.Equal(at(want)) {
				t.Fatalf("undo record created %v, want %v", r.CreatedAt, at(want))
			}
			write(t, s, func(tx core.Tx) (any, error) { return nil, tx.MarkUndone(r.ID) })
		}
		wantCode(t, readErr(t, s, func(tx core.Tx) error { _, err := tx.LastUndo(f.ws, f.user.ID, t0); return err }), core.ENOTFOUND)
	}},
	{"Remember/OnceThenSeen", func(t *testing.T, s core.Store) {
		f := setup(t, s)
		remember := func(ws core.ID, key string) bool {
			t.Helper()
			return write(t, s, func(tx core.Tx) (bool, error) { return tx.Remember(ws, key, t0) })
		}
		if !remember(f.ws, "slack:retry-1") {
			t.Fatal("first Remember reported the key as seen")
		}
		if remember(f.ws, "slack:retry-1") {
			t.Fatal("second Remember reported the key as new")
		}
		if !remember(f.ws, "github:delivery-1") {
			t.Fatal("another key reported as seen")
		}
		// A key remembered in a failed Update was never remembered.
		errBoom := fmt.Errorf("boom")
		err := s.Update(t.Context(), func(tx core.Tx) error {
			if _, err := tx.Remember(f.ws, "rolled-back", t0); err != nil {
				return err
			}
			return errBoom
		})
		if !errors.Is(err, errBoom) {
			t.Fatalf("Update returned %v, want fn's error", err)
		}
		if !remember(f.ws, "rolled-back") {
			t.Fatal("a key of a rolled-back Update was kept")
		}
	}},
}
