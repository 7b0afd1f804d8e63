package imaging

import (
	"io"
	"runtime"
	"testing"
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
			est := EncoderBytes(tc.f, w, h, tc.c, tc.depth)
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
