package server

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/upscaled/upscaled/jobs"
)

// jobsCollector exports job gauges read from the job store at each scrape.
type jobsCollector struct {
	m      *jobs.Manager
	log    *slog.Logger
	jobs   *prometheus.Desc
	items  *prometheus.Desc
	oldest *prometheus.Desc
}

func newJobsCollector(m *jobs.Manager, log *slog.Logger) *jobsCollector {
	return &jobsCollector{
		m: m, log: log,
		jobs:   prometheus.NewDesc("upscaled_jobs", "Jobs not deleted, by state.", []string{"state"}, nil),
		items:  prometheus.NewDesc("upscaled_job_items", "Job pages waiting (state=queued) and being processed (state=running).", []string{"state"}, nil),
		oldest: prometheus.NewDesc("upscaled_job_oldest_queued_seconds", "Age of the oldest job with a page still queued (0 when none).", nil, nil),
	}
}

func (c *jobsCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.jobs
	ch <- c.items
	ch <- c.oldest
}

func (c *jobsCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	st, err := c.m.Stats(ctx)
	if err != nil {
		c.log.Warn("job metrics", "err", err)
		return
	}
	for _, s := range jobs.States {
		ch <- prometheus.MustNewConstMetric(c.jobs, prometheus.GaugeValue, float64(st.Jobs[s]), string(s))
	}
	ch <- prometheus.MustNewConstMetric(c.items, prometheus.GaugeValue, float64(st.ItemsQueued), "queued")
	ch <- prometheus.MustNewConstMetric(c.items, prometheus.GaugeValue, float64(st.ItemsRunning), "running")
	ch <- prometheus.MustNewConstMetric(c.oldest, prometheus.GaugeValue, st.OldestQueued.Seconds())
}
