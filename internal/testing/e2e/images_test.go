package e2e

import (
	"bytes"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/upscaled/upscaled/internal/testing/testenv"
)

// page is a crop of a test image with the result of a direct CLI run.
type page struct {
	file
	Want image.Image
}

// crops cuts n w×h pages out of mid-color-300x200.png, page i at
// ((i·dx) mod (300−w), (i·dy) mod (200−h)), as PNG files page-NN.png.
func crops(t testing.TB, n, w, h, dx, dy int) []file {
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
	out := make([]file, n)
	for i := range out {
		crop := image.NewNRGBA(image.Rect(0, 0, w, h))
		draw.Draw(crop, crop.Bounds(), src, image.Pt((i*dx)%(300-w), (i*dy)%(200-h)), draw.Src)
		var b bytes.Buffer
		if err := png.Encode(&b, crop); err != nil {
			t.Fatal(err)
		}
		out[i] = file{Name: fmt.Sprintf("page-%02d.png", i), ContentType: "image/png", Data: b.Bytes()}
	}
	return out
}

// pages crops n w×h pages out of mid-color-300x200.png and upscales each
// with `upscaled upscale` (CPU engine, the test model) for reference.
func pages(t testing.TB, n, w, h int) []page {
	t.Helper()
	dir := t.TempDir()
	out := make([]page, n)
	for i, c := range crops(t, n, w, h, 53, 37) {
		in := filepath.Join(dir, fmt.Sprintf("p%02d.png", i))
		ref := filepath.Join(dir, fmt.Sprintf("ref%02d.png", i))
		if err := os.WriteFile(in, c.Data, 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(binary(t), "upscale", "--quiet", "--engine", "cpu", "--model", model, "--format", "png",
			"--models-dir", testenv.ModelsDir(t), in, ref)
		if msg, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("direct run: %v\n%s", err, msg)
		}
		rb, err := os.ReadFile(ref)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = page{file: c, Want: decodeImage(t, rb)}
	}
	return out
}
