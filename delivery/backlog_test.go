package delivery_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/delivery"
	"github.com/chatops/gateway/delivery/deliverytest"
	"github.com/chatops/gateway/webhooks"
)

// A backlog larger than the workers drains as fast as they free up, not a
// batch per poll: with an hour between polls, Run delivers 40 queued
// events through 2 workers, each once, and records every outcome (a Pump
// afterwards finds nothing left to send).
func TestRunDrainsBacklogWithoutPolling(t *testing.T) {
	e := deliverytest.New(t, func(_ *webhooks.Options, o *delivery.Options) {
		o.Workers, o.PollInterval = 2, time.Hour
	})
	rc := deliverytest.NewReceiver(t)
	if _, err := e.Hooks.Create(e.Ctx, e.Admin, webhooks.Input{URL: rc.URL(), Events: deliverytest.Events("project.*"), Validated: true}); err != nil {
		t.Fatal(err)
	}
	const n = 40
	data, _ := json.Marshal(map[string]any{"project": map[string]any{"id": "1", "name": "Backlog"}})
	err := e.Store.Update(e.Ctx, func(tx core.Tx) error {
		for range n {
			if err := tx.AppendEvent(&core.Event{ID: core.NewEventID(), Type: core.EventProjectUpdated, Timestamp: e.Clock.Now(),
				WorkspaceID: e.Admin.User.WorkspaceID, Actor: core.EventActor{ID: e.Admin.User.ID, Name: "boss", Source: "api"}, Data: data}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { _ = e.Engine.Run(ctx) })
	e.Engine.Wake()
	seen := map[string]int{}
	for deadline := time.Now().Add(20 * time.Second); len(seen) < n && time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		for _, r := range rc.Take() {
			seen[r.Msg["id"].(string)]++
		}
	}
	cancel()
	wg.Wait()
	if len(seen) != n {
		t.Fatalf("delivered %d of %d events without a poll", len(seen), n)
	}
	e.Pump()
	for _, r := range rc.Take() {
		seen[r.Msg["id"].(string)]++
	}
	for id, k := range seen {
		if k != 1 {
			t.Errorf("event %s delivered %d times", id, k)
		}
	}
}
