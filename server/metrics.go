package server

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/upscaled/upscaled/budget"
	"github.com/upscaled/upscaled/engines"
)

// registerCollectors adds the process, Go runtime, memory budget and, when
// device is set (a node with an engine), device memory metrics to reg.
func registerCollectors(reg *prometheus.Registry, b *budget.Budget, e engines.Engine, device bool) error {
	cs := []prometheus.Collector{
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "upscaled_budget_capacity_bytes", Help: "Host memory budget (UPSCALED_MEMORY_BUDGET).",
		}, func() float64 { return float64(b.Capacity()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "upscaled_budget_reserved_bytes", Help: "Host memory reserved by images in work.",
		}, func() float64 { return float64(b.Reserved()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "upscaled_budget_available_bytes", Help: "Host memory budget not reserved.",
		}, func() float64 { return float64(b.Capacity() - b.Reserved()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "upscaled_budget_waiting_requests", Help: "Requests waiting for memory.",
		}, func() float64 { return float64(b.Waiting()) }),
	}
	if device {
		cs = append(cs, prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "upscaled_device_memory_budget_bytes", Help: "Device memory the engine may use for workspaces (0 = unbounded).",
			ConstLabels: prometheus.Labels{"engine": e.Name()},
		}, func() float64 { return float64(e.MemoryBudget()) }))
	}
	if _, _, ok := engines.DeviceMemory(e); device && ok {
		cs = append(cs, prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "upscaled_device_memory_in_use_bytes", Help: "Device memory the engine holds now: weights, workspaces, staging buffers.",
			ConstLabels: prometheus.Labels{"engine": e.Name()},
		}, func() float64 { inUse, _, _ := engines.DeviceMemory(e); return float64(inUse) }),
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{
				Name: "upscaled_device_memory_peak_bytes", Help: "The most device memory the engine has held at once since start.",
				ConstLabels: prometheus.Labels{"engine": e.Name()},
			}, func() float64 { _, peak, _ := engines.DeviceMemory(e); return float64(peak) }))
	}
	for _, c := range cs {
		if err := reg.Register(c); err != nil {
			return err
		}
	}
	return nil
}
