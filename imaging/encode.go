package imaging

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync/atomic"
)

// ErrWebPTooLarge: WebP cannot store a side longer than WebPMaxDim pixels;
// callers fall back to PNG.
var ErrWebPTooLarge = errors.New("image too large for WebP")

// WebPMaxDim is the longest side WebP can store (pixels).
const WebPMaxDim = 16383

// JPEGMaxDim is the longest side baseline JPEG can store (pixels).
const JPEGMaxDim = 65535

// EncodeOptions selects the output.
type EncodeOptions struct {
	Format Format
	// Quality 1..100 for JPEG and lossy WebP; 0 means DefaultQuality.
	Quality int
	// Lossless selects lossless WebP.
	Lossless bool
	// ICC is embedded when its colour space matches the output channels
	// (GRAY for gray PNG/JPEG, RGB otherwise); other profiles are not written.
	ICC []byte
	// Subsampling of JPEG chroma (default 4:2:0).
	Subsampling Subsampling
	// Effort 0..6 trades encode speed for size: PNG deflate level 1, 2,
	// 3, 4, 5, 6, 9; lossy WebP libwebp method 0..6 (0 may be the parallel
	// encoder instead: WebPCodec); lossless WebP preset
	// 0, 1, 2, 3, 5, 7, 9; JPEG ignores it. nil means the format's default
	// (DefaultPNGEffort, DefaultWebPEffort).
	Effort *int
	// Workers compressing PNG row groups in parallel; 0 means GOMAXPROCS.
	Workers int
	// WebPCodec picks the lossy WebP encoder (WebPCodecAuto: see there).
	WebPCodec WebPCodec
}

// WebPCodec selects the encoder of lossy WebP.
type WebPCodec int

const (
	// WebPCodecAuto is the default: the process's codec (SetWebPCodec),
	// and when that is auto too, WebPCodecParallel for lossy pictures
	// without alpha at effort 0 when the CPU pool has 3 workers or more
	// (webpParallelMinWorkers), libwebp otherwise.
	WebPCodecAuto WebPCodec = iota
	// WebPCodecLibwebp is libwebp at the effort's method.
	WebPCodecLibwebp
	// WebPCodecParallel is the project's own VP8 encoder (vp8_enc.h): one
	// picture on all the CPU pool's workers, at libwebp method 0's size
	// and fidelity. Pictures with alpha and lossless ones use libwebp.
	WebPCodecParallel
)

// webpCodecNames are the codecs' names (ParseWebPCodec, String).
var webpCodecNames = [...]string{WebPCodecAuto: "auto", WebPCodecLibwebp: "libwebp", WebPCodecParallel: "parallel"}

func (c WebPCodec) String() string {
	if c >= 0 && int(c) < len(webpCodecNames) {
		return webpCodecNames[c]
	}
	return fmt.Sprintf("WebPCodec(%d)", int(c))
}

// ParseWebPCodec reads "auto", "libwebp" or "parallel".
func ParseWebPCodec(s string) (WebPCodec, error) {
	for c, name := range webpCodecNames {
		if s == name {
			return WebPCodec(c), nil
		}
	}
	return 0, fmt.Errorf("imaging: WebP encoder %q: want auto, libwebp or parallel: %w", s, ErrUnsupported)
}

// processWebPCodec is what WebPCodecAuto means in this process.
var processWebPCodec atomic.Int32

// SetWebPCodec sets what lossy WebP encodes whose options say
// WebPCodecAuto use in this process (an operator's setting:
// UPSCALED_WEBP_ENCODER); WebPCodecAuto restores the adaptive choice.
func SetWebPCodec(c WebPCodec) { processWebPCodec.Store(int32(c)) }

// DefaultQuality is the JPEG/WebP quality when EncodeOptions.Quality is 0.
const DefaultQuality = 90

// Effort bounds and defaults (EncodeOptions.Effort): the defaults keep
// encoding a small share of a page's time (see README, Performance). WebP's
// is libwebp's fastest method: a 2550×3263 page's 33 MP output takes about
// 1 s at method 2 on a server core, 0.6 s at 0, for 1.5 % more bytes.
const (
	MaxEffort         = 6
	DefaultPNGEffort  = 1
	DefaultWebPEffort = 0
)

// effortOr is opt.Effort, or def when unset.
func effortOr(opt EncodeOptions, def int) int {
	if opt.Effort == nil {
		return def
	}
	return *opt.Effort
}

// Encoder receives an image band by band, top to bottom. PNG and JPEG
// write output as bands arrive, holding only a few row groups; WebP
// converts the bands as they arrive into libwebp's picture, which holds
// the whole image (lossy: YUV 4:2:0, 1.5 bytes per pixel, +1 with alpha;
// lossless: ARGB), and only encodes it at Close.
type Encoder interface {
	// WriteRows appends the rows of band, whose width, channels and depth
	// must match the encoder's. The band may be reused after it returns.
	WriteRows(band *Image) error
	// Close writes the rest of the file. It fails when fewer rows than the
	// height were written; the output is then incomplete.
	Close() error
}

// NewEncoder starts an encoder for a width×height image of the given
// channels (1..4) and depth (8, 16). PNG keeps every layout and depth;
// JPEG writes gray for 1-2 channels and YCbCr for 3-4, flattening alpha
// over white, and 8-bit samples; WebP writes RGB or RGBA, 8-bit.
func NewEncoder(w io.Writer, width, height, channels, depth int, opt EncodeOptions) (Encoder, error) {
	if width <= 0 || height <= 0 || channels < 1 || channels > 4 || (depth != 8 && depth != 16) {
		return nil, fmt.Errorf("imaging: encode %dx%d, %d channels, depth %d: %w", width, height, channels, depth, ErrUnsupported)
	}
	if opt.Quality == 0 {
		opt.Quality = DefaultQuality
	}
	if opt.Quality < 1 || opt.Quality > 100 {
		return nil, fmt.Errorf("imaging: quality %d outside 1..100: %w", opt.Quality, ErrUnsupported)
	}
	if opt.Effort != nil && (*opt.Effort < 0 || *opt.Effort > MaxEffort) {
		return nil, fmt.Errorf("imaging: effort %d outside 0..%d: %w", *opt.Effort, MaxEffort, ErrUnsupported)
	}
	if opt.Subsampling < Sub420 || opt.Subsampling > Sub444 {
		return nil, fmt.Errorf("imaging: chroma subsampling %d: %w", opt.Subsampling, ErrUnsupported)
	}
	if opt.Workers <= 0 {
		opt.Workers = runtime.GOMAXPROCS(0)
	}
	if opt.ICC != nil {
		if err := checkICC(opt.ICC); err != nil {
			return nil, fmt.Errorf("imaging: encode: %w", err)
		}
	}
	g := geometry{width: width, height: height, c: channels, depth: depth}
	switch opt.Format {
	case PNG:
		return newPNGEncoder(w, g, opt)
	case JPEG:
		return newJPEGEncoder(w, g, opt)
	case WebP:
		return newWebPEncoder(w, g, opt)
	}
	return nil, fmt.Errorf("imaging: cannot encode format %q: %w", opt.Format, ErrUnsupported)
}

// Encode writes img in one call (through the band encoder). opt.ICC
// defaults to img.ICC.
func Encode(w io.Writer, img *Image, opt EncodeOptions) error {
	if err := img.valid(); err != nil {
		return err
	}
	if opt.ICC == nil {
		opt.ICC = img.ICC
	}
	e, err := NewEncoder(w, img.W, img.H, img.C, img.Depth, opt)
	if err != nil {
		return err
	}
	if err := e.WriteRows(img); err != nil {
		return err
	}
	return e.Close()
}

// geometry is what an encoder was opened for, with the row accounting
// every encoder shares.
type geometry struct {
	width, height, c, depth int
	y                       int // rows received
}

// accept validates a band and counts its rows.
func (g *geometry) accept(b *Image) error {
	if err := b.valid(); err != nil {
		return err
	}
	if b.W != g.width || b.C != g.c || b.Depth != g.depth {
		return fmt.Errorf("imaging: band %dx%dx%d/%d-bit does not match the encoder's %d px, %d channels, %d-bit: %w",
			b.W, b.H, b.C, b.Depth, g.width, g.c, g.depth, ErrUnsupported)
	}
	if g.y+b.H > g.height {
		return fmt.Errorf("imaging: %d rows written to a %d-row image: %w", g.y+b.H, g.height, ErrTooLarge)
	}
	g.y += b.H
	return nil
}

// complete reports an error unless every row was written.
func (g *geometry) complete() error {
	if g.y != g.height {
		return fmt.Errorf("imaging: encoder closed after %d of %d rows: %w", g.y, g.height, ErrCorrupt)
	}
	return nil
}
