package upscale

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"io"
	"runtime"
	"runtime/debug"
	"sync"
	"testing"
	"time"
)

// peakHeap runs f while sampling the heap in use every few milliseconds
// and whenever f calls sample, and returns the peak above the heap in use
// before f started. The collector runs at GOGC=1 meanwhile, so the heap in
// use tracks the live bytes (what Estimate promises; the headroom a
// collector at a higher GOGC leaves is the runtime's, bounded by
// GOMEMLIMIT).
func peakHeap(f func(sample func())) int64 {
	defer debug.SetGCPercent(debug.SetGCPercent(1))
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := int64(ms.HeapInuse)
	var mu sync.Mutex
	peak := base
	sample := func() {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		mu.Lock()
		peak = max(peak, int64(ms.HeapInuse))
		mu.Unlock()
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		tk := time.NewTicker(2 * time.Millisecond)
		defer tk.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tk.C:
				sample()
			}
		}
	}()
	f(sample)
	sample()
	close(stop)
	<-done
	return peak - base
}

func TestEstimateCoversPeak(t *testing.T) {
	rgb16 := image.NewNRGBA64(image.Rect(0, 0, 128, 96))
	pattern(128, 96, func(x, y int, v float64) {
		rgb16.SetNRGBA64(x, y, color.NRGBA64{R: uint16(v * 65535), G: uint16(x * 600), B: uint16(y * 900), A: 65535})
	})
	tests := []struct {
		name string
		in   []byte
		o    Options
		cfg  Config
	}{
		{"gray 160x120 to PNG, 64-px tiles", cropPNG(t, "page-gray-1000x1400.png", 400, 600, 160, 120), Options{Format: "png", Tile: 64}, Config{}},
		{"colour 160x120 to JPEG, budget tiles", cropPNG(t, "page-color-1000x1400.jpg", 200, 300, 160, 120), Options{Format: "jpeg"}, Config{MemoryBudget: 96 << 20}},
		{"RGBA 40x56 to WebP, whole", cropPNG(t, "small-rgba-40x56.png", 0, 0, 40, 56), Options{Format: "webp"}, Config{}},
		{"16-bit 128x96 to PNG, whole", encodePNG(t, rgb16), Options{Format: "png"}, Config{}},
		{"colour 240x180 Real-ESRGAN to PNG, 120-px tiles", cropPNG(t, "page-color-1000x1400.jpg", 500, 700, 240, 180), Options{Model: "realesrgan-animevideov3-x2", Format: "png", Tile: 120}, Config{}},
	}
	t.Logf("%-48s %12s %12s %6s", "case", "estimate", "measured", "ratio")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newTestPipeline(t, tt.cfg)
			plan, err := p.Plan(bytes.NewReader(tt.in), tt.o) // loads the model before measuring
			if err != nil {
				t.Fatal(err)
			}
			// The sampler can miss a short peak, which would make the
			// estimate look loose: the highest of three runs counts.
			var measured int64
			for range 3 {
				var perr error
				m := peakHeap(func(sample func()) {
					_, perr = p.Run(context.Background(), plan, bytes.NewReader(tt.in), io.Discard, nil, func(Progress) { sample() })
				})
				if perr != nil {
					t.Fatal(perr)
				}
				measured = max(measured, m)
			}
			ratio := float64(plan.HostBytes) / float64(measured)
			t.Logf("%-48s %12d %12d %6.2f %v", tt.name, plan.HostBytes, measured, ratio, p.parts(mustProgram(t, p, plan), plan))
			if plan.HostBytes < measured || ratio > 1.5 {
				t.Errorf("estimate %d bytes, measured peak %d (ratio %.2f): want 1 ≤ ratio ≤ 1.5", plan.HostBytes, measured, ratio)
			}
		})
	}
}

func mustProgram(t *testing.T, p *Pipeline, plan Plan) *program {
	prog, err := p.program(context.Background(), plan.Model)
	if err != nil {
		t.Fatal(err)
	}
	return prog
}
