package imaging

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/upscaled/upscaled/internal/testing/testenv"
)

// TestEncoderMemoryBound streams a 1200×2400 image in 48-row bands (made
// on the fly, never whole) and checks the Go heap retained while encoding
// stays within EncoderBytes, which for PNG and JPEG does not depend on the
// height.
func TestEncoderMemoryBound(t *testing.T) {
	const w, h, bandH = 1200, 2400, 48
	for _, tc := range []struct {
		f        Format
		c, depth int
	}{{PNG, 3, 8}, {PNG, 4, 16}, {PNG, 1, 8}, {JPEG, 3, 8}, {JPEG, 1, 8}, {WebP, 4, 8}} {
		t.Run(string(tc.f)+"-"+string(rune('0'+tc.c)), func(t *testing.T) {
			band, _ := NewImage(w, bandH, tc.c, tc.depth)
			var base, m runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&base)
			e, err := NewEncoder(io.Discard, w, h, tc.c, tc.depth, EncodeOptions{Format: tc.f, Quality: 85})
			if err != nil {
				t.Fatal(err)
			}
			var peak uint64
			for y := 0; y < h; y += bandH {
				for i := range band.Pix8 {
					band.Pix8[i] = uint8((i + y*7) * 13 >> 3)
				}
				for i := range band.Pix16 {
					band.Pix16[i] = uint16((i + y*7) * 4099)
				}
				if err := e.WriteRows(band); err != nil {
					t.Fatal(err)
				}
				runtime.GC()
				runtime.ReadMemStats(&m)
				if m.HeapAlloc > base.HeapAlloc {
					peak = max(peak, m.HeapAlloc-base.HeapAlloc)
				}
			}
			if err := e.Close(); err != nil {
				t.Fatal(err)
			}
			est := EncoderBytes(EncodeOptions{Format: tc.f}, w, h, tc.c, tc.depth)
			full := int64(w * h * tc.c * tc.depth / 8)
			t.Logf("%s %d ch %d-bit: peak retained %d bytes, EncoderBytes %d, full image %d", tc.f, tc.c, tc.depth, peak, est, full)
			if int64(peak) > est {
				t.Fatalf("retained %d bytes > EncoderBytes %d", peak, est)
			}
			if tc.f != WebP && full > 2*est && int64(peak) >= full/2 {
				t.Fatalf("retained %d bytes: not band-wise (image is %d)", peak, full)
			}
		})
	}
}

// rssPeakSince resets the kernel's peak-RSS mark, runs f and returns how
// far the peak resident set rose above the resident set before f: this
// counts C memory (libjpeg, libwebp) as well as the Go heap.
func rssPeakSince(t *testing.T, f func()) int64 {
	t.Helper()
	runtime.GC()
	debug.FreeOSMemory()
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		t.Skipf("cannot reset the peak RSS: %v", err)
	}
	base := procStatus(t, "VmRSS")
	f()
	return procStatus(t, "VmHWM") - base
}

// procStatus reads a kB field of /proc/self/status, in bytes.
func procStatus(t *testing.T, key string) int64 {
	t.Helper()
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, key+":"); ok {
			var kb int64
			fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), &kb)
			return kb << 10
		}
	}
	t.Skipf("no %s in /proc/self/status", key)
	return 0
}

// TestCodecRSSBound: the resident memory a cgo codec adds (C heap included)
// stays within the figure the memory budget reserves for it: the JPEG
// encoder streaming a 3000×4000 image, the WebP encoders (lossy and
// lossless, default and high effort) on up to 1500×2000, and the JPEG decoder on 3000×4000 (RSS is
// counted in pages and the runtime's own growth: 2 MiB of slack).
func TestCodecRSSBound(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	stream := func(f Format, w, h, c int, opt EncodeOptions) {
		band, _ := NewImage(w, 64, c, 8)
		opt.Format = f
		e, err := NewEncoder(io.Discard, w, h, c, 8, opt)
		if err != nil {
			t.Fatal(err)
		}
		for y := 0; y < h; y += 64 {
			for i := range band.Pix8 {
				band.Pix8[i] = uint8((i*7 + y*3) ^ (i >> 5))
			}
			if err := e.WriteRows(band.Rows(0, min(64, h-y))); err != nil {
				t.Fatal(err)
			}
		}
		if err := e.Close(); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name string
		f    Format
		w, h int
		c    int
		opt  EncodeOptions
	}{
		{"jpeg-420", JPEG, 3000, 4000, 3, EncodeOptions{Quality: 90}},
		{"jpeg-444", JPEG, 3000, 4000, 3, EncodeOptions{Quality: 90, Subsampling: Sub444}},
		{"webp-lossy", WebP, 1500, 2000, 3, EncodeOptions{Quality: 90}},
		{"webp-lossy-q100", WebP, 1500, 2000, 3, EncodeOptions{Quality: 100}},
		{"webp-lossy-effort4", WebP, 1500, 2000, 3, EncodeOptions{Quality: 90, Effort: ptr(4)}},
		{"webp-lossy-parallel", WebP, 1500, 2000, 3, EncodeOptions{Quality: 90, WebPCodec: WebPCodecParallel}},
		{"webp-lossy-parallel-q100", WebP, 1500, 2000, 3, EncodeOptions{Quality: 100, WebPCodec: WebPCodecParallel}},
		{"webp-lossy-rgba", WebP, 1500, 2000, 4, EncodeOptions{Quality: 90}},
		{"webp-lossless", WebP, 1500, 2000, 3, EncodeOptions{Lossless: true}},
		{"webp-lossless-effort6", WebP, 1000, 1200, 4, EncodeOptions{Lossless: true, Effort: ptr(6)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			grew := rssPeakSince(t, func() { stream(tc.f, tc.w, tc.h, tc.c, tc.opt) })
			opt := tc.opt
			opt.Format = tc.f
			est := EncoderBytes(opt, tc.w, tc.h, tc.c, 8)
			t.Logf("%s %dx%d: peak RSS +%d KiB, EncoderBytes %d KiB", tc.name, tc.w, tc.h, grew>>10, est>>10)
			if grew > est {
				t.Errorf("peak RSS grew %d bytes > EncoderBytes %d", grew, est)
			}
		})
	}
	t.Run("jpeg-decode", func(t *testing.T) {
		src, _ := NewImage(3000, 4000, 3, 8)
		for i := range src.Pix8 {
			src.Pix8[i] = uint8((i*7)>>4 ^ i>>13)
		}
		var b bytes.Buffer
		if err := Encode(&b, src, EncodeOptions{Format: JPEG, Quality: 90}); err != nil {
			t.Fatal(err)
		}
		data := b.Bytes()
		src = nil
		h, err := DecodeConfig(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		grew := rssPeakSince(t, func() {
			if _, _, err := Decode(bytes.NewReader(data), Limits{}); err != nil {
				t.Fatal(err)
			}
		})
		est := DecodeBytes(h)
		t.Logf("decode %dx%d: peak RSS +%d KiB, DecodeBytes %d KiB", h.Width, h.Height, grew>>10, est>>10)
		if grew > est+2<<20 {
			t.Errorf("peak RSS grew %d bytes > DecodeBytes %d", grew, est)
		}
	})
}

// TestWebPLossyNeverHoldsRGB streams the colour test page enlarged 2× to
// 2000×2800 (made 64 rows at a time) into lossy WebP at the default
// quality and effort: the resident memory it adds, C heap included, stays
// below the 3 bytes per pixel the RGB image would take, since only the YUV
// 4:2:0 picture (1.5 B/px) and libwebp's working memory are held.
func TestWebPLossyNeverHoldsRGB(t *testing.T) {
	data, err := os.ReadFile(testenv.TestImage(t, "page-color-1000x1400.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	src, _, err := Decode(bytes.NewReader(data), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	w, h := 2*src.W, 2*src.H
	band, _ := NewImage(w, 64, 3, 8)
	var size countWriter
	grew := rssPeakSince(t, func() {
		e, err := NewEncoder(&size, w, h, 3, 8, EncodeOptions{Format: WebP})
		if err != nil {
			t.Fatal(err)
		}
		for y := 0; y < h; y += 64 {
			n := min(64, h-y)
			for r := 0; r < n; r++ {
				for x := 0; x < w; x++ {
					copy(band.Pix8[(r*w+x)*3:][:3], src.Pix8[((y+r)/2*src.W+x/2)*3:])
				}
			}
			if err := e.WriteRows(band.Rows(0, n)); err != nil {
				t.Fatal(err)
			}
		}
		if err := e.Close(); err != nil {
			t.Fatal(err)
		}
	})
	rgb := int64(w * h * 3)
	t.Logf("lossy WebP %dx%d: %d bytes, peak RSS +%d KiB (%.2f B/px), RGB image %d KiB", w, h, size, grew>>10, float64(grew)/float64(w*h), rgb>>10)
	if grew >= rgb {
		t.Errorf("peak RSS grew %d bytes, not below the RGB image's %d", grew, rgb)
	}
}
