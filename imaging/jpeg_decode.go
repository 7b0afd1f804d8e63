package imaging

/*
#cgo LDFLAGS: -ljpeg
#include <stdlib.h>
#include "jpeg_turbo.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"io"
	"unsafe"
)

// jpegFeedBytes is how much compressed input is handed to libjpeg at a
// time (bytes); libjpeg suspends when it needs more. Tests lower it.
var jpegFeedBytes = 256 << 10

// jpegBandRows is how many rows a CMYK decode converts at a time, and how
// many rows the encoder converts and compresses per call.
const jpegBandRows = 16

// jpegDecoder drives a libjpeg decompressor from an io.Reader.
type jpegDecoder struct {
	d   *C.ujd
	r   io.Reader
	buf []byte
	eof bool
}

// decodeJPEG decodes the replayed stream with libjpeg-turbo's defaults
// (the accurate integer IDCT, fancy upsampling, block smoothing for
// progressive files: what djpeg writes) straight into the Image's rows.
// CMYK and YCCK (4 components) are read as CMYK and converted to RGB.
func decodeJPEG(m *meta, s *source) (*Image, error) {
	d := C.ujd_new()
	if d == nil {
		return nil, fmt.Errorf("imaging: jpeg: cannot create a decoder: %w", ErrUnsupported)
	}
	defer C.ujd_free(d)
	j := &jpegDecoder{d: d, r: s.rest(), buf: make([]byte, jpegFeedBytes)}
	var w, h, comps, adobe C.int
	if err := j.call(func() C.int { return C.ujd_header(d, &w, &h, &comps, &adobe) }); err != nil {
		return nil, err
	}
	hd := m.h
	if int(w) != hd.Width || int(h) != hd.Height || int(comps) != hd.est.comps {
		return nil, fmt.Errorf("imaging: jpeg: libjpeg reads %dx%d with %d components, the header %dx%d with %d: %w",
			w, h, comps, hd.Width, hd.Height, hd.est.comps, ErrCorrupt)
	}
	if err := j.call(func() C.int { return C.ujd_start(d) }); err != nil {
		return nil, err
	}
	img, err := NewImage(hd.Width, hd.Height, hd.Channels, 8)
	if err != nil {
		return nil, err
	}
	populate(img.Pix8)
	if comps == 4 {
		return img, j.cmykRows(img, adobe != 0)
	}
	return img, j.rows(img.Pix8, img.Stride(), img.H)
}

// rows decodes n rows into dst (stride bytes per row).
func (j *jpegDecoder) rows(dst []byte, stride, n int) error {
	for y := 0; y < n; {
		var got C.int
		st := C.ujd_rows(j.d, (*C.uchar)(unsafe.Pointer(&dst[y*stride])), C.size_t(stride), C.int(n-y), &got)
		y += int(got)
		switch {
		case st == C.UJ_SUSPEND:
			if err := j.more(); err != nil {
				return err
			}
		case st != C.UJ_OK:
			return j.fail()
		case got == 0 && y < n:
			return fmt.Errorf("imaging: jpeg: libjpeg stopped after %d of %d rows: %w", y, n, ErrCorrupt)
		}
	}
	return nil
}

// cmykRows decodes CMYK rows a band at a time and converts them to RGB.
// With an Adobe marker the samples are inverted (255 = no ink), as
// Photoshop writes them and as image/jpeg read them.
func (j *jpegDecoder) cmykRows(img *Image, inverted bool) error {
	band := make([]byte, jpegBandRows*img.W*4)
	for y := 0; y < img.H; {
		n := min(jpegBandRows, img.H-y)
		if err := j.rows(band, img.W*4, n); err != nil {
			return err
		}
		cmykToRGB(img.Pix8[y*img.W*3:(y+n)*img.W*3], band[:n*img.W*4], inverted)
		y += n
	}
	return nil
}

// cmykToRGB converts ink values (0 none, 255 full; stored inverted when
// inverted is set) to RGB: each channel (255-ink)·(255-K)/255, rounded.
func cmykToRGB(dst, src []byte, inverted bool) {
	for i, o := 0, 0; i+3 < len(src); i, o = i+4, o+3 {
		c, m, y, k := uint32(src[i]), uint32(src[i+1]), uint32(src[i+2]), uint32(src[i+3])
		if inverted {
			c, m, y, k = 255-c, 255-m, 255-y, 255-k
		}
		kk := 255 - k
		dst[o] = uint8(((255-c)*kk + 127) / 255)
		dst[o+1] = uint8(((255-m)*kk + 127) / 255)
		dst[o+2] = uint8(((255-y)*kk + 127) / 255)
	}
}

// call runs f, which restarts from where it suspended, until it stops
// asking for input, feeding it.
func (j *jpegDecoder) call(f func() C.int) error {
	for {
		switch f() {
		case C.UJ_OK:
			return nil
		case C.UJ_SUSPEND:
			if err := j.more(); err != nil {
				return err
			}
		default:
			return j.fail()
		}
	}
}

// more feeds the next piece of input after a suspension.
func (j *jpegDecoder) more() error {
	if j.eof {
		return fmt.Errorf("imaging: jpeg: truncated image data: %w", ErrCorrupt)
	}
	return j.feed()
}

// fail is libjpeg's error message as an ErrCorrupt error.
func (j *jpegDecoder) fail() error {
	return fmt.Errorf("imaging: jpeg: %s: %w", C.GoString(C.ujd_msg(j.d)), ErrCorrupt)
}

// feed reads the next piece of input into the decoder.
func (j *jpegDecoder) feed() error {
	n, err := io.ReadFull(j.r, j.buf)
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		j.eof = true
	case err != nil:
		return fmt.Errorf("imaging: jpeg: reading image data: %v: %w", err, ErrCorrupt)
	}
	var p *C.uchar
	if n > 0 {
		p = (*C.uchar)(unsafe.Pointer(&j.buf[0]))
	}
	eof := C.int(0)
	if j.eof {
		eof = 1
	}
	if C.ujd_feed(j.d, p, C.size_t(n), eof) != C.UJ_OK {
		return fmt.Errorf("imaging: jpeg: %s: %w", C.GoString(C.ujd_msg(j.d)), ErrTooLarge)
	}
	return nil
}
