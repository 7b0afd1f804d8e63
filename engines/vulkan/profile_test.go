package vulkan

import (
	"context"
	"strings"
	"testing"

	"github.com/upscaled/upscaled/engines"
)

// With profiling on, every dispatch of a pass is timed on the device and
// attributed to its kernel and layer, with the convolutions' arithmetic.
func TestProfile(t *testing.T) {
	profiling = true
	defer func() { profiling = false }()
	prof.mu.Lock()
	prof.kernels, prof.layers = nil, nil
	prof.mu.Unlock()
	e := openTestEngine(t)
	if e.Device().TimestampPeriod <= 0 {
		t.Fatalf("%s has no timestamps on its compute queues", e.Device().Name)
	}
	ctx := context.Background()
	m := loadNet(t, "realesrgan-animevideov3-x2")
	prog, err := e.Load(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	defer prog.Close()
	const passes = 2
	for range passes {
		if _, err := engines.Run(ctx, prog, grayTile(24, 20)); err != nil {
			t.Fatal(err)
		}
	}
	convs := 0
	for _, l := range m.Net.Layers {
		if l.Type == "Convolution" {
			convs++
		}
	}
	// the 3×3 convolutions run on conv3x3 or, with tensor cores,
	// conv3x3_coopmat
	var conv profStat
	prof.mu.Lock()
	for key, st := range prof.layers {
		// (the engine's start-up check of the tensor-core kernel runs its own net)
		if strings.HasPrefix(key, m.Info.ID+"\tConvolution ") {
			conv.calls += st.calls
			conv.ns += st.ns
			conv.flops += st.flops
		}
	}
	prof.mu.Unlock()
	if conv.calls != passes*convs || conv.ns <= 0 || conv.flops <= 0 {
		t.Fatalf("convolution layers: %+v, want %d dispatches (%d convolutions × %d passes) with time and arithmetic", conv, passes*convs, convs, passes)
	}
	var out strings.Builder
	if err := WriteProfile(&out, 5); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"conv3x3", "preproc", "postproc", "total", "realesrgan-animevideov3-x2", "Convolution"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("profile lacks %q:\n%s", want, out.String())
		}
	}
	t.Logf("\n%s", out.String())
}
