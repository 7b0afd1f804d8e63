package imaging

import (
	"bytes"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"os"
	"path/filepath"
	"testing"

	"github.com/chai2010/webp"
	"github.com/upscaled/upscaled/internal/testing/testenv"
)

// estimateInputs are files of every decoder path, a few hundred pixels wide
// so that pixel buffers dominate fixed costs.
func estimateInputs(t *testing.T) map[string][]byte {
	in := map[string][]byte{}
	for _, f := range []string{"page-color-1000x1400.jpg", "page-gray-1000x1400.png", "small-rgba-40x56.png", "mid-color-300x200.png"} {
		b, err := os.ReadFile(testenv.TestImage(t, f))
		if err != nil {
			t.Fatal(err)
		}
		in[f] = b
	}
	for _, f := range []string{"progressive-48x32.jpg", "ycck-48x32.jpg", "interlaced-48x32.png"} {
		b, err := os.ReadFile(filepath.Join("testdata", f))
		if err != nil {
			t.Fatal(err)
		}
		in[f] = b
	}
	rgb := pattern8(640, 480, 3)
	var j420 bytes.Buffer
	jpeg.Encode(&j420, stdImage(rgb), &jpeg.Options{Quality: 90})
	in["jpeg-420-oriented"] = jpegInsert(j420.Bytes(), jpegSegment(0xE1, append([]byte("Exif\x00\x00"), exifTIFF(6, true)...)))
	in["png-rgb16-interlaced"] = buildPNG(t, pngSpec{w: 300, h: 200, ct: 2, depth: 16, interlace: true, samples: samples16(300*200*3, 16)})
	in["png-palette"] = buildPNG(t, pngSpec{w: 300, h: 200, ct: 3, depth: 8, samples: samples16(300*200, 2), before: []chunk{{"PLTE", []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}}}})
	in["png-ga8"] = buildPNG(t, pngSpec{w: 300, h: 200, ct: 4, depth: 8, samples: samples16(300*200*2, 8)})
	wl, _ := webp.EncodeLosslessRGB(stdImage(rgb))
	wy, _ := webp.EncodeRGB(stdImage(rgb), 85)
	in["webp-lossless"], in["webp-lossy"] = wl, wy
	pal := make(color.Palette, 256)
	for i := range pal {
		pal[i] = color.RGBA{uint8(i), uint8(i * 7), uint8(i * 13), 255}
	}
	noisy := image.NewPaletted(image.Rect(0, 0, 1500, 1000), pal)
	for i := range noisy.Pix {
		noisy.Pix[i] = uint8((i * 2654435761) >> 13)
	}
	var gb bytes.Buffer
	if err := gif.Encode(&gb, noisy, nil); err != nil {
		t.Fatal(err)
	}
	in["gif-noisy-1500x1000"] = gb.Bytes()
	for k, v := range validFiles(t) {
		in["small-"+k] = v
	}
	return in
}

// TestDecodeBytesCoversAllocation: everything Decode allocates on the Go
// heap (TotalAlloc, hence at least its peak) stays within DecodeBytes.
func TestDecodeBytesCoversAllocation(t *testing.T) {
	for name, data := range estimateInputs(t) {
		t.Run(name, func(t *testing.T) {
			h, err := DecodeConfig(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			est := DecodeBytes(h)
			var derr error
			got := allocated(func() { _, _, derr = Decode(bytes.NewReader(data), Limits{}) })
			if derr != nil {
				t.Fatal(derr)
			}
			t.Logf("%s %dx%dx%d: allocated %d, estimate %d (%.2fx)", h.Format, h.Width, h.Height, h.Channels, got, est, float64(est)/float64(got))
			if int64(got) > est {
				t.Fatalf("Decode allocated %d bytes, DecodeBytes says %d", got, est)
			}
			if big := int64(h.Width*h.Height) > 100_000; big && h.Format != WebP && float64(est) > 1.5*float64(got) {
				t.Errorf("estimate %d is more than 1.5x the %d allocated", est, got)
			}
		})
	}
}
