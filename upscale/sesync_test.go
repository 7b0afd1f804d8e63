package upscale

import (
	"context"
	"math"
	"testing"

	"github.com/upscaled/upscaled/engines"
	"github.com/upscaled/upscaled/models"
	"github.com/upscaled/upscaled/tiling"
)

// TestSEMeansFromTilesEqualUntiled checks, with the real engine, that the
// channel means assembled from the tiles' owned shares at every SE pooling
// point equal the untiled pass's means, and that keeping passes alive and
// recomputing prefixes give identical tiles.
func TestSEMeansFromTilesEqualUntiled(t *testing.T) {
	ctx := context.Background()
	p := newTestPipeline(t, Config{})
	info, err := models.Lookup("realcugan-up2x-conservative")
	if err != nil {
		t.Fatal(err)
	}
	prog, err := p.program(ctx, info)
	if err != nil {
		t.Fatal(err)
	}
	if len(prog.pools) != 4 {
		t.Fatalf("found %d SE pooling points, want 4", len(prog.pools))
	}
	img, _, err := decodeFile(bytesReader(cropPNG(t, "page-color-1000x1400.jpg", 250, 420, 90, 62)))
	if err != nil {
		t.Fatal(err)
	}
	src := fromImage(img)

	// untiled: one pass, pooling its own whole blobs
	whole, _ := tiling.NewPlan(src.W, src.H, 0, 0, prog.geom)
	pass, err := prog.prog.Start(ctx, networkTile(src, whole.Tiles[0].Padded, 0).tile(), engines.PassOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer pass.Close()
	want := map[int][]float32{}
	for {
		st, err := pass.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st.Layer < 0 {
			break
		}
		m := make([]float32, len(st.Sums))
		for c, s := range st.Sums {
			m[c] = float32(s / float64(st.Count))
		}
		want[st.Layer] = m
		if err := pass.Supply(m); err != nil {
			t.Fatal(err)
		}
	}

	plan, err := tiling.NewPlan(src.W, src.H, 32, 32, prog.geom)
	if err != nil {
		t.Fatal(err)
	}
	var outs [2][]samples
	for i, keep := range []bool{true, false} {
		r, err := newRunner(prog, src, plan, false, 0, nil)
		if err != nil {
			t.Fatal(err)
		}
		r.keepAlive = keep
		if err := r.collect(ctx); err != nil {
			t.Fatal(err)
		}
		for _, pl := range prog.pools {
			got := r.means[0][pl.layer]
			if len(got) != len(want[pl.layer]) {
				t.Fatalf("layer %d: %d means, want %d", pl.layer, len(got), len(want[pl.layer]))
			}
			for c := range got {
				if d := math.Abs(float64(got[c] - want[pl.layer][c])); d > 1e-5*math.Max(1, math.Abs(float64(want[pl.layer][c]))) {
					t.Errorf("keep=%v layer %d channel %d: tiled mean %g, untiled %g", keep, pl.layer, c, got[c], want[pl.layer][c])
				}
			}
		}
		for _, tl := range plan.Tiles {
			o := newSamples(tl.Core.Dx()*2, tl.Core.Dy()*2, 3, 8)
			if err := r.output(ctx, tl, o, 0, 0); err != nil {
				t.Fatal(err)
			}
			outs[i] = append(outs[i], o)
		}
		r.close()
	}
	for i := range outs[0] {
		a, b := outs[0][i].Pix8, outs[1][i].Pix8
		for j := range a {
			if a[j] != b[j] {
				t.Fatalf("tile %d differs between kept and recomputed passes at sample %d", i, j)
			}
		}
	}
}
