// A receiver for the gateway's outgoing webhooks.
package main

import (
	"encoding/json"
	"io"
	"log"
	"net/http"
	"os"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

func main() {
	// The subscription's secret, exactly as the API showed it: whsec_…
	wh, err := standardwebhooks.NewWebhook(os.Getenv("WEBHOOK_SECRET"))
	if err != nil {
		log.Fatal(err)
	}
	http.HandleFunc("POST /hooks/gateway", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, "cannot read body", http.StatusBadRequest)
			return
		}
		// Checks webhook-signature (any of its v1 signatures) over
		// "{webhook-id}.{webhook-timestamp}.{body}", and that the
		// timestamp is within 5 minutes.
		if err := wh.Verify(body, r.Header); err != nil {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		var msg struct {
			ID             string          `json:"id"`
			Type           string          `json:"type"`
			ValidationCode string          `json:"validation_code"`
			Data           json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(body, &msg); err != nil {
			http.Error(w, "not JSON", http.StatusBadRequest)
			return
		}
		if msg.Type == "webhook.ping" && msg.ValidationCode != "" {
			// Validate synchronously: echo the code.
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(map[string]string{"validation_code": msg.ValidationCode})
			return
		}
		// webhook-id is the event id on every retry and replay: deduplicate on it.
		log.Printf("%s %s %s", r.Header.Get("webhook-id"), msg.Type, msg.Data)
		w.WriteHeader(http.StatusNoContent)
	})
	addr := os.Getenv("ADDR") // host:port to listen on
	if addr == "" {
		addr = ":9000"
	}
	log.Fatal(http.ListenAndServe(addr, nil))
}
