package imaging

import (
	"bytes"
	"image/jpeg"
	"os"
	"testing"

	"github.com/upscaled/upscaled/internal/testenv"
)

// TestJPEGMatchesStdlib: on a real page, our encoder's quality/size trade-off
// is on par with image/jpeg at the same quality (both 4:2:0 below q90).
func TestJPEGMatchesStdlib(t *testing.T) {
	data, err := os.ReadFile(testenv.TestImage(t, "page-color-1000x1400.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	full, _, err := Decode(bytes.NewReader(data), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	img := full.Rows(300, 620) // a 1000x320 band with lettering and flats
	for _, q := range []int{60, 85} {
		var ours, std bytes.Buffer
		if err := Encode(&ours, img, EncodeOptions{Format: JPEG, Quality: q}); err != nil {
			t.Fatal(err)
		}
		if err := jpeg.Encode(&std, stdImage(img), &jpeg.Options{Quality: q}); err != nil {
			t.Fatal(err)
		}
		a, _, err := Decode(bytes.NewReader(ours.Bytes()), Limits{})
		if err != nil {
			t.Fatal(err)
		}
		b, _, err := Decode(bytes.NewReader(std.Bytes()), Limits{})
		if err != nil {
			t.Fatal(err)
		}
		pa, pb := psnr8(a.Pix8, img.Pix8), psnr8(b.Pix8, img.Pix8)
		t.Logf("q%d: ours %.2f dB %d bytes, image/jpeg %.2f dB %d bytes", q, pa, ours.Len(), pb, std.Len())
		if pa < pb-1 || float64(ours.Len()) > 1.15*float64(std.Len()) {
			t.Errorf("q%d: ours %.2f dB/%d bytes vs image/jpeg %.2f dB/%d bytes", q, pa, ours.Len(), pb, std.Len())
		}
	}
}
