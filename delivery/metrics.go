package delivery

import (
	"context"
	"time"

	"github.com/chatops/gateway/core"
	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the engine's Prometheus collectors.
type metrics struct {
	outcomes        *prometheus.CounterVec
	dispatched      prometheus.Counter
	attemptLatency  prometheus.Histogram
	eventToDelivery prometheus.Histogram
	queueDepth      prometheus.GaugeFunc
}

func newMetrics(st core.Store) *metrics {
	return &metrics{
		outcomes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gateway_webhook_deliveries_total",
			Help: "Delivery attempts by outcome: delivered, retry (failed, will retry), failed (gave up).",
		}, []string{"outcome"}),
		dispatched: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "gateway_webhook_dispatched_total",
			Help: "Deliveries queued from outbox events.",
		}),
		attemptLatency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "gateway_webhook_attempt_duration_seconds",
			Help:    "Time from sending a delivery to reading its answer.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 16),
		}),
		eventToDelivery: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "gateway_webhook_event_to_delivery_seconds",
			Help:    "Time from an event's commit to its successful delivery.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 20),
		}),
		queueDepth: prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "gateway_webhook_queue_depth",
			Help: "Deliveries waiting to be sent (pending, including retries and disabled subscriptions).",
		}, func() float64 {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			var n int
			if err := st.View(ctx, func(tx core.Tx) error {
				var err error
				n, err = tx.CountPendingDeliveries()
				return err
			}); err != nil {
				return -1
			}
			return float64(n)
		}),
	}
}

// Collectors returns the engine's metrics, to register with a registry.
func (e *Engine) Collectors() []prometheus.Collector {
	m := e.metrics
	return []prometheus.Collector{m.outcomes, m.dispatched, m.attemptLatency, m.eventToDelivery, m.queueDepth}
}
