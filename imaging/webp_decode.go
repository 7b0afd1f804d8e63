package imaging

import (
	"fmt"

	"github.com/chai2010/webp"
)

// decodeWebP decodes a still WebP held whole in the recorded header bytes.
func decodeWebP(m *meta, s *source) (*Image, error) {
	if m.h.est.anim {
		return nil, fmt.Errorf("imaging: webp: animation container: %w", ErrAnimated)
	}
	data := s.buf
	w, h := m.h.Width, m.h.Height
	if m.h.Channels == 4 {
		img, err := webp.DecodeRGBA(data)
		if err != nil {
			return nil, fmt.Errorf("imaging: webp: libwebp could not decode the bitstream: %w", ErrCorrupt)
		}
		if img.Rect.Dx() != w || img.Rect.Dy() != h {
			return nil, fmt.Errorf("imaging: webp: decoded %v, header says %dx%d: %w", img.Rect, w, h, ErrCorrupt)
		}
		// libwebp's RGBA output is not premultiplied.
		return &Image{W: w, H: h, C: 4, Depth: 8, Pix8: img.Pix}, nil
	}
	img, err := webp.DecodeRGB(data)
	if err != nil {
		return nil, fmt.Errorf("imaging: webp: libwebp could not decode the bitstream: %w", ErrCorrupt)
	}
	if img.XRect.Dx() != w || img.XRect.Dy() != h {
		return nil, fmt.Errorf("imaging: webp: decoded %v, header says %dx%d: %w", img.XRect, w, h, ErrCorrupt)
	}
	return &Image{W: w, H: h, C: 3, Depth: 8, Pix8: img.XPix}, nil
}
