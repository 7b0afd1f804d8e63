package vulkan

import (
	"context"
	"slices"
	"testing"

	"github.com/upscaled/upscaled/engines"
)

// TestFusions runs the start-up check network (an SE block whose product a
// convolution and a crop read, the crop added to a deconvolution's output)
// with and without the fusions: the fused plan has no dispatch for the
// multiply, the crop and the add, and gives the same picture.
func TestFusions(t *testing.T) {
	m, tile, err := coopCheckModel()
	if err != nil {
		t.Fatal(err)
	}
	run := func(fuse bool) (engines.Tile, []string) {
		cfg := testConfig(t)
		cfg.Fuse = fuse
		e := openTestEngineWith(t, cfg)
		p, err := newProgram(e, m, e.CoopMatrix())
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		out, err := engines.Run(context.Background(), p, tile)
		if err != nil {
			t.Fatal(err)
		}
		var layers []string
		for _, l := range p.layouts { // the one layout the pass used
			for _, s := range l.steps {
				if s.layer >= 0 {
					layers = append(layers, m.Net.Layers[s.layer].Name)
				}
			}
		}
		return out, layers
	}
	fused, fl := run(true)
	plain, pl := run(false)
	for _, name := range []string{"m", "cr", "ad"} {
		if slices.Contains(fl, name) {
			t.Errorf("fused plan still dispatches layer %s: %v", name, fl)
		}
		if !slices.Contains(pl, name) {
			t.Errorf("unfused plan has no dispatch for layer %s: %v", name, pl)
		}
	}
	if d := maxDiff16(fused.Pix16, plain.Pix16); d > 2e-3 {
		t.Errorf("fused output differs from the unfused one by up to %.2e of full scale", d)
	}
}
