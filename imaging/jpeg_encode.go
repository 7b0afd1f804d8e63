package imaging

/*
#include <stdlib.h>
#include "jpeg_turbo.h"
*/
import "C"

import (
	"fmt"
	"io"
	"unsafe"
)

// Subsampling is the chroma subsampling of colour JPEG output.
type Subsampling int

const (
	// Sub420 halves chroma both ways (the default, as cjpeg and most tools).
	Sub420 Subsampling = iota
	// Sub422 halves chroma horizontally.
	Sub422
	// Sub444 keeps full-resolution chroma (sharper colour edges, larger files).
	Sub444
)

// String is the usual J:a:b name.
func (s Subsampling) String() string {
	switch s {
	case Sub422:
		return "4:2:2"
	case Sub444:
		return "4:4:4"
	}
	return "4:2:0"
}

// factors are the luma sampling factors (chroma is 1×1).
func (s Subsampling) factors() (h, v int) {
	switch s {
	case Sub422:
		return 2, 1
	case Sub444:
		return 1, 1
	}
	return 2, 2
}

// jpegStripeBytes is the target raw size of a stripe: the rows one worker
// compresses as one restart interval (bytes).
var jpegStripeBytes = 1 << 20

// jpegMaxWorkers bounds the stripes of one image compressed at once (and
// so the rows and compressed bytes it holds).
const jpegMaxWorkers = 8

// jpegEncoder writes a baseline JPEG as rows arrive, compressing stripes
// of whole MCU rows in parallel on the shared CPU pool. Each stripe is
// compressed by its own libjpeg-turbo encoder as a JPEG of its own whose
// restart interval is the stripe's MCU count (so it holds no restart
// marker); the file is the first stripe's headers with the image's height,
// every stripe's entropy-coded segment with a restart marker (RST0..7 in
// turn) between them, and EOI: one JPEG with a restart interval, whose
// decoded pixels are those of a sequential encode (restarts only reset the
// DC predictors). It holds a few stripes' rows and compressed bytes, never
// the image.
type jpegEncoder struct {
	w          io.Writer
	g          geometry
	outC       int // samples per pixel given to libjpeg: 1 gray, 3 RGB
	hs, vs     int // luma sampling factors (colour)
	quality    int
	icc        []byte
	stripeRows int
	restart    int    // MCUs per stripe
	raw        []byte // rows of the current stripe
	rows       int    // rows in raw
	stripes    int    // stripes submitted
	emitted    int    // stripes written
	pipe       *orderedPipe
	raws       *freeList[byte]
	closed     bool
}

func newJPEGEncoder(w io.Writer, g geometry, opt EncodeOptions) (*jpegEncoder, error) {
	if g.width > JPEGMaxDim || g.height > JPEGMaxDim {
		return nil, fmt.Errorf("imaging: jpeg: %dx%d exceeds %d px per side: %w", g.width, g.height, JPEGMaxDim, ErrTooLarge)
	}
	e := &jpegEncoder{w: w, g: g, outC: 3, quality: opt.Quality, hs: 1, vs: 1}
	if g.c <= 2 {
		e.outC = 1
	} else {
		e.hs, e.vs = opt.Subsampling.factors()
	}
	if opt.ICC != nil && iccMatches(opt.ICC, e.outC) {
		e.icc = opt.ICC
	}
	e.stripeRows, e.restart = jpegStripe(g.width, g.height, e.outC, e.hs, e.vs)
	if g.height <= e.stripeRows {
		e.restart = 0 // one stripe: no restart interval, the file cjpeg writes
	}
	workers := min(opt.Workers, jpegMaxWorkers)
	e.raws = newFreeList[byte](workers+2, e.stripeRows*g.width*e.outC)
	e.pipe = newOrderedPipe(workers, e.emit)
	return e, nil
}

// jpegStripe is the rows of a stripe (whole MCU rows, about
// jpegStripeBytes, no more than the image's) and its MCU count, at most
// 65535 (a restart interval).
func jpegStripe(width, height, comps, hs, vs int) (rows, mcus int) {
	mcuW, mcuH := 8*hs, 8*vs
	perRow := (width + mcuW - 1) / mcuW
	k := max(1, jpegStripeBytes/(width*comps*mcuH))
	k = min(k, 65535/perRow, max(1, (height+mcuH-1)/mcuH))
	return k * mcuH, k * perRow
}

func (e *jpegEncoder) WriteRows(b *Image) error {
	if e.closed {
		return fmt.Errorf("imaging: jpeg: WriteRows after Close: %w", ErrUnsupported)
	}
	if err := e.g.accept(b); err != nil {
		return err
	}
	rb := e.g.width * e.outC
	direct := b.C == e.outC && b.Depth == 8
	for y := 0; y < b.H; y++ {
		if e.raw == nil {
			e.raw = e.raws.get()
		}
		row := e.raw[e.rows*rb : (e.rows+1)*rb]
		if direct {
			copy(row, b.Pix8[y*b.Stride():(y+1)*b.Stride()])
		} else {
			toOutput8(row, b, y, e.outC)
		}
		e.rows++
		if e.rows == e.stripeRows {
			if err := e.submit(); err != nil {
				return err
			}
		}
	}
	return nil
}

// submit hands the current stripe to a worker.
func (e *jpegEncoder) submit() error {
	raw, n, k := e.raw, e.rows, e.stripes
	e.raw, e.rows = nil, 0
	e.stripes++
	var icc []byte
	if k == 0 {
		icc = e.icc
	}
	return e.pipe.submit(func() result {
		out, err := compressJPEG(raw[:n*e.g.width*e.outC], e.g.width, n, e.outC, e.hs, e.vs, e.quality, false, e.restart, icc)
		e.raws.put(raw)
		return result{out: out, err: err}
	})
}

// emit writes stripe number e.emitted: the headers first (from stripe 0,
// with the image's height), a restart marker before every later one.
func (e *jpegEncoder) emit(r result) error {
	head, data, err := jpegScan(r.out)
	if err != nil {
		return err
	}
	var pre []byte
	if e.emitted == 0 {
		if pre, err = jpegWithHeight(head, e.g.height); err != nil {
			return err
		}
	} else {
		pre = []byte{0xFF, byte(0xD0 + (e.emitted-1)%8)}
	}
	e.emitted++
	if _, err := e.w.Write(pre); err != nil {
		return err
	}
	_, err = e.w.Write(data)
	return err
}

func (e *jpegEncoder) Close() error {
	if e.closed {
		return nil
	}
	e.closed = true
	if e.pipe.err != nil {
		return e.pipe.err
	}
	if err := e.g.complete(); err != nil {
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

// compressJPEG compresses h rows of w pixels (comps samples each, packed)
// into a whole JPEG file: quality with the standard tables, luma sampling
// hs×vs, a restart interval of restart MCUs (0: none), the ICC profile when
// given; comps 4 is CMYK (YCCK when ycck is set). Callers run it on a
// worker of the shared CPU pool (the encoder's pipe).
func compressJPEG(rows []byte, w, h, comps, hs, vs, quality int, ycck bool, restart int, icc []byte) ([]byte, error) {
	y := C.int(0)
	if ycck {
		y = 1
	}
	e := C.ujc_new(C.int(w), C.int(h), C.int(comps), C.int(hs), C.int(vs), C.int(quality), y)
	if e == nil {
		return nil, fmt.Errorf("imaging: jpeg: cannot create an encoder: %w", ErrUnsupported)
	}
	defer C.ujc_free(e)
	C.ujc_set_restart(e, C.uint(restart))
	var p *C.uchar
	if len(icc) > 0 {
		p = (*C.uchar)(unsafe.Pointer(&icc[0]))
	}
	st := C.ujc_start(e, p, C.size_t(len(icc)))
	if st == C.UJ_OK && h > 0 {
		st = C.ujc_rows(e, (*C.uchar)(unsafe.Pointer(&rows[0])), C.size_t(w*comps), C.int(h))
	}
	if st == C.UJ_OK {
		st = C.ujc_finish(e)
	}
	if st != C.UJ_OK {
		return nil, fmt.Errorf("imaging: jpeg: libjpeg: %s: %w", C.GoString(C.ujc_msg(e)), ErrUnsupported)
	}
	var n C.size_t
	b := C.ujc_out(e, &n)
	return append([]byte(nil), unsafe.Slice((*byte)(unsafe.Pointer(b)), int(n))...), nil
}

// jpegScan splits a baseline JPEG file into its headers (through the SOS
// segment) and its entropy-coded data (up to EOI).
func jpegScan(b []byte) (head, data []byte, err error) {
	bad := func(what string) ([]byte, []byte, error) {
		return nil, nil, fmt.Errorf("imaging: jpeg: stripe %s: %w", what, ErrUnsupported)
	}
	if len(b) < 4 || b[0] != 0xFF || b[1] != 0xD8 || b[len(b)-2] != 0xFF || b[len(b)-1] != 0xD9 {
		return bad("is not a whole JPEG file")
	}
	for i := 2; i+4 <= len(b); {
		if b[i] != 0xFF {
			return bad("has no marker where one is due")
		}
		n := int(b[i+2])<<8 | int(b[i+3])
		end := i + 2 + n
		if n < 2 || end > len(b)-2 {
			return bad("has a segment past its end")
		}
		if b[i+1] == 0xDA {
			return b[:end], b[end : len(b)-2], nil
		}
		i = end
	}
	return bad("has no scan")
}

// jpegWithHeight is a copy of JPEG headers whose frame header (SOF0 or
// SOF1) says height rows.
func jpegWithHeight(head []byte, height int) ([]byte, error) {
	out := append([]byte(nil), head...)
	for i := 2; i+9 <= len(out); i += 2 + (int(out[i+2])<<8 | int(out[i+3])) {
		if out[i+1] == 0xC0 || out[i+1] == 0xC1 {
			out[i+5], out[i+6] = byte(height>>8), byte(height)
			return out, nil
		}
	}
	return nil, fmt.Errorf("imaging: jpeg: stripe headers have no baseline frame header: %w", ErrUnsupported)
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

// encodeCMYKJPEG writes a 4-component JPEG (Adobe marker; YCCK when ycck
// is set) from samples as stored: tests use it to build CMYK/YCCK input.
func encodeCMYKJPEG(samples *Image, ycck bool, quality int, icc []byte) ([]byte, error) {
	return compressJPEG(samples.Pix8, samples.W, samples.H, 4, 1, 1, quality, ycck, 0, icc)
}

// bufferWriter collects writes.
type bufferWriter []byte

func (b *bufferWriter) Write(p []byte) (int, error) {
	*b = append(*b, p...)
	return len(p), nil
}
