package vulkan

import (
	"context"
	"strings"
	"testing"

	"github.com/upscaled/upscaled/engines"
)

// With Config.Profile, every dispatch of a pass is timed on the device and
// attributed to its kernel and layer, with the convolutions' arithmetic;
// without it nothing is collected.
func TestProfile(t *testing.T) {
	ctx := context.Background()
	m := loadNet(t, "realesrgan-animevideov3-x2")
	ResetProfile()
	off := DefaultConfig()
	off.Profile = false
	quiet := openTestEngineWith(t, off)
	qprog, err := quiet.Load(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := engines.Run(ctx, qprog, grayTile(24, 20)); err != nil {
		t.Fatal(err)
	}
	qprog.Close()
	prof.mu.Lock()
	collected := len(prof.kernels) + len(prof.layers)
	prof.mu.Unlock()
	if collected != 0 {
		t.Fatalf("an engine opened without Config.Profile collected %d profile entries", collected)
	}
	on := DefaultConfig()
	on.Profile = true
	e := openTestEngineWith(t, on)
	if e.Device().TimestampPeriod <= 0 {
		t.Fatalf("%s has no timestamps on its compute queues", e.Device().Name)
	}
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
