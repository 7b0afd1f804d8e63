package upscale

import (
	"fmt"
	"image"
	"image/color"
	"testing"
)

// TestTinyImages runs images smaller than every margin through each model
// family and scale: padding reflects repeatedly (or replicates a single
// pixel) without reading outside the image.
func TestTinyImages(t *testing.T) {
	sizes := [][2]int{{1, 1}, {3, 5}, {5, 3}}
	p := newTestPipeline(t, Config{})
	for _, model := range []string{"realcugan-up2x-conservative", "realcugan-up3x-conservative", "realcugan-up4x-no-denoise", "realesrgan-animevideov3-x2"} {
		for _, s := range sizes {
			t.Run(fmt.Sprintf("%s/%dx%d", model, s[0], s[1]), func(t *testing.T) {
				m := image.NewNRGBA(image.Rect(0, 0, s[0], s[1]))
				for y := 0; y < s[1]; y++ {
					for x := 0; x < s[0]; x++ {
						m.SetNRGBA(x, y, color.NRGBA{uint8(40 * x), uint8(50 * y), 128, 255})
					}
				}
				out, res := upscaleBytes(t, p, encodePNG(t, m), Options{Model: model, Format: "png"})
				got, _ := decodeOut(t, out)
				sc := res.OutWidth / s[0]
				if got.W != s[0]*sc || got.H != s[1]*sc || got.C != 3 {
					t.Fatalf("output %dx%dx%d, want %dx%dx3", got.W, got.H, got.C, s[0]*sc, s[1]*sc)
				}
			})
		}
	}
}
