package imaging

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
)

// profile returns the validated ICC profile of the file, nil when none.
func (m *meta) profile() ([]byte, error) {
	if m.iccErr != nil {
		return nil, m.iccErr
	}
	p := m.icc
	if m.iccZ != nil {
		zr, err := zlib.NewReader(bytes.NewReader(m.iccZ))
		if err != nil {
			return nil, fmt.Errorf("imaging: png: iCCP: bad zlib stream: %w", ErrCorrupt)
		}
		p, err = io.ReadAll(io.LimitReader(zr, MaxICCBytes+1))
		if err != nil {
			return nil, fmt.Errorf("imaging: png: iCCP: bad zlib data: %w", ErrCorrupt)
		}
		if len(p) > MaxICCBytes {
			return nil, fmt.Errorf("imaging: png: iCCP profile inflates beyond %d bytes: %w", MaxICCBytes, ErrTooLarge)
		}
	}
	if p == nil {
		return nil, nil
	}
	if err := checkICC(p); err != nil {
		return nil, fmt.Errorf("imaging: %s: %w", m.h.Format, err)
	}
	return p, nil
}

// checkICC verifies the fixed parts of an ICC profile header.
func checkICC(p []byte) error {
	if len(p) < 132 {
		return fmt.Errorf("ICC profile of %d bytes is shorter than its 132-byte header: %w", len(p), ErrCorrupt)
	}
	if string(p[36:40]) != "acsp" {
		return fmt.Errorf("ICC profile lacks the 'acsp' signature: %w", ErrCorrupt)
	}
	if size := uint32(p[0])<<24 | uint32(p[1])<<16 | uint32(p[2])<<8 | uint32(p[3]); int64(size) > int64(len(p)) {
		return fmt.Errorf("ICC profile declares %d bytes but has %d: %w", size, len(p), ErrCorrupt)
	}
	return nil
}

// iccMatches reports whether profile p describes data with c channels
// (GRAY for 1-2, RGB for 3-4).
func iccMatches(p []byte, c int) bool {
	cs := string(p[16:20])
	if c <= 2 {
		return cs == "GRAY"
	}
	return cs == "RGB "
}
