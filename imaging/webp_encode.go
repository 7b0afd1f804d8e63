package imaging

/*
#cgo LDFLAGS: -lwebp
#include <stdlib.h>
#include "webp_cgo.h"
*/
import "C"

import (
	"encoding/binary"
	"fmt"
	"io"
	"unsafe"

	"github.com/upscaled/upscaled/internal/cpuwork"
)

// webpLosslessLevels maps an effort (0..6) to libwebp's lossless preset
// level (0 fastest .. 9 smallest; it sets method and effort together).
var webpLosslessLevels = [MaxEffort + 1]int{0, 1, 2, 3, 5, 7, 9}

// webpBandRows is how many rows are converted and imported at a time (even).
const webpBandRows = 16

// webpEncoder imports rows into a libwebp picture as they arrive (lossy:
// YUV 4:2:0, plus an alpha plane; lossless: ARGB) and encodes it on Close
// through libwebp's advanced API (WebPConfig: method, quality, lossless
// preset, thread_level, exact). It holds the picture (1.5–4 bytes per
// pixel in C memory), a band of converted rows and, at the end, the file.
type webpEncoder struct {
	w      io.Writer
	g      geometry
	opt    EncodeOptions
	outC   int // 3 RGB or 4 RGBA
	pic    *C.uwe
	band   []byte // converted rows not yet imported
	rows   int    // rows in band
	y      int    // picture rows imported
	closed bool
}

func newWebPEncoder(w io.Writer, g geometry, opt EncodeOptions) (*webpEncoder, error) {
	if g.width > WebPMaxDim || g.height > WebPMaxDim {
		return nil, fmt.Errorf("imaging: webp: %dx%d exceeds %d px per side: %w", g.width, g.height, WebPMaxDim, ErrWebPTooLarge)
	}
	e := &webpEncoder{w: w, g: g, opt: opt, outC: 3}
	if g.c == 2 || g.c == 4 {
		e.outC = 4
	}
	alpha, lossless := C.int(0), C.int(0)
	if e.outC == 4 {
		alpha = 1
	}
	if opt.Lossless {
		lossless = 1
	}
	e.pic = C.uwe_new(C.int(g.width), C.int(g.height), alpha, lossless)
	if e.pic == nil {
		return nil, fmt.Errorf("imaging: webp: cannot allocate a %dx%d picture: %w", g.width, g.height, ErrTooLarge)
	}
	e.band = make([]byte, webpBandRows*g.width*e.outC)
	return e, nil
}

func (e *webpEncoder) WriteRows(b *Image) error {
	if e.closed {
		return fmt.Errorf("imaging: webp: WriteRows after Close: %w", ErrUnsupported)
	}
	if err := e.g.accept(b); err != nil {
		return err
	}
	s := b.Stride()
	rb := e.g.width * e.outC
	for y := 0; y < b.H; y++ {
		dst := e.band[e.rows*rb : (e.rows+1)*rb]
		for x := 0; x < b.W; x++ {
			for k := 0; k < e.outC; k++ {
				src := k // gray and gray+alpha spread over R,G,B (+A)
				switch {
				case b.C <= 2 && k < 3:
					src = 0
				case b.C == 2 && k == 3:
					src = 1
				}
				i := y*s + x*b.C + src
				if b.Depth == 8 {
					dst[x*e.outC+k] = b.Pix8[i]
				} else {
					dst[x*e.outC+k] = byte((uint32(b.Pix16[i])*255 + 32767) / 65535)
				}
			}
		}
		e.rows++
		if e.rows == webpBandRows {
			if err := e.flush(); err != nil {
				return err
			}
		}
	}
	return nil
}

// flush imports the buffered rows into the picture.
func (e *webpEncoder) flush() error {
	if e.rows == 0 {
		return nil
	}
	rb := e.g.width * e.outC
	if C.uwe_rows(e.pic, (*C.uint8_t)(unsafe.Pointer(&e.band[0])), C.size_t(rb), C.int(e.outC), C.int(e.y), C.int(e.rows)) != 0 {
		return fmt.Errorf("imaging: webp: libwebp could not import rows %d..%d: %w", e.y, e.y+e.rows, ErrUnsupported)
	}
	e.y += e.rows
	e.rows = 0
	return nil
}

func (e *webpEncoder) Close() error {
	if e.closed {
		return nil
	}
	e.closed = true
	defer func() {
		C.uwe_free(e.pic)
		e.pic = nil
		e.band = nil
	}()
	if err := e.g.complete(); err != nil {
		return err
	}
	if err := e.flush(); err != nil {
		return err
	}
	effort := effortOr(e.opt, DefaultWebPEffort)
	threads, exact := C.int(0), C.int(0)
	if cpuwork.Workers() > 1 {
		threads = 1
	}
	if e.opt.Lossless {
		exact = 1 // lossless means every RGB value, also under alpha 0
	}
	var (
		out *C.uint8_t
		n   C.size_t
		st  C.int
	)
	cpuwork.For(1, func(int, int) {
		st = C.uwe_encode(e.pic, C.int(effort), C.float(e.opt.Quality), C.int(webpLosslessLevels[effort]), threads, exact, &out, &n)
	})
	if st != 0 {
		return fmt.Errorf("imaging: webp: libwebp encoding error %d: %w", int(st), ErrUnsupported)
	}
	defer C.uwe_free_out(out)
	data := unsafe.Slice((*byte)(unsafe.Pointer(out)), int(n))
	if e.opt.ICC != nil && iccMatches(e.opt.ICC, e.outC) {
		var err error
		if data, err = webpWithICC(data, e.opt.ICC, e.g.width, e.g.height); err != nil {
			return err
		}
	}
	_, err := e.w.Write(data)
	return err
}

// webpEncoderVersion is the linked libwebp encoder's version, "major.minor.rev".
func webpEncoderVersion() string {
	v := int(C.uwe_version())
	return fmt.Sprintf("%d.%d.%d", v>>16, v>>8&0xff, v&0xff)
}

// webpWithICC rewrites a WebP file as the extended format with an ICCP
// chunk: VP8X (ICC flag, alpha flag kept), ICCP, then the image chunks.
func webpWithICC(data, icc []byte, w, h int) ([]byte, error) {
	if len(data) < 12 || string(data[:4]) != "RIFF" || string(data[8:12]) != "WEBP" {
		return nil, fmt.Errorf("imaging: webp: encoder output is not RIFF/WEBP: %w", ErrCorrupt)
	}
	var chunks [][]byte
	flags := byte(webpFlagICC)
	for p := 12; p+8 <= len(data); {
		n := int(binary.LittleEndian.Uint32(data[p+4:]))
		end := p + 8 + n + n&1
		if end > len(data) {
			return nil, fmt.Errorf("imaging: webp: encoder output chunk overruns: %w", ErrCorrupt)
		}
		typ := string(data[p : p+4])
		switch typ {
		case "VP8X":
			flags |= data[p+8] &^ webpFlagICC
		case "ALPH":
			flags |= webpFlagAlpha
			chunks = append(chunks, data[p:end])
		case "VP8L":
			if n >= 5 && binary.LittleEndian.Uint32(data[p+9:])>>28&1 != 0 {
				flags |= webpFlagAlpha
			}
			chunks = append(chunks, data[p:end])
		case "ICCP":
		default:
			chunks = append(chunks, data[p:end])
		}
		p = end
	}
	vp8x := []byte{flags, 0, 0, 0,
		byte(w - 1), byte((w - 1) >> 8), byte((w - 1) >> 16),
		byte(h - 1), byte((h - 1) >> 8), byte((h - 1) >> 16)}
	out := []byte("RIFF\x00\x00\x00\x00WEBP")
	out = appendWebPChunk(out, "VP8X", vp8x)
	out = appendWebPChunk(out, "ICCP", icc)
	for _, c := range chunks {
		out = append(out, c...)
	}
	binary.LittleEndian.PutUint32(out[4:], uint32(len(out)-8))
	return out, nil
}

func appendWebPChunk(out []byte, typ string, d []byte) []byte {
	out = append(out, typ...)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(d)))
	out = append(out, d...)
	if len(d)%2 == 1 {
		out = append(out, 0)
	}
	return out
}
