package imaging

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// SniffLen is how many leading bytes Sniff needs to decide every format.
const SniffLen = 32

// Sniff names the container format from the first bytes of a file (not its
// name). It returns ErrUnsupported for empty input, non-images and image
// formats this package does not read (naming them when recognised).
func Sniff(first []byte) (Format, error) {
	b := first
	switch {
	case len(b) == 0:
		return "", fmt.Errorf("imaging: the image is empty (0 bytes): %w", ErrUnsupported)
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return PNG, nil
	case len(b) >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF:
		return JPEG, nil
	case bytes.HasPrefix(b, []byte("GIF87a")) || bytes.HasPrefix(b, []byte("GIF89a")):
		return GIF, nil
	case len(b) >= 12 && string(b[0:4]) == "RIFF" && string(b[8:12]) == "WEBP":
		return WebP, nil
	case len(b) >= 18 && b[0] == 'B' && b[1] == 'M' && bmpInfoSize(binary.LittleEndian.Uint32(b[14:18])):
		return BMP, nil
	}
	if name := unsupportedName(b); name != "" {
		return "", fmt.Errorf("imaging: %s images are not supported: %w", name, ErrUnsupported)
	}
	return "", fmt.Errorf("imaging: not a PNG, JPEG, WebP, GIF or BMP image: %w", ErrUnsupported)
}

// bmpInfoSize reports whether n is the size of a known BMP info header.
func bmpInfoSize(n uint32) bool {
	switch n {
	case 12, 40, 52, 56, 64, 108, 124:
		return true
	}
	return false
}

// unsupportedName recognises image formats we do not decode, for a clearer error.
func unsupportedName(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte("II*\x00")) || bytes.HasPrefix(b, []byte("MM\x00*")):
		return "TIFF"
	case len(b) >= 12 && string(b[4:8]) == "ftyp":
		switch string(b[8:12]) {
		case "avif", "avis":
			return "AVIF"
		case "heic", "heix", "hevc", "mif1", "msf1":
			return "HEIF"
		}
	case bytes.HasPrefix(b, []byte{0xFF, 0x0A}) || bytes.HasPrefix(b, []byte("\x00\x00\x00\x0cJXL \r\n\x87\n")):
		return "JPEG XL"
	case bytes.HasPrefix(b, []byte("8BPS")):
		return "PSD"
	case bytes.HasPrefix(b, []byte{0, 0, 1, 0}):
		return "ICO"
	case bytes.HasPrefix(b, []byte("\x00\x00\x00\x0cjP  ")):
		return "JPEG 2000"
	case len(b) >= 12 && string(b[0:4]) == "RIFF":
		return "RIFF " + fmt.Sprintf("%q", b[8:12])
	case len(b) >= 2 && b[0] == 'B' && b[1] == 'M':
		return "BMP variant"
	}
	return ""
}
