package imaging

/*
#cgo LDFLAGS: -lwebp -lm
#include <stdlib.h>
#include "webp_cgo.h"
*/
import "C"

import (
	"encoding/binary"
	"fmt"
	"io"
	"sync/atomic"
	"unsafe"

	"github.com/upscaled/upscaled/internal/cpuwork"
)

// webpLosslessLevels maps an effort (0..6) to libwebp's lossless preset
// level (0 fastest .. 9 smallest; it sets method and effort together).
var webpLosslessLevels = [MaxEffort + 1]int{0, 1, 2, 3, 5, 7, 9}

// webpBandRows is how many 16-bit rows are converted to 8 bits at a time.
const webpBandRows = 16

// webpEncoder imports rows into a libwebp picture as they arrive and
// encodes it on Close through libwebp's advanced API (WebPConfig: method,
// quality, lossless preset, thread_level, exact). Lossy pictures are YUV
// 4:2:0 (1.5 bytes per pixel, +1 with alpha), converted here two rows at a
// time as libwebp's importer would (webp_yuv.c); lossless ones are ARGB
// (4 bytes per pixel). Beside the picture it holds two rows, for 16-bit
// input a band of converted rows, and at the end the file.
type webpEncoder struct {
	w      io.Writer
	g      geometry
	opt    EncodeOptions
	pic    *C.uwe
	rb     int    // bytes in an 8-bit row (width × channels)
	conv   []byte // 16-bit rows converted to 8 bits
	pair   []byte // lossy: an odd band's last row waits here for the next
	held   bool   // pair holds a row
	y      int    // picture rows imported
	closed bool
}

func newWebPEncoder(w io.Writer, g geometry, opt EncodeOptions) (*webpEncoder, error) {
	if g.width > WebPMaxDim || g.height > WebPMaxDim {
		return nil, fmt.Errorf("imaging: webp: %dx%d exceeds %d px per side: %w", g.width, g.height, WebPMaxDim, ErrWebPTooLarge)
	}
	e := &webpEncoder{w: w, g: g, opt: opt, rb: g.width * g.c}
	alpha, lossless := C.int(0), C.int(0)
	if g.c == 2 || g.c == 4 {
		alpha = 1
	}
	if opt.Lossless {
		lossless = 1
	} else {
		e.pair = make([]byte, 2*e.rb)
	}
	e.pic = C.uwe_new(C.int(g.width), C.int(g.height), alpha, lossless)
	if e.pic == nil {
		return nil, fmt.Errorf("imaging: webp: cannot allocate a %dx%d picture: %w", g.width, g.height, ErrTooLarge)
	}
	if g.depth == 16 {
		e.conv = make([]byte, webpBandRows*e.rb)
	}
	return e, nil
}

func (e *webpEncoder) WriteRows(b *Image) error {
	if e.closed {
		return fmt.Errorf("imaging: webp: WriteRows after Close: %w", ErrUnsupported)
	}
	if err := e.g.accept(b); err != nil {
		return err
	}
	if b.Depth == 8 {
		return e.feed(b.Pix8, b.Stride(), b.H)
	}
	s := b.Stride()
	for y := 0; y < b.H; y += webpBandRows {
		n := min(webpBandRows, b.H-y)
		for i, v := range b.Pix16[y*s : (y+n)*s] {
			e.conv[i] = byte((uint32(v)*255 + 32767) / 65535)
		}
		if err := e.feed(e.conv, e.rb, n); err != nil {
			return err
		}
	}
	return nil
}

// feed imports n rows of 8-bit samples (stride bytes apart). Lossy rows
// go in pairs (one chroma row each): an odd band's last row is held back
// and imported with the next band's first.
func (e *webpEncoder) feed(p []byte, stride, n int) error {
	if e.pair == nil {
		return e.put(p, stride, n)
	}
	i := 0
	if e.held && n > 0 {
		copy(e.pair[e.rb:], p[:e.rb])
		e.held = false
		if err := e.put(e.pair, e.rb, 2); err != nil {
			return err
		}
		i = 1
	}
	m := n - i
	if m%2 == 1 && e.y+m < e.g.height {
		m--
		copy(e.pair[:e.rb], p[(i+m)*stride:][:e.rb])
		e.held = true
	}
	if m == 0 {
		return nil
	}
	return e.put(p[i*stride:], stride, m)
}

// webpPutRows is how many rows one worker converts at a time (even: lossy
// rows go in pairs).
const webpPutRows = 32

// put imports n rows at picture row e.y, webpPutRows at a time on the
// shared CPU pool: the chunks write disjoint picture rows. On one core of
// the GPU machine a 5100×6526 page converted more slowly than the GPU
// upscaled it (WebP requests' engine stage 133–236 ms, JPEG's 130).
func (e *webpEncoder) put(p []byte, stride, n int) error {
	var bad atomic.Int32
	cpuwork.For((n+webpPutRows-1)/webpPutRows, func(lo, hi int) {
		for c := lo; c < hi; c++ {
			r := c * webpPutRows
			m := min(webpPutRows, n-r)
			if C.uwe_rows(e.pic, (*C.uint8_t)(unsafe.Pointer(&p[r*stride])), C.size_t(stride), C.int(e.g.c), C.int(e.y+r), C.int(m)) != 0 {
				bad.Store(1)
			}
		}
	})
	if bad.Load() != 0 {
		return fmt.Errorf("imaging: webp: libwebp could not import rows %d..%d: %w", e.y, e.y+n, ErrUnsupported)
	}
	e.y += n
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
		e.conv, e.pair = nil, nil
	}()
	if err := e.g.complete(); err != nil {
		return err
	}
	var (
		out *C.uint8_t
		n   C.size_t
		err error
	)
	parallel := e.parallel()
	if parallel {
		out, n, err = vp8EncodePicture(e.pic, qualityOr(e.opt))
		if err == nil {
			defer vp8FreeOut(out)
		}
		// A first partition over VP8's 512 KiB (modes of a huge, busy
		// picture) or no memory: libwebp, which splits its own way, tries.
		parallel = err == nil
	}
	if !parallel {
		out, n, err = webpEncodePicture(e.pic, e.opt)
		if err == nil {
			defer C.uwe_free_out(out)
		}
	}
	if err != nil {
		return err
	}
	data := unsafe.Slice((*byte)(unsafe.Pointer(out)), int(n))
	if e.opt.ICC != nil && iccMatches(e.opt.ICC, e.outChannels()) {
		var err error
		if data, err = webpWithICC(data, e.opt.ICC, e.g.width, e.g.height); err != nil {
			return err
		}
	}
	_, err = e.w.Write(data)
	return err
}

// webpEncodePicture encodes pic with opt's method, quality or lossless
// preset on the shared CPU pool; the caller frees the result (uwe_free_out).
func webpEncodePicture(pic *C.uwe, opt EncodeOptions) (*C.uint8_t, C.size_t, error) {
	effort := effortOr(opt, DefaultWebPEffort)
	threads, exact := C.int(0), C.int(0)
	if cpuwork.Workers() > 1 {
		threads = 1
	}
	if opt.Lossless {
		exact = 1 // lossless means every RGB value, also under alpha 0
	}
	var (
		out *C.uint8_t
		n   C.size_t
		st  C.int
	)
	cpuwork.For(1, func(int, int) {
		st = C.uwe_encode(pic, C.int(effort), C.float(opt.Quality), C.int(webpLosslessLevels[effort]), threads, exact, &out, &n)
	})
	if st != 0 {
		return nil, 0, fmt.Errorf("imaging: webp: libwebp encoding error %d: %w", int(st), ErrUnsupported)
	}
	return out, n, nil
}

// parallel is whether the picture goes to our own VP8 encoder
// (EncodeOptions.WebPCodec, SetWebPCodec).
func (e *webpEncoder) parallel() bool {
	if e.opt.Lossless || e.g.c == 2 || e.g.c == 4 {
		return false
	}
	c := e.opt.WebPCodec
	if c == WebPCodecAuto {
		c = WebPCodec(processWebPCodec.Load())
	}
	switch c {
	case WebPCodecParallel:
		return true
	case WebPCodecAuto:
		return effortOr(e.opt, DefaultWebPEffort) == 0 && cpuwork.Workers() >= webpParallelMinWorkers
	}
	return false
}

// webpParallelMinWorkers is the fewest CPU pool workers at which
// WebPCodecAuto takes our encoder: one of its threads codes a page at
// 0.55–0.75× libwebp method 0's rate (Real-CUGAN's 33 MP output of a real
// page on one core of the H200 host: 0.98 s against 0.74 s; 16 threads:
// 0.15 s), so from 3 workers on its wall time is shorter; below, libwebp.
const webpParallelMinWorkers = 3

// qualityOr is opt.Quality, or DefaultQuality when 0.
func qualityOr(opt EncodeOptions) int {
	if opt.Quality == 0 {
		return DefaultQuality
	}
	return opt.Quality
}

// outChannels is what the file stores: RGB, or RGBA for input with alpha.
func (e *webpEncoder) outChannels() int {
	if e.g.c == 2 || e.g.c == 4 {
		return 4
	}
	return 3
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
