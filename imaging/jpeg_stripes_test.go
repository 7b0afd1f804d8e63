package imaging

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestJPEGStripes: an image of many stripes (compressed in parallel, joined
// by restart markers) decodes, in our decoder and in djpeg, to exactly the
// pixels of the same image compressed as one stripe (cjpeg's file), for
// every sampling, gray, and a height that leaves a short last stripe; the
// restart markers cost a few bytes a stripe.
func TestJPEGStripes(t *testing.T) {
	djpeg, err := exec.LookPath("djpeg")
	if err != nil {
		t.Fatal("djpeg not installed: scripts/deps.sh --test installs libjpeg-turbo-progs")
	}
	for _, tc := range []struct {
		name string
		c    int
		sub  Subsampling
	}{{"rgb-420", 3, Sub420}, {"rgb-422", 3, Sub422}, {"rgb-444", 3, Sub444}, {"gray", 1, Sub420}, {"rgba-420", 4, Sub420}} {
		t.Run(tc.name, func(t *testing.T) {
			img := pattern8(333, 421, tc.c)
			encode := func(stripeBytes int) []byte {
				old := jpegStripeBytes
				jpegStripeBytes = stripeBytes
				defer func() { jpegStripeBytes = old }()
				var b bytes.Buffer
				if err := Encode(&b, img, EncodeOptions{Format: JPEG, Quality: 90, Subsampling: tc.sub}); err != nil {
					t.Fatal(err)
				}
				return b.Bytes()
			}
			whole := encode(1 << 30)
			striped := encode(1) // one MCU row a stripe: 27 to 53 stripes
			if bytes.Count(whole, []byte{0xFF, 0xDD}) != 0 || bytes.Count(striped, []byte{0xFF, 0xDD}) != 1 {
				t.Fatal("want a restart interval (DRI) in the striped file only")
			}
			if extra := len(striped) - len(whole); extra < 0 || extra > 16*421/8 {
				t.Errorf("striped file %d bytes, one stripe %d", len(striped), len(whole))
			}
			a, _, err := Decode(bytes.NewReader(whole), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			b, _, err := Decode(bytes.NewReader(striped), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if a.W != b.W || a.H != b.H || !bytes.Equal(a.Pix8, b.Pix8) {
				t.Fatalf("striped file decodes to other pixels (%dx%d vs %dx%d, PSNR %.1f dB)", b.W, b.H, a.W, a.H, SamplesPSNR(b.Pix8, a.Pix8, 255))
			}
			f := filepath.Join(t.TempDir(), "s.jpg")
			if err := os.WriteFile(f, striped, 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(djpeg, f).Output()
			if err != nil {
				t.Fatalf("djpeg rejects the striped file: %v", err)
			}
			checkDjpeg(t, striped, readPNM(t, out))
		})
	}
}
