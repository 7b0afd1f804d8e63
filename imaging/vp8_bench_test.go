package imaging

import (
	"fmt"
	"testing"

	"github.com/upscaled/upscaled/internal/cpuwork"
)

// BenchmarkVP8Encode compares the parallel VP8 encoder at 1, 2, 8 and
// the CPU pool's threads with libwebp method 0 (one thread) on the same imported
// picture (the bench page, or UPSCALED_BENCH_IMAGE): pixels/s over wall
// time and cpu-pixels/s over CPU time (per core):
//
//	UPSCALED_BENCH_IMAGE=/tmp/page33.png go test -run '^$' -bench VP8Encode -benchtime 3x ./imaging
func BenchmarkVP8Encode(b *testing.B) {
	img, _ := benchImage(b)
	if img.C == 2 || img.C == 4 {
		img = dropAlpha(img) // our encoder codes no alpha: its colour planes
	}
	pic, err := newVP8Pic(img)
	if err != nil {
		b.Fatal(err)
	}
	defer pic.free()
	px := img.W * img.H
	for _, q := range []int{90} {
		b.Run(fmt.Sprintf("libwebp-m0-q%d", q), func(b *testing.B) {
			cpu := cpuClock()
			n := 0
			for i := 0; i < b.N; i++ {
				if n, err = pic.libwebp(q); err != nil {
					b.Fatal(err)
				}
			}
			reportPixelRate(b, px, cpu)
			b.ReportMetric(float64(n), "bytes")
		})
		for _, th := range benchThreads() {
			b.Run(fmt.Sprintf("parallel-q%d-threads%d", q, th), func(b *testing.B) {
				cpu := cpuClock()
				n := 0
				for i := 0; i < b.N; i++ {
					if n, err = pic.ours(q, th); err != nil {
						b.Fatal(err)
					}
				}
				reportPixelRate(b, px, cpu)
				b.ReportMetric(float64(n), "bytes")
			})
		}
	}
}

// benchThreads are 1, 2, 8 and the CPU pool's workers when more.
func benchThreads() []int {
	th := []int{1, 2, 8}
	if w := cpuwork.Workers(); w > 8 {
		th = append(th, w)
	}
	return th
}
