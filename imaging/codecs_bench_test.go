package imaging

import (
	"bytes"
	"fmt"
	"os"
	"testing"
)

// BenchmarkCodecs reports per-codec, per-option throughput (pixels/s of
// the image encoded or decoded, over wall and over CPU time) on the
// 2000×2800 bench page, or on the image file UPSCALED_BENCH_IMAGE names
// (an upscaled page: the encoders' real input); run with -cpu 1 for
// per-core figures:
//
//	go test -run '^$' -bench Codecs -cpu 1 -benchtime 3x ./imaging
//
// The decode cases decode that file itself when it is a JPEG (a page as
// users send it), else the image encoded at q85.
func BenchmarkCodecs(b *testing.B) {
	img, file := benchImage(b)
	for _, q := range []int{90} {
		for _, sub := range []Subsampling{Sub420, Sub444} {
			b.Run(fmt.Sprintf("encode-jpeg-q%d-%s", q, sub), func(b *testing.B) {
				benchEncode(b, img, EncodeOptions{Format: JPEG, Quality: q, Subsampling: sub})
			})
		}
	}
	for e := 0; e <= MaxEffort; e++ {
		b.Run(fmt.Sprintf("encode-png-effort%d", e), func(b *testing.B) {
			benchEncode(b, img, EncodeOptions{Format: PNG, Effort: &e})
		})
	}
	for _, e := range []int{0, 2, 4, 6} {
		b.Run(fmt.Sprintf("encode-webp-q90-effort%d", e), func(b *testing.B) {
			benchEncode(b, img, EncodeOptions{Format: WebP, Quality: 90, Effort: &e})
		})
	}
	for _, e := range []int{0, 2} {
		b.Run(fmt.Sprintf("encode-webp-lossless-effort%d", e), func(b *testing.B) {
			benchEncode(b, img, EncodeOptions{Format: WebP, Lossless: true, Effort: &e})
		})
	}
	if f, _ := Sniff(file); f == JPEG {
		b.Run("decode-jpeg-file", func(b *testing.B) { benchDecode(b, file, img.W*img.H) })
		return
	}
	for _, sub := range []Subsampling{Sub420, Sub444} {
		var jb bytes.Buffer
		if err := Encode(&jb, img, EncodeOptions{Format: JPEG, Quality: 85, Subsampling: sub}); err != nil {
			b.Fatal(err)
		}
		b.Run("decode-jpeg-q85-"+sub.String(), func(b *testing.B) { benchDecode(b, jb.Bytes(), img.W*img.H) })
	}
}

// benchImage is the image UPSCALED_BENCH_IMAGE names, decoded, with the
// file's bytes; else the bench page (no file).
func benchImage(b *testing.B) (*Image, []byte) {
	path := os.Getenv("UPSCALED_BENCH_IMAGE")
	if path == "" {
		return benchPage(b, 3), nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	img, _, err := Decode(bytes.NewReader(data), Limits{})
	if err != nil {
		b.Fatalf("%s: %v", path, err)
	}
	b.Logf("bench image %s: %dx%d, %d channels", path, img.W, img.H, img.C)
	return img, data
}

// benchDecode decodes data (px pixels) b.N times.
func benchDecode(b *testing.B, data []byte, px int) {
	b.ReportAllocs()
	cpu := cpuClock()
	for i := 0; i < b.N; i++ {
		if _, _, err := Decode(bytes.NewReader(data), Limits{}); err != nil {
			b.Fatal(err)
		}
	}
	reportPixelRate(b, px, cpu)
}
