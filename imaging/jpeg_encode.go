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

	"github.com/upscaled/upscaled/internal/cpuwork"
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

// jpegEncoder streams rows through libjpeg-turbo's scanline API: every
// jpegBandRows rows are converted (when needed), compressed on a worker of
// the shared CPU pool and the compressed bytes written out, so it holds a
// few rows and libjpeg's MCU-row buffers, never the image.
type jpegEncoder struct {
	w       io.Writer
	g       geometry
	e       *C.ujc
	outC    int    // samples per pixel given to libjpeg: 1 gray, 3 RGB
	scratch []byte // converted rows, when the input is not 8-bit gray/RGB
	closed  bool
	err     error // first failure; the encoder is then unusable
}

func newJPEGEncoder(w io.Writer, g geometry, opt EncodeOptions) (*jpegEncoder, error) {
	if g.width > JPEGMaxDim || g.height > JPEGMaxDim {
		return nil, fmt.Errorf("imaging: jpeg: %dx%d exceeds %d px per side: %w", g.width, g.height, JPEGMaxDim, ErrTooLarge)
	}
	e := &jpegEncoder{w: w, g: g, outC: 3}
	if g.c <= 2 {
		e.outC = 1
	}
	hs, vs := opt.Subsampling.factors()
	e.e = C.ujc_new(C.int(g.width), C.int(g.height), C.int(e.outC), C.int(hs), C.int(vs), C.int(opt.Quality), 0)
	if e.e == nil {
		return nil, fmt.Errorf("imaging: jpeg: cannot create an encoder: %w", ErrUnsupported)
	}
	if g.c != e.outC || g.depth != 8 {
		e.scratch = make([]byte, jpegBandRows*g.width*e.outC)
	}
	var icc []byte
	if opt.ICC != nil && iccMatches(opt.ICC, e.outC) {
		icc = opt.ICC
	}
	var p *C.uchar
	if len(icc) > 0 {
		p = (*C.uchar)(unsafe.Pointer(&icc[0]))
	}
	if err := e.check(C.ujc_start(e.e, p, C.size_t(len(icc)))); err != nil {
		e.free()
		return nil, err
	}
	if err := e.drain(); err != nil {
		e.free()
		return nil, err
	}
	return e, nil
}

func (e *jpegEncoder) WriteRows(b *Image) error {
	if e.closed {
		return fmt.Errorf("imaging: jpeg: WriteRows after Close: %w", ErrUnsupported)
	}
	if e.err != nil {
		return e.err
	}
	if err := e.g.accept(b); err != nil {
		return err
	}
	for y := 0; y < b.H; y += jpegBandRows {
		n := min(jpegBandRows, b.H-y)
		var rows []byte
		if e.scratch == nil {
			rows = b.Pix8[y*b.Stride() : (y+n)*b.Stride()]
		} else {
			rows = e.scratch[:n*e.g.width*e.outC]
			for k := 0; k < n; k++ {
				toOutput8(rows[k*e.g.width*e.outC:(k+1)*e.g.width*e.outC], b, y+k, e.outC)
			}
		}
		if err := e.compress(rows, n); err != nil {
			return err
		}
	}
	return nil
}

// compress hands n rows to libjpeg on a pool worker and writes the output.
func (e *jpegEncoder) compress(rows []byte, n int) error {
	stride := e.g.width * e.outC
	var st C.int
	cpuwork.For(1, func(int, int) {
		st = C.ujc_rows(e.e, (*C.uchar)(unsafe.Pointer(&rows[0])), C.size_t(stride), C.int(n))
	})
	if err := e.check(st); err != nil {
		return err
	}
	return e.drain()
}

// check turns a shim status into an error, remembering it.
func (e *jpegEncoder) check(st C.int) error {
	if st != C.UJ_OK && e.err == nil {
		e.err = fmt.Errorf("imaging: jpeg: libjpeg: %s: %w", C.GoString(C.ujc_msg(e.e)), ErrUnsupported)
	}
	return e.err
}

// drain writes what libjpeg produced since the last drain.
func (e *jpegEncoder) drain() error {
	var n C.size_t
	p := C.ujc_out(e.e, &n)
	if n > 0 {
		if _, err := e.w.Write(unsafe.Slice((*byte)(unsafe.Pointer(p)), int(n))); err != nil {
			e.err = err
			return err
		}
	}
	C.ujc_drained(e.e)
	return nil
}

func (e *jpegEncoder) free() {
	if e.e != nil {
		C.ujc_free(e.e)
		e.e = nil
	}
}

func (e *jpegEncoder) Close() error {
	if e.closed {
		return nil
	}
	e.closed = true
	defer e.free()
	if e.err != nil {
		return e.err
	}
	if err := e.g.complete(); err != nil {
		return err
	}
	if err := e.check(C.ujc_finish(e.e)); err != nil {
		return err
	}
	return e.drain()
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
	y := C.int(0)
	if ycck {
		y = 1
	}
	e := &jpegEncoder{g: geometry{width: samples.W, height: samples.H, c: 4, depth: 8}, outC: 4}
	e.e = C.ujc_new(C.int(samples.W), C.int(samples.H), 4, 1, 1, C.int(quality), y)
	if e.e == nil {
		return nil, fmt.Errorf("imaging: jpeg: cannot create an encoder: %w", ErrUnsupported)
	}
	defer e.free()
	var out bufferWriter
	e.w = &out
	var p *C.uchar
	if len(icc) > 0 {
		p = (*C.uchar)(unsafe.Pointer(&icc[0]))
	}
	if err := e.check(C.ujc_start(e.e, p, C.size_t(len(icc)))); err != nil {
		return nil, err
	}
	if err := e.compress(samples.Pix8, samples.H); err != nil {
		return nil, err
	}
	if err := e.check(C.ujc_finish(e.e)); err != nil {
		return nil, err
	}
	if err := e.drain(); err != nil {
		return nil, err
	}
	return out, nil
}

// bufferWriter collects writes.
type bufferWriter []byte

func (b *bufferWriter) Write(p []byte) (int, error) {
	*b = append(*b, p...)
	return len(p), nil
}
