package jobs

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/upscaled/upscaled/imaging"
)

func TestSanitizeName(t *testing.T) {
	long := strings.Repeat("é", 200) + ".png"
	tests := []struct {
		name, raw, want string
	}{
		{"plain", "page 01.png", "page 01.png"},
		{"unix path", "../../etc/passwd", "passwd"},
		{"windows path", `C:\Users\me\page 1.jpg`, "page 1.jpg"},
		{"trailing slash", "dir/", "fallback"},
		{"NUL and newline", "a\x00b\nc.png", "abc.png"},
		{"invalid UTF-8", "\xff\xfepage.png", "_page.png"},
		{"bidi override", "\u202egnp.exe", "gnp.exe"},
		{"zero width", "pa\u200bge.png", "page.png"},
		{"reserved chars", `a:b*c?"<>|.png`, "a_b_c_____.png"},
		{"dots and spaces", " ..hidden.png. ", "hidden.png"},
		{"dot dot", "..", "fallback"},
		{"empty", "", "fallback"},
		{"device name", "CON.png", "_CON.png"},
		{"device name com1", "com1.tar.png", "_com1.tar.png"},
		{"only extension", ".png", "png"},
		{"tab to space", "a\tb.png", "ab.png"},
		{"unicode kept", "漫画 第1話.webp", "漫画 第1話.webp"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := SanitizeName([]byte(tc.raw), "fallback")
			if got != tc.want {
				t.Errorf("SanitizeName(%q) = %q, want %q", tc.raw, got, tc.want)
			}
		})
	}
	t.Run("long", func(t *testing.T) {
		got := SanitizeName([]byte(long), "fallback")
		if len(got) > MaxNameBytes || !utf8.ValidString(got) || !strings.HasSuffix(got, ".png") {
			t.Errorf("SanitizeName(long) = %q (%d bytes): want valid UTF-8 ≤ %d bytes ending .png", got, len(got), MaxNameBytes)
		}
	})
}

func TestResultName(t *testing.T) {
	tests := []struct {
		name string
		f    imaging.Format
		want string
	}{
		{"page.png", imaging.WebP, "page.webp"},
		{"page.tar.png", imaging.JPEG, "page.tar.jpg"},
		{"page", imaging.PNG, "page.png"},
		{"png", imaging.WebP, "png.webp"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ResultName(tc.name, tc.f); got != tc.want {
				t.Errorf("ResultName(%q, %s) = %q, want %q", tc.name, tc.f, got, tc.want)
			}
		})
	}
}

func TestDedup(t *testing.T) {
	in := []string{"a.webp", "A.webp", "a (2).webp", "a.webp", "b.webp"}
	want := []string{"a.webp", "A (2).webp", "a (2) (2).webp", "a (3).webp", "b.webp"}
	got := Dedup(in)
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("Dedup[%d] = %q, want %q (all: %q)", i, got[i], want[i], got)
		}
	}
}

func TestIDs(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 100; i++ {
		id, err := newID()
		if err != nil {
			t.Fatal(err)
		}
		if !validID(id) || seen[id] {
			t.Fatalf("newID() = %q: invalid or repeated", id)
		}
		seen[id] = true
	}
	for _, bad := range []string{"", "../../etc", strings.Repeat("A", 32), strings.Repeat("0", 31), strings.Repeat("g", 32)} {
		if validID(bad) {
			t.Errorf("validID(%q) = true", bad)
		}
	}
}
