package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chatops/gateway/adapters/slack"
	"github.com/chatops/gateway/webhooks"
	slackgo "github.com/slack-go/slack"
)

func client(workers int) *http.Client {
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: workers, MaxConnsPerHost: workers}}
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

// sender sends signed slash commands to target (the gateway's
// /slack/commands, or the baseline's bare handler).
type sender struct {
	c      config
	target string // several, comma-separated: commands go round-robin
	http   *http.Client
	tl     *timeline // nil for baselines
	n      atomic.Int64
	failed atomic.Int64
	mu     sync.Mutex
	lat    []time.Duration
}

func (s *sender) send(ctx context.Context) {
	n := s.n.Add(1)
	body := url.Values{"team_id": {"TLOAD"}, "user_id": {fmt.Sprintf("U%d-%d", runID, n%int64(s.c.users))}, "user_name": {fmt.Sprintf("load%d", n%int64(s.c.users))},
		"command": {"/tt"}, "text": {"log 15m on Load test in Load project " + loadDay(n, s.c.users) + " #load"}, "trigger_id": {fmt.Sprintf("load-%d-%d", time.Now().UnixNano(), n)},
		"channel_id": {"CLOAD"}}.Encode()
	target := s.target
	if ts := strings.Split(s.target, ","); len(ts) > 1 {
		target = ts[n%int64(len(ts))]
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(body))
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
	now := time.Now()
	d := now.Sub(start)
	s.mu.Lock()
	s.lat = append(s.lat, d)
	s.mu.Unlock()
	if s.tl != nil {
		s.tl.reply(now, d)
	}
}

// closedLoop runs fn from workers goroutines, each calling again as soon as
// the last call returned, for d; it returns how long it ran.
func closedLoop(ctx context.Context, workers int, d time.Duration, fn func(context.Context)) time.Duration {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for ctx.Err() == nil {
				fn(ctx)
			}
		})
	}
	wg.Wait()
	return time.Since(start)
}

// openLoop calls fn rate times a second for d, whatever the answers take,
// with at most 4×workers calls in flight; a tick that finds them all busy
// is counted as skipped, not queued. It returns the time until the last
// call started and the number skipped.
func openLoop(ctx context.Context, rate, workers int, d time.Duration, fn func(context.Context)) (time.Duration, int) {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	sem := make(chan struct{}, workers*4)
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	start := time.Now()
	var wg sync.WaitGroup
	skipped := 0
	for {
		select {
		case <-ctx.Done():
			el := time.Since(start)
			wg.Wait()
			return el, skipped
		case <-tick.C:
			select {
			case sem <- struct{}{}:
				wg.Go(func() { defer func() { <-sem }(); fn(context.Background()) })
			default:
				skipped++
			}
		}
	}
}

// bareHandler is the command baseline: it reads the body, checks the Slack
// signature with slack-go's verifier (as the gateway does), parses the form
// and answers a small ephemeral JSON reply. With d set (the durable
// baseline) it commits the command's text through d before it answers, and
// a failed commit is a 500.
func bareHandler(secret string, d *durable) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		if err != nil {
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		sv, err := slackgo.NewSecretsVerifier(r.Header, secret)
		if err == nil {
			_, _ = sv.Write(body)
			err = sv.Ensure()
		}
		if err != nil {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		sc, err := slackgo.SlashCommandParse(r)
		if err != nil || sc.UserID == "" || sc.TeamID == "" {
			http.Error(w, "bad form", http.StatusBadRequest)
			return
		}
		if d != nil {
			if err := d.store(sc.Text); err != nil {
				http.Error(w, "commit: "+err.Error(), http.StatusInternalServerError)
				return
			}
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"response_type":"ephemeral","text":"ok"}`)
	})
}

// bareClient is the delivery baseline: plain net/http posting 1 KiB JSON
// bodies, each signed like a delivery, to the receiver at target.
type bareClient struct {
	target, secret string
	http           *http.Client
	n              atomic.Int64
	mu             sync.Mutex
	lat            []time.Duration
}

func (b *bareClient) post(ctx context.Context) {
	n := b.n.Add(1)
	id := "evt_baseline_" + strconv.FormatInt(n, 10)
	body := fmt.Appendf(nil, `{"id":%q,"type":"baseline","timestamp":%q,"data":{"pad":%q}}`, id, time.Now().UTC().Format(time.RFC3339Nano), strings.Repeat("x", 900))
	body = append(body, bytes.Repeat([]byte(" "), max(0, 1024-len(body)))...)
	sig, err := webhooks.Sign([]string{b.secret}, id, time.Now(), body)
	if err != nil {
		panic(err)
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, b.target, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Webhook-Id", sig.ID)
	req.Header.Set("Webhook-Timestamp", sig.Timestamp)
	req.Header.Set("Webhook-Signature", sig.Standard)
	req.Header.Set("X-Webhook-Signature-256", sig.Toggl)
	start := time.Now()
	resp, err := b.http.Do(req)
	if err != nil {
		return
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	d := time.Since(start)
	b.mu.Lock()
	b.lat = append(b.lat, d)
	b.mu.Unlock()
}

// receiver is the webhook subscriber: it echoes validation codes and
// records, per event id, the time from the event to its arrival.
type receiver struct {
	tl    *timeline
	mu    sync.Mutex
	seen  map[string]time.Duration
	lat   []time.Duration
	last  time.Time
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
		d := now.Sub(msg.Timestamp)
		rc.mu.Lock()
		if _, ok := rc.seen[msg.ID]; ok {
			rc.dups++
		} else {
			rc.seen[msg.ID] = d
			rc.lat = append(rc.lat, d)
			rc.last = now
		}
		rc.mu.Unlock()
		rc.tl.delivery(now, d)
	}
	w.WriteHeader(http.StatusNoContent)
}

func (rc *receiver) delivered() int { rc.mu.Lock(); defer rc.mu.Unlock(); return len(rc.seen) }

func api(c config, method, path string, body any, out any) error {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.gateway+path, rd)
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

// subscribe creates a standard subscription to target for
// time_entry.created and waits until the gateway validated it.
func subscribe(c config, target string) (id string, err error) {
	var sub struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	if err := api(c, "POST", "/api/v1/webhooks", map[string]any{"url": target, "events": []string{"time_entry.created"}}, &sub); err != nil {
		return "", fmt.Errorf("create subscription (is GATEWAY_ALLOW_PRIVATE_TARGETS set?): %w", err)
	}
	for deadline := time.Now().Add(10 * time.Second); sub.Status != "active"; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			return sub.ID, errors.New("subscription was not validated within 10s")
		}
		if err := api(c, "GET", "/api/v1/webhooks/"+sub.ID, nil, &sub); err != nil {
			return sub.ID, err
		}
	}
	return sub.ID, nil
}

// rssMiB reads VmRSS of pid from /proc.
func rssMiB(pid int) (float64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024, err
		}
	}
	return 0, errors.New("no VmRSS")
}

// cpuSeconds reads the user and system CPU time of pid from /proc.
func cpuSeconds(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	_, rest, _ := strings.Cut(string(b), ") ") // the command name may hold spaces
	f := strings.Fields(rest)
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseFloat(f[11], 64)
	s, _ := strconv.ParseFloat(f[12], 64)
	return (u + s) / 100 // USER_HZ
}

func loadAvg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

// handlerBaseline drives h, served on a loopback port of this process, with
// the same signed commands, workers and loop as the gateway.
func handlerBaseline(ctx context.Context, c config, h http.Handler) (*rateStats, error) {
	srv := &http.Server{Handler: h}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	bs := &sender{c: c, target: "http://" + ln.Addr().String() + "/slack/commands", http: client(c.workers)}
	var el time.Duration
	if c.mode == "e2e" {
		el, _ = openLoop(ctx, c.rate, c.workers, c.baseline, bs.send)
	} else {
		el = closedLoop(ctx, c.workers, c.baseline, bs.send)
	}
	return &rateStats{N: len(bs.lat), Failed: int(bs.failed.Load()), Seconds: el.Seconds(), Rate: float64(len(bs.lat)) / el.Seconds(), Latency: pcts(bs.lat)}, nil
}

func run(ctx context.Context, c config) (*result, error) {
	res := &result{Mode: c.mode, Started: time.Now().UTC(), Args: os.Args[1:], CPUs: runtime.NumCPU(), LoadAvgStart: loadAvg(),
		Rate: c.rate, Workers: c.workers, DurationS: c.duration.Seconds()}
	tl := newTimeline()
	var rc *receiver
	var target string
	if c.subscribe {
		rc = &receiver{tl: tl, seen: map[string]time.Duration{}}
		ln, err := net.Listen("tcp", c.receiverAddr)
		if err != nil {
			return nil, err
		}
		srv := &http.Server{Handler: rc}
		go func() { _ = srv.Serve(ln) }()
		defer srv.Close()
		target = "http://" + ln.Addr().String() + "/hook"
	}

	// Baselines first, in the same process, against the same kind of
	// loopback connection.
	if c.baseline > 0 {
		var err error
		if res.Baseline.Handler, err = handlerBaseline(ctx, c, bareHandler(c.secret, nil)); err != nil {
			return nil, err
		}
		if c.durable {
			d, err := openDurable(c.durableDir)
			if err != nil {
				return nil, err
			}
			res.Baseline.Durable, err = handlerBaseline(ctx, c, bareHandler(c.secret, d))
			if err == nil {
				res.Baseline.DurableRows, err = d.rows()
			}
			d.close()
			if err != nil {
				return nil, err
			}
		}
		if c.subscribe {
			var el time.Duration
			bc := &bareClient{target: target, secret: webhooks.NewSecret(), http: client(c.workers)}
			if c.mode == "e2e" {
				el, _ = openLoop(ctx, c.rate, c.workers, c.baseline, bc.post)
			} else {
				el = closedLoop(ctx, c.workers, c.baseline, bc.post)
			}
			res.Baseline.Client = &rateStats{N: len(bc.lat), Seconds: el.Seconds(), Rate: float64(len(bc.lat)) / el.Seconds(), Latency: pcts(bc.lat)}
		}
	}

	var subID string
	if c.subscribe {
		id, err := subscribe(c, target)
		if id != "" {
			defer func() { _ = api(c, "DELETE", "/api/v1/webhooks/"+id, nil, nil) }()
		}
		if err != nil {
			return nil, err
		}
		subID = id
		if c.mode == "drain" {
			// Events of a disabled subscription wait, held, for it to be
			// enabled again: the backlog.
			if err := api(c, "POST", "/api/v1/webhooks/"+id+"/disable", nil, nil); err != nil {
				return nil, err
			}
		}
	}
	cpu0 := cpuSeconds(c.pid)

	// The gateway.
	tl.start = time.Now()
	rssCtx, rssStop := context.WithCancel(ctx)
	defer rssStop()
	rssDone := make(chan struct{})
	if c.pid > 0 {
		res.RSSSource = fmt.Sprintf("VmRSS of /proc/%d/status (the gateway process), once a second", c.pid)
		go func() {
			defer close(rssDone)
			t := time.NewTicker(time.Second)
			defer t.Stop()
			for {
				if m, err := rssMiB(c.pid); err == nil {
					tl.rss(time.Now(), m)
				}
				select {
				case <-rssCtx.Done():
					return
				case <-t.C:
				}
			}
		}()
	} else {
		close(rssDone)
	}
	var targets []string
	for _, g := range strings.Split(c.gateways, ",") {
		targets = append(targets, g+"/slack/commands")
	}
	s := &sender{c: c, target: strings.Join(targets, ","), http: client(c.workers), tl: tl}
	var el time.Duration
	skipped := 0
	if c.mode == "e2e" {
		el, skipped = openLoop(ctx, c.rate, c.workers, c.duration, s.send)
	} else {
		el = closedLoop(ctx, c.workers, c.duration, s.send)
	}
	ingestEnd := time.Now()
	res.Commands = rateStats{N: len(s.lat), Failed: int(s.failed.Load()), Skipped: skipped, Seconds: el.Seconds(), Rate: float64(len(s.lat)) / el.Seconds(), Latency: pcts(s.lat)}
	if c.pid > 0 {
		res.CPU.Commands = cpuSeconds(c.pid) - cpu0
	}
	if c.mode == "drain" {
		ingestEnd = time.Now()
		if err := api(c, "POST", "/api/v1/webhooks/"+subID+"/enable", nil, nil); err != nil {
			return nil, err
		}
	}
	if rc != nil {
		acked := len(s.lat)
		backlog := acked - rc.delivered()
		for deadline := time.Now().Add(c.drain); rc.delivered() < acked && time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		}
		rc.mu.Lock()
		ds := &deliveryStats{Expected: acked, Delivered: len(rc.seen), Duplicates: rc.dups, Latency: pcts(rc.lat), BacklogAtEnd: backlog}
		if !rc.last.IsZero() {
			ds.Seconds = rc.last.Sub(tl.start).Seconds()
			ds.Rate = float64(len(rc.seen)) / ds.Seconds
			if backlog > 0 && rc.last.After(ingestEnd) {
				ds.DrainSeconds = rc.last.Sub(ingestEnd).Seconds()
				ds.DrainRate = float64(len(rc.seen)-(acked-backlog)) / ds.DrainSeconds
			}
		}
		rc.mu.Unlock()
		res.Deliveries = ds
	}
	rssStop()
	<-rssDone
	if c.pid > 0 {
		res.CPU.Total = cpuSeconds(c.pid) - cpu0
		if n := res.Commands.N; n > 0 {
			res.CPU.MillisPerCommand = res.CPU.Total * 1000 / float64(n)
		}
	}
	res.LoadAvgEnd = loadAvg()
	res.Timeline = tl.samples()
	res.ratios()
	return res, nil
}
