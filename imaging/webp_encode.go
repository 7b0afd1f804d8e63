package imaging

import (
	"encoding/binary"
	"fmt"
	"image"
	"io"

	"github.com/chai2010/webp"
)

// webpEncoder buffers the whole image (libwebp encodes from one buffer:
// width×height×3 or ×4 bytes here, plus libwebp's own working memory) and
// encodes it on Close.
type webpEncoder struct {
	w      io.Writer
	g      geometry
	opt    EncodeOptions
	outC   int // 3 RGB or 4 RGBA
	pix    []byte
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
	e.pix = make([]byte, g.width*g.height*e.outC)
	return e, nil
}

func (e *webpEncoder) WriteRows(b *Image) error {
	if e.closed {
		return fmt.Errorf("imaging: webp: WriteRows after Close: %w", ErrUnsupported)
	}
	y0 := e.g.y
	if err := e.g.accept(b); err != nil {
		return err
	}
	s := b.Stride()
	for y := 0; y < b.H; y++ {
		dst := e.pix[(y0+y)*e.g.width*e.outC:]
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
	}
	return nil
}

func (e *webpEncoder) Close() error {
	if e.closed {
		return nil
	}
	e.closed = true
	if err := e.g.complete(); err != nil {
		return err
	}
	r := image.Rect(0, 0, e.g.width, e.g.height)
	var (
		data []byte
		err  error
		q    = float32(e.opt.Quality)
	)
	// chai2010/webp passes these buffers to libwebp as they are
	// (non-premultiplied RGBA).
	if e.outC == 4 {
		m := &image.RGBA{Pix: e.pix, Stride: 4 * e.g.width, Rect: r}
		if e.opt.Lossless {
			data, err = webp.EncodeLosslessRGBA(m)
		} else {
			data, err = webp.EncodeRGBA(m, q)
		}
	} else {
		m := &webp.RGBImage{XPix: e.pix, XStride: 3 * e.g.width, XRect: r}
		if e.opt.Lossless {
			data, err = webp.EncodeLosslessRGB(m)
		} else {
			data, err = webp.EncodeRGB(m, q)
		}
	}
	e.pix = nil
	if err != nil {
		return fmt.Errorf("imaging: webp: libwebp: %v: %w", err, ErrUnsupported)
	}
	if e.opt.ICC != nil && iccMatches(e.opt.ICC, e.outC) {
		if data, err = webpWithICC(data, e.opt.ICC, e.g.width, e.g.height); err != nil {
			return err
		}
	}
	_, err = e.w.Write(data)
	return err
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
