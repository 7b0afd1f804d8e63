package imaging

import (
	"bytes"
	"fmt"
	"math/rand"
	"testing"

	"github.com/upscaled/upscaled/internal/cpuwork"
)

// vp8Noise is a picture of uniform noise.
func vp8Noise(w, h int, seed int64) *yuvPlanes {
	p := newYUVPlanes(w, h)
	r := rand.New(rand.NewSource(seed))
	for _, pl := range [][]byte{p.Y, p.U, p.V} {
		r.Read(pl)
	}
	return p
}

// vp8Gradient is smooth ramps with a few hard edges.
func vp8Gradient(w, h int) *yuvPlanes {
	p := newYUVPlanes(w, h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			v := (x*3 + y*2) & 255
			if (x/23+y/17)%5 == 0 {
				v = 255 - v
			}
			p.Y[y*w+x] = byte(v)
		}
	}
	cw, ch := (w+1)/2, (h+1)/2
	for y := 0; y < ch; y++ {
		for x := 0; x < cw; x++ {
			p.U[y*cw+x] = byte(128 + (x-y)%60)
			p.V[y*cw+x] = byte(90 + (x*y)%100)
		}
	}
	return p
}

// vp8CheckExact encodes p with the loop filter off and holds libwebp's
// decode to the encoder's own reconstruction, byte for byte.
func vp8CheckExact(t *testing.T, name string, p *yuvPlanes, quality, threads int, h vp8Hooks) []byte {
	t.Helper()
	h.Filter = 0
	data, rec, err := vp8EncodePlanes(p, quality, threads, h)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	dec, err := libwebpDecodeYUV(data)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if dec.W != p.W || dec.H != p.H {
		t.Fatalf("%s: decoded %dx%d, want %dx%d", name, dec.W, dec.H, p.W, p.H)
	}
	for i, pl := range [][2][]byte{{dec.Y, rec.Y}, {dec.U, rec.U}, {dec.V, rec.V}} {
		if !bytes.Equal(pl[0], pl[1]) {
			n, first := 0, -1
			for k := range pl[0] {
				if pl[0][k] != pl[1][k] {
					if first < 0 {
						first = k
					}
					n++
				}
			}
			w := p.W
			if i > 0 {
				w = (p.W + 1) / 2
			}
			t.Fatalf("%s: plane %d: %d samples differ, first at (%d,%d): libwebp %d, ours %d", name, i, n, first%w, first/w, pl[0][first], pl[1][first])
		}
	}
	return data
}

func TestVP8ReconstructionExact(t *testing.T) {
	for _, c := range []struct {
		name string
		p    *yuvPlanes
	}{
		{"noise-64x48", vp8Noise(64, 48, 1)},
		{"gradient-96x80", vp8Gradient(96, 80)},
		{"1x1", vp8Noise(1, 1, 2)},
		{"17x33", vp8Gradient(17, 33)},
		{"noise-17x33", vp8Noise(17, 33, 3)},
		{"5100x19", vp8Gradient(5100, 19)},
		{"33x200", vp8Noise(33, 200, 4)},
	} {
		for _, q := range []int{5, 50, 90, 100} {
			vp8CheckExact(t, fmt.Sprintf("%s-q%d", c.name, q), c.p, q, 3, vp8NoHooks)
		}
	}
}

func TestVP8EveryModeExact(t *testing.T) {
	p := vp8Gradient(80, 72)
	n := vp8Noise(80, 72, 7)
	for y := 0; y < 14; y++ {
		for uv := 0; uv < 4; uv++ {
			h := vp8NoHooks
			h.ForceY, h.ForceUV = y, uv
			vp8CheckExact(t, fmt.Sprintf("gradient-y%d-uv%d", y, uv), p, 80, 2, h)
			vp8CheckExact(t, fmt.Sprintf("noise-y%d-uv%d", y, uv), n, 30, 2, h)
		}
	}
}

// TestVP8RealPageExact: a real page (the shared gray and colour pages, 2×)
// reconstructs exactly, and 1, 3 and 8 threads write the same bytes.
func TestVP8RealPageExact(t *testing.T) {
	for _, p := range vp8TestPages(t) {
		pl, err := vp8PlanesOf(p.img)
		if err != nil {
			t.Fatal(err)
		}
		one := vp8CheckExact(t, p.name+"-1thread", pl, 90, 1, vp8NoHooks)
		for _, th := range []int{3, 8} {
			if got := vp8CheckExact(t, fmt.Sprintf("%s-%dthreads", p.name, th), pl, 90, th, vp8NoHooks); !bytes.Equal(got, one) {
				t.Errorf("%s: %d threads wrote %d bytes, 1 thread %d: not the same file", p.name, th, len(got), len(one))
			}
		}
	}
}

// TestVP8Encode goes through Encode: gray and RGB input, odd sizes, an
// ICC profile (VP8X + ICCP), each decoded by libwebp close to the source.
func TestVP8Encode(t *testing.T) {
	for _, c := range []struct{ w, h, ch int }{{1, 1, 3}, {17, 33, 1}, {61, 37, 3}, {300, 200, 3}} {
		img := pattern8(c.w, c.h, c.ch)
		for _, icc := range [][]byte{nil, fakeICC("RGB ", 300)} {
			var b bytes.Buffer
			if err := Encode(&b, img, EncodeOptions{Format: WebP, Quality: 95, WebPCodec: WebPCodecParallel, ICC: icc}); err != nil {
				t.Fatal(err)
			}
			dec, err := libwebpDecodeRGB(b.Bytes())
			if err != nil {
				t.Fatalf("%dx%dx%d icc %v: %v", c.w, c.h, c.ch, icc != nil, err)
			}
			if ext := string(b.Bytes()[12:16]) == "VP8X"; ext != (icc != nil) {
				t.Errorf("%dx%dx%d: extended format %v with icc %v", c.w, c.h, c.ch, ext, icc != nil)
			}
			if p := SamplesPSNR(vp8RGB(img), dec.Pix8, 255); p < 30 {
				t.Errorf("%dx%dx%d: PSNR %.2f dB", c.w, c.h, c.ch, p)
			}
		}
	}
}

// TestVP8QuantizerDeltasExact: chroma quantizer deltas (header and
// dequantization) and the extreme quantizers reconstruct exactly.
func TestVP8QuantizerDeltasExact(t *testing.T) {
	p := vp8Noise(48, 40, 9)
	g := vp8Gradient(48, 40)
	for _, qi := range []int{0, 1, 60, 127} {
		for _, d := range []int{-15, -2, 0, 3, 15} {
			h := vp8NoHooks
			h.QIndex, h.UVDelta = qi, d
			vp8CheckExact(t, fmt.Sprintf("noise-qi%d-uv%+d", qi, d), p, 0, 2, h)
			vp8CheckExact(t, fmt.Sprintf("gradient-qi%d-uv%+d", qi, d), g, 0, 2, h)
		}
	}
}

// TestWebPCodecChoice: which pictures WebPCodecAuto sends to the parallel
// encoder (lossy, no alpha, effort 0, a pool of webpParallelMinWorkers+),
// and that the explicit codecs are obeyed where they apply.
func TestWebPCodecChoice(t *testing.T) {
	manyWorkers := cpuwork.Workers() >= webpParallelMinWorkers
	for _, c := range []struct {
		name     string
		ch       int
		opt      EncodeOptions
		parallel bool
	}{
		{"auto-rgb", 3, EncodeOptions{}, manyWorkers},
		{"auto-gray", 1, EncodeOptions{}, manyWorkers},
		{"auto-effort1", 3, EncodeOptions{Effort: ptr(1)}, false},
		{"auto-rgba", 4, EncodeOptions{}, false},
		{"auto-gray-alpha", 2, EncodeOptions{}, false},
		{"auto-lossless", 3, EncodeOptions{Lossless: true}, false},
		{"parallel-rgb-effort4", 3, EncodeOptions{WebPCodec: WebPCodecParallel, Effort: ptr(4)}, true},
		{"parallel-rgba", 4, EncodeOptions{WebPCodec: WebPCodecParallel}, false},
		{"parallel-lossless", 3, EncodeOptions{WebPCodec: WebPCodecParallel, Lossless: true}, false},
		{"libwebp-rgb", 3, EncodeOptions{WebPCodec: WebPCodecLibwebp}, false},
	} {
		e := &webpEncoder{g: geometry{width: 8, height: 8, c: c.ch, depth: 8}, opt: c.opt}
		if got := e.parallel(); got != c.parallel {
			t.Errorf("%s: parallel %v, want %v", c.name, got, c.parallel)
		}
	}
	// The process's setting overrides Auto.
	auto := &webpEncoder{g: geometry{width: 8, height: 8, c: 3, depth: 8}}
	defer SetWebPCodec(WebPCodecAuto)
	for _, c := range []WebPCodec{WebPCodecParallel, WebPCodecLibwebp} {
		SetWebPCodec(c)
		if got := auto.parallel(); got != (c == WebPCodecParallel) {
			t.Errorf("process codec %s: parallel %v", c, got)
		}
	}
	for _, name := range []string{"auto", "libwebp", "parallel"} {
		if c, err := ParseWebPCodec(name); err != nil || c.String() != name {
			t.Errorf("ParseWebPCodec(%q) = %v, %v", name, c, err)
		}
	}
	if _, err := ParseWebPCodec("fast"); err == nil {
		t.Error(`ParseWebPCodec("fast"): no error`)
	}
}
