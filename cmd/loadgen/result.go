package main

import (
	"fmt"
	"io"
	"slices"
	"sync"
	"time"
)

// result is what a run measured; -json writes it as is (cmd/benchplot
// reads Timeline).
type result struct {
	Mode         string    `json:"mode"`
	Started      time.Time `json:"started"`
	Args         []string  `json:"args"`
	CPUs         int       `json:"cpus"`
	LoadAvgStart string    `json:"load_avg_start"`
	LoadAvgEnd   string    `json:"load_avg_end"`
	Rate         int       `json:"rate,omitempty"` // e2e: the open-loop target
	Workers      int       `json:"workers"`
	DurationS    float64   `json:"duration_s"`

	Commands   rateStats      `json:"commands"`
	Deliveries *deliveryStats `json:"deliveries,omitempty"`
	Baseline   struct {
		// Handler: the bare form+HMAC handler, driven like the gateway
		// (closed loop, or at the same open-loop rate).
		Handler *rateStats `json:"handler,omitempty"`
		// Durable: the bare handler committing each command to SQLite
		// (WAL, synchronous=FULL, group commit) before it answers;
		// DurableRows is how many rows its file held at the end.
		Durable     *rateStats `json:"durable,omitempty"`
		DurableRows int        `json:"durable_rows,omitempty"`
		// Client: the bare client posting signed 1 KiB bodies to the
		// same receiver (closed loop, or at the same rate).
		Client *rateStats `json:"client,omitempty"`
	} `json:"baseline"`
	// CPU: the gateway process's CPU seconds (user+system, /proc/PID/stat)
	// while the commands ran, and until the last delivery; per command,
	// everything each command cost (its delivery included, with a
	// subscription). Less sensitive to neighbours than any rate.
	CPU struct {
		Commands         float64 `json:"commands_s"`
		Total            float64 `json:"total_s"`
		MillisPerCommand float64 `json:"ms_per_command"`
	} `json:"cpu"`
	// Ratios: each gateway figure against its same-run baseline.
	Ratios    map[string]float64 `json:"ratios,omitempty"`
	RSSSource string             `json:"rss_source,omitempty"`
	Timeline  []sample           `json:"timeline"`
}

type rateStats struct {
	N       int     `json:"n"`
	Failed  int     `json:"failed"`
	Skipped int     `json:"skipped,omitempty"` // open loop: ticks that found every slot busy
	Seconds float64 `json:"seconds"`
	Rate    float64 `json:"per_s"`
	Latency pct     `json:"latency_ms"`
}

type deliveryStats struct {
	Expected   int `json:"expected"` // acknowledged commands, one event each
	Delivered  int `json:"delivered"`
	Duplicates int `json:"duplicates"`
	// Rate: every delivery from the start of the run to the last one.
	Seconds float64 `json:"seconds"`
	Rate    float64 `json:"per_s"`
	// The backlog left when the commands stopped, and the rate at which
	// it drained (0 when there was none).
	BacklogAtEnd int     `json:"backlog_at_end"`
	DrainSeconds float64 `json:"drain_seconds,omitempty"`
	DrainRate    float64 `json:"drain_per_s,omitempty"`
	// Latency: from the event's timestamp (its commit) to its arrival.
	Latency pct `json:"event_to_delivery_ms"`
}

// pct holds latency percentiles in milliseconds.
type pct struct {
	P50 float64 `json:"p50"`
	P95 float64 `json:"p95"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

func pcts(d []time.Duration) pct {
	if len(d) == 0 {
		return pct{}
	}
	d = slices.Clone(d)
	slices.Sort(d)
	p := func(q float64) float64 { return ms(d[min(len(d)-1, int(q*float64(len(d))))]) }
	return pct{P50: p(0.50), P95: p(0.95), P99: p(0.99), Max: ms(d[len(d)-1])}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func (p pct) String() string {
	return fmt.Sprintf("p50 %.2f ms p95 %.2f ms p99 %.2f ms max %.2f ms", p.P50, p.P95, p.P99, p.Max)
}

// sample is one second of the run.
type sample struct {
	T             int     `json:"t"` // seconds since the gateway phase began
	Commands      int     `json:"commands"`
	ReplyP99      float64 `json:"reply_p99_ms"`
	Deliveries    int     `json:"deliveries"`
	DeliveryP99   float64 `json:"delivery_p99_ms"`
	RSSMiB        float64 `json:"rss_mib,omitempty"`
	replies, dels []time.Duration
}

// timeline buckets replies, deliveries and RSS by the second.
type timeline struct {
	mu    sync.Mutex
	start time.Time
	s     []sample
}

func newTimeline() *timeline { return &timeline{start: time.Now()} }

func (t *timeline) at(now time.Time) *sample {
	i := max(0, int(now.Sub(t.start)/time.Second))
	for len(t.s) <= i {
		t.s = append(t.s, sample{T: len(t.s)})
	}
	return &t.s[i]
}

func (t *timeline) reply(now time.Time, d time.Duration) {
	t.mu.Lock()
	s := t.at(now)
	s.replies = append(s.replies, d)
	t.mu.Unlock()
}

func (t *timeline) delivery(now time.Time, d time.Duration) {
	t.mu.Lock()
	s := t.at(now)
	s.dels = append(s.dels, d)
	t.mu.Unlock()
}

func (t *timeline) rss(now time.Time, mib float64) {
	t.mu.Lock()
	t.at(now).RSSMiB = mib
	t.mu.Unlock()
}

func (t *timeline) samples() []sample {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]sample, len(t.s))
	for i, s := range t.s {
		s.Commands, s.Deliveries = len(s.replies), len(s.dels)
		s.ReplyP99, s.DeliveryP99 = pcts(s.replies).P99, pcts(s.dels).P99
		s.replies, s.dels = nil, nil
		out[i] = s
	}
	return out
}

func (r *result) ratios() {
	r.Ratios = map[string]float64{}
	h, c := r.Baseline.Handler, r.Baseline.Client
	if h != nil && h.Rate > 0 {
		if r.Mode == "e2e" {
			if h.Latency.P99 > 0 {
				r.Ratios["reply_p99_over_bare_handler_p99"] = r.Commands.Latency.P99 / h.Latency.P99
			}
		} else {
			r.Ratios["commands_over_bare_handler"] = r.Commands.Rate / h.Rate
		}
	}
	if dh := r.Baseline.Durable; dh != nil && dh.Rate > 0 {
		if r.Mode == "e2e" {
			if dh.Latency.P99 > 0 {
				r.Ratios["reply_p99_over_durable_handler_p99"] = r.Commands.Latency.P99 / dh.Latency.P99
			}
			if h != nil && h.Latency.P99 > 0 {
				r.Ratios["durable_handler_p99_over_bare_handler_p99"] = dh.Latency.P99 / h.Latency.P99
			}
		} else {
			r.Ratios["commands_over_durable_handler"] = r.Commands.Rate / dh.Rate
			if h != nil && h.Rate > 0 {
				r.Ratios["durable_handler_over_bare_handler"] = dh.Rate / h.Rate
			}
		}
	}
	if d := r.Deliveries; d != nil && c != nil && c.Rate > 0 {
		if r.Mode == "e2e" {
			if c.Latency.P99 > 0 {
				r.Ratios["event_to_delivery_p99_over_bare_round_trip_p99"] = d.Latency.P99 / c.Latency.P99
			}
		} else {
			if d.DrainRate > 0 {
				r.Ratios["drain_over_bare_client"] = d.DrainRate / c.Rate
			}
			if r.Mode == "slash" {
				r.Ratios["deliveries_over_bare_client"] = d.Rate / c.Rate
			}
		}
	}
}

func (r *result) print(w io.Writer) {
	fmt.Fprintf(w, "%s, %d workers, %s, load average %s → %s\n", r.Mode, r.Workers, time.Duration(r.DurationS*float64(time.Second)), r.LoadAvgStart, r.LoadAvgEnd)
	if h := r.Baseline.Handler; h != nil {
		fmt.Fprintf(w, "baseline: bare form+HMAC handler answered %d in %.1fs = %.0f req/s, %s\n", h.N, h.Seconds, h.Rate, h.Latency)
	}
	if d := r.Baseline.Durable; d != nil {
		fmt.Fprintf(w, "baseline: durable handler (the bare handler committing each command to SQLite, WAL, synchronous=FULL, group commit) answered %d in %.1fs = %.0f req/s (%d rows on disk), %s\n", d.N, d.Seconds, d.Rate, r.Baseline.DurableRows, d.Latency)
	}
	if c := r.Baseline.Client; c != nil {
		fmt.Fprintf(w, "baseline: bare client posted %d signed 1 KiB bodies in %.1fs = %.0f req/s, round trip %s\n", c.N, c.Seconds, c.Rate, c.Latency)
	}
	cm := r.Commands
	fmt.Fprintf(w, "commands: %d in %.1fs = %.0f cmds/s, failed %d, skipped %d, reply %s\n", cm.N, cm.Seconds, cm.Rate, cm.Failed, cm.Skipped, cm.Latency)
	if d := r.Deliveries; d != nil {
		fmt.Fprintf(w, "deliveries: %d/%d (%d duplicates) in %.1fs = %.0f/s; backlog at the end of the commands %d, drained at %.0f/s in %.1fs\n",
			d.Delivered, d.Expected, d.Duplicates, d.Seconds, d.Rate, d.BacklogAtEnd, d.DrainRate, d.DrainSeconds)
		fmt.Fprintf(w, "deliveries: event-to-delivery %s\n", d.Latency)
	}
	if r.CPU.Total > 0 {
		fmt.Fprintf(w, "cpu: gateway %.2fs while the commands ran, %.2fs to the last delivery: %.3f ms per command\n", r.CPU.Commands, r.CPU.Total, r.CPU.MillisPerCommand)
	}
	var rss []float64
	for _, s := range r.Timeline {
		if s.RSSMiB > 0 {
			rss = append(rss, s.RSSMiB)
		}
	}
	if len(rss) > 0 {
		fmt.Fprintf(w, "rss: first %.1f MiB, max %.1f MiB, last %.1f MiB (%s)\n", rss[0], slices.Max(rss), rss[len(rss)-1], r.RSSSource)
	}
	keys := make([]string, 0, len(r.Ratios))
	for k := range r.Ratios {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(w, "ratio: %s = %.3f\n", k, r.Ratios[k])
	}
}
