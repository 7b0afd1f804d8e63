package cache

import "github.com/prometheus/client_golang/prometheus"

// Metrics are the cache's Prometheus metrics; a nil *Metrics records
// nothing.
type Metrics struct {
	lookups   *prometheus.CounterVec
	stores    *prometheus.CounterVec
	evictions prometheus.Counter
	size      prometheus.Gauge
	entries   prometheus.Gauge
	capacity  prometheus.Gauge
}

// NewMetrics creates the metrics and registers them with reg.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		lookups: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "upscaled_cache_lookups_total", Help: "Result cache lookups by result (hit, miss, corrupt: an entry failed its checks and was deleted, error: the store failed).",
		}, []string{"result"}),
		stores: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "upscaled_cache_stores_total", Help: "Results written to the cache by outcome (ok, error).",
		}, []string{"outcome"}),
		evictions: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "upscaled_cache_evictions_total", Help: "Entries removed to keep the local cache under UPSCALED_CACHE_MAX_BYTES.",
		}),
		size: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "upscaled_cache_size_bytes", Help: "Bytes held by the local cache's entries (0 on S3).",
		}),
		entries: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "upscaled_cache_entries", Help: "Entries in the local cache (0 on S3).",
		}),
		capacity: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "upscaled_cache_capacity_bytes", Help: "UPSCALED_CACHE_MAX_BYTES of the local cache (0 on S3: lifecycle rules apply).",
		}),
	}
	for _, c := range []prometheus.Collector{m.lookups, m.stores, m.evictions, m.size, m.entries, m.capacity} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	for _, r := range []string{"hit", "miss", "corrupt", "error"} {
		m.lookups.WithLabelValues(r)
	}
	m.stores.WithLabelValues("ok")
	m.stores.WithLabelValues("error")
	return m, nil
}

func (m *Metrics) lookup(result string) {
	if m != nil {
		m.lookups.WithLabelValues(result).Inc()
	}
}

func (m *Metrics) stored(ok bool) {
	if m == nil {
		return
	}
	if ok {
		m.stores.WithLabelValues("ok").Inc()
	} else {
		m.stores.WithLabelValues("error").Inc()
	}
}

func (m *Metrics) evicted() {
	if m != nil {
		m.evictions.Inc()
	}
}

func (m *Metrics) setSize(bytes int64, entries int) {
	if m != nil {
		m.size.Set(float64(bytes))
		m.entries.Set(float64(entries))
	}
}

func (m *Metrics) setCapacity(bytes int64, local bool) {
	if m != nil && local {
		m.capacity.Set(float64(bytes))
	}
}
