package e2e

import (
	"bytes"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/upscaled/upscaled/internal/testenv"
)

// page is a crop of a test image with the result of a direct CLI run.
type page struct {
	file
	Want image.Image
}

// pages crops n w×h pages out of mid-color-300x200.png and upscales each
// with `upscaled upscale` (CPU engine, the test model) for reference.
func pages(t testing.TB, n, w, h int) []page {
	t.Helper()
	f, err := os.Open(testenv.TestImage(t, "mid-color-300x200.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	src, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	out := make([]page, n)
	for i := range out {
		crop := image.NewNRGBA(image.Rect(0, 0, w, h))
		off := image.Pt((i*53)%(300-w), (i*37)%(200-h))
		draw.Draw(crop, crop.Bounds(), src, off, draw.Src)
		var b bytes.Buffer
		if err := png.Encode(&b, crop); err != nil {
			t.Fatal(err)
		}
		in := filepath.Join(dir, fmt.Sprintf("p%02d.png", i))
		ref := filepath.Join(dir, fmt.Sprintf("ref%02d.png", i))
		if err := os.WriteFile(in, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(binPath, "upscale", "--quiet", "--engine", "cpu", "--model", model, "--format", "png",
			"--models-dir", testenv.ModelsDir(t), in, ref)
		if msg, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("direct run: %v\n%s", err, msg)
		}
		rb, err := os.ReadFile(ref)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = page{file: file{Name: fmt.Sprintf("page-%02d.png", i), ContentType: "image/png", Data: b.Bytes()}, Want: decodeImage(t, rb)}
	}
	return out
}

// psnr compares the 8-bit RGB of b with a, in dB (+Inf when equal).
func psnr(t testing.TB, a, b image.Image) float64 {
	t.Helper()
	if a.Bounds().Size() != b.Bounds().Size() {
		t.Fatalf("size %v, want %v", b.Bounds().Size(), a.Bounds().Size())
	}
	ab, bb := a.Bounds(), b.Bounds()
	var se float64
	for y := 0; y < ab.Dy(); y++ {
		for x := 0; x < ab.Dx(); x++ {
			r1, g1, b1, _ := a.At(ab.Min.X+x, ab.Min.Y+y).RGBA()
			r2, g2, b2, _ := b.At(bb.Min.X+x, bb.Min.Y+y).RGBA()
			for _, d := range []float64{float64(r1>>8) - float64(r2>>8), float64(g1>>8) - float64(g2>>8), float64(b1>>8) - float64(b2>>8)} {
				se += d * d
			}
		}
	}
	if se == 0 {
		return math.Inf(1)
	}
	return 10 * math.Log10(255*255/(se/float64(3*ab.Dx()*ab.Dy())))
}
