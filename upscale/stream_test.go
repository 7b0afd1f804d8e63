package upscale

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/upscaled/upscaled/engines"
	"github.com/upscaled/upscaled/engines/cpu"
	"github.com/upscaled/upscaled/internal/testing/testenv"
)

// TestFullWidthBandsStream: a tall narrow crop under a tile as wide as it
// is cut into full-width bands, which are encoded straight from each band's
// pass output while the next band runs; the result matches the untiled one
// (gray pages go through the band shaper chunk by chunk).
func TestFullWidthBandsStream(t *testing.T) {
	p := newTestPipeline(t, Config{})
	for _, tt := range []struct {
		model string
		bar   float64
	}{
		{"realcugan-up2x-conservative", 55},
		{"realesrgan-animevideov3-x2", 60},
	} {
		for _, page := range []string{"page-color-1000x1400.jpg", "page-gray-1000x1400.png"} {
			t.Run(tt.model+"/"+page, func(t *testing.T) {
				in := cropPNG(t, page, 300, 500, 48, 150)
				whole, _ := upscaleBytes(t, p, in, Options{Model: tt.model, Format: "png"})
				want, _ := decodeOut(t, whole)
				out, res := upscaleBytes(t, p, in, Options{Model: tt.model, Format: "png", Tile: 48})
				got, _ := decodeOut(t, out)
				if res.Tiles < 3 {
					t.Fatalf("%d tiles, want a band of one tile per 48 rows", res.Tiles)
				}
				if db := psnr(t, got, want); db < tt.bar {
					t.Errorf("%d full-width bands vs untiled: %.2f dB, want ≥ %.0f", res.Tiles, db, tt.bar)
				}
			})
		}
	}
}

// TestFullWidthBandOutOfMemory: when a band's pass cannot start for lack of
// device memory, the band is made from smaller tiles through a band buffer
// and the page still matches the untiled result.
func TestFullWidthBandOutOfMemory(t *testing.T) {
	const model = "realesrgan-animevideov3-x2" // no SE: every band starts a fresh pass
	in := cropPNG(t, "page-color-1000x1400.jpg", 300, 500, 48, 150)
	probe := &oomEngine{Engine: cpu.New()}
	p := New(Config{}, probe, testenv.ModelsDir(t))
	t.Cleanup(func() { p.Close() })
	whole, _ := upscaleBytes(t, p, in, Options{Model: model, Format: "png"})
	want, _ := decodeOut(t, whole)
	// The bands' padded inputs are the largest Start sees with tile 48;
	// refusing them leaves the quarters the split falls back to.
	probe.largest.Store(0)
	upscaleBytes(t, p, in, Options{Model: model, Format: "png", Tile: 48})
	probe.limit.Store(probe.largest.Load() - 1)
	out, _ := upscaleBytes(t, p, in, Options{Model: model, Format: "png", Tile: 48})
	if probe.refused.Load() == 0 {
		t.Fatal("no pass was refused: the test did not reach the fallback")
	}
	got, _ := decodeOut(t, out)
	if db := psnr(t, got, want); db < 60 {
		t.Errorf("bands split after out-of-memory vs untiled: %.2f dB, want ≥ 60", db)
	}
}

// oomEngine is the CPU engine refusing passes over limit input pixels (0:
// none) with ErrOutOfMemory, as a device whose memory other work holds; it
// records the largest input it was asked for.
type oomEngine struct {
	engines.Engine
	limit, largest, refused atomic.Int64
}

func (e *oomEngine) Load(ctx context.Context, m engines.Model) (engines.Program, error) {
	p, err := e.Engine.Load(ctx, m)
	return &oomProgram{Program: p, e: e}, err
}

type oomProgram struct {
	engines.Program
	e *oomEngine
}

func (p *oomProgram) Start(ctx context.Context, in engines.Tile, opt engines.PassOptions) (engines.Pass, error) {
	px := int64(in.W * in.H)
	for {
		cur := p.e.largest.Load()
		if px <= cur || p.e.largest.CompareAndSwap(cur, px) {
			break
		}
	}
	if l := p.e.limit.Load(); l > 0 && px > l {
		p.e.refused.Add(1)
		return nil, fmt.Errorf("oomEngine: %d×%d input over %d pixels: %w", in.W, in.H, l, engines.ErrOutOfMemory)
	}
	return p.Program.Start(ctx, in, opt)
}
