package imaging

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/chai2010/webp"
	"golang.org/x/image/bmp"
)

func TestSniff(t *testing.T) {
	cases := []struct {
		name string
		in   string
		f    Format
		msg  string
	}{
		{"png", "\x89PNG\r\n\x1a\n\x00\x00", PNG, ""},
		{"jpeg", "\xff\xd8\xff\xe0", JPEG, ""},
		{"gif87", "GIF87a", GIF, ""},
		{"gif89", "GIF89a..", GIF, ""},
		{"webp", "RIFF\x00\x00\x00\x00WEBPVP8 ", WebP, ""},
		{"bmp", "BM\x00\x00\x00\x00\x00\x00\x00\x00\x36\x00\x00\x00\x28\x00\x00\x00", BMP, ""},
		{"empty", "", "", "empty"},
		{"text", "hello, this is not an image", "", "not a PNG"},
		{"tiff", "II*\x00\x08\x00\x00\x00", "", "TIFF"},
		{"avif", "\x00\x00\x00\x1cftypavif\x00\x00", "", "AVIF"},
		{"wav", "RIFF\x00\x00\x00\x00WAVEfmt ", "", "RIFF"},
		{"short-jpeg", "\xff\xd8", "", "not a PNG"},
		{"bm-text", "BMW is a car maker, not an image", "", "BMP variant"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Sniff([]byte(tc.in))
			if f != tc.f {
				t.Fatalf("format %q, want %q", f, tc.f)
			}
			if tc.msg == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("err %v, want ErrUnsupported mentioning %q", err, tc.msg)
			}
		})
	}
}

// allocated returns the bytes f allocates on the Go heap.
func allocated(f func()) uint64 {
	var a, b runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&a)
	f()
	runtime.ReadMemStats(&b)
	return b.TotalAlloc - a.TotalAlloc
}

// bombPNG claims w×h with a tiny, bogus IDAT.
func bombPNG(w, h uint32) []byte {
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr, w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 2
	out := []byte("\x89PNG\r\n\x1a\n")
	out = append(out, pngChunk("IHDR", ihdr)...)
	out = append(out, pngChunk("IDAT", []byte{0x78, 0x9c, 0x03, 0x00})...)
	return append(out, pngChunk("IEND", nil)...)
}

func bombJPEG(w, h uint16) []byte {
	sof := []byte{8, byte(h >> 8), byte(h), byte(w >> 8), byte(w), 1, 1, 0x11, 0}
	out := []byte{0xFF, 0xD8}
	out = append(out, jpegSegment(0xC0, sof)...)
	out = append(out, jpegSegment(0xDA, []byte{1, 1, 0, 0, 63, 0})...)
	return append(out, 0xFF, 0xD9)
}

func TestHostileHeaders(t *testing.T) {
	cases := []struct {
		name string
		data []byte
		w, h int
	}{
		{"png-100000x100000", bombPNG(100000, 100000), 100000, 100000},
		{"png-2^31-1", bombPNG(1<<31-1, 1<<31-1), 1<<31 - 1, 1<<31 - 1},
		{"jpeg-65535x65535", bombJPEG(65535, 65535), 65535, 65535},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var h Header
			var err error
			n := allocated(func() { h, err = DecodeConfig(bytes.NewReader(tc.data)) })
			if err != nil {
				t.Fatal(err)
			}
			if h.Width != tc.w || h.Height != tc.h {
				t.Fatalf("size %dx%d", h.Width, h.Height)
			}
			if n > 256<<10 {
				t.Fatalf("DecodeConfig allocated %d bytes", n)
			}
			n = allocated(func() { _, _, err = Decode(bytes.NewReader(tc.data), Limits{MaxPixels: 50_000_000}) })
			if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "50000000") || !strings.Contains(err.Error(), "x") {
				t.Fatalf("err %v, want ErrTooLarge naming size and limit", err)
			}
			if n > 256<<10 {
				t.Fatalf("Decode allocated %d bytes before refusing", n)
			}
			if _, _, err = Decode(bytes.NewReader(tc.data), Limits{}); !errors.Is(err, ErrTooLarge) {
				t.Fatalf("no limit: err %v, want ErrTooLarge (hard cap)", err)
			}
		})
	}
}

// zeroReader yields n zero bytes without holding them.
type zeroReader struct{ n int64 }

func (z *zeroReader) Read(p []byte) (int, error) {
	if z.n == 0 {
		return 0, io.EOF
	}
	k := min(int64(len(p)), z.n)
	clear(p[:k])
	z.n -= k
	return int(k), nil
}

func TestGiantMetadata(t *testing.T) {
	img := buildPNG(t, pngSpec{w: 4, h: 4, ct: 0, depth: 8, samples: make([]uint16, 16)})
	const n = 200 << 20
	hd := make([]byte, 8)
	binary.BigEndian.PutUint32(hd, n)
	copy(hd[4:], "tEXt")
	// A 200 MiB text chunk (CRC ignored: the chunk is skipped) before IDAT.
	r := io.MultiReader(bytes.NewReader(img[:33]), bytes.NewReader(hd), &zeroReader{n + 4}, bytes.NewReader(img[33:]))
	var err error
	a := allocated(func() { _, _, err = Decode(r, Limits{}) })
	if err != nil {
		t.Fatal(err)
	}
	if a > 4<<20 {
		t.Fatalf("skipping a 200 MiB chunk allocated %d bytes", a)
	}
	big := buildPNG(t, pngSpec{w: 4, h: 4, ct: 0, depth: 8, samples: make([]uint16, 16), before: []chunk{{"iCCP", make([]byte, MaxICCBytes+100)}}})
	if _, _, err := Decode(bytes.NewReader(big), Limits{}); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("giant iCCP: %v, want ErrTooLarge", err)
	}
}

// validFiles is one small file per format for damage tests.
func validFiles(t testing.TB) map[string][]byte {
	rgb := pattern8(24, 16, 3)
	var jb, gb, bb bytes.Buffer
	jpeg.Encode(&jb, stdImage(rgb), nil)
	pal := image.NewPaletted(image.Rect(0, 0, 24, 16), color.Palette{color.Black, color.White, color.RGBA{255, 0, 0, 255}})
	for i := range pal.Pix {
		pal.Pix[i] = uint8(i % 3)
	}
	gif.Encode(&gb, pal, nil)
	bmp.Encode(&bb, stdImage(rgb))
	wl, _ := webp.EncodeLosslessRGB(stdImage(rgb))
	wy, _ := webp.EncodeRGB(stdImage(rgb), 80)
	return map[string][]byte{
		"png":         buildPNG(t, pngSpec{w: 24, h: 16, ct: 2, depth: 8, samples: samples16(24*16*3, 8), before: []chunk{iccpChunk(fakeICC("RGB ", 400)), {"eXIf", exifTIFF(3, false)}}}),
		"png16-inter": buildPNG(t, pngSpec{w: 24, h: 16, ct: 6, depth: 16, interlace: true, samples: samples16(24*16*4, 16)}),
		"jpeg":        jpegInsert(jb.Bytes(), jpegSegment(0xE1, append([]byte("Exif\x00\x00"), exifTIFF(6, true)...))),
		"gif":         gb.Bytes(),
		"bmp":         bb.Bytes(),
		"webp-vp8l":   wl,
		"webp-vp8":    wy,
	}
}

// checkErr accepts nil or an error wrapping one of the package sentinels.
func checkErr(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil && !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrUnsupported) && !errors.Is(err, ErrTooLarge) && !errors.Is(err, ErrAnimated) {
		t.Fatalf("%s: error without a sentinel: %v", what, err)
	}
}

func TestDamagedInputs(t *testing.T) {
	for name, data := range validFiles(t) {
		t.Run(name, func(t *testing.T) {
			if _, _, err := Decode(bytes.NewReader(data), Limits{}); err != nil {
				t.Fatalf("valid file: %v", err)
			}
			for cut := 0; cut < len(data); cut += max(1, len(data)/60) {
				_, _, err := Decode(bytes.NewReader(data[:cut]), Limits{})
				checkErr(t, "truncated", err)
				if err == nil && cut < len(data)*9/10 {
					t.Fatalf("truncated to %d of %d bytes decoded without error", cut, len(data))
				}
				_, err = DecodeConfig(bytes.NewReader(data[:cut]))
				checkErr(t, "truncated header", err)
			}
			for i := 0; i < len(data); i += max(1, len(data)/80) {
				bad := append([]byte(nil), data...)
				bad[i] ^= 0x5A
				_, _, err := Decode(bytes.NewReader(bad), Limits{MaxPixels: 1 << 20})
				checkErr(t, "corrupt byte", err)
			}
		})
	}
}
