package imaging

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// fuzzSeeds are small valid and hostile files of every format.
func fuzzSeeds(f *testing.F) {
	for _, d := range validFiles(f) {
		f.Add(d)
	}
	files, _ := filepath.Glob("testdata/*.*")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil && len(b) < 1<<16 && filepath.Ext(p) != ".md" {
			f.Add(b)
		}
	}
	f.Add(bombPNG(100000, 100000))
	f.Add(bombJPEG(65535, 65535))
	f.Add([]byte{})
	f.Add([]byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"))
	f.Add([]byte("RIFF\x10\x00\x00\x00WEBPVP8X\x0a\x00\x00\x00\x20\x00\x00\x00\x00\x00\x00\x00\x00\x00"))
}

func isSentinel(err error) bool {
	return errors.Is(err, ErrCorrupt) || errors.Is(err, ErrUnsupported) || errors.Is(err, ErrTooLarge) || errors.Is(err, ErrAnimated)
}

func FuzzSniff(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		fm, err := Sniff(b)
		if (err == nil) == (fm == "") {
			t.Fatalf("format %q with err %v", fm, err)
		}
		if err != nil && !errors.Is(err, ErrUnsupported) {
			t.Fatalf("error without ErrUnsupported: %v", err)
		}
		if len(b) > SniffLen {
			if f2, _ := Sniff(b[:SniffLen]); f2 != fm {
				t.Fatalf("SniffLen bytes give %q, all give %q", f2, fm)
			}
		}
	})
}

func FuzzDecodeConfig(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := DecodeConfig(bytes.NewReader(b))
		if err != nil {
			if !isSentinel(err) {
				t.Fatalf("error without a sentinel: %v", err)
			}
			return
		}
		if h.Width <= 0 || h.Height <= 0 || h.Channels < 1 || h.Channels > 4 || (h.Depth != 8 && h.Depth != 16) ||
			h.Orientation < 1 || h.Orientation > 8 || h.Frames < 1 {
			t.Fatalf("invalid header %+v", h)
		}
	})
}

func FuzzDecode(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		img, h, err := Decode(bytes.NewReader(b), Limits{MaxPixels: 1 << 16})
		if err != nil {
			if !isSentinel(err) {
				t.Fatalf("error without a sentinel: %v", err)
			}
			return
		}
		ch, err := DecodeConfig(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("Decode succeeded, DecodeConfig failed: %v", err)
		}
		ch.est, h.est = decodeEst{}, decodeEst{}
		if ch != h {
			t.Fatalf("headers differ: %+v vs %+v", ch, h)
		}
		ow, oh := h.OrientedSize()
		if img.W != ow || img.H != oh || img.C != h.Channels || img.Depth != h.Depth || img.valid() != nil {
			t.Fatalf("image %dx%dx%d/%d vs header %+v", img.W, img.H, img.C, img.Depth, h)
		}
	})
}
