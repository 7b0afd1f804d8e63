package jobs

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/upscaled/upscaled/imaging"
)

const (
	// MaxNameBytes bounds a sanitised name, extension included.
	MaxNameBytes = 150
	// MaxRawNameBytes bounds the stored raw name.
	MaxRawNameBytes = 1024
)

// newID returns 128 random bits as 32 lowercase hex digits.
func newID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("jobs: job id: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// validID reports whether id has the shape newID gives; anything else can
// never name a job (and never reaches the file system).
func validID(id string) bool {
	if len(id) != 32 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// SanitizeName turns a client-sent file name into a safe base name: valid
// UTF-8, no directory part, no control or format characters, no characters
// reserved on common file systems, no leading/trailing dots or spaces, not a
// reserved device name, at most MaxNameBytes. fallback is used when nothing
// remains.
func SanitizeName(raw []byte, fallback string) string {
	s := strings.ToValidUTF8(string(raw), "_")
	if i := strings.LastIndexAny(s, `/\`); i >= 0 {
		s = s[i+1:]
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case unicode.IsControl(r), unicode.Is(unicode.Cf, r), r == utf8.RuneError:
			// dropped: NUL, newlines, bidi overrides, zero-width characters
		case strings.ContainsRune(`:*?"<>|`, r):
			b.WriteByte('_')
		case unicode.IsSpace(r):
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	s = strings.Trim(b.String(), " .")
	if s == "" {
		return fallback
	}
	ext := path.Ext(s)
	stem := strings.TrimSuffix(s, ext)
	if len(ext) > 16 {
		stem, ext = s, ""
	}
	if stem == "" {
		stem = fallback
	}
	if reservedDevice(stem) {
		stem = "_" + stem
	}
	stem = truncateUTF8(stem, MaxNameBytes-len(ext))
	return stem + ext
}

// reservedDevice reports Windows device names, which cannot be extracted
// from a zip there.
func reservedDevice(stem string) bool {
	base, _, _ := strings.Cut(strings.ToUpper(stem), ".")
	switch base {
	case "CON", "PRN", "AUX", "NUL":
		return true
	}
	if len(base) == 4 && (strings.HasPrefix(base, "COM") || strings.HasPrefix(base, "LPT")) && base[3] >= '1' && base[3] <= '9' {
		return true
	}
	return false
}

// truncateUTF8 cuts s to at most n bytes on a rune boundary.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// ResultName is the download name of an item's result: its sanitised name
// with the output format's extension instead of its own.
func ResultName(name string, f imaging.Format) string {
	stem := strings.TrimSuffix(name, path.Ext(name))
	if stem == "" {
		stem = name
	}
	return stem + f.Extension()
}

// Dedup makes names unique, ignoring case, by adding " (2)", " (3)"… before
// the extension of later duplicates; order is kept.
func Dedup(names []string) []string {
	used := make(map[string]bool, len(names))
	out := make([]string, len(names))
	for i, n := range names {
		cand := n
		ext := path.Ext(n)
		stem := strings.TrimSuffix(n, ext)
		for k := 2; used[strings.ToLower(cand)]; k++ {
			cand = fmt.Sprintf("%s (%d)%s", stem, k, ext)
		}
		used[strings.ToLower(cand)] = true
		out[i] = cand
	}
	return out
}
