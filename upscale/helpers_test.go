package upscale

import (
	"bytes"
	"context"
	"image"
	"image/draw"
	"image/png"
	"io"
	"os"
	"testing"

	"github.com/upscaled/upscaled/engines/cpu"
	"github.com/upscaled/upscaled/imaging"
	"github.com/upscaled/upscaled/internal/testing/testenv"
)

// newTestPipeline runs on the CPU engine with the installed models.
func newTestPipeline(t testing.TB, cfg Config) *Pipeline {
	t.Helper()
	p := New(cfg, cpu.New(), testenv.ModelsDir(t))
	t.Cleanup(func() { p.Close() })
	return p
}

// cropPNG encodes the w×h crop at (x, y) of a test image as PNG.
func cropPNG(t testing.TB, name string, x, y, w, h int) []byte {
	t.Helper()
	f, err := os.Open(testenv.TestImage(t, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, _, err := image.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	r := image.Rect(0, 0, w, h)
	var out draw.Image
	if _, gray := m.(*image.Gray); gray {
		out = image.NewGray(r)
	} else {
		out = image.NewNRGBA(r)
	}
	draw.Draw(out, r, m, image.Pt(x, y), draw.Src)
	var b bytes.Buffer
	if err := png.Encode(&b, out); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodePNG(t testing.TB, m image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, m); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// decodeFile decodes with the project's decoder.
func decodeFile(r io.Reader) (*imaging.Image, imaging.Header, error) {
	return imaging.Decode(r, imaging.Limits{})
}

// upscaleBytes runs one image through the pipeline.
func upscaleBytes(t testing.TB, p *Pipeline, in []byte, o Options) ([]byte, Result) {
	t.Helper()
	plan, err := p.Plan(bytes.NewReader(in), o)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	res, err := p.Run(context.Background(), plan, bytes.NewReader(in), &out, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return out.Bytes(), res
}

// decodeOut decodes an output file with the project's decoder.
func decodeOut(t testing.TB, b []byte) (*imaging.Image, imaging.Header) {
	t.Helper()
	m, h, err := imaging.Decode(bytes.NewReader(b), imaging.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	return m, h
}

// psnr is (*imaging.Image).PSNR; images of different geometry fail the test.
func psnr(t testing.TB, a, b *imaging.Image) float64 {
	t.Helper()
	p, err := a.PSNR(b)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }
