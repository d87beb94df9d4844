// Command loadgen is the gateway's load tool. It drives a running gateway
// with real signed Slack slash commands and, with a subscription, runs a
// webhook receiver of its own that receives every event during the run, to
// measure what users live with: command throughput and reply latency,
// delivery throughput and event-to-delivery latency, and the gateway's
// memory over time. Every figure stands beside a baseline measured by the
// same process in the same run, printed as a ratio:
//
//   - the bare handler: a net/http handler of this process that parses the
//     same Slack form and checks its HMAC (slack-go's verifier), driven by
//     the same client and workers, closed loop or at the same open-loop rate;
//   - the durable handler: the bare handler that commits each command to a
//     SQLite file before it answers, as the gateway's embedded store
//     commits (the same driver, WAL, synchronous=FULL, one writer
//     committing what is queued as one group): the floor that durability
//     alone sets on this machine (-durable=false leaves it out);
//   - the bare client: plain net/http posting 1 KiB bodies, each signed
//     like a delivery (Standard Webhooks and Toggl headers), to the same
//     receiver, closed loop or at the same rate.
//
// RSS is sampled once a second from /proc/PID/status (VmRSS) of the
// gateway process given with -pid. It only talks to the addresses it is
// given (use loopback).
//
//	loadgen -mode slash -gateway http://127.0.0.1:8080 -slack-secret S -duration 10s -baseline 3s
//	loadgen -mode slash -subscribe -admin-token T ...        (closed loop, a subscription receiving every event)
//	loadgen -mode drain -admin-token T ...                   (a backlog held while the subscription is disabled, then drained)
//	loadgen -mode e2e -gateway http://127.0.0.1:8080 -slack-secret S -admin-token T -rate 1000 -duration 10s -pid PID -json out.json
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"time"
)

type config struct {
	mode, gateway, gateways, secret, admin, receiverAddr, jsonOut string
	rate, workers, users, pid                                     int
	duration, drain, baseline                                     time.Duration
	subscribe, durable                                            bool
	durableDir                                                    string
}

func main() {
	var c config
	flag.StringVar(&c.mode, "mode", "slash", "slash: closed-loop command throughput; e2e: commands at -rate (open loop) with a subscription and delivery latency; drain: closed-loop commands while the subscription is disabled, then enable it and measure how fast the held backlog is delivered")
	flag.StringVar(&c.gateways, "gateway", "http://127.0.0.1:8080", "base URL of the gateway; several, comma-separated, take the commands in turn (instances on one database; the API calls go to the first)")
	flag.StringVar(&c.secret, "slack-secret", "", "the gateway's GATEWAY_SLACK_SIGNING_SECRET")
	flag.StringVar(&c.admin, "admin-token", "", "an admin API token (creates the subscription)")
	flag.StringVar(&c.receiverAddr, "receiver", "127.0.0.1:0", "where the webhook receiver listens")
	flag.IntVar(&c.rate, "rate", 1000, "e2e: commands per second (open loop)")
	flag.IntVar(&c.workers, "workers", 64, "concurrent requests")
	flag.IntVar(&c.users, "users", 50, "distinct Slack users")
	flag.IntVar(&c.pid, "pid", 0, "the gateway's process id: sample its RSS from /proc once a second")
	flag.DurationVar(&c.duration, "duration", 10*time.Second, "how long to send")
	flag.DurationVar(&c.drain, "drain", 60*time.Second, "how long to wait for the last deliveries")
	flag.DurationVar(&c.baseline, "baseline", 3*time.Second, "how long each same-run baseline runs (0: none)")
	flag.BoolVar(&c.durable, "durable", true, "also measure the durable baseline (the bare handler committing each command to SQLite)")
	flag.StringVar(&c.durableDir, "durable-dir", os.TempDir(), "where the durable baseline's SQLite file goes (a temporary directory inside it, removed after); put it on the gateway's disk")
	flag.BoolVar(&c.subscribe, "subscribe", false, "slash: a subscription receives every time_entry.created during the run (e2e always has one)")
	flag.StringVar(&c.jsonOut, "json", "", "also write the result as JSON to this file (- for stdout); cmd/benchplot draws it")
	flag.Parse()
	c.gateway, _, _ = strings.Cut(c.gateways, ",")
	if c.secret == "" {
		fmt.Fprintln(os.Stderr, "loadgen: -slack-secret is required")
		os.Exit(2)
	}
	switch c.mode {
	case "slash", "e2e", "drain":
	default:
		fmt.Fprintf(os.Stderr, "loadgen: unknown mode %q\n", c.mode)
		os.Exit(2)
	}
	if c.mode == "e2e" || c.mode == "drain" {
		c.subscribe = true
	}
	if c.workers < 1 || c.users < 1 || c.rate < 1 || c.rate > 1_000_000 {
		fmt.Fprintln(os.Stderr, "loadgen: -workers and -users must be at least 1, -rate between 1 and 1000000")
		os.Exit(2)
	}
	if c.subscribe && c.admin == "" {
		fmt.Fprintln(os.Stderr, "loadgen: -admin-token is required for a subscription")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	res, err := run(ctx, c)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
	res.print(os.Stdout)
	if c.jsonOut != "" {
		out := os.Stdout
		if c.jsonOut != "-" {
			f, err := os.Create(c.jsonOut)
			if err != nil {
				fmt.Fprintln(os.Stderr, "loadgen:", err)
				os.Exit(1)
			}
			defer f.Close()
			out = f
		}
		enc := json.NewEncoder(out)
		enc.SetIndent("", " ")
		if err := enc.Encode(res); err != nil {
			fmt.Fprintln(os.Stderr, "loadgen:", err)
			os.Exit(1)
		}
	}
}
