package cache_test

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/upscaled/upscaled/cache"
	"github.com/upscaled/upscaled/internal/testing/testenv"
	"github.com/upscaled/upscaled/upscale"
)

// upscalePipe is a fresh pipeline on the fixture's engine.
func upscalePipe(t *testing.T, f *fixture) cache.Pipeline {
	p := upscale.New(upscale.Config{MaxInputPixels: 50_000_000}, f.eng, testenv.ModelsDir(t))
	t.Cleanup(func() { p.Close() })
	return p
}

func gauge(reg *prometheus.Registry, name string) float64 { return metricValue(reg, name, "") }

func metricValue(reg *prometheus.Registry, name, value string) float64 {
	mfs, _ := reg.Gather()
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			if value != "" && (len(m.GetLabel()) == 0 || m.GetLabel()[0].GetValue() != value) {
				continue
			}
			return val(m)
		}
	}
	return 0
}

func val(m *dto.Metric) float64 {
	switch {
	case m.Counter != nil:
		return m.GetCounter().GetValue()
	case m.Gauge != nil:
		return m.GetGauge().GetValue()
	}
	return 0
}
