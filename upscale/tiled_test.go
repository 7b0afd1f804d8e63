package upscale

import (
	"fmt"
	"testing"
)

// TestTiledEqualsUntiled compares tiled output with whole-image output of
// the same engine on crops of the test pages.
func TestTiledEqualsUntiled(t *testing.T) {
	tests := []struct {
		model string
		bar   float64
	}{
		{"realcugan-up2x-conservative", 55},
		{"realesrgan-animevideov3-x2", 60},
	}
	crops := []struct {
		page string
		x, y int
	}{
		{"page-gray-1000x1400.png", 400, 600},
		{"page-color-1000x1400.jpg", 200, 300},
	}
	p := newTestPipeline(t, Config{})
	for _, tt := range tests {
		for _, c := range crops {
			t.Run(tt.model+"/"+c.page, func(t *testing.T) {
				in := cropPNG(t, c.page, c.x, c.y, 160, 120)
				whole, _ := upscaleBytes(t, p, in, Options{Model: tt.model, Format: "png"})
				want, _ := decodeOut(t, whole)
				for _, tile := range []int{32, 64, 128} {
					t.Run(fmt.Sprintf("tile%d", tile), func(t *testing.T) {
						out, res := upscaleBytes(t, p, in, Options{Model: tt.model, Format: "png", Tile: tile})
						got, _ := decodeOut(t, out)
						db := psnr(t, got, want)
						t.Logf("%d tiles: %.2f dB", res.Tiles, db)
						if db < tt.bar {
							t.Errorf("tiled vs untiled %.2f dB, want ≥ %.0f", db, tt.bar)
						}
					})
				}
			})
		}
	}
}
