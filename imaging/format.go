package imaging

import (
	"fmt"
	"path/filepath"
	"strings"
)

// Format is an image container format; its value is the canonical name
// (as in the API's format option).
type Format string

const (
	PNG  Format = "png"
	JPEG Format = "jpeg"
	WebP Format = "webp"
	GIF  Format = "gif"
	BMP  Format = "bmp"
)

// formats describes every format: its names (the first is canonical, the
// rest are aliases, also accepted as file extensions), its usual extension
// and its MIME type.
var formats = []formatInfo{
	{PNG, []string{"png"}, ".png", "image/png", true},
	{JPEG, []string{"jpeg", "jpg"}, ".jpg", "image/jpeg", true},
	{WebP, []string{"webp"}, ".webp", "image/webp", true},
	{GIF, []string{"gif"}, ".gif", "image/gif", false},
	{BMP, []string{"bmp"}, ".bmp", "image/bmp", false},
}

// ParseFormat reads a format name, ignoring case: png, jpeg (or jpg),
// webp, gif, bmp. Other names fail with ErrUnsupported.
func ParseFormat(name string) (Format, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	for _, d := range formats {
		for _, alias := range d.names {
			if n == alias {
				return d.f, nil
			}
		}
	}
	return "", fmt.Errorf("imaging: unknown format %q (png, jpeg, webp, gif, bmp): %w", name, ErrUnsupported)
}

// FormatOfPath is the format a file name's extension stands for (.png,
// .jpg, .jpeg, .webp, .gif, .bmp, any case).
func FormatOfPath(path string) (Format, error) {
	ext := filepath.Ext(path)
	if ext == "" {
		return "", fmt.Errorf("imaging: %q has no extension: %w", path, ErrUnsupported)
	}
	return ParseFormat(ext[1:])
}

// Extension is the usual file extension of the format, with its dot ("" for
// an unknown format).
func (f Format) Extension() string { return describe(f).ext }

// ContentType is the MIME type of the format (application/octet-stream for
// an unknown one).
func (f Format) ContentType() string {
	if ct := describe(f).contentType; ct != "" {
		return ct
	}
	return "application/octet-stream"
}

// Encodable reports whether NewEncoder writes the format (PNG, JPEG, WebP).
func (f Format) Encodable() bool { return describe(f).encodable }

type formatInfo struct {
	f           Format
	names       []string
	ext         string
	contentType string
	encodable   bool
}

func describe(f Format) formatInfo {
	for _, d := range formats {
		if d.f == f {
			return d
		}
	}
	return formatInfo{}
}
