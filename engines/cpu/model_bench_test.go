package cpu

import (
	"context"
	"flag"
	"fmt"
	"testing"

	"github.com/upscaled/upscaled/engines"
)

var benchSize = flag.Int("benchsize", 64, "BenchmarkModel: side of the square input image in pixels (before pre-padding)")

// BenchmarkModel runs one model of each family untiled over a square image of
// -benchsize pixels (pre-padded as the reference tools do), reporting
// input pixels per second, wall seconds and CPU seconds (all threads) per
// image.
func BenchmarkModel(b *testing.B) {
	for _, id := range []string{
		"realcugan-up2x-conservative", "realcugan-up3x-conservative", "realcugan-up4x-no-denoise",
		"realesrgan-animevideov3-x2", "realesrgan-animevideov3-x4", "realesrgan-x4plus-anime",
	} {
		b.Run(fmt.Sprintf("%s/%dpx", id, *benchSize), func(b *testing.B) {
			l := loadModel(b, id)
			s := *benchSize
			align := max(l.info.Align, 1)
			side := (s+align-1)/align*align + 2*l.info.PrePadding
			tile := randomTile(side, side, 9)
			b.ResetTimer()
			cpu0 := processCPUSeconds()
			for b.Loop() {
				if _, err := engines.Run(context.Background(), l.prog, tile); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(s*s)*float64(b.N)/b.Elapsed().Seconds(), "pixels/s")
			b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/image")
			b.ReportMetric((processCPUSeconds()-cpu0)/float64(b.N), "cpu-s/image")
		})
	}
}
