// Package testpipe gives tests a direct run of the upscale pipeline and an
// image PSNR, to compare what the service returned with what the pipeline
// produces on its own. Only _test.go files import it.
package testpipe

import (
	"bytes"
	"context"
	"image"
	_ "image/jpeg" // decode results of any output format
	_ "image/png"
	"math"
	"testing"

	_ "golang.org/x/image/webp"

	"github.com/upscaled/upscaled/imaging"
	"github.com/upscaled/upscaled/upscale"
)

// DirectRun upscales input with p as opts say and decodes the result.
func DirectRun(t testing.TB, p *upscale.Pipeline, input []byte, opts upscale.Options) image.Image {
	t.Helper()
	h, err := imaging.DecodeConfig(bytes.NewReader(input))
	if err != nil {
		t.Fatal(err)
	}
	plan, err := p.Prepare(h, opts)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if _, err := p.Process(context.Background(), bytes.NewReader(input), plan, &out, nil); err != nil {
		t.Fatal(err)
	}
	img, _, err := image.Decode(&out)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// PSNR compares two images over RGBA (8-bit), in dB: +Inf when equal, 0
// when their sizes differ.
func PSNR(a, b image.Image) float64 {
	ab, bb := a.Bounds(), b.Bounds()
	if ab.Dx() != bb.Dx() || ab.Dy() != bb.Dy() {
		return 0
	}
	var se float64
	n := 0
	for y := 0; y < ab.Dy(); y++ {
		for x := 0; x < ab.Dx(); x++ {
			r1, g1, b1, a1 := a.At(ab.Min.X+x, ab.Min.Y+y).RGBA()
			r2, g2, b2, a2 := b.At(bb.Min.X+x, bb.Min.Y+y).RGBA()
			for _, d := range []float64{float64(r1>>8) - float64(r2>>8), float64(g1>>8) - float64(g2>>8), float64(b1>>8) - float64(b2>>8), float64(a1>>8) - float64(a2>>8)} {
				se += d * d
			}
			n += 4
		}
	}
	if se == 0 {
		return math.Inf(1)
	}
	return 10 * math.Log10(255*255/(se/float64(n)))
}
