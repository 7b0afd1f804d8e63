package upscale

import (
	"testing"

	"github.com/upscaled/upscaled/tiling"
)

func TestTransformsRoundTrip(t *testing.T) {
	const w, h, c = 5, 3, 3
	src := make([]uint8, w*h*c)
	for i := range src {
		src[i] = uint8(i)
	}
	for k := 0; k < 8; k++ {
		t.Run(string(rune('0'+k)), func(t *testing.T) {
			w2, h2 := transformedSize(w, h, k)
			fw := make([]uint8, len(src))
			forward(fw, src, w, h, c, k)
			back := make([]uint8, len(src))
			inverse(back, fw, w, h, c, k)
			for i := range src {
				if back[i] != src[i] {
					t.Fatalf("sample %d: %d after round trip, want %d", i, back[i], src[i])
				}
			}
			// a one-pixel rectangle maps to where forward moved that pixel
			for y := 0; y < h; y++ {
				for x := 0; x < w; x++ {
					r := forwardRect(tiling.Rect{X0: x, Y0: y, X1: x + 1, Y1: y + 1}, w, h, k)
					if r.Dx() != 1 || r.Dy() != 1 || r.X0 < 0 || r.X0 >= w2 || r.Y0 < 0 || r.Y0 >= h2 {
						t.Fatalf("rect of (%d,%d) maps to %+v", x, y, r)
					}
					if got, want := fw[(r.Y0*w2+r.X0)*c], src[(y*w+x)*c]; got != want {
						t.Fatalf("(%d,%d) → %+v holds %d, want %d", x, y, r, got, want)
					}
				}
			}
		})
	}
}
