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
		cs = append(cs, sqliteMemory{sq})
	}
	return cs
}

// sqliteMemoryDesc is gateway_sqlite_memory_bytes.
var sqliteMemoryDesc = prometheus.NewDesc("gateway_sqlite_memory_bytes",
	"What SQLite holds in memory for the writer's or the readers' connections: page cache (one budget shared by all connections: the writer's 2,000 KiB and 256 KiB per reader) or prepared statements.",
	[]string{"conn", "use"}, nil)

// sqliteMemory collects gateway_sqlite_memory_bytes with one
// sqlite.Store.Memory per scrape.
type sqliteMemory struct{ st *sqlite.Store }

func (c sqliteMemory) Describe(ch chan<- *prometheus.Desc) { ch <- sqliteMemoryDesc }

func (c sqliteMemory) Collect(ch chan<- prometheus.Metric) {
	m := c.st.Memory()
	for _, v := range []struct {
		conn, use string
		bytes     int64
	}{
		{"writer", "cache", m.WriterCache},
		{"writer", "statements", m.WriterStatements},
		{"readers", "cache", m.ReadersCache},
		{"readers", "statements", m.ReadersStatements},
	} {
		ch <- prometheus.MustNewConstMetric(sqliteMemoryDesc, prometheus.GaugeValue, float64(v.bytes), v.conn, v.use)
	}
}
