package sched

import (
	"bytes"
	"context"
	"image"
	"image/draw"
	"image/png"
	"os"
	"testing"

	"github.com/upscaled/upscaled/engines"
	"github.com/upscaled/upscaled/engines/cpu"
	"github.com/upscaled/upscaled/imaging"
	"github.com/upscaled/upscaled/internal/testing/testenv"
	"github.com/upscaled/upscaled/upscale"
)

// upscalePNG runs the tiled pipeline on eng and returns the decoded RGB
// output.
func upscalePNG(t *testing.T, eng engines.Engine, in []byte, model string, tile int) []uint8 {
	t.Helper()
	p := upscale.New(upscale.Config{}, eng, testenv.ModelsDir(t))
	defer p.Close()
	plan, err := p.Plan(bytes.NewReader(in), upscale.Options{Model: model, Format: "png", Tile: tile})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	res, err := p.Run(context.Background(), plan, bytes.NewReader(in), &out, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Tiles < 2 {
		t.Fatalf("%d tiles: the test needs a tiled run", res.Tiles)
	}
	m, err := png.Decode(&out)
	if err != nil {
		t.Fatal(err)
	}
	rgba := image.NewNRGBA(m.Bounds())
	draw.Draw(rgba, rgba.Rect, m, m.Bounds().Min, draw.Src)
	rgb := make([]uint8, 0, len(rgba.Pix)/4*3)
	for i := 0; i < len(rgba.Pix); i += 4 {
		rgb = append(rgb, rgba.Pix[i:i+3]...)
	}
	return rgb
}

// TestTiledSE: a Real-CUGAN image tiled through the scheduler (each SE
// pause a separate scheduled segment, tiles spread over two devices) equals
// the same tiling on the engine directly.
func TestTiledSE(t *testing.T) {
	in, err := os.ReadFile(testenv.TestImage(t, "small-color-61x37.png"))
	if err != nil {
		t.Fatal(err)
	}
	const model, tile = "realcugan-up2x-conservative", 32
	want := upscalePNG(t, cpu.New(), in, model, tile)
	tests := []struct {
		name    string
		devs    func(t *testing.T) []engines.Engine
		minPSNR float64
	}{
		{"cpu+cpu", func(*testing.T) []engines.Engine { return []engines.Engine{cpu.New(), cpu.New()} }, 90},
		{"cpu+lavapipe", func(t *testing.T) []engines.Engine { return []engines.Engine{cpu.New(), lavapipe(t)} }, 40},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := newRecorder(false)
			e, err := newEngine(DefaultConfig(), tt.devs(t), rec.hooks())
			if err != nil {
				t.Fatal(err)
			}
			defer e.Close()
			got := upscalePNG(t, e, in, model, tile)
			p := imaging.SamplesPSNR(want, got, 255)
			t.Logf("PSNR %.1f dB against the direct tiled run; %d segments scheduled", p, len(rec.started()))
			if p < tt.minPSNR {
				t.Errorf("PSNR %.1f dB against the direct tiled run, want ≥ %.0f", p, tt.minPSNR)
			}
			per := map[int]int{}
			for _, s := range rec.started() {
				per[s.dev]++
			}
			// 4 tiles, each paused at Real-CUGAN's 4 SE points: at least
			// 5 segments per tile went through the queues.
			if n := per[0] + per[1]; n < 4*5 {
				t.Errorf("%d segments scheduled, want at least 20 (4 tiles × 5 segments)", n)
			}
			if per[0] == 0 || per[1] == 0 {
				t.Errorf("segments per device %v: the tiles must spread over both devices", per)
			}
		})
	}
}
