package api

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Sources of images and tiles: synchronous requests and job pages.
const (
	SourceSync = "sync"
	SourceJob  = "job"
)

// Span names of the processing-time histogram.
const (
	SpanQueue      = "queue"      // waiting for the memory budget
	SpanProcessing = "processing" // decode → tiles → encode
)

// Metrics are the HTTP and processing metrics (Prometheus). Job workers
// record their images and tiles through the exported methods.
type Metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	inFlight prometheus.Gauge
	spans    *prometheus.HistogramVec
	tiles    *prometheus.CounterVec
	images   *prometheus.CounterVec
}

// NewMetrics creates the metrics and registers them with reg.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	buckets := []float64{.005, .025, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120, 300}
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "upscaled_http_requests_total", Help: "HTTP requests by route, method and status code.",
		}, []string{"route", "method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "upscaled_http_request_duration_seconds", Help: "HTTP request duration by route, upload and response included.",
			Buckets: buckets,
		}, []string{"route"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "upscaled_http_requests_in_flight", Help: "HTTP requests being served.",
		}),
		spans: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "upscaled_request_span_duration_seconds", Help: "Time per image spent waiting for the memory budget (span=queue) and processing (span=processing).",
			Buckets: buckets,
		}, []string{"span"}),
		tiles: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "upscaled_tiles_processed_total", Help: "Tiles of the images finished, as X-Upscaled-Tiles counts them, by model and source (sync, job).",
		}, []string{"model", "source"}),
		images: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "upscaled_images_total", Help: "Images processed by model, outcome (ok, error) and source (sync, job).",
		}, []string{"model", "outcome", "source"}),
	}
	for _, c := range []prometheus.Collector{m.requests, m.duration, m.inFlight, m.spans, m.tiles, m.images} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (m *Metrics) observeRequest(route, method string, status int, d time.Duration) {
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(route).Observe(d.Seconds())
}

// ObserveSpan records time spent in a span (SpanQueue or SpanProcessing).
func (m *Metrics) ObserveSpan(span string, d time.Duration) {
	m.spans.WithLabelValues(span).Observe(d.Seconds())
}

// CountImage counts one image processed with model (a catalog id) from
// source (SourceSync or SourceJob); ok tells the outcome, tiles are those
// of its plan (counted when ok).
func (m *Metrics) CountImage(model, source string, ok bool, tiles int) {
	outcome := "error"
	if ok {
		outcome = "ok"
		m.tiles.WithLabelValues(model, source).Add(float64(tiles))
	}
	m.images.WithLabelValues(model, outcome, source).Inc()
}
