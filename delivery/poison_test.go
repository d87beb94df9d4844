package delivery_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/delivery"
	"github.com/chatops/gateway/delivery/deliverytest"
	"github.com/chatops/gateway/webhooks"
)

// A member's maximal notes and tag lists, PATCHed again and again, never
// disable or stall an admin's subscription: every event arrives, within
// the cap, and the subscription stays active without a failure. A note
// over the limit is refused and changes nothing.
func TestMaximalNotesNeverDisableAnotherSubscription(t *testing.T) {
	e := deliverytest.New(t)
	rc := deliverytest.NewReceiver(t)
	sub := e.Create(e.Admin, webhooks.Input{URL: rc.URL(), Events: deliverytest.Events("time_entry.*"), Validated: true})
	member := e.User("mallory", core.RoleMember)
	var tags []string
	for i := range core.MaxEntryTags {
		name := strings.Repeat("t", core.MaxNameChars-3) + string(rune('a'+i))
		if _, err := e.Core.CreateTag(e.Ctx, e.Admin, name); err != nil {
			t.Fatal(err)
		}
		tags = append(tags, name)
	}
	start := e.Clock.Now().Add(-2 * time.Hour)
	end := start.Add(time.Hour)
	entry, err := e.Core.CreateEntry(e.Ctx, member, core.NewEntry{Start: start, End: &end, Tags: tags})
	if err != nil {
		t.Fatal(err)
	}
	// The worst a note may hold: 4,000 code points that JSON writes with
	// six bytes each.
	worst := strings.Repeat("\u0001", core.MaxNoteChars)
	const patches = 30
	for i := range patches {
		note := worst[:len(worst)-i] + strings.Repeat("x", i)
		if _, err := e.Core.UpdateEntry(e.Ctx, member, entry.ID, core.EntryPatch{Note: &note}); err != nil {
			t.Fatal(err)
		}
	}
	tooLong := strings.Repeat("é", core.MaxNoteChars+1)
	if _, err := e.Core.UpdateEntry(e.Ctx, member, entry.ID, core.EntryPatch{Note: &tooLong}); core.ErrorCode(err) != core.EINVALID {
		t.Fatalf("a note of %d characters: %v, want invalid", core.MaxNoteChars+1, err)
	}
	e.Pump()
	got := rc.Take()
	if len(got) != 1+patches {
		t.Fatalf("the admin's receiver got %d events, want %d", len(got), 1+patches)
	}
	for _, r := range got {
		if len(r.Body) > delivery.MaxPayloadBytes || r.Msg["truncated"] != nil {
			t.Fatalf("a body of %d bytes, truncated=%v", len(r.Body), r.Msg["truncated"])
		}
	}
	if s := e.Get(sub.ID); s.Status != core.SubActive || s.Failures != 0 {
		t.Fatalf("the admin's subscription %s with %d failures", s.Status, s.Failures)
	}
}

// An event whose body would be over the payload cap is delivered with its
// data cut to ids and "truncated": true at the top level, and is not a
// failure of the subscriber.
func TestOverCapEventIsSentTruncatedToIDs(t *testing.T) {
	e := deliverytest.New(t)
	rc := deliverytest.NewReceiver(t)
	sub := e.Create(e.Admin, webhooks.Input{URL: rc.URL(), Events: deliverytest.Events("time_entry.updated"), Validated: true})
	e.Clock.Add(time.Second)
	huge := strings.Repeat("n", delivery.MaxPayloadBytes)
	data, _ := json.Marshal(map[string]any{"time_entry": map[string]any{"id": "41", "user_id": "7", "project_id": "3",
		"note": huge, "tags": []string{"a", "b"}}, "previous": map[string]any{"note": huge}})
	err := e.Store.Update(e.Ctx, func(tx core.Tx) error {
		return tx.AppendEvent(&core.Event{ID: core.NewEventID(), Type: core.EventTimeEntryUpdated, Timestamp: e.Clock.Now(),
			WorkspaceID: sub.WorkspaceID, Actor: core.EventActor{ID: e.Admin.User.ID, Name: "boss"}, Data: data})
	})
	if err != nil {
		t.Fatal(err)
	}
	e.Pump()
	got := rc.Take()
	if len(got) != 1 {
		t.Fatalf("the receiver got %d requests, want 1", len(got))
	}
	r := got[0]
	if len(r.Body) > delivery.MaxPayloadBytes || r.Msg["truncated"] != true || r.Type() != core.EventTimeEntryUpdated {
		t.Fatalf("body of %d bytes, truncated=%v, type %q", len(r.Body), r.Msg["truncated"], r.Type())
	}
	d, _ := json.Marshal(r.Msg["data"])
	if want := `{"time_entry":{"id":"41","project_id":"3","user_id":"7"}}`; string(d) != want {
		t.Fatalf("data = %s, want %s", d, want)
	}
	r.Verify(t, sub.Secret, sub.Secret)
	if s := e.Get(sub.ID); s.Status != core.SubActive || s.Failures != 0 {
		t.Fatalf("subscription %s with %d failures", s.Status, s.Failures)
	}
}
