package imaging

import (
	"encoding/binary"
	"fmt"
)

// readBMPHeader reads the file and info headers of an uncompressed BMP.
func readBMPHeader(s *source) (*meta, error) {
	m := &meta{}
	b, err := s.read(18)
	if err != nil {
		return nil, errTruncated(BMP, "file header", err)
	}
	infoLen := int(binary.LittleEndian.Uint32(b[14:]))
	if infoLen != 40 && infoLen != 108 && infoLen != 124 {
		return nil, fmt.Errorf("imaging: bmp: info header of %d bytes (want 40, 108 or 124): %w", infoLen, ErrUnsupported)
	}
	d, err := s.read(infoLen - 4)
	if err != nil {
		return nil, errTruncated(BMP, "info header", err)
	}
	w, h := int32(binary.LittleEndian.Uint32(d[0:])), int32(binary.LittleEndian.Uint32(d[4:]))
	if h < 0 {
		h = -h
	}
	planes, bpp := binary.LittleEndian.Uint16(d[8:]), binary.LittleEndian.Uint16(d[10:])
	comp := binary.LittleEndian.Uint32(d[12:])
	if err := checkDims(BMP, int(w), int(h)); err != nil {
		return nil, err
	}
	if planes != 1 {
		return nil, fmt.Errorf("imaging: bmp: %d planes: %w", planes, ErrCorrupt)
	}
	if comp != 0 && !(comp == 3 && bpp == 32) {
		return nil, fmt.Errorf("imaging: bmp: compression method %d (only uncompressed BMP is read): %w", comp, ErrUnsupported)
	}
	m.h.Width, m.h.Height, m.h.Depth = int(w), int(h), 8
	switch bpp {
	case 1, 2, 4, 8:
		m.h.Channels = 3
		m.h.est.paletted = true
		m.h.est.decodedSamples = 1
	case 24:
		m.h.Channels = 3
		m.h.est.decodedSamples = 4
	case 32:
		m.h.Channels = 3
		if infoLen > 40 {
			m.h.Channels = 4
		}
		m.h.est.decodedSamples = 4
	default:
		return nil, fmt.Errorf("imaging: bmp: %d bits per pixel: %w", bpp, ErrUnsupported)
	}
	return m, nil
}
