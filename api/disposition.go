package api

import (
	"fmt"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/upscaled/upscaled/imaging"
)

// maxNameBytes bounds a sanitised file name (without extension).
const maxNameBytes = 180

// SanitizeName makes a client file name safe to send back and to store: the
// last path element only, valid UTF-8, no control characters, quotes or
// separators, not starting with a dot, bounded length; ext (without dot)
// replaces the extension. An empty result becomes "image".
func SanitizeName(name, ext string) string {
	name = strings.ToValidUTF8(name, "_")
	name = strings.ReplaceAll(name, "\\", "/")
	name = path.Base(name)
	if name == "." || name == "/" {
		name = ""
	}
	name = strings.TrimSuffix(name, path.Ext(name))
	name = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsControl(r), r == '"', r == '/', r == ':', r == '*', r == '?', r == '<', r == '>', r == '|', r == utf8.RuneError:
			return '_'
		case unicode.IsSpace(r):
			return ' '
		}
		return r
	}, name)
	name = strings.TrimLeft(strings.TrimSpace(name), ".")
	for len(name) > maxNameBytes {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	if name == "" {
		name = "image"
	}
	if ext != "" {
		name += "." + ext
	}
	return name
}

// contentDisposition is an attachment header (RFC 6266) with an ASCII
// fallback filename and the UTF-8 filename*: the client's name with the
// extension of format f.
func contentDisposition(clientName string, f imaging.Format) string {
	name := SanitizeName(clientName, strings.TrimPrefix(f.Extension(), "."))
	ascii := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '\\' || r == '%' {
			return '_'
		}
		return r
	}, name)
	return fmt.Sprintf("attachment; filename=\"%s\"; filename*=UTF-8''%s", ascii, extValue(name))
}

// extValue percent-encodes s as an RFC 8187 ext-value (attr-char kept).
func extValue(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}
