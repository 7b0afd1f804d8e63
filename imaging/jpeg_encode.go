package imaging

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
)

// jpegComp is one output component: id, sampling factors, quantisation
// table and Huffman table pair (0 luminance, 1 chrominance).
type jpegOutComp struct {
	id   byte
	h, v int
	tbl  int
}

// jpegLayout is the frame geometry shared by the header and the scan.
type jpegLayout struct {
	width, height int
	comps         []jpegOutComp
	mcuW, mcuH    int // MCU size in pixels
	mcusX, mcusY  int
	div           [2][64]float32
	quant         [2][64]int
}

func newJPEGLayout(width, height int, comps []jpegOutComp, quality int) *jpegLayout {
	l := &jpegLayout{width: width, height: height, comps: comps}
	hmax, vmax := 1, 1
	for _, c := range comps {
		hmax, vmax = max(hmax, c.h), max(vmax, c.v)
	}
	l.mcuW, l.mcuH = 8*hmax, 8*vmax
	l.mcusX, l.mcusY = (width+l.mcuW-1)/l.mcuW, (height+l.mcuH-1)/l.mcuH
	for t := 0; t < 2; t++ {
		l.quant[t] = scaledQuant(t, quality)
		l.div[t] = quantDivisors(l.quant[t])
	}
	return l
}

// jpegEncoder writes baseline JPEG band by band. Every MCU row ends with a
// restart marker (DRI = MCUs per row), which makes MCU rows independent:
// groups of them are transformed and entropy-coded in parallel and
// written in order.
type jpegEncoder struct {
	w         io.Writer
	g         geometry
	lay       *jpegLayout
	outC      int // samples per pixel buffered: 1 gray, 3 RGB
	groupRows int // pixel rows per group (a multiple of the MCU height)
	raw       []byte
	rows      int
	firstMCU  int // MCU row index of the current group
	pipe      *orderedPipe
	raws      *freeList[byte]    // group rows
	fulls     *freeList[float32] // full-resolution planes
	subs      *freeList[float32] // subsampled chroma planes
	outs      *freeList[byte]    // entropy-coded groups
	outCap    int
	closed    bool
}

// jpegGroupBytes is the target buffered size of a group of MCU rows (bytes).
var jpegGroupBytes = 256 << 10

func newJPEGEncoder(w io.Writer, g geometry, opt EncodeOptions) (*jpegEncoder, error) {
	if g.width > JPEGMaxDim || g.height > JPEGMaxDim {
		return nil, fmt.Errorf("imaging: jpeg: %dx%d exceeds %d px per side: %w", g.width, g.height, JPEGMaxDim, ErrTooLarge)
	}
	e := &jpegEncoder{w: w, g: g, outC: 3}
	var comps []jpegOutComp
	switch {
	case g.c <= 2:
		e.outC = 1
		comps = []jpegOutComp{{1, 1, 1, 0}}
	case opt.Quality >= 90:
		comps = []jpegOutComp{{1, 1, 1, 0}, {2, 1, 1, 1}, {3, 1, 1, 1}}
	default:
		comps = []jpegOutComp{{1, 2, 2, 0}, {2, 1, 1, 1}, {3, 1, 1, 1}}
	}
	e.lay = newJPEGLayout(g.width, g.height, comps, opt.Quality)
	mcuRowBytes := e.lay.mcuH * g.width * e.outC
	e.groupRows = e.lay.mcuH * max(1, jpegGroupBytes/mcuRowBytes)
	keep := opt.Workers + 2
	e.raws = newFreeList[byte](keep, e.groupRows*g.width*e.outC)
	fullPx := e.groupRows * e.lay.mcusX * e.lay.mcuW
	e.fulls = newFreeList[float32](keep*len(comps), fullPx)
	e.subs = newFreeList[float32](keep*2, fullPx/4)
	// Entropy-coded data stays under 1.5 bytes per sample even for noise
	// at quality 100 (measured 1.37), so output buffers rarely grow.
	e.outs = newFreeList[byte](keep, 0)
	e.outCap = fullPx*e.outC*3/2 + 64
	e.pipe = newOrderedPipe(opt.Workers, func(r result) error {
		_, err := e.w.Write(r.out)
		e.outs.put(r.out)
		return err
	})
	var icc []byte
	if opt.ICC != nil && iccMatches(opt.ICC, e.outC) {
		icc = opt.ICC
	}
	if _, err := w.Write(jpegHeader(e.lay, icc, -1)); err != nil {
		return nil, err
	}
	return e, nil
}

// jpegHeader is everything before the entropy-coded data. adobe >= 0
// writes an Adobe APP14 segment with that colour transform instead of JFIF.
func jpegHeader(l *jpegLayout, icc []byte, adobe int) []byte {
	var b bytes.Buffer
	seg := func(marker byte, data []byte) {
		b.Write([]byte{0xFF, marker})
		binary.Write(&b, binary.BigEndian, uint16(len(data)+2))
		b.Write(data)
	}
	b.Write([]byte{0xFF, 0xD8})
	if adobe < 0 {
		seg(0xE0, []byte{'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0})
	} else {
		seg(0xEE, []byte{'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, byte(adobe)})
	}
	const iccChunk = 65519
	n := (len(icc) + iccChunk - 1) / iccChunk
	for i := 0; i < n; i++ {
		d := append([]byte("ICC_PROFILE\x00"), byte(i+1), byte(n))
		seg(0xE2, append(d, icc[i*iccChunk:min((i+1)*iccChunk, len(icc))]...))
	}
	tables := 1
	for _, c := range l.comps {
		tables = max(tables, c.tbl+1)
	}
	for t := 0; t < tables; t++ {
		d := []byte{byte(t)}
		for _, k := range jpegZigzag {
			d = append(d, byte(l.quant[t][k]))
		}
		seg(0xDB, d)
	}
	sof := []byte{8, byte(l.height >> 8), byte(l.height), byte(l.width >> 8), byte(l.width), byte(len(l.comps))}
	for _, c := range l.comps {
		sof = append(sof, c.id, byte(c.h<<4|c.v), byte(c.tbl))
	}
	seg(0xC0, sof)
	for t := 0; t < tables; t++ {
		for class := 0; class < 2; class++ {
			s := jpegHuff[2*t+class]
			d := append([]byte{byte(class<<4 | t)}, s.bits[:]...)
			seg(0xC4, append(d, s.vals...))
		}
	}
	seg(0xDD, []byte{byte(l.mcusX >> 8), byte(l.mcusX)})
	sos := []byte{byte(len(l.comps))}
	for _, c := range l.comps {
		sos = append(sos, c.id, byte(c.tbl<<4|c.tbl))
	}
	seg(0xDA, append(sos, 0, 63, 0))
	return b.Bytes()
}

func (e *jpegEncoder) WriteRows(b *Image) error {
	if e.closed {
		return fmt.Errorf("imaging: jpeg: WriteRows after Close: %w", ErrUnsupported)
	}
	if err := e.g.accept(b); err != nil {
		return err
	}
	rowBytes := e.g.width * e.outC
	for y := 0; y < b.H; y++ {
		if e.raw == nil {
			e.raw = e.raws.get()
		}
		toOutput8(e.raw[e.rows*rowBytes:(e.rows+1)*rowBytes], b, y, e.outC)
		e.rows++
		if e.rows == e.groupRows {
			if err := e.submit(); err != nil {
				return err
			}
		}
	}
	return nil
}

// toOutput8 converts row y of b to 8-bit gray (outC 1) or RGB (outC 3),
// compositing alpha over white.
func toOutput8(dst []byte, b *Image, y, outC int) {
	c := b.C
	s := b.Stride()
	get := func(i int) uint32 {
		if b.Depth == 8 {
			return uint32(b.Pix8[y*s+i])
		}
		return (uint32(b.Pix16[y*s+i])*255 + 32767) / 65535
	}
	for x := 0; x < b.W; x++ {
		p := x * c
		var v [3]uint32
		switch c {
		case 1, 2:
			v[0] = get(p)
			v[1], v[2] = v[0], v[0]
		default:
			v[0], v[1], v[2] = get(p), get(p+1), get(p+2)
		}
		if c == 2 || c == 4 {
			a := get(p + c - 1)
			for k := range v {
				v[k] = (v[k]*a + 255*(255-a) + 127) / 255
			}
		}
		if outC == 1 {
			dst[x] = byte(v[0])
		} else {
			dst[3*x], dst[3*x+1], dst[3*x+2] = byte(v[0]), byte(v[1]), byte(v[2])
		}
	}
}

// submit hands the buffered rows (whole MCU rows, or the image's last rows) to a worker.
func (e *jpegEncoder) submit() error {
	raw, n, first := e.raw, e.rows, e.firstMCU
	e.raw, e.rows = nil, 0
	mcuRows := (n + e.lay.mcuH - 1) / e.lay.mcuH
	e.firstMCU += mcuRows
	lay, outC := e.lay, e.outC
	return e.pipe.submit(func() result {
		planes := jpegPlanes(lay, raw, n, outC, e.alloc, e.release)
		e.raws.put(raw)
		out := e.outs.get()
		if cap(out) < e.outCap {
			out = make([]byte, 0, e.outCap)
		}
		out = jpegScan(out, lay, planes, mcuRows, first)
		for _, p := range planes {
			e.release(p.pix)
		}
		return result{out: out}
	})
}

// alloc hands out a plane buffer of n samples from the encoder's free lists.
func (e *jpegEncoder) alloc(n int) []float32 {
	if n <= e.subs.size {
		return e.subs.get()[:n]
	}
	return e.fulls.get()[:n]
}

// release returns a plane buffer to its free list.
func (e *jpegEncoder) release(p []float32) {
	if cap(p) >= e.fulls.size {
		e.fulls.put(p[:cap(p)])
	} else {
		e.subs.put(p[:cap(p)])
	}
}

func (e *jpegEncoder) Close() error {
	if e.closed {
		return nil
	}
	e.closed = true
	if err := e.g.complete(); err != nil {
		e.pipe.drain(true)
		return err
	}
	if e.rows > 0 {
		if err := e.submit(); err != nil {
			return err
		}
	}
	if err := e.pipe.drain(true); err != nil {
		return err
	}
	_, err := e.w.Write([]byte{0xFF, 0xD9})
	return err
}
