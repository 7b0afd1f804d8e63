package vulkan

import (
	"context"
	"testing"

	"github.com/upscaled/upscaled/engines"
)

// Pages run several passes of one layout at once (streams × bands). Each
// round of four concurrent passes takes the instances the previous round
// gave back: four are made in all, not two per round (an arena of a real
// page is gigabytes, allocated by the driver under the device's lock). When
// an allocation fails, the idle instances of every plan go and the pass
// starts anyway.
func TestInstancesReused(t *testing.T) {
	e := openTestEngine(t)
	ctx := context.Background()
	prog, err := e.Load(ctx, loadNet(t, "realesrgan-animevideov3-x2"))
	if err != nil {
		t.Fatal(err)
	}
	defer prog.Close()
	t.Cleanup(func() { setFaults(0, 0, 0) })
	const concurrent = 4
	tile := grayTile(12, 10)
	for round := 0; round < 3; round++ {
		var passes []engines.Pass
		for range concurrent {
			ps, err := prog.Start(ctx, tile, engines.PassOptions{})
			if err != nil {
				t.Fatal(err)
			}
			passes = append(passes, ps)
		}
		for _, ps := range passes {
			if stop, err := ps.Next(ctx); err != nil || stop.Layer != -1 {
				t.Fatalf("round %d: %+v, %v", round, stop, err)
			}
			if out := ps.Output(); out.W != 24 || out.H != 20 || len(out.Pix8) != 24*20*3 {
				t.Fatalf("round %d: output %d×%d, %d samples", round, out.W, out.H, len(out.Pix8))
			}
			ps.Close()
			// The output was the instance's mapped memory, now another pass's.
			if out := ps.Output(); out.Pix8 != nil {
				t.Fatalf("round %d: output after Close has %d samples", round, len(out.Pix8))
			}
		}
	}
	p := prog.(*program)
	dp := p.dev.plans[layoutKey{tile.H, tile.W, 8, 2}]
	if dp == nil {
		dp = p.dev.plans[layoutKey{tile.H, tile.W, 8, 4}]
	}
	if dp == nil {
		t.Fatal("no plan for the tile's layout")
	}
	if dp.made != concurrent || len(dp.idle) != concurrent {
		t.Errorf("3 rounds of %d passes made %d instances and kept %d idle, want %d and %d", concurrent, dp.made, len(dp.idle), concurrent, concurrent)
	}

	// Another layout's allocation fails once: the cached instances go.
	setFaults(1, vkErrorOutOfDeviceMem, 0)
	out, err := engines.Run(ctx, prog, grayTile(14, 10))
	setFaults(0, 0, 0)
	if err != nil {
		t.Fatalf("a pass whose first allocation failed with %d idle instances cached: %v", concurrent, err)
	}
	if out.W != 28 || out.H != 20 {
		t.Fatalf("output %d×%d, want 28×20", out.W, out.H)
	}
	if len(dp.idle) != 0 {
		t.Errorf("%d instances still idle after an allocation failed", len(dp.idle))
	}
}
