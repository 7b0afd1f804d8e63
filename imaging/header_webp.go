package imaging

import (
	"encoding/binary"
	"fmt"
	"io"
)

// WebP VP8X feature flags.
const (
	webpFlagAnim  = 0x02
	webpFlagXMP   = 0x04
	webpFlagEXIF  = 0x08
	webpFlagAlpha = 0x10
	webpFlagICC   = 0x20
)

// readWebPHeader walks the RIFF chunks of a WebP file. The whole file is
// recorded in record mode: libwebp decodes from one buffer.
func readWebPHeader(s *source) (*meta, error) {
	m := &meta{}
	b, err := s.read(12)
	if err != nil {
		return nil, errTruncated(WebP, "RIFF header", err)
	}
	riff := int64(binary.LittleEndian.Uint32(b[4:8]))
	if riff < 4+8 {
		return nil, fmt.Errorf("imaging: webp: RIFF size %d too small: %w", riff, ErrCorrupt)
	}
	m.h.est.fileBytes = riff + 8
	s.max = max(s.max, riff+8)
	var (
		vp8x           bool
		alpha, anim    bool
		haveBitstream  bool
		frames         int
		bw, bh, cw, ch int
	)
	pos := int64(12)
	for pos+8 <= riff+8 {
		hd, err := s.read(8)
		if err != nil {
			if err == io.EOF && haveBitstream {
				break // trailing metadata cut off; the bitstream is complete
			}
			return nil, errTruncated(WebP, "chunk header", err)
		}
		typ := string(hd[:4])
		n := int64(binary.LittleEndian.Uint32(hd[4:]))
		padded := n + n&1
		pos += 8 + padded
		if pos > riff+8 {
			return nil, fmt.Errorf("imaging: webp: chunk %q of %d bytes overruns the RIFF size %d: %w", typ, n, riff, ErrCorrupt)
		}
		switch typ {
		case "VP8X":
			if n < 10 {
				return nil, fmt.Errorf("imaging: webp: short VP8X: %w", ErrCorrupt)
			}
			d, err := s.read(int(padded))
			if err != nil {
				return nil, errTruncated(WebP, "VP8X", err)
			}
			vp8x = true
			alpha = d[0]&webpFlagAlpha != 0
			anim = d[0]&webpFlagAnim != 0
			cw = 1 + int(uint32(d[4])|uint32(d[5])<<8|uint32(d[6])<<16)
			ch = 1 + int(uint32(d[7])|uint32(d[8])<<8|uint32(d[9])<<16)
		case "VP8 ", "VP8L":
			k := min(padded, 10)
			d, err := s.read(int(k))
			if err != nil {
				return nil, errTruncated(WebP, typ, err)
			}
			if typ == "VP8 " {
				if len(d) < 10 || d[3] != 0x9d || d[4] != 0x01 || d[5] != 0x2a {
					return nil, fmt.Errorf("imaging: webp: bad VP8 frame header: %w", ErrCorrupt)
				}
				bw = int(binary.LittleEndian.Uint16(d[6:]) & 0x3fff)
				bh = int(binary.LittleEndian.Uint16(d[8:]) & 0x3fff)
			} else {
				if len(d) < 5 || d[0] != 0x2f {
					return nil, fmt.Errorf("imaging: webp: bad VP8L signature: %w", ErrCorrupt)
				}
				v := binary.LittleEndian.Uint32(d[1:5])
				bw, bh = 1+int(v&0x3fff), 1+int(v>>14&0x3fff)
				if v>>28&1 != 0 {
					alpha = true
				}
				m.h.est.lossless = true
			}
			haveBitstream = true
			if err := s.skip(padded - k); err != nil {
				return nil, errTruncated(WebP, typ+" data", err)
			}
		case "ALPH":
			alpha = true
			if err := s.skip(padded); err != nil {
				return nil, errTruncated(WebP, "ALPH", err)
			}
		case "ICCP":
			if n > MaxICCBytes {
				return nil, fmt.Errorf("imaging: webp: ICC profile of %d bytes exceeds %d: %w", n, MaxICCBytes, ErrTooLarge)
			}
			d, err := s.read(int(padded))
			if err != nil {
				return nil, errTruncated(WebP, "ICCP", err)
			}
			m.icc = append([]byte(nil), d[:n]...)
		case "EXIF":
			if n <= maxExifBytes {
				d, err := s.read(int(padded))
				if err != nil {
					return nil, errTruncated(WebP, "EXIF", err)
				}
				m.h.Orientation = exifOrientation(d[:n])
			} else if err := s.skip(padded); err != nil {
				return nil, errTruncated(WebP, "EXIF", err)
			}
		case "ANMF":
			frames++
			if err := s.skip(padded); err != nil {
				return nil, errTruncated(WebP, "ANMF", err)
			}
		default:
			if err := s.skip(padded); err != nil {
				return nil, errTruncated(WebP, typ, err)
			}
		}
	}
	switch {
	case vp8x:
		m.h.Width, m.h.Height = cw, ch
	case haveBitstream:
		m.h.Width, m.h.Height = bw, bh
	default:
		return nil, fmt.Errorf("imaging: webp: no VP8/VP8L bitstream: %w", ErrCorrupt)
	}
	if anim {
		m.h.Frames = max(frames, 1)
	} else if !haveBitstream {
		return nil, fmt.Errorf("imaging: webp: no VP8/VP8L bitstream: %w", ErrCorrupt)
	}
	if err := checkDims(WebP, m.h.Width, m.h.Height); err != nil {
		return nil, err
	}
	if !anim && vp8x && (bw != cw || bh != ch) {
		return nil, fmt.Errorf("imaging: webp: canvas %dx%d differs from bitstream %dx%d: %w", cw, ch, bw, bh, ErrCorrupt)
	}
	m.h.est.anim = anim
	m.h.Channels, m.h.Depth = 3, 8
	if alpha {
		m.h.Channels = 4
	}
	return m, nil
}
