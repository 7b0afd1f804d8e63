package imaging

import (
	"bytes"
	"os"
	"testing"

	"github.com/chai2010/webp"

	"github.com/upscaled/upscaled/internal/testing/testenv"
)

// TestWebPOptions: effort, lossless and alpha reach libwebp: higher effort
// gives a file no larger (lossy, same quality), lossless decodes exactly
// (alpha and RGB under alpha 0 kept), band-wise import equals one band.
func TestWebPOptions(t *testing.T) {
	t.Logf("libwebp encoder %s", webpEncoderVersion())
	data, err := os.ReadFile(testenv.TestImage(t, "page-color-1000x1400.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	full, _, err := Decode(bytes.NewReader(data), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	img := full.Rows(300, 501) // odd height: the last band has one row
	var sizes [MaxEffort + 1]int
	for eff := 0; eff <= MaxEffort; eff++ {
		opt := EncodeOptions{Format: WebP, Quality: 90, Effort: &eff, WebPCodec: WebPCodecLibwebp}
		one := encodeBands(t, img, opt, []int{img.H})
		many := encodeBands(t, img, opt, []int{7, 64, 1, 30})
		if !bytes.Equal(one, many) {
			t.Errorf("effort %d: band-wise output differs from one band", eff)
		}
		dec, _, err := Decode(bytes.NewReader(many), Limits{})
		if err != nil {
			t.Fatal(err)
		}
		p := SamplesPSNR(dec.Pix8, img.Pix8, 255)
		sizes[eff] = len(many)
		t.Logf("effort %d: %d bytes, %.2f dB", eff, len(many), p)
		if p < 34 {
			t.Errorf("effort %d: PSNR %.1f dB", eff, p)
		}
	}
	if sizes[MaxEffort] >= sizes[0] {
		t.Errorf("effort 6 (%d bytes) not smaller than effort 0 (%d)", sizes[MaxEffort], sizes[0])
	}
	par := EncodeOptions{Format: WebP, Quality: 90, WebPCodec: WebPCodecParallel}
	if one, many := encodeBands(t, img, par, []int{img.H}), encodeBands(t, img, par, []int{7, 64, 1, 30}); !bytes.Equal(one, many) {
		t.Errorf("parallel codec: band-wise output differs from one band")
	}
	rgba := pattern8(61, 37, 4)
	for i := 3; i < len(rgba.Pix8); i += 4 * 5 {
		rgba.Pix8[i] = 0 // fully transparent pixels with colour
	}
	for _, eff := range []int{0, 2, 6} {
		out := encodeBands(t, rgba, EncodeOptions{Format: WebP, Lossless: true, Effort: &eff}, []int{3, 10})
		m, err := webp.DecodeRGBA(out)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(m.Pix, rgba.Pix8) {
			t.Errorf("lossless effort %d: not exact", eff)
		}
	}
	lossy := encodeBands(t, rgba, EncodeOptions{Format: WebP, Quality: 90}, []int{3, 10})
	got, h, err := Decode(bytes.NewReader(lossy), Limits{})
	if err != nil || h.Channels != 4 {
		t.Fatalf("lossy RGBA: %v %+v", err, h)
	}
	for i := 3; i < len(got.Pix8); i += 4 {
		if got.Pix8[i] != rgba.Pix8[i] {
			t.Fatalf("lossy alpha changed at %d: %d vs %d", i/4, got.Pix8[i], rgba.Pix8[i])
		}
	}
}

// TestWebPConversionMatchesLibwebp: lossy WebP written band by band (odd
// bands, so rows are held back and paired across bands) is byte for byte
// the file libwebp makes from the whole image imported by its own
// WebPPictureImportRGB/RGBA: our RGB→YUV conversion is libwebp's. Gray and
// gray+alpha input equal the same image spread to RGB(A). Covers odd
// widths and heights, partly transparent 2×2 blocks and alpha 0.
func TestWebPConversionMatchesLibwebp(t *testing.T) {
	data, err := os.ReadFile(testenv.TestImage(t, "page-color-1000x1400.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	page, _, err := Decode(bytes.NewReader(data), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	crop := func(x0, y0, w, h, c int) *Image {
		m, _ := NewImage(w, h, c, 8)
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				p := page.Pix8[((y0+y)*page.W+x0+x)*3:]
				d := m.Pix8[(y*w+x)*c:]
				switch c {
				case 1, 2:
					d[0] = uint8((299*int(p[0]) + 587*int(p[1]) + 114*int(p[2])) / 1000)
				default:
					copy(d[:3], p[:3])
				}
				if c == 2 || c == 4 {
					d[c-1] = uint8([]int{255, 0, 128, 255, 17, 255, 255, 240}[(x*3+y*5)%8])
				}
			}
		}
		return m
	}
	spread := func(g *Image) *Image { // gray (+alpha) as RGB(A)
		c := 3 + (g.C - 1)
		m, _ := NewImage(g.W, g.H, c, 8)
		for i := 0; i < g.W*g.H; i++ {
			v := g.Pix8[i*g.C]
			m.Pix8[i*c], m.Pix8[i*c+1], m.Pix8[i*c+2] = v, v, v
			if g.C == 2 {
				m.Pix8[i*c+3] = g.Pix8[i*2+1]
			}
		}
		return m
	}
	for _, tc := range []struct {
		name string
		img  *Image
	}{
		{"rgb-odd", crop(100, 200, 333, 257, 3)},
		{"rgb-even", crop(0, 0, 512, 384, 3)},
		{"rgba-odd", crop(300, 500, 201, 155, 4)},
		{"gray-odd", crop(50, 60, 181, 123, 1)},
		{"gray-alpha-odd", crop(70, 80, 99, 77, 2)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ref := tc.img
			if ref.C < 3 {
				ref = spread(ref)
			}
			for _, eff := range []int{0, 4} {
				opt := EncodeOptions{Format: WebP, Quality: 90, Effort: &eff, WebPCodec: WebPCodecLibwebp}
				want, err := webpLibwebpImport(ref, opt)
				if err != nil {
					t.Fatal(err)
				}
				got := encodeBands(t, tc.img, opt, []int{7, 64, 1, 30})
				if !bytes.Equal(got, want) {
					t.Errorf("effort %d: band-wise file (%d bytes) differs from libwebp's whole-image import (%d bytes)", eff, len(got), len(want))
				}
			}
		})
	}
}

// TestWebP16Bit: 16-bit rows (PNG input kept at 16 bits) are written as
// their 8-bit rounding, round(v·255/65535): the file equals the one made
// from the 8-bit image, lossy and lossless, gray to RGBA.
func TestWebP16Bit(t *testing.T) {
	for _, c := range []int{1, 2, 3, 4} {
		for _, lossless := range []bool{false, true} {
			m16 := pattern16(37, 23, c)
			m8, _ := NewImage(m16.W, m16.H, c, 8)
			for i, v := range m16.Pix16 {
				m8.Pix8[i] = uint8((uint32(v)*255 + 32767) / 65535)
			}
			opt := EncodeOptions{Format: WebP, Quality: 80, Lossless: lossless}
			got := encodeBands(t, m16, opt, []int{5, 2, 17})
			want := encodeBands(t, m8, opt, []int{m8.H})
			if !bytes.Equal(got, want) {
				t.Errorf("%d channels, lossless %v: 16-bit input gives another file than its 8-bit rounding", c, lossless)
			}
		}
	}
}
