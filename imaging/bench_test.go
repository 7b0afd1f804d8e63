package imaging

import (
	"bytes"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/upscaled/upscaled/internal/testing/testenv"
)

// benchPage is the colour test page enlarged 2x (nearest) to 2000×2800,
// like an upscaler's output; c channels (1: its luma).
func benchPage(b *testing.B, c int) *Image {
	data, err := os.ReadFile(testenv.TestImage(b, "page-color-1000x1400.jpg"))
	if err != nil {
		b.Fatal(err)
	}
	src, _, err := Decode(bytes.NewReader(data), Limits{})
	if err != nil {
		b.Fatal(err)
	}
	m, _ := NewImage(2*src.W, 2*src.H, c, 8)
	for y := 0; y < m.H; y++ {
		for x := 0; x < m.W; x++ {
			p := src.Pix8[((y/2)*src.W+x/2)*3:]
			d := m.Pix8[(y*m.W+x)*c:]
			if c == 1 {
				d[0] = uint8((299*int(p[0]) + 587*int(p[1]) + 114*int(p[2])) / 1000)
			} else {
				copy(d[:3], p[:3])
			}
		}
	}
	return m
}

func benchEncode(b *testing.B, img *Image, opt EncodeOptions) {
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cpuClock()
	var n countWriter
	for i := 0; i < b.N; i++ {
		n = 0
		e, err := NewEncoder(&n, img.W, img.H, img.C, img.Depth, opt)
		if err != nil {
			b.Fatal(err)
		}
		for y := 0; y < img.H; y += 64 {
			if err := e.WriteRows(img.Rows(y, min(y+64, img.H))); err != nil {
				b.Fatal(err)
			}
		}
		if err := e.Close(); err != nil {
			b.Fatal(err)
		}
	}
	reportPixelRate(b, img.W*img.H, cpu)
	b.ReportMetric(float64(n)*8/float64(img.W*img.H), "bits/px")
}

// reportPixelRate reports pixels/s over wall time and cpu-pixels/s over the
// process's CPU time since cpu (cpuClock): with -cpu 1 the second is the
// per-core rate even while other processes compete for the cores.
func reportPixelRate(b *testing.B, px int, cpu time.Duration) {
	b.ReportMetric(float64(px)*float64(b.N)/b.Elapsed().Seconds(), "pixels/s")
	if d := cpuClock() - cpu; d > 0 {
		b.ReportMetric(float64(px)*float64(b.N)/d.Seconds(), "cpu-pixels/s")
	}
}

// cpuClock is the CPU time (user + system) the process has used.
func cpuClock() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// countWriter counts the bytes written to it.
type countWriter int64

func (c *countWriter) Write(p []byte) (int, error) {
	*c += countWriter(len(p))
	return len(p), nil
}

func BenchmarkEncodePNG(b *testing.B) {
	img := benchPage(b, 3)
	b.Run("workers=1", func(b *testing.B) { benchEncode(b, img, EncodeOptions{Format: PNG, Workers: 1}) })
	b.Run("workers=GOMAXPROCS", func(b *testing.B) { benchEncode(b, img, EncodeOptions{Format: PNG}) })
	gray := benchPage(b, 1)
	b.Run("gray", func(b *testing.B) { benchEncode(b, gray, EncodeOptions{Format: PNG}) })
	b.Run("stdlib-image-png", func(b *testing.B) {
		benchStd(b, img, func(w io.Writer, m image.Image) error { return png.Encode(w, m) })
	})
}

// benchStd times a stdlib encoder on the whole image, for reference.
func benchStd(b *testing.B, img *Image, enc func(io.Writer, image.Image) error) {
	m := stdImage(img)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := enc(io.Discard, m); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(img.W*img.H)*float64(b.N)/b.Elapsed().Seconds(), "pixels/s")
}

func BenchmarkEncodeJPEG(b *testing.B) {
	img := benchPage(b, 3)
	b.Run("q85-workers=1", func(b *testing.B) { benchEncode(b, img, EncodeOptions{Format: JPEG, Quality: 85, Workers: 1}) })
	b.Run("q85-workers=GOMAXPROCS", func(b *testing.B) { benchEncode(b, img, EncodeOptions{Format: JPEG, Quality: 85}) })
	b.Run("stdlib-image-jpeg-q85", func(b *testing.B) {
		benchStd(b, img, func(w io.Writer, m image.Image) error { return jpeg.Encode(w, m, &jpeg.Options{Quality: 85}) })
	})
}

func BenchmarkEncodeWebP(b *testing.B) {
	img := benchPage(b, 3)
	b.Run("q85", func(b *testing.B) { benchEncode(b, img, EncodeOptions{Format: WebP, Quality: 85}) })
	b.Run("lossless", func(b *testing.B) { benchEncode(b, img, EncodeOptions{Format: WebP, Lossless: true}) })
}

func BenchmarkDecode(b *testing.B) {
	for _, f := range []string{"page-color-1000x1400.jpg", "page-gray-1000x1400.png"} {
		data, err := os.ReadFile(testenv.TestImage(b, f))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(f, func(b *testing.B) {
			b.ReportAllocs()
			var px int
			for i := 0; i < b.N; i++ {
				img, _, err := Decode(bytes.NewReader(data), Limits{})
				if err != nil {
					b.Fatal(err)
				}
				px = img.W * img.H
			}
			b.ReportMetric(float64(px)*float64(b.N)/b.Elapsed().Seconds(), "pixels/s")
		})
	}
}
