package imaging

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// readPNGHeader walks PNG chunks up to the first IDAT. Chunks the pixel
// decoder does not need (iCCP, eXIf, text, ...) are dropped from the replay.
func readPNGHeader(s *source) (*meta, error) {
	m := &meta{}
	if _, err := s.read(8); err != nil {
		return nil, errTruncated(PNG, "signature", err)
	}
	var (
		seenIHDR   bool
		colorType  byte
		bitDepth   byte
		plte, trns []byte
	)
	for {
		ch, err := s.read(8)
		if err != nil {
			return nil, errTruncated(PNG, "chunk header", err)
		}
		n := int64(binary.BigEndian.Uint32(ch[:4]))
		typ := string(ch[4:8])
		if n > 1<<31-1 {
			return nil, fmt.Errorf("imaging: png: chunk %q length %d exceeds 2^31-1: %w", typ, n, ErrCorrupt)
		}
		if !seenIHDR && typ != "IHDR" {
			return nil, fmt.Errorf("imaging: png: first chunk is %q, want IHDR: %w", typ, ErrCorrupt)
		}
		switch typ {
		case "IHDR":
			if seenIHDR || n != 13 {
				return nil, fmt.Errorf("imaging: png: bad IHDR: %w", ErrCorrupt)
			}
			b, err := s.read(13 + 4)
			if err != nil {
				return nil, errTruncated(PNG, "IHDR", err)
			}
			w, h := binary.BigEndian.Uint32(b[0:]), binary.BigEndian.Uint32(b[4:])
			bitDepth, colorType = b[8], b[9]
			if w > 1<<31-1 || h > 1<<31-1 {
				return nil, fmt.Errorf("imaging: png: size %dx%d exceeds 2^31-1: %w", w, h, ErrCorrupt)
			}
			if err := checkDims(PNG, int(w), int(h)); err != nil {
				return nil, err
			}
			if !pngDepthOK(colorType, bitDepth) {
				return nil, fmt.Errorf("imaging: png: colour type %d with bit depth %d: %w", colorType, bitDepth, ErrCorrupt)
			}
			if b[10] != 0 || b[11] != 0 || b[12] > 1 {
				return nil, fmt.Errorf("imaging: png: unknown compression/filter/interlace method: %w", ErrCorrupt)
			}
			m.h.Width, m.h.Height = int(w), int(h)
			m.h.est.interlaced = b[12] == 1
			seenIHDR = true
		case "PLTE", "tRNS":
			if n > 3*256 {
				return nil, fmt.Errorf("imaging: png: %s chunk of %d bytes: %w", typ, n, ErrCorrupt)
			}
			b, err := s.read(int(n) + 4)
			if err != nil {
				return nil, errTruncated(PNG, typ, err)
			}
			if typ == "PLTE" {
				plte = append([]byte(nil), b[:n]...)
			} else {
				trns = append([]byte(nil), b[:n]...)
			}
		case "iCCP":
			if n > MaxICCBytes+80 {
				return nil, fmt.Errorf("imaging: png: iCCP chunk of %d bytes exceeds %d: %w", n, MaxICCBytes+80, ErrTooLarge)
			}
			b, err := s.read(int(n) + 4)
			if err != nil {
				return nil, errTruncated(PNG, "iCCP", err)
			}
			b = b[:n]
			if i := bytes.IndexByte(b, 0); i < 1 || i > 79 || i+2 > len(b) || b[i+1] != 0 {
				m.iccErr = fmt.Errorf("imaging: png: malformed iCCP chunk: %w", ErrCorrupt)
			} else {
				m.iccZ = append([]byte(nil), b[i+2:]...)
			}
			s.forget(8 + int(n) + 4)
		case "eXIf":
			k := min(n, maxExifBytes)
			b, err := s.read(int(k))
			if err != nil {
				return nil, errTruncated(PNG, "eXIf", err)
			}
			m.h.Orientation = exifOrientation(b)
			s.forget(8 + int(k))
			if err := s.drop(0, n-k+4); err != nil {
				return nil, errTruncated(PNG, "eXIf", err)
			}
		case "acTL":
			b, err := s.read(int(min(n, 8)))
			if err != nil || n < 8 {
				return nil, errTruncated(PNG, "acTL", err)
			}
			m.h.Frames = int(max(1, min(binary.BigEndian.Uint32(b[:4]), 1<<30)))
			s.forget(8 + 8)
			if err := s.drop(0, n-8+4); err != nil {
				return nil, errTruncated(PNG, "acTL", err)
			}
		case "IDAT":
			return pngFinish(m, colorType, bitDepth, plte, trns)
		case "IEND":
			return nil, fmt.Errorf("imaging: png: no image data (IEND before IDAT): %w", ErrCorrupt)
		default:
			if err := s.drop(8, n+4); err != nil {
				return nil, errTruncated(PNG, typ, err)
			}
		}
	}
}

func pngDepthOK(ct, d byte) bool {
	switch ct {
	case 0:
		return d == 1 || d == 2 || d == 4 || d == 8 || d == 16
	case 3:
		return d == 1 || d == 2 || d == 4 || d == 8
	case 2, 4, 6:
		return d == 8 || d == 16
	}
	return false
}

// pngFinish derives channels and depth as the decoder will deliver them.
func pngFinish(m *meta, ct, depth byte, plte, trns []byte) (*meta, error) {
	m.h.Depth = 8
	if depth == 16 {
		m.h.Depth = 16
	}
	m.h.est.decodedSamples = 4
	switch ct {
	case 0:
		m.h.Channels = 1
		m.h.est.decodedSamples = 1
		if trns != nil {
			m.h.Channels = 2
			m.h.est.decodedSamples = 4
		}
	case 2:
		m.h.Channels = 3
		if trns != nil {
			m.h.Channels = 4
		}
	case 3:
		if len(plte) == 0 || len(plte)%3 != 0 {
			return nil, fmt.Errorf("imaging: png: palette image without a valid PLTE: %w", ErrCorrupt)
		}
		alpha := false
		for _, a := range trns {
			if a != 0xFF {
				alpha = true
			}
		}
		gray := grayPalette(plte)
		switch {
		case gray && alpha:
			m.h.Channels = 2
		case gray:
			m.h.Channels = 1
		case alpha:
			m.h.Channels = 4
		default:
			m.h.Channels = 3
		}
		m.h.est.paletted = true
		m.h.est.decodedSamples = 1
	case 4:
		m.h.Channels = 2
	case 6:
		m.h.Channels = 4
	}
	return m, nil
}
