package imaging

import (
	"errors"
	"fmt"
	"image"
	"image/gif"
	"image/png"
	"io"

	"golang.org/x/image/bmp"
)

// Limits bounds what Decode accepts, checked from the header before any
// pixel is decoded.
type Limits struct {
	// MaxPixels is the largest Width*Height accepted; 0 means no limit
	// beyond HardMaxPixels.
	MaxPixels int64
}

// HardMaxPixels is the largest image Decode accepts whatever the Limits (2^30).
const HardMaxPixels = 1 << 30

// Decode reads an image: the header first (format sniffed from content),
// then the limit, then pixels. The returned Image is upright (EXIF
// orientation applied) and carries the ICC profile; the Header describes
// the file as stored. Gray stays 1 channel, gray+alpha 2, RGB 3, RGBA 4
// (non-premultiplied); 16-bit PNG stays 16-bit. CMYK/YCCK JPEG becomes RGB
// (naive conversion, Adobe-inverted samples undone; a CMYK ICC profile is then dropped, as is any profile
// whose colour space does not match the decoded channels).
//
// Errors: ErrUnsupported (not an image or an unsupported variant),
// ErrTooLarge (limit, naming size and limit), ErrAnimated (more than one
// frame), ErrCorrupt (damaged or truncated data, with a short reason).
func Decode(r io.Reader, lim Limits) (*Image, Header, error) {
	m, s, err := readHeader(r, true)
	if err != nil {
		return nil, Header{}, err
	}
	h := m.h
	px := int64(h.Width) * int64(h.Height)
	limit := int64(HardMaxPixels)
	if lim.MaxPixels > 0 && lim.MaxPixels < limit {
		limit = lim.MaxPixels
	}
	if px > limit {
		return nil, h, fmt.Errorf("imaging: %s image %dx%d has %d pixels, over the limit of %d: %w", h.Format, h.Width, h.Height, px, limit, ErrTooLarge)
	}
	if h.Frames > 1 {
		return nil, h, fmt.Errorf("imaging: %s image has %d or more frames: %w", h.Format, h.Frames, ErrAnimated)
	}
	icc, err := m.profile()
	if err != nil {
		return nil, h, err
	}
	img, err := decodePixels(m, s)
	if err != nil {
		return nil, h, err
	}
	if img.W != h.Width || img.H != h.Height || img.C != h.Channels || img.Depth != h.Depth {
		return nil, h, fmt.Errorf("imaging: %s: decoded %dx%dx%d/%d-bit, header says %dx%dx%d/%d-bit: %w",
			h.Format, img.W, img.H, img.C, img.Depth, h.Width, h.Height, h.Channels, h.Depth, ErrCorrupt)
	}
	if icc != nil && iccMatches(icc, img.C) {
		img.ICC = icc
	}
	if h.Orientation != 1 {
		img = Orient(img, h.Orientation)
	}
	return img, h, nil
}

// decodePixels runs the format's pixel decoder on the replayed stream,
// turning panics and decoder errors into ErrCorrupt/ErrUnsupported.
func decodePixels(m *meta, s *source) (img *Image, err error) {
	f := m.h.Format
	defer func() {
		if p := recover(); p != nil {
			img, err = nil, fmt.Errorf("imaging: %s: decoder failed (%v): %w", f, p, ErrCorrupt)
		}
	}()
	var std image.Image
	switch f {
	case PNG:
		std, err = png.Decode(s.rest())
	case JPEG:
		return decodeJPEG(m, s)
	case BMP:
		std, err = bmp.Decode(s.rest())
	case GIF:
		std, err = gif.Decode(s.rest())
	case WebP:
		return decodeWebP(m, s)
	default:
		return nil, fmt.Errorf("imaging: format %q: %w", f, ErrUnsupported)
	}
	if err != nil {
		return nil, decoderError(f, err)
	}
	if f == GIF {
		return fromGIF(std, m.h)
	}
	return fromStd(std, m.h.Channels)
}

// decoderError classifies a stdlib decoder error.
func decoderError(f Format, err error) error {
	var pu png.UnsupportedError
	switch {
	case errors.As(err, &pu), errors.Is(err, bmp.ErrUnsupported):
		return fmt.Errorf("imaging: %s: %v: %w", f, err, ErrUnsupported)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return fmt.Errorf("imaging: %s: truncated image data: %w", f, ErrCorrupt)
	}
	return fmt.Errorf("imaging: %s: %v: %w", f, err, ErrCorrupt)
}
