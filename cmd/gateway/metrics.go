package main

import (
	"time"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/store/sqlite"
	"github.com/prometheus/client_golang/prometheus"
)

// commandMetrics count the commands the core service runs, by way in,
// command and outcome.
type commandMetrics struct {
	total    *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newCommandMetrics() *commandMetrics {
	return &commandMetrics{
		total: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gateway_commands_total",
			Help: "Commands run, by way in (source), command and outcome (ok or the error code).",
		}, []string{"source", "command", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "gateway_command_duration_seconds",
			Help:    "Time to run a command, its durable commit included, by way in.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14),
		}, []string{"source"}),
	}
}

// observe is a core.Options.OnCommand.
func (m *commandMetrics) observe(source, command, errCode string, took time.Duration) {
	outcome := errCode
	if outcome == "" {
		outcome = "ok"
	}
	m.total.WithLabelValues(source, command, outcome).Inc()
	m.duration.WithLabelValues(source).Observe(took.Seconds())
}

// collectors returns the command metrics, and when the store is SQLite the
// writer's group commit counts and what SQLite holds in memory.
func (m *commandMetrics) collectors(st core.Store) []prometheus.Collector {
	cs := []prometheus.Collector{m.total, m.duration}
	if sq, ok := st.(*sqlite.Store); ok {
		cs = append(cs,
			prometheus.NewCounterFunc(prometheus.CounterOpts{
				Name: "gateway_sqlite_commits_total",
				Help: "Transactions the SQLite writer committed (each one fsync with synchronous=FULL).",
			}, func() float64 { return float64(sq.Stats().Commits) }),
			prometheus.NewCounterFunc(prometheus.CounterOpts{
				Name: "gateway_sqlite_updates_total",
				Help: "Updates the SQLite writer committed; divided by commits, the group commit's batch size.",
			}, func() float64 { return float64(sq.Stats().Updates) }))
		for _, g := range []struct {
			conn, use string
			of        func(sqlite.Memory) int64
		}{
			{"writer", "cache", func(m sqlite.Memory) int64 { return m.WriterCache }},
			{"writer", "statements", func(m sqlite.Memory) int64 { return m.WriterStatements }},
			{"readers", "cache", func(m sqlite.Memory) int64 { return m.ReadersCache }},
			{"readers", "statements", func(m sqlite.Memory) int64 { return m.ReadersStatements }},
		} {
			cs = append(cs, prometheus.NewGaugeFunc(prometheus.GaugeOpts{
				Name:        "gateway_sqlite_memory_bytes",
				Help:        "What SQLite holds in memory for the writer's or the readers' connections: page cache (up to 2,000 KiB per connection) or prepared statements.",
				ConstLabels: prometheus.Labels{"conn": g.conn, "use": g.use},
			}, func() float64 { return float64(g.of(sq.Memory())) }))
		}
	}
	return cs
}
