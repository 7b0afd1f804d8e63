package imaging

import "fmt"

// Image is a decoded image: interleaved samples, non-premultiplied alpha.
// Exactly one of Pix8 (Depth 8) or Pix16 (Depth 16) is set; it holds
// W*H*C samples, row-major, channel order gray | gray,alpha | R,G,B | R,G,B,A.
type Image struct {
	W, H  int
	C     int // channels 1..4
	Depth int // bits per sample: 8 or 16
	Pix8  []uint8
	Pix16 []uint16
	// ICC is the embedded colour profile, nil when none.
	ICC []byte
}

// NewImage allocates a zeroed image.
func NewImage(w, h, c, depth int) (*Image, error) {
	if w <= 0 || h <= 0 || c < 1 || c > 4 || (depth != 8 && depth != 16) {
		return nil, fmt.Errorf("imaging: invalid image %dx%d, %d channels, depth %d: %w", w, h, c, depth, ErrUnsupported)
	}
	n := int64(w) * int64(h) * int64(c)
	if n > maxSamples {
		return nil, fmt.Errorf("imaging: image %dx%dx%d exceeds %d samples: %w", w, h, c, int64(maxSamples), ErrTooLarge)
	}
	m := &Image{W: w, H: h, C: c, Depth: depth}
	if depth == 8 {
		m.Pix8 = make([]uint8, n)
	} else {
		m.Pix16 = make([]uint16, n)
	}
	return m, nil
}

// maxSamples bounds W*H*C of any image this package allocates (4 Gi samples).
const maxSamples = 1 << 32

// Stride is the number of samples per row.
func (m *Image) Stride() int { return m.W * m.C }

// Rows returns a view of rows [y0, y1) sharing m's pixels (no ICC).
func (m *Image) Rows(y0, y1 int) *Image {
	s := m.Stride()
	b := &Image{W: m.W, H: y1 - y0, C: m.C, Depth: m.Depth}
	if m.Depth == 8 {
		b.Pix8 = m.Pix8[y0*s : y1*s]
	} else {
		b.Pix16 = m.Pix16[y0*s : y1*s]
	}
	return b
}

// valid reports whether m's fields are consistent.
func (m *Image) valid() error {
	if m == nil || m.W <= 0 || m.H <= 0 || m.C < 1 || m.C > 4 {
		return fmt.Errorf("imaging: invalid image geometry: %w", ErrUnsupported)
	}
	n := m.W * m.H * m.C
	switch m.Depth {
	case 8:
		if len(m.Pix8) != n {
			return fmt.Errorf("imaging: image %dx%dx%d has %d 8-bit samples, want %d: %w", m.W, m.H, m.C, len(m.Pix8), n, ErrUnsupported)
		}
	case 16:
		if len(m.Pix16) != n {
			return fmt.Errorf("imaging: image %dx%dx%d has %d 16-bit samples, want %d: %w", m.W, m.H, m.C, len(m.Pix16), n, ErrUnsupported)
		}
	default:
		return fmt.Errorf("imaging: depth %d: %w", m.Depth, ErrUnsupported)
	}
	return nil
}
