package upscale

import (
	"context"
	"testing"
	"time"

	"github.com/upscaled/upscaled/engines"
	"github.com/upscaled/upscaled/models"
	"github.com/upscaled/upscaled/tiling"
)

// BenchmarkSESync compares exact SE-synchronised tiling (passes kept alive,
// or prefixes recomputed) with plain independent tiling (each tile pooled
// on its own, as without synchronisation) on a 64×64 crop cut in 32-px
// tiles, reporting each one's input pixels/s and its time relative to
// independent tiles ("x-plain").
func BenchmarkSESync(b *testing.B) {
	p := newTestPipeline(b, Config{})
	info, err := models.Lookup("realcugan-up2x-conservative")
	if err != nil {
		b.Fatal(err)
	}
	prog, err := p.program(context.Background(), info)
	if err != nil {
		b.Fatal(err)
	}
	img, _, err := decodeFile(bytesReader(cropPNG(b, "page-gray-1000x1400.png", 300, 500, 64, 64)))
	if err != nil {
		b.Fatal(err)
	}
	src := fromImage(img)
	plan, err := tiling.NewPlan(src.W, src.H, 32, 32, prog.geom)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	independent := func() {
		for _, t := range plan.Tiles {
			in := networkTile(src, t.Padded, 0)
			if _, err := engines.Run(ctx, prog.prog, in.tile()); err != nil {
				b.Fatal(err)
			}
		}
	}
	synced := func(keep bool) func() {
		return func() {
			r, err := newRunner(prog, src, plan, false, 0, nil)
			if err != nil {
				b.Fatal(err)
			}
			r.keepAlive = keep
			defer r.close()
			if err := r.collect(ctx); err != nil {
				b.Fatal(err)
			}
			out := newSamples(src.W*2, src.H*2, 3, src.Depth)
			for _, t := range plan.Tiles {
				if err := r.output(ctx, t, out, t.Core.X0*2, t.Core.Y0*2); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	for _, bc := range []struct {
		name string
		run  func()
	}{{"plain", independent}, {"sync-keep", synced(true)}, {"sync-recompute", synced(false)}} {
		b.Run(bc.name, func(b *testing.B) {
			var plain, this time.Duration
			for i := 0; i < b.N; i++ {
				t0 := time.Now()
				independent()
				t1 := time.Now()
				bc.run()
				plain += t1.Sub(t0)
				this += time.Since(t1)
			}
			b.ReportMetric(float64(src.W*src.H)*float64(b.N)/this.Seconds(), "inpixels/s")
			b.ReportMetric(this.Seconds()/plain.Seconds(), "x-plain")
		})
	}
}
