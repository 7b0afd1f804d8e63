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
	"testing"

	_ "golang.org/x/image/webp"

	"github.com/upscaled/upscaled/imaging"
	"github.com/upscaled/upscaled/upscale"
)

// DirectRun upscales input with p as opts say and decodes the result.
func DirectRun(t testing.TB, p *upscale.Pipeline, input []byte, opts upscale.Options) image.Image {
	t.Helper()
	plan, err := p.Plan(bytes.NewReader(input), opts)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if _, err := p.Run(context.Background(), plan, bytes.NewReader(input), &out, nil, nil); err != nil {
		t.Fatal(err)
	}
	img, _, err := image.Decode(&out)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// PSNR is imaging.PSNR of b against a; a size mismatch fails the test.
func PSNR(t testing.TB, a, b image.Image) float64 {
	t.Helper()
	p, err := imaging.PSNR(a, b)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
