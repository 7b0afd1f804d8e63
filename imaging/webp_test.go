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
		opt := EncodeOptions{Format: WebP, Quality: 90, Effort: &eff}
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
