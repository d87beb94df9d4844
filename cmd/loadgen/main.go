// Command loadgen is the gateway's load tool. It drives a running gateway
// with real signed Slack slash commands and, in e2e mode, runs a webhook
// receiver of its own to measure delivery throughput and event-to-delivery
// latency, beside a bare Go HTTP client posting to the same receiver in the
// same run. It only talks to the addresses it is given (use loopback).
//
//	loadgen -mode slash -gateway http://127.0.0.1:8080 -slack-secret S -duration 10s
//	loadgen -mode e2e -gateway http://127.0.0.1:8080 -slack-secret S -admin-token T -rate 1000 -duration 10s
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chatops/gateway/adapters/slack"
)

type config struct {
	mode, gateway, secret, admin, receiverAddr string
	rate, workers, users                       int
	duration, drain, baseline                  time.Duration
}

func main() {
	var c config
	flag.StringVar(&c.mode, "mode", "slash", "slash: command throughput; e2e: commands at -rate with delivery latency")
	flag.StringVar(&c.gateway, "gateway", "http://127.0.0.1:8080", "base URL of the gateway")
	flag.StringVar(&c.secret, "slack-secret", "", "the gateway's GATEWAY_SLACK_SIGNING_SECRET")
	flag.StringVar(&c.admin, "admin-token", "", "an admin API token (e2e: creates the subscription)")
	flag.StringVar(&c.receiverAddr, "receiver", "127.0.0.1:0", "e2e: where the receiver listens")
	flag.IntVar(&c.rate, "rate", 1000, "e2e: commands per second (open loop)")
	flag.IntVar(&c.workers, "workers", 64, "concurrent requests")
	flag.IntVar(&c.users, "users", 50, "distinct Slack users")
	flag.DurationVar(&c.duration, "duration", 10*time.Second, "how long to send")
	flag.DurationVar(&c.drain, "drain", 30*time.Second, "e2e: how long to wait for the last deliveries")
	flag.DurationVar(&c.baseline, "baseline", 0, "slash: first send the same requests to a bare net/http handler of this process for this long, and report the ratio")
	flag.Parse()
	if c.secret == "" {
		fmt.Fprintln(os.Stderr, "loadgen: -slack-secret is required")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var err error
	switch c.mode {
	case "slash":
		err = runSlash(ctx, c)
	case "e2e":
		err = runE2E(ctx, c)
	default:
		err = fmt.Errorf("unknown mode %q", c.mode)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

func client(workers int) *http.Client {
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: workers, MaxConnsPerHost: workers}}
}

// sender sends signed slash commands to target (the gateway's
// /slack/commands, or the baseline's bare handler).
type sender struct {
	c      config
	target string
	http   *http.Client
	n      atomic.Int64
	failed atomic.Int64
	mu     sync.Mutex
	lat    []time.Duration
}

// runID makes this run's Slack users new ones: a run against a database
// that earlier runs filled starts with empty days (see loadDay).
var runID = time.Now().Unix()

// loadDay spreads each user's commands over past days, 40 a day: a bare
// duration on a past day is placed after that day's last entry (from
// 09:00), so 40 entries of 15m always fit and no command is refused, however
// long the run.
func loadDay(n int64, users int) string {
	return time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(n/int64(users)/40)).Format("2006-01-02")
}

func (s *sender) send(ctx context.Context) {
	n := s.n.Add(1)
	body := url.Values{"team_id": {"TLOAD"}, "user_id": {fmt.Sprintf("U%d-%d", runID, n%int64(s.c.users))}, "user_name": {fmt.Sprintf("load%d", n%int64(s.c.users))},
		"command": {"/tt"}, "text": {"log 15m on Load test in Load project " + loadDay(n, s.c.users) + " #load"}, "trigger_id": {fmt.Sprintf("load-%d-%d", time.Now().UnixNano(), n)},
		"channel_id": {"CLOAD"}}.Encode()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.target, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	slack.Sign(req.Header, s.c.secret, []byte(body), time.Now())
	start := time.Now()
	resp, err := s.http.Do(req)
	if err != nil {
		if ctx.Err() == nil { // not a request cut off by the end of the run
			s.failed.Add(1)
		}
		return
	}
	reply, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || bytes.Contains(reply, []byte(":warning:")) || bytes.Contains(reply, []byte(":hourglass:")) {
		s.failed.Add(1)
		return
	}
	d := time.Since(start)
	s.mu.Lock()
	s.lat = append(s.lat, d)
	s.mu.Unlock()
}

// runSlash sends signed slash commands from c.workers workers for
// c.duration and reports the rate; with c.baseline, it first sends the same
// requests, from the same client, to a bare net/http handler of its own for
// that long, and reports the gateway's rate as a share of the bare one.
func runSlash(ctx context.Context, c config) error {
	var bare float64
	if c.baseline > 0 {
		srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"response_type":"ephemeral","text":"ok"}`)
		})}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		go func() { _ = srv.Serve(ln) }()
		ok, el, _ := slash(ctx, &sender{c: c, target: "http://" + ln.Addr().String() + "/slack/commands", http: client(c.workers)}, c.baseline)
		srv.Close()
		bare = float64(ok) / el.Seconds()
		fmt.Printf("baseline: a bare net/http handler in this process answered %.0f req/s (same requests and client, %d workers, %s)\n",
			bare, c.workers, c.baseline)
	}
	s := &sender{c: c, target: c.gateway + "/slack/commands", http: client(c.workers)}
	ok, el, lat := slash(ctx, s, c.duration)
	rate := float64(ok) / el.Seconds()
	fmt.Printf("slash: %d commands in %.1fs = %.0f cmds/s (%d workers), failed %d, latency %s\n",
		ok, el.Seconds(), rate, c.workers, s.failed.Load(), lat)
	if bare > 0 {
		fmt.Printf("slash: %.3f of the bare handler's rate\n", rate/bare)
	}
	return nil
}

// slash runs s's workers for d and returns how many requests succeeded, in
// how long, and their latency percentiles.
func slash(ctx context.Context, s *sender, d time.Duration) (int, time.Duration, string) {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	for range s.c.workers {
		wg.Go(func() {
			for ctx.Err() == nil {
				s.send(ctx)
			}
		})
	}
	wg.Wait()
	return len(s.lat), time.Since(start), percentiles(s.lat)
}

func percentiles(d []time.Duration) string {
	if len(d) == 0 {
		return "n/a"
	}
	slices.Sort(d)
	p := func(q float64) time.Duration {
		return d[min(len(d)-1, int(q*float64(len(d))))].Round(10 * time.Microsecond)
	}
	return fmt.Sprintf("p50 %s p95 %s p99 %s max %s", p(0.50), p(0.95), p(0.99), d[len(d)-1].Round(10*time.Microsecond))
}

// receiver is the webhook subscriber: it echoes validation codes and
// records, per event id, the time from the event to its arrival.
type receiver struct {
	mu    sync.Mutex
	seen  map[string]time.Duration
	dups  int
	count atomic.Int64
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	now := time.Now()
	var msg struct {
		ID             string    `json:"id"`
		Type           string    `json:"type"`
		Timestamp      time.Time `json:"timestamp"`
		ValidationCode string    `json:"validation_code"`
	}
	body, _ := io.ReadAll(r.Body)
	_ = json.Unmarshal(body, &msg)
	rc.count.Add(1)
	if msg.ValidationCode != "" {
		_ = json.NewEncoder(w).Encode(map[string]string{"validation_code": msg.ValidationCode})
		return
	}
	if msg.Type == "time_entry.created" {
		rc.mu.Lock()
		if _, ok := rc.seen[msg.ID]; ok {
			rc.dups++
		} else {
			rc.seen[msg.ID] = now.Sub(msg.Timestamp)
		}
		rc.mu.Unlock()
	}
	w.WriteHeader(http.StatusNoContent)
}

func (rc *receiver) delivered() int { rc.mu.Lock(); defer rc.mu.Unlock(); return len(rc.seen) }

func api(c config, method, path string, body any, out any) error {
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, c.gateway+path, bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+c.admin)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, raw)
	}
	if out != nil {
		return json.Unmarshal(raw, out)
	}
	return nil
}

func runE2E(ctx context.Context, c config) error {
	if c.admin == "" {
		return errors.New("-admin-token is required in e2e mode")
	}
	rc := &receiver{seen: map[string]time.Duration{}}
	ln, err := net.Listen("tcp", c.receiverAddr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: rc}
	go srv.Serve(ln)
	defer srv.Close()
	target := "http://" + ln.Addr().String() + "/hook"

	var sub struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	if err := api(c, "POST", "/api/v1/webhooks", map[string]any{"url": target, "events": []string{"time_entry.created"}}, &sub); err != nil {
		return fmt.Errorf("create subscription (is GATEWAY_ALLOW_PRIVATE_TARGETS set?): %w", err)
	}
	defer api(c, "DELETE", "/api/v1/webhooks/"+sub.ID, nil, nil)
	for deadline := time.Now().Add(10 * time.Second); sub.Status != "active"; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			return errors.New("subscription was not validated within 10s")
		}
		if err := api(c, "GET", "/api/v1/webhooks/"+sub.ID, nil, &sub); err != nil {
			return err
		}
	}

	// Open loop: one command every 1/rate, whatever the answers take.
	s := &sender{c: c, target: c.gateway + "/slack/commands", http: client(c.workers)}
	sendCtx, cancel := context.WithTimeout(ctx, c.duration)
	defer cancel()
	sem := make(chan struct{}, c.workers*4)
	tick := time.NewTicker(time.Second / time.Duration(c.rate))
	defer tick.Stop()
	start := time.Now()
	var wg sync.WaitGroup
	late := 0
loop:
	for {
		select {
		case <-sendCtx.Done():
			break loop
		case <-tick.C:
			select {
			case sem <- struct{}{}:
				wg.Go(func() { defer func() { <-sem }(); s.send(context.Background()) })
			default:
				late++ // the gateway is not keeping up: count, do not queue
			}
		}
	}
	wg.Wait()
	sent := time.Since(start)
	acked := len(s.lat)
	for deadline := time.Now().Add(c.drain); rc.delivered() < acked && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
	}
	total := time.Since(start)
	rc.mu.Lock()
	lats := make([]time.Duration, 0, len(rc.seen))
	for _, d := range rc.seen {
		lats = append(lats, d)
	}
	dups := rc.dups
	rc.mu.Unlock()
	fmt.Printf("e2e: sent %d commands at %.0f/s (target %d/s, %d skipped, %d failed), command latency %s\n",
		acked, float64(acked)/sent.Seconds(), c.rate, late, s.failed.Load(), percentiles(s.lat))
	fmt.Printf("e2e: delivered %d/%d events (%d duplicates) in %.1fs, event-to-delivery latency %s\n",
		len(lats), acked, dups, total.Seconds(), percentiles(lats))

	// Baseline: a bare Go client posting to the same receiver.
	body := []byte(`{"id":"evt_baseline","type":"baseline","timestamp":"2026-01-01T00:00:00Z"}`)
	hc := client(c.workers)
	var n atomic.Int64
	bctx, bcancel := context.WithTimeout(ctx, 3*time.Second)
	defer bcancel()
	bstart := time.Now()
	for range c.workers {
		wg.Go(func() {
			for bctx.Err() == nil {
				resp, err := hc.Post(target, "application/json", bytes.NewReader(body))
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					n.Add(1)
				}
			}
		})
	}
	wg.Wait()
	fmt.Printf("baseline: bare Go client posted %.0f req/s to the same receiver (%d workers)\n", float64(n.Load())/time.Since(bstart).Seconds(), c.workers)
	return nil
}
