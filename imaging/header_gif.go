package imaging

import (
	"encoding/binary"
	"fmt"
	"io"
)

// readGIFHeader walks GIF blocks without decoding pixels, counting image
// descriptors. With stopAtTwo it stops at the second frame (Decode only
// needs to know the file is animated).
func readGIFHeader(s *source, stopAtTwo bool) (*meta, error) {
	m := &meta{}
	b, err := s.read(13)
	if err != nil {
		return nil, errTruncated(GIF, "screen descriptor", err)
	}
	w, h := int(binary.LittleEndian.Uint16(b[6:])), int(binary.LittleEndian.Uint16(b[8:]))
	if err := checkDims(GIF, w, h); err != nil {
		return nil, err
	}
	m.h.Width, m.h.Height, m.h.Depth = w, h, 8
	var gct []byte
	if b[10]&0x80 != 0 {
		n := 3 << (1 + b[10]&7)
		d, err := s.read(n)
		if err != nil {
			return nil, errTruncated(GIF, "global colour table", err)
		}
		gct = append([]byte(nil), d...)
	}
	frames := 0
	transparent := false
blocks:
	for {
		b, err := s.read(1)
		if err != nil {
			if err == io.EOF && frames > 0 {
				break blocks // missing trailer: tolerated, like most decoders
			}
			return nil, errTruncated(GIF, "block", err)
		}
		switch b[0] {
		case 0x21:
			lb, err := s.read(1)
			if err != nil {
				return nil, errTruncated(GIF, "extension", err)
			}
			if lb[0] == 0xF9 {
				d, err := s.read(6)
				if err != nil {
					return nil, errTruncated(GIF, "graphic control extension", err)
				}
				if d[0] != 4 {
					return nil, fmt.Errorf("imaging: gif: graphic control extension of %d bytes: %w", d[0], ErrCorrupt)
				}
				if frames == 0 {
					transparent = d[1]&1 != 0
				}
				if err := gifSkipSubBlocks(s, int(d[5])); err != nil {
					return nil, err
				}
				continue
			}
			if err := gifSkipSubBlocks(s, -1); err != nil {
				return nil, err
			}
		case 0x2C:
			d, err := s.read(9)
			if err != nil {
				return nil, errTruncated(GIF, "image descriptor", err)
			}
			fx, fy := int(binary.LittleEndian.Uint16(d[0:])), int(binary.LittleEndian.Uint16(d[2:]))
			fw, fh := int(binary.LittleEndian.Uint16(d[4:])), int(binary.LittleEndian.Uint16(d[6:]))
			packed := d[8]
			ct := gct
			if packed&0x80 != 0 {
				n := 3 << (1 + packed&7)
				d, err := s.read(n)
				if err != nil {
					return nil, errTruncated(GIF, "local colour table", err)
				}
				ct = append([]byte(nil), d...)
			}
			frames++
			if frames == 1 {
				if ct == nil {
					return nil, fmt.Errorf("imaging: gif: first frame has no colour table: %w", ErrCorrupt)
				}
				if fx+fw > w || fy+fh > h || fw == 0 || fh == 0 {
					return nil, fmt.Errorf("imaging: gif: frame %dx%d at %d,%d outside the %dx%d screen: %w", fw, fh, fx, fy, w, h, ErrCorrupt)
				}
				alpha := transparent || fx != 0 || fy != 0 || fw != w || fh != h
				gray := grayPalette(ct)
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
			}
			if frames == 2 {
				m.headAt = s.kept
			}
			if frames == 2 && stopAtTwo {
				m.h.Frames = 2
				return m, nil
			}
			if _, err := s.read(1); err != nil { // LZW minimum code size
				return nil, errTruncated(GIF, "image data", err)
			}
			if err := gifSkipSubBlocks(s, -1); err != nil {
				if frames > 1 {
					break blocks // a cut-off later frame still counts
				}
				return nil, err
			}
		case 0x3B:
			if frames == 0 {
				return nil, fmt.Errorf("imaging: gif: no image: %w", ErrCorrupt)
			}
			m.h.Frames = frames
			return m, nil
		default:
			return nil, fmt.Errorf("imaging: gif: unknown block 0x%02x: %w", b[0], ErrCorrupt)
		}
	}
	m.h.Frames = frames
	return m, nil
}

// gifSkipSubBlocks skips data sub-blocks up to the zero terminator; n is
// the length of a sub-block already announced, or -1 to read it first.
func gifSkipSubBlocks(s *source, n int) error {
	if n < 0 {
		b, err := s.read(1)
		if err != nil {
			return errTruncated(GIF, "data sub-block", err)
		}
		n = int(b[0])
	}
	for n != 0 {
		d, err := s.read(n + 1)
		if err != nil {
			return errTruncated(GIF, "data sub-block", err)
		}
		n = int(d[n])
	}
	return nil
}
