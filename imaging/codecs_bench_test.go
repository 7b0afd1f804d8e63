package imaging

import (
	"bytes"
	"fmt"
	"testing"
)

// BenchmarkCodecs reports per-codec, per-option throughput (pixels/s of
// the image encoded or decoded, over wall and over CPU time) on the
// 2000×2800 bench page; run with -cpu 1 for per-core figures:
//
//	go test -run '^$' -bench Codecs -cpu 1 -benchtime 3x ./imaging
func BenchmarkCodecs(b *testing.B) {
	img := benchPage(b, 3)
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
	for _, sub := range []Subsampling{Sub420, Sub444} {
		var jb bytes.Buffer
		if err := Encode(&jb, img, EncodeOptions{Format: JPEG, Quality: 85, Subsampling: sub}); err != nil {
			b.Fatal(err)
		}
		data := jb.Bytes()
		b.Run("decode-jpeg-q85-"+sub.String(), func(b *testing.B) {
			b.ReportAllocs()
			cpu := cpuClock()
			for i := 0; i < b.N; i++ {
				if _, _, err := Decode(bytes.NewReader(data), Limits{}); err != nil {
					b.Fatal(err)
				}
			}
			reportPixelRate(b, img.W*img.H, cpu)
		})
	}
}
