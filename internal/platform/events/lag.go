package events

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/oneretail/oneretail/internal/platform/clock"
)

// Lag is how far delivery is behind: the backlog of events not yet delivered to
// every subscriber and how long the oldest of them has waited.
type Lag struct {
	Pending         int64         // events waiting for delivery (the backlog)
	Dead            int64         // events that failed too often and wait for a retry by hand
	OldestPendingAt time.Time     // when the oldest pending event was published; zero without one
	OldestPending   time.Duration // how long it has waited; zero without one
}

// Lag returns the delivery lag of the tenant's events, or of every tenant's when
// tenantID is empty.
func (d *Dispatcher) Lag(ctx context.Context, tenantID string) (Lag, error) {
	where, args := "", []any{}
	if tenantID != "" {
		where, args = " AND tenant_id = $1", []any{tenantID}
	}
	var l Lag
	var oldest sql.NullInt64
	err := d.db.Reader().QueryRowContext(ctx, `SELECT COUNT(*), MIN(created_at) FROM outbox_events
		WHERE status = 'pending'`+where, args...).Scan(&l.Pending, &oldest)
	if err != nil {
		return Lag{}, fmt.Errorf("events: lag: %w", err)
	}
	err = d.db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox_events WHERE status = 'dead'`+where, args...).Scan(&l.Dead)
	if err != nil {
		return Lag{}, fmt.Errorf("events: lag: %w", err)
	}
	if oldest.Valid {
		l.OldestPendingAt = clock.FromMillis(oldest.Int64)
		l.OldestPending = max(d.clock.Now().Sub(l.OldestPendingAt), 0)
	}
	return l, nil
}

// Collector returns the outbox's Prometheus metrics: the lag of every tenant,
// read from the database at each scrape, and what this process's dispatcher
// delivered, failed and purged.
func (d *Dispatcher) Collector() prometheus.Collector { return collector{d} }

type collector struct{ d *Dispatcher }

var (
	backlogDesc = prometheus.NewDesc("oneretail_outbox_backlog_events",
		"Outbox events not yet delivered to every subscriber (pending), all tenants.", nil, nil)
	oldestDesc = prometheus.NewDesc("oneretail_outbox_oldest_pending_age_seconds",
		"Age of the oldest pending outbox event; 0 when none is pending.", nil, nil)
	deadDesc = prometheus.NewDesc("oneretail_outbox_dead_events",
		"Outbox events that failed delivery too often and wait for a retry by hand.", nil, nil)
	deliveredDesc = prometheus.NewDesc("oneretail_outbox_delivered_events_total",
		"Outbox events this process delivered to every subscriber that wanted them.", nil, nil)
	failedDesc = prometheus.NewDesc("oneretail_outbox_failed_deliveries_total",
		"Delivery rounds of an outbox event in this process in which a subscriber failed.", nil, nil)
	purgedDesc = prometheus.NewDesc("oneretail_outbox_purged_events_total",
		"Delivered outbox events this process deleted after the retention.", nil, nil)
)

// Describe sends the metrics' descriptions.
func (c collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{backlogDesc, oldestDesc, deadDesc, deliveredDesc, failedDesc, purgedDesc} {
		ch <- d
	}
}

// Collect reads the lag (for at most five seconds) and the counters.
func (c collector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if l, err := c.d.Lag(ctx, ""); err != nil {
		for _, d := range []*prometheus.Desc{backlogDesc, oldestDesc, deadDesc} {
			ch <- prometheus.NewInvalidMetric(d, err)
		}
	} else {
		ch <- prometheus.MustNewConstMetric(backlogDesc, prometheus.GaugeValue, float64(l.Pending))
		ch <- prometheus.MustNewConstMetric(oldestDesc, prometheus.GaugeValue, l.OldestPending.Seconds())
		ch <- prometheus.MustNewConstMetric(deadDesc, prometheus.GaugeValue, float64(l.Dead))
	}
	s := &c.d.stats
	ch <- prometheus.MustNewConstMetric(deliveredDesc, prometheus.CounterValue, float64(s.delivered.Load()))
	ch <- prometheus.MustNewConstMetric(failedDesc, prometheus.CounterValue, float64(s.failed.Load()))
	ch <- prometheus.MustNewConstMetric(purgedDesc, prometheus.CounterValue, float64(s.purged.Load()))
}
