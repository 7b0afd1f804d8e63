package imaging

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/upscaled/upscaled/internal/testing/testenv"
)

// readPNM parses a binary PGM (P5) or PPM (P6) with maxval 255, as djpeg writes.
func readPNM(t testing.TB, data []byte) *Image {
	t.Helper()
	// Four whitespace-separated tokens (magic, width, height, maxval),
	// then one whitespace byte, then the samples.
	var tok []string
	i := 0
	for len(tok) < 4 && i < len(data) {
		for i < len(data) && strings.ContainsRune(" \t\r\n", rune(data[i])) {
			i++
		}
		j := i
		for j < len(data) && !strings.ContainsRune(" \t\r\n", rune(data[j])) {
			j++
		}
		tok = append(tok, string(data[i:j]))
		i = j
	}
	var w, h, maxv int
	magic := tok[0]
	if _, err := fmt.Sscan(strings.Join(tok[1:], " "), &w, &h, &maxv); err != nil || maxv != 255 || (magic != "P5" && magic != "P6") {
		t.Fatalf("not a binary 8-bit PNM: %q %v", tok, err)
	}
	c := 1
	if magic == "P6" {
		c = 3
	}
	pix := data[i+1:]
	if len(pix) != w*h*c {
		t.Fatalf("PNM %dx%dx%d has %d sample bytes", w, h, c, len(pix))
	}
	return &Image{W: w, H: h, C: c, Depth: 8, Pix8: pix}
}

// djpegCorpus lists the committed JPEGs of each sampling mode (made with
// cjpeg from src-101x67.ppm, odd sizes so that edge MCUs are partial),
// each with djpeg's default output beside it (testdata/djpeg/README.md).
var djpegCorpus = []string{"s420", "s422", "s440", "s444", "gray", "progressive420", "progressive-gray", "restart420"}

// TestJPEGDecodeEqualsDjpeg: decoded pixels are byte for byte those of
// djpeg (libjpeg-turbo's defaults: accurate integer IDCT, fancy
// upsampling), the reference decode the issue measures against.
func TestJPEGDecodeEqualsDjpeg(t *testing.T) {
	for _, name := range djpegCorpus {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "djpeg", name+".jpg"))
			if err != nil {
				t.Fatal(err)
			}
			ref, err := os.ReadFile(filepath.Join("testdata", "djpeg", name+".pnm"))
			if err != nil {
				t.Fatal(err)
			}
			checkDjpeg(t, data, readPNM(t, ref))
		})
	}
}

// TestJPEGDecodeEqualsDjpegTool runs the installed djpeg (Debian
// libjpeg-turbo-progs, installed by scripts/deps.sh --test) on a real
// 4:2:0 page and on the corpus.
func TestJPEGDecodeEqualsDjpegTool(t *testing.T) {
	if _, err := exec.LookPath("djpeg"); err != nil {
		t.Skip("djpeg not installed (scripts/deps.sh --test installs libjpeg-turbo-progs)")
	}
	files := []string{testenv.TestImage(t, "page-color-1000x1400.jpg"), filepath.Join("testdata", "progressive-48x32.jpg")}
	for _, name := range djpegCorpus {
		files = append(files, filepath.Join("testdata", "djpeg", name+".jpg"))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command("djpeg", f).Output()
			if err != nil {
				t.Fatal(err)
			}
			checkDjpeg(t, data, readPNM(t, out))
		})
	}
}

// checkDjpeg decodes data with the usual input pieces and with 7-byte
// ones (libjpeg then suspends everywhere: headers, scans, MCU rows).
func checkDjpeg(t *testing.T, data []byte, want *Image) {
	t.Helper()
	checkDjpegFeed(t, data, want)
	f := jpegFeedBytes
	jpegFeedBytes = 7
	defer func() { jpegFeedBytes = f }()
	checkDjpegFeed(t, data, want)
}

func checkDjpegFeed(t *testing.T, data []byte, want *Image) {
	t.Helper()
	got, h, err := Decode(bytes.NewReader(data), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if got.W != want.W || got.H != want.H || got.C != want.C {
		t.Fatalf("decoded %dx%dx%d, djpeg %dx%dx%d (header %+v)", got.W, got.H, got.C, want.W, want.H, want.C, h)
	}
	if !bytes.Equal(got.Pix8, want.Pix8) {
		diff := 0
		for i := range got.Pix8 {
			if got.Pix8[i] != want.Pix8[i] {
				diff++
			}
		}
		t.Fatalf("%d of %d samples differ from djpeg (PSNR %.1f dB)", diff, len(got.Pix8), SamplesPSNR(got.Pix8, want.Pix8, 255))
	}
}

// TestJPEGEncodeMatchesCjpeg: our encoder at a quality and sampling writes
// the file cjpeg writes with the same settings (both are libjpeg-turbo
// with its defaults), and that file decodes close to the source.
func TestJPEGEncodeMatchesCjpeg(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("testdata", "djpeg", "src-101x67.ppm"))
	if err != nil {
		t.Fatal(err)
	}
	img := readPNM(t, src)
	for _, tc := range []struct {
		file string
		sub  Subsampling
	}{{"s420", Sub420}, {"s422", Sub422}, {"s444", Sub444}} {
		t.Run(tc.file, func(t *testing.T) {
			var b bytes.Buffer
			if err := Encode(&b, img, EncodeOptions{Format: JPEG, Quality: 85, Subsampling: tc.sub}); err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile(filepath.Join("testdata", "djpeg", tc.file+".jpg"))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(b.Bytes(), want) {
				t.Errorf("%d bytes, cjpeg -quality 85 -sample %s wrote %d different bytes", b.Len(), tc.sub, len(want))
			}
			dec, _, err := Decode(bytes.NewReader(b.Bytes()), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if p := SamplesPSNR(dec.Pix8, img.Pix8, 255); p < 30 {
				t.Errorf("round trip PSNR %.1f dB", p)
			}
		})
	}
}

// TestJPEGEncodeOptions: quality and subsampling reach the file (SOF
// sampling factors; size grows with quality) on a real page band.
func TestJPEGEncodeOptions(t *testing.T) {
	data, err := os.ReadFile(testenv.TestImage(t, "page-color-1000x1400.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	full, _, err := Decode(bytes.NewReader(data), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	img := full.Rows(300, 620)
	size := map[string]int{}
	for _, q := range []int{60, 90} {
		for _, sub := range []Subsampling{Sub420, Sub422, Sub444} {
			out := encodeBands(t, img, EncodeOptions{Format: JPEG, Quality: q, Subsampling: sub}, []int{5, 64, 1})
			key := fmt.Sprintf("q%d-%s", q, sub)
			size[key] = len(out)
			hs, vs := sub.factors()
			if got := sofSampling(t, out); got != [2]int{hs, vs} {
				t.Errorf("%s: luma sampling %v, want %dx%d", key, got, hs, vs)
			}
			dec, _, err := Decode(bytes.NewReader(out), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			p := SamplesPSNR(dec.Pix8, img.Pix8, 255)
			t.Logf("%s: %d bytes, %.2f dB", key, len(out), p)
			if p < 30 {
				t.Errorf("%s: PSNR %.1f dB", key, p)
			}
		}
	}
	if size["q90-4:2:0"] <= size["q60-4:2:0"] || size["q90-4:4:4"] <= size["q90-4:2:0"] {
		t.Errorf("sizes do not follow quality and sampling: %v", size)
	}
}

// sofSampling returns the first component's sampling factors of a JPEG.
func sofSampling(t *testing.T, data []byte) [2]int {
	t.Helper()
	i := bytes.Index(data, []byte{0xFF, 0xC0})
	if i < 0 || i+12 > len(data) {
		t.Fatal("no SOF0")
	}
	hv := data[i+11]
	return [2]int{int(hv >> 4), int(hv & 15)}
}

// TestJPEGDecodeStrictOnCorruptData: damaged entropy-coded data and
// truncation are errors (422 upstream), not silently gray pixels.
func TestJPEGDecodeStrictOnCorruptData(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "djpeg", "s420.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	sos := bytes.Index(data, []byte{0xFF, 0xDA})
	for name, bad := range map[string][]byte{
		"truncated":   data[:sos+(len(data)-sos)/2],
		"no-eoi-scan": data[:sos+20],
		"marker-in-scan": append(append(append([]byte{}, data[:sos+200]...), 0xFF, 0xD5),
			data[sos+202:]...),
	} {
		t.Run(name, func(t *testing.T) {
			_, _, err := Decode(bytes.NewReader(bad), Limits{})
			if err == nil || !strings.Contains(err.Error(), "jpeg") {
				t.Fatalf("err = %v, want a JPEG corrupt-data error", err)
			}
		})
	}
}
