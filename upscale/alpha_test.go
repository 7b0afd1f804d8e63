package upscale

import (
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/upscaled/upscaled/internal/testing/testenv"
)

// TestAlphaChoice upscales the alpha plane of the RGBA test image both ways
// (bicubic, as the pipeline does, and through the network as a gray image)
// and checks that the bicubic plane keeps the input's fully transparent and
// fully opaque areas exact away from edges. With UPSCALED_ALPHA_DIR set it
// writes both planes there (enlarged) for viewing: that comparison chose
// bicubic (doc.go).
func TestAlphaChoice(t *testing.T) {
	f, err := os.Open(testenv.TestImage(t, "small-rgba-40x56.png"))
	if err != nil {
		t.Fatal(err)
	}
	in, _, err := decodeFile(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if in.C != 4 {
		t.Fatalf("test image has %d channels, want RGBA", in.C)
	}
	const scale = 2
	xs, ys := newCubicTaps(in.W, scale), newCubicTaps(in.H, scale)
	bic := make([]uint8, in.W*scale*in.H*scale)
	alphaBand(bic, 1, 0, in.Pix8, in.W, in.H, 4, 3, xs, ys, 0, in.H*scale, 255)

	// alpha through the network: the plane as a gray image
	gray := image.NewGray(image.Rect(0, 0, in.W, in.H))
	for i := range gray.Pix {
		gray.Pix[i] = in.Pix8[4*i+3]
	}
	p := newTestPipeline(t, Config{})
	out, _ := upscaleBytes(t, p, encodePNG(t, gray), Options{Model: "realcugan-up2x-conservative", Format: "png"})
	net, _ := decodeOut(t, out)

	// interior check: where the 4x4 input neighbourhood is uniform, bicubic
	// reproduces it exactly
	for y := 0; y < in.H*scale; y++ {
		for x := 0; x < in.W*scale; x++ {
			sx, sy := x/scale, y/scale
			v := in.Pix8[(sy*in.W+sx)*4+3]
			uniform := true
			for dy := -2; dy <= 2 && uniform; dy++ {
				for dx := -2; dx <= 2; dx++ {
					xx, yy := min(max(sx+dx, 0), in.W-1), min(max(sy+dy, 0), in.H-1)
					if in.Pix8[(yy*in.W+xx)*4+3] != v {
						uniform = false
						break
					}
				}
			}
			if uniform && bic[y*in.W*scale+x] != v {
				t.Fatalf("bicubic alpha at (%d,%d) = %d inside a uniform area of %d", x, y, bic[y*in.W*scale+x], v)
			}
		}
	}
	if dir := os.Getenv("UPSCALED_ALPHA_DIR"); dir != "" {
		writeEnlarged(t, filepath.Join(dir, "alpha-input.png"), gray.Pix, in.W, in.H, 8)
		writeEnlarged(t, filepath.Join(dir, "alpha-bicubic.png"), bic, in.W*scale, in.H*scale, 4)
		writeEnlarged(t, filepath.Join(dir, "alpha-network.png"), net.Pix8, net.W, net.H, 4)
	}
}

func writeEnlarged(t *testing.T, path string, pix []uint8, w, h, k int) {
	m := image.NewGray(image.Rect(0, 0, w*k, h*k))
	for y := 0; y < h*k; y++ {
		for x := 0; x < w*k; x++ {
			m.Pix[y*w*k+x] = pix[(y/k)*w+x/k]
		}
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, m); err != nil {
		t.Fatal(err)
	}
}
