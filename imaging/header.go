package imaging

import "errors"

var (
	// ErrUnsupported: not an image, or a format/feature we do not read.
	ErrUnsupported = errors.New("unsupported image format")
	// ErrCorrupt: the data claims a known format but cannot be decoded.
	ErrCorrupt = errors.New("corrupt image")
	// ErrTooLarge: the image exceeds a pixel limit.
	ErrTooLarge = errors.New("image too large")
	// ErrAnimated: animated input (more than one frame) is not supported.
	ErrAnimated = errors.New("animated images are not supported")
)

// Header is what the first bytes of a file tell, read without decoding pixels.
type Header struct {
	Format Format
	// Width and Height as stored (before EXIF orientation).
	Width, Height int
	// Channels: 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA (after decoding, e.g. a
	// palette PNG with tRNS reports 4, CMYK JPEG reports 3; a PNG or GIF
	// palette whose entries are all gray reports 1, or 2 with transparency).
	Channels int
	// Depth is bits per channel of the decoded image: 8 or 16.
	Depth int
	// Orientation is the EXIF orientation 1..8 (1 when absent).
	Orientation int
	// Frames is the number of frames (GIF/WebP animation), 1 for stills.
	Frames int
	// HasICC reports an embedded ICC profile.
	HasICC bool

	// est holds decoder buffer sizes for DecodeBytes, set by DecodeConfig.
	est decodeEst
}

// OrientedSize is the width and height after applying Orientation.
func (h Header) OrientedSize() (w, hh int) {
	if h.Orientation >= 5 && h.Orientation <= 8 {
		return h.Height, h.Width
	}
	return h.Width, h.Height
}
