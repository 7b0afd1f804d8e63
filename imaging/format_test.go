package imaging

import (
	"errors"
	"testing"
)

func TestParseFormat(t *testing.T) {
	tests := []struct {
		in   string
		want Format
		ext  string
		ct   string
		enc  bool
	}{
		{"png", PNG, ".png", "image/png", true},
		{"PNG", PNG, ".png", "image/png", true},
		{"jpeg", JPEG, ".jpg", "image/jpeg", true},
		{"jpg", JPEG, ".jpg", "image/jpeg", true},
		{" JPG ", JPEG, ".jpg", "image/jpeg", true},
		{"webp", WebP, ".webp", "image/webp", true},
		{"gif", GIF, ".gif", "image/gif", false},
		{"bmp", BMP, ".bmp", "image/bmp", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			f, err := ParseFormat(tt.in)
			if err != nil || f != tt.want {
				t.Fatalf("ParseFormat(%q) = %q, %v; want %q", tt.in, f, err, tt.want)
			}
			if f.Extension() != tt.ext || f.ContentType() != tt.ct || f.Encodable() != tt.enc {
				t.Errorf("%s: extension %q, content type %q, encodable %v; want %q, %q, %v",
					f, f.Extension(), f.ContentType(), f.Encodable(), tt.ext, tt.ct, tt.enc)
			}
			// the extension names the format back
			if g, err := FormatOfPath("page" + f.Extension()); err != nil || g != f {
				t.Errorf("FormatOfPath(page%s) = %q, %v", f.Extension(), g, err)
			}
		})
	}
	for _, bad := range []string{"", "tiff", "same", "jpe"} {
		if f, err := ParseFormat(bad); !errors.Is(err, ErrUnsupported) {
			t.Errorf("ParseFormat(%q) = %q, %v; want ErrUnsupported", bad, f, err)
		}
	}
	var unknown Format = "tiff"
	if unknown.Extension() != "" || unknown.ContentType() != "application/octet-stream" || unknown.Encodable() {
		t.Errorf("unknown format: %q %q %v", unknown.Extension(), unknown.ContentType(), unknown.Encodable())
	}
}

func TestFormatOfPath(t *testing.T) {
	for path, want := range map[string]Format{"a/b.JPEG": JPEG, "p.jpg": JPEG, "x.y.webp": WebP, "scan.Bmp": BMP} {
		if f, err := FormatOfPath(path); err != nil || f != want {
			t.Errorf("FormatOfPath(%q) = %q, %v; want %q", path, f, err, want)
		}
	}
	for _, path := range []string{"page", "page.txt", "dir.png/page", ".png/"} {
		if f, err := FormatOfPath(path); err == nil {
			t.Errorf("FormatOfPath(%q) = %q, want an error", path, f)
		}
	}
}
