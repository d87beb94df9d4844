package delivery_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/delivery"
	"github.com/chatops/gateway/delivery/deliverytest"
	"github.com/chatops/gateway/webhooks"
)

// countingReceiver answers 204 and counts.
func countingReceiver(b *testing.B) (*httptest.Server, *atomic.Int64) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		n.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	b.Cleanup(srv.Close)
	return srv, &n
}

// BenchmarkBareClient is the baseline: 64 goroutines posting a signed-size
// JSON body to a local receiver with a plain http.Client.
func BenchmarkBareClient(b *testing.B) {
	srv, n := countingReceiver(b)
	client := delivery.NewHTTPClient(5*time.Second, true)
	body := bytes.Repeat([]byte("x"), 400)
	var next atomic.Int64
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for range 64 {
		wg.Go(func() {
			for next.Add(1) <= int64(b.N) {
				resp, err := client.Post(srv.URL, "application/json", bytes.NewReader(body))
				if err != nil {
					b.Error(err)
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		})
	}
	wg.Wait()
	b.ReportMetric(float64(n.Load())/time.Since(start).Seconds(), "deliveries/s")
}

// BenchmarkDeliver measures the engine: b.N events already in the outbox
// are dispatched, claimed, signed, posted to a local receiver and recorded
// (synchronous=FULL), with the engine's default 64 workers.
func BenchmarkDeliver(b *testing.B) {
	e := deliverytest.New(b)
	srv, n := countingReceiver(b)
	e.Clock.Set(time.Now()) // real time for the running engine
	eng := delivery.New(e.Store, e.Hooks, delivery.Options{AllowPrivateTargets: true, PollInterval: 5 * time.Millisecond})
	if _, err := e.Hooks.Create(e.Ctx, e.Admin, webhooks.Input{URL: srv.URL, Events: deliverytest.Events("project.*"), Validated: true}); err != nil {
		b.Fatal(err)
	}
	data, _ := json.Marshal(map[string]any{"project": map[string]any{"id": "1", "name": "Bench"}})
	for i := 0; i < b.N; i += 500 {
		err := e.Store.Update(e.Ctx, func(tx core.Tx) error {
			for j := i; j < min(i+500, b.N); j++ {
				if err := tx.AppendEvent(&core.Event{ID: core.NewEventID(), Type: core.EventProjectUpdated, Timestamp: time.Now().Add(time.Second),
					WorkspaceID: e.Admin.User.WorkspaceID, Actor: core.EventActor{ID: e.Admin.User.ID, Name: "boss", Source: "api"}, Data: data}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	b.ResetTimer()
	start := time.Now()
	done := make(chan struct{})
	go func() { _ = eng.Run(ctx); close(done) }()
	for n.Load() < int64(b.N) {
		time.Sleep(time.Millisecond)
	}
	el := time.Since(start)
	cancel()
	<-done
	b.ReportMetric(float64(b.N)/el.Seconds(), "deliveries/s")
}
