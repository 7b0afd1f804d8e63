package imaging

import (
	"bytes"
	"fmt"
	"io"
)

// meta is everything a header parser learns: the public Header plus what
// Decode needs later (ICC bytes, palette facts).
type meta struct {
	h Header
	// icc is the raw ICC profile (JPEG chunks joined, WebP ICCP); iccZ the
	// zlib stream of a PNG iCCP chunk; iccErr a defect found in them.
	icc    []byte
	iccZ   []byte
	iccErr error
	// headAt: bytes Decode would record, when the header walk reads on
	// past that point (GIF frame counting).
	headAt int64
}

// decodeEst is what DecodeBytes needs beyond the public Header fields; set
// by DecodeConfig, zero in hand-made Headers (DecodeBytes then assumes the worst).
type decodeEst struct {
	known bool
	// progressive (or multi-scan) JPEG: libjpeg keeps all DCT
	// coefficients (coefBytes) in memory.
	progressive bool
	// planeBytes: bytes of libjpeg's component row buffers.
	planeBytes int64
	coefBytes  int64
	// headBytes: header bytes Decode keeps to replay to the pixel decoder.
	headBytes int64
	// fileBytes: the whole file, for decoders that need it in memory (WebP).
	fileBytes int64
	lossless  bool
	// anim: WebP animation container (libwebp's still decoder refuses it).
	anim bool
	// interlaced PNG: the decoder allocates every pass, then the image.
	interlaced bool
	// comps: JPEG component count (4 = CMYK/YCCK).
	comps int
	// paletted: the stdlib decoder returns palette indices (1 byte/pixel) first.
	paletted bool
	// wide: the stdlib decoder returns 4 samples/pixel that are then compacted.
	decodedSamples int
}

// checkDims rejects empty sizes; large ones are answered from the header
// and refused by Decode (HardMaxPixels, Limits).
func checkDims(f Format, w, h int) error {
	if w <= 0 || h <= 0 {
		return fmt.Errorf("imaging: %s: invalid size %dx%d: %w", f, w, h, ErrCorrupt)
	}
	return nil
}

// grayPalette reports whether every RGB triple of a palette (r,g,b,...) is gray.
func grayPalette(rgb []byte) bool {
	for i := 0; i+2 < len(rgb); i += 3 {
		if rgb[i] != rgb[i+1] || rgb[i] != rgb[i+2] {
			return false
		}
	}
	return len(rgb) >= 3
}

// DecodeConfig reads only the header of an image: format (sniffed from
// content), size, channels, depth, orientation, frame count and whether an
// ICC profile is present. It allocates nothing in proportion to the
// claimed size; metadata it keeps is bounded (MaxICCBytes).
func DecodeConfig(r io.Reader) (Header, error) {
	m, _, err := readHeader(r, false)
	if err != nil {
		return Header{}, err
	}
	return m.h, nil
}

// readHeader sniffs and parses the header. With record set, the returned
// source can replay the consumed bytes (minus dropped metadata) to a pixel
// decoder, and GIF parsing stops at the second frame.
func readHeader(r io.Reader, record bool) (*meta, *source, error) {
	head := make([]byte, SniffLen)
	k, err := io.ReadFull(r, head)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return nil, nil, fmt.Errorf("imaging: reading header: %w", err)
	}
	head = head[:k]
	f, err := Sniff(head)
	if err != nil {
		return nil, nil, err
	}
	s := newSource(io.MultiReader(bytes.NewReader(head), r), record)
	var m *meta
	switch f {
	case PNG:
		m, err = readPNGHeader(s)
	case JPEG:
		m, err = readJPEGHeader(s)
	case WebP:
		m, err = readWebPHeader(s)
	case GIF:
		m, err = readGIFHeader(s, record)
	case BMP:
		m, err = readBMPHeader(s)
	}
	if err != nil {
		return nil, nil, err
	}
	m.h.Format = f
	if m.h.Orientation == 0 {
		m.h.Orientation = 1
	}
	if m.h.Frames == 0 {
		m.h.Frames = 1
	}
	m.h.HasICC = m.icc != nil || m.iccZ != nil || m.iccErr != nil
	m.h.est.known = true
	m.h.est.headBytes = s.kept
	if m.headAt > 0 {
		m.h.est.headBytes = m.headAt
	}
	return m, s, nil
}
