package imaging

import (
	"encoding/binary"
	"fmt"
	"sort"
)

// jpegComp is one SOF component: sampling factors.
type jpegComp struct{ h, v int }

// readJPEGHeader walks JPEG markers up to the first SOS. APP1 (EXIF/XMP),
// APP2 (ICC) and other APPn/COM segments are dropped from the replay;
// APP0 (JFIF) and APP14 (Adobe) are kept because they select the colour
// transform.
func readJPEGHeader(s *source) (*meta, error) {
	m := &meta{}
	if _, err := s.read(2); err != nil {
		return nil, errTruncated(JPEG, "SOI", err)
	}
	var (
		comps    []jpegComp
		iccParts = map[int][]byte{}
		iccCount int
		iccTotal int
	)
	for {
		// Bytes between segments are junk that decoders skip; a long run of
		// them is not a JPEG.
		for junk := 0; ; junk++ {
			b, err := s.read(1)
			if err != nil {
				return nil, errTruncated(JPEG, "marker", err)
			}
			if b[0] == 0xFF {
				break
			}
			if junk > 1<<16 {
				return nil, fmt.Errorf("imaging: jpeg: no marker in 64 KiB: %w", ErrCorrupt)
			}
		}
		var mk byte
		for {
			b, err := s.read(1)
			if err != nil {
				return nil, errTruncated(JPEG, "marker", err)
			}
			if b[0] != 0xFF {
				mk = b[0]
				break
			}
		}
		if mk == 0x01 || (mk >= 0xD0 && mk <= 0xD8) {
			continue // standalone markers
		}
		if mk == 0xD9 {
			return nil, fmt.Errorf("imaging: jpeg: no image data (EOI before SOS): %w", ErrCorrupt)
		}
		lb, err := s.read(2)
		if err != nil {
			return nil, errTruncated(JPEG, "segment length", err)
		}
		n := int(binary.BigEndian.Uint16(lb)) - 2
		if n < 0 {
			return nil, fmt.Errorf("imaging: jpeg: segment 0x%02x has length %d: %w", mk, n+2, ErrCorrupt)
		}
		switch {
		case mk == 0xC0 || mk == 0xC1 || mk == 0xC2:
			if comps != nil {
				return nil, fmt.Errorf("imaging: jpeg: more than one SOF segment: %w", ErrCorrupt)
			}
			d, err := s.read(n)
			if err != nil {
				return nil, errTruncated(JPEG, "SOF", err)
			}
			if len(d) < 6 {
				return nil, fmt.Errorf("imaging: jpeg: short SOF: %w", ErrCorrupt)
			}
			if d[0] != 8 {
				return nil, fmt.Errorf("imaging: jpeg: %d-bit samples: %w", d[0], ErrUnsupported)
			}
			h, w, nc := int(binary.BigEndian.Uint16(d[1:])), int(binary.BigEndian.Uint16(d[3:])), int(d[5])
			if h == 0 {
				return nil, fmt.Errorf("imaging: jpeg: height defined by a DNL marker: %w", ErrUnsupported)
			}
			if err := checkDims(JPEG, w, h); err != nil {
				return nil, err
			}
			if nc != 1 && nc != 3 && nc != 4 || len(d) < 6+3*nc {
				return nil, fmt.Errorf("imaging: jpeg: %d components: %w", nc, ErrCorrupt)
			}
			for i := 0; i < nc; i++ {
				hv := d[6+3*i+1]
				c := jpegComp{int(hv >> 4), int(hv & 15)}
				if c.h < 1 || c.h > 4 || c.v < 1 || c.v > 4 {
					return nil, fmt.Errorf("imaging: jpeg: sampling factor %dx%d: %w", c.h, c.v, ErrCorrupt)
				}
				comps = append(comps, c)
			}
			m.h.Width, m.h.Height = w, h
			m.h.est.progressive = mk == 0xC2
		case mk >= 0xC3 && mk <= 0xCF && mk != 0xC4 && mk != 0xC8 && mk != 0xCC:
			return nil, fmt.Errorf("imaging: jpeg: lossless, hierarchical or arithmetic-coded JPEG (SOF 0x%02x): %w", mk, ErrUnsupported)
		case mk == 0xDA:
			if comps == nil {
				return nil, fmt.Errorf("imaging: jpeg: SOS before SOF: %w", ErrCorrupt)
			}
			if iccCount > 0 {
				icc, err := joinICC(iccParts, iccCount)
				if err != nil {
					m.iccErr = err
				} else {
					m.icc = icc
				}
			}
			// A first scan with fewer components than the frame means
			// several scans: libjpeg then buffers every coefficient, as
			// for a progressive file.
			ns, err := s.read(1)
			if err != nil {
				return nil, errTruncated(JPEG, "SOS", err)
			}
			if int(ns[0]) < len(comps) {
				m.h.est.progressive = true
			}
			jpegFinish(m, comps)
			return m, nil
		case mk == 0xE1:
			k := min(n, maxExifBytes)
			d, err := s.read(k)
			if err != nil {
				return nil, errTruncated(JPEG, "APP1", err)
			}
			if len(d) >= 6 && string(d[:6]) == "Exif\x00\x00" && m.h.Orientation == 0 {
				m.h.Orientation = exifOrientation(d[6:])
			}
			s.forget(4 + k)
			if err := s.drop(0, int64(n-k)); err != nil {
				return nil, errTruncated(JPEG, "APP1", err)
			}
		case mk == 0xE2:
			d, err := s.read(n)
			if err != nil {
				return nil, errTruncated(JPEG, "APP2", err)
			}
			if len(d) >= 14 && string(d[:12]) == "ICC_PROFILE\x00" {
				seq, cnt := int(d[12]), int(d[13])
				iccTotal += len(d) - 14
				switch {
				case iccTotal > MaxICCBytes:
					return nil, fmt.Errorf("imaging: jpeg: ICC profile exceeds %d bytes: %w", MaxICCBytes, ErrTooLarge)
				case seq < 1 || cnt < 1 || seq > cnt || (iccCount != 0 && cnt != iccCount) || iccParts[seq] != nil:
					m.iccErr = fmt.Errorf("imaging: jpeg: ICC chunk %d of %d inconsistent: %w", seq, cnt, ErrCorrupt)
				default:
					iccCount = cnt
					iccParts[seq] = append([]byte(nil), d[14:]...)
				}
			}
			s.forget(4 + n)
		case mk == 0xE0 || mk == 0xEE || mk == 0xC4 || mk == 0xDB || mk == 0xDD || mk == 0xCC:
			if err := s.skip(int64(n)); err != nil {
				return nil, errTruncated(JPEG, "segment", err)
			}
		default:
			if err := s.drop(4, int64(n)); err != nil {
				return nil, errTruncated(JPEG, "segment", err)
			}
		}
	}
}

// joinICC concatenates ICC_PROFILE chunks 1..count.
func joinICC(parts map[int][]byte, count int) ([]byte, error) {
	seqs := make([]int, 0, len(parts))
	for k := range parts {
		seqs = append(seqs, k)
	}
	sort.Ints(seqs)
	if len(seqs) != count {
		return nil, fmt.Errorf("imaging: jpeg: ICC profile has %d of %d chunks: %w", len(seqs), count, ErrCorrupt)
	}
	var out []byte
	for _, k := range seqs {
		out = append(out, parts[k]...)
	}
	return out, nil
}

// jpegFinish sets channels and libjpeg's buffer sizes.
func jpegFinish(m *meta, comps []jpegComp) {
	m.h.Depth = 8
	m.h.Channels = 3
	m.h.est.comps = len(comps)
	if len(comps) == 1 {
		m.h.Channels = 1
	}
	hmax, vmax := 1, 1
	for _, c := range comps {
		hmax, vmax = max(hmax, c.h), max(vmax, c.v)
	}
	w, h := int64(m.h.Width), int64(m.h.Height)
	mxx, myy := (w+8*int64(hmax)-1)/(8*int64(hmax)), (h+8*int64(vmax)-1)/(8*int64(vmax))
	for _, c := range comps {
		// Component rows: libjpeg keeps a few iMCU rows of each (with
		// the context rows fancy upsampling needs; counted as 4), and
		// an upsampled full-width row group.
		compW := mxx * int64(c.h) * 8
		m.h.est.planeBytes += 4*compW*int64(c.v)*8 + mxx*int64(hmax)*8*int64(vmax)*8
		// Whole-image coefficients (multi-scan files): 2 bytes each.
		m.h.est.coefBytes += 128 * mxx * myy * int64(c.h) * int64(c.v)
	}
}
