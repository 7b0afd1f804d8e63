package imaging

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/upscaled/upscaled/internal/testing/testenv"
)

// vp8Upscale2 is a bilinear 2× upscale: a stand-in for an upscaled page.
func vp8Upscale2(src *Image) *Image {
	m, _ := NewImage(2*src.W, 2*src.H, src.C, 8)
	at := func(x, y, c int) int {
		x, y = min(max(x, 0), src.W-1), min(max(y, 0), src.H-1)
		return int(src.Pix8[(y*src.W+x)*src.C+c])
	}
	for y := 0; y < m.H; y++ {
		sy, fy := (y-1)/2, 1+2*((y+1)%2) // output row between input rows sy, sy+1 at 1/4 or 3/4
		if y == 0 {
			sy, fy = 0, 0
		}
		for x := 0; x < m.W; x++ {
			sx, fx := (x-1)/2, 1+2*((x+1)%2)
			if x == 0 {
				sx, fx = 0, 0
			}
			for c := 0; c < src.C; c++ {
				v := at(sx, sy, c)*(4-fx)*(4-fy) + at(sx+1, sy, c)*fx*(4-fy) + at(sx, sy+1, c)*(4-fx)*fy + at(sx+1, sy+1, c)*fx*fy
				m.Pix8[(y*m.W+x)*src.C+c] = uint8((v + 8) / 16)
			}
		}
	}
	return m
}

// vp8RGB is img's 8-bit RGB samples (gray spread over R, G, B).
func vp8RGB(img *Image) []byte {
	if img.C == 3 {
		return img.Pix8
	}
	out := make([]byte, img.W*img.H*3)
	for i := 0; i < img.W*img.H; i++ {
		v := img.Pix8[i*img.C]
		out[3*i], out[3*i+1], out[3*i+2] = v, v, v
	}
	return out
}

type vp8Pages struct {
	name string
	img  *Image
}

// vp8TestPages are the files UPSCALED_VP8_PAGES lists (comma-separated:
// real upscaled pages), else the shared test pages upscaled 2× here.
func vp8TestPages(t testing.TB) []vp8Pages {
	var out []vp8Pages
	if env := os.Getenv("UPSCALED_VP8_PAGES"); env != "" {
		for _, f := range strings.Split(env, ",") {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			img, _, err := Decode(bytes.NewReader(data), Limits{})
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			out = append(out, vp8Pages{filepath.Base(f), img})
		}
		return out
	}
	for _, f := range []string{"page-gray-1000x1400.png", "page-color-1000x1400.jpg"} {
		data, err := os.ReadFile(testenv.TestImage(t, f))
		if err != nil {
			t.Fatal(err)
		}
		img, _, err := Decode(bytes.NewReader(data), Limits{})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, vp8Pages{f + "-2x", vp8Upscale2(img)})
	}
	return out
}

// vp8EncodeDecode encodes img as WebP with codec at quality (effort 0)
// and decodes it with libwebp: the file and the RGB PSNR vs img.
func vp8EncodeDecode(t testing.TB, img *Image, quality int, codec WebPCodec) ([]byte, float64) {
	var b bytes.Buffer
	if err := Encode(&b, img, EncodeOptions{Format: WebP, Quality: quality, Effort: ptr(0), WebPCodec: codec}); err != nil {
		t.Fatal(err)
	}
	dec, err := libwebpDecodeRGB(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if dec.W != img.W || dec.H != img.H {
		t.Fatalf("decoded %dx%d, want %dx%d", dec.W, dec.H, img.W, img.H)
	}
	return b.Bytes(), SamplesPSNR(vp8RGB(img), dec.Pix8, 255)
}

// TestVP8QualityVsLibwebp holds the parallel encoder to libwebp method 0
// at equal quality: PSNR at most 0.3 dB lower, at most 10 % more bytes.
func TestVP8QualityVsLibwebp(t *testing.T) {
	for _, p := range vp8TestPages(t) {
		for _, q := range []int{50, 75, 90, 95} {
			lb, lp := vp8EncodeDecode(t, p.img, q, WebPCodecLibwebp)
			ob, op := vp8EncodeDecode(t, p.img, q, WebPCodecParallel)
			t.Logf("%s q%d: libwebp m0 %d bytes %.2f dB; parallel %d bytes (%.3f×) %.2f dB (%+.2f)", p.name, q, len(lb), lp, len(ob), float64(len(ob))/float64(len(lb)), op, op-lp)
			if op < lp-0.3 || float64(len(ob)) > 1.10*float64(len(lb)) {
				t.Errorf("%s q%d: parallel %d bytes %.2f dB vs libwebp m0 %d bytes %.2f dB: outside the bar (PSNR ≥ −0.3 dB, bytes ≤ 1.10×)", p.name, q, len(ob), op, len(lb), lp)
			}
		}
	}
}

// BenchmarkVP8Calibrate prints libwebp method 0's bytes and PSNR per
// quality and ours per quantizer index and filter level: the data
// vp8e_qindex and the filter level are fitted to (a measurement, not a
// speed; one run is enough):
//
//	UPSCALED_VP8_PAGES=a.png,b.png go test -run '^$' -bench VP8Calibrate -benchtime 1x -v ./imaging
func BenchmarkVP8Calibrate(b *testing.B) {
	for i := 0; i < b.N; i++ {
		vp8Calibrate(b, i == 0)
	}
}

func vp8Calibrate(b *testing.B, log bool) {
	logf := func(format string, args ...any) {
		if log {
			b.Logf(format, args...)
		}
	}
	for _, p := range vp8TestPages(b) {
		pl, err := vp8PlanesOf(p.img)
		if err != nil {
			b.Fatal(err)
		}
		src := vp8RGB(p.img)
		for _, q := range []int{50, 75, 85, 90, 95} {
			lb, lp := vp8EncodeDecode(b, p.img, q, WebPCodecLibwebp)
			logf("%s libwebp q%d: %d bytes %.2f dB", p.name, q, len(lb), lp)
		}
		for _, qi := range vp8CalQ {
			for _, fl := range vp8CalFilter {
				for _, uvd := range vp8CalUV {
					h := vp8NoHooks
					h.QIndex, h.Filter, h.UVDelta = qi, fl, uvd
					data, _, err := vp8EncodePlanes(pl, 0, 2, h)
					if err != nil {
						b.Fatal(err)
					}
					dec, err := libwebpDecodeRGB(data)
					if err != nil {
						b.Fatal(err)
					}
					logf("%s ours qi %d filter %d uv %+d: %d bytes %.2f dB", p.name, qi, fl, uvd, len(data), SamplesPSNR(src, dec.Pix8, 255))
				}
			}
		}
	}
}

// The calibration grid: quantizer indexes, filter levels, chroma deltas.
var (
	vp8CalQ      = []int{4, 8, 12, 16, 20, 26, 32, 40, 50}
	vp8CalFilter = []int{0, 2, 4, 8, 16}
	vp8CalUV     = []int{vp8NoHooks.UVDelta}
)
