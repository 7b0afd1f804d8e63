package api

import (
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/upscaled/upscaled/upscale"
)

func TestParseOptions(t *testing.T) {
	tests := []struct {
		name string
		in   url.Values
		want upscale.Options
	}{
		{"defaults", url.Values{}, upscale.Options{Model: "realcugan-up2x-conservative", Format: "webp", Quality: 90}},
		{"preset lower case", url.Values{"preset": {"e"}}, upscale.Options{Model: "realcugan-up2x-denoise1x", Format: "webp", Quality: 90}},
		{"scale and denoise", url.Values{"scale": {"4"}, "denoise": {"3"}}, upscale.Options{Model: "realcugan-up4x-denoise3x", Format: "webp", Quality: 90}},
		{"scale only", url.Values{"scale": {"3"}}, upscale.Options{Model: "realcugan-up3x-conservative", Format: "webp", Quality: 90}},
		{"esrgan family", url.Values{"family": {"realesrgan"}, "scale": {"4"}}, upscale.Options{Model: "realesrgan-animevideov3-x4", Format: "webp", Quality: 90}},
		{"model id", url.Values{"model": {"realesrgan-x4plus-anime"}}, upscale.Options{Model: "realesrgan-x4plus-anime", Format: "webp", Quality: 90}},
		{"everything", url.Values{"format": {"JPG"}, "quality": {"75"}, "tile": {"0"}, "tta": {"true"}, "lossless": {"1"}},
			upscale.Options{Model: "realcugan-up2x-conservative", Format: "jpeg", Quality: 75, TTA: true, Lossless: true}},
		{"effort and subsampling", url.Values{"format": {"jpeg"}, "effort": {"0"}, "subsampling": {"4:4:4"}},
			upscale.Options{Model: "realcugan-up2x-conservative", Format: "jpeg", Quality: 90, Effort: intp(0), Subsampling: "444"}},
		{"bare checkbox", url.Values{"tta": {""}, "tile": {"128"}}, upscale.Options{Model: "realcugan-up2x-conservative", Format: "webp", Quality: 90, TTA: true, Tile: 128}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseOptions(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestParseOptionsExtra(t *testing.T) {
	if _, err := ParseOptions(url.Values{"callback": {"x"}}, "callback"); err != nil {
		t.Fatalf("extra field refused: %v", err)
	}
	if _, err := ParseOptions(url.Values{"callback": {"x"}}); err == nil {
		t.Fatal("unknown field accepted")
	}
}

func TestSanitizeName(t *testing.T) {
	tests := []struct{ in, ext, want string }{
		{"page.png", "webp", "page.webp"},
		{"../../etc/passwd.png", "png", "passwd.png"},
		{`C:\Users\x\scan 01.JPG`, "jpg", "scan 01.jpg"},
		{"", "webp", "image.webp"},
		{".hidden.png", "png", "hidden.png"},
		{"a\x00b\nc.png", "png", "a_b_c.png"},
		{"quote\"d.png", "png", "quote_d.png"},
		{"bad\xff\xfeutf8.png", "png", "bad_utf8.png"},
		{"ページ.png", "webp", "ページ.webp"},
		{"..", "png", "image.png"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := SanitizeName(tt.in, tt.ext); got != tt.want {
				t.Fatalf("SanitizeName(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
	long := SanitizeName(strings.Repeat("長", 400)+".png", "png")
	if len(long) > maxNameBytes+4 {
		t.Fatalf("long name not bounded: %d bytes", len(long))
	}
}

func TestContentDisposition(t *testing.T) {
	got := contentDisposition("ページ 1;x=y.png", "webp")
	want := `attachment; filename="___ 1;x=y.webp"; filename*=UTF-8''%E3%83%9A%E3%83%BC%E3%82%B8%201%3Bx%3Dy.webp`
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

func intp(v int) *int { return &v }
