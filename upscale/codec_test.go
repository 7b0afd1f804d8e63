package upscale

import (
	"bytes"
	"errors"
	"testing"

	"github.com/upscaled/upscaled/imaging"
)

// TestEncoderOptionsReachTheFile: subsampling selects the JPEG's luma
// sampling factors, effort changes the PNG and WebP files, and values out
// of range are refused by Prepare with ErrBadOptions.
func TestEncoderOptionsReachTheFile(t *testing.T) {
	p := newTestPipeline(t, Config{})
	in := cropPNG(t, "mid-color-300x200.png", 100, 60, 40, 32)
	model := "realesrgan-animevideov3-x2"
	for sub, want := range map[string]byte{"": 0x22, "420": 0x22, "422": 0x21, "444": 0x11} {
		out, _ := upscaleBytes(t, p, in, Options{Model: model, Format: "jpeg", Subsampling: sub})
		i := bytes.Index(out, []byte{0xFF, 0xC0})
		if i < 0 || out[i+11] != want {
			t.Errorf("subsampling %q: SOF0 luma sampling %#x, want %#x", sub, out[i+11], want)
		}
		img, _ := decodeOut(t, out)
		if img.W != 80 || img.H != 64 {
			t.Errorf("subsampling %q: %dx%d", sub, img.W, img.H)
		}
	}
	for _, f := range []string{"png", "webp"} {
		lo, hi := 0, 6
		a, _ := upscaleBytes(t, p, in, Options{Model: model, Format: f, Effort: &lo})
		b, _ := upscaleBytes(t, p, in, Options{Model: model, Format: f, Effort: &hi})
		if bytes.Equal(a, b) {
			t.Errorf("%s: effort 0 and 6 wrote the same file", f)
		}
	}
	h, err := imaging.DecodeConfig(bytes.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	seven := 7
	for _, o := range []Options{{Model: model, Effort: &seven}, {Model: model, Subsampling: "411"}} {
		if _, err := p.Prepare(h, o); !errors.Is(err, ErrBadOptions) {
			t.Errorf("Prepare(%+v) = %v, want ErrBadOptions", o, err)
		}
	}
}
