package upscale

// TEMPORARY until imaging's band encoders land: buffers the whole image.

import (
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"

	"github.com/upscaled/upscaled/imaging"
)

func decode(r io.Reader, maxPixels int64) (*imaging.Image, imaging.Header, error) {
	return imaging.Decode(r, imaging.Limits{MaxPixels: maxPixels})
}

type tmpEncoder struct {
	w       io.Writer
	f       imaging.Format
	img     samples
	y       int
	quality int
}

func newEncoder(w io.Writer, f imaging.Format, width, height, c, depth int, o Options, icc []byte) (*tmpEncoder, error) {
	return &tmpEncoder{w: w, f: f, img: newSamples(width, height, c, depth), quality: o.Quality}, nil
}

func (e *tmpEncoder) WriteRows(b samples) error {
	if b.Depth == 16 {
		copy(e.img.Pix16[e.y*e.img.W*e.img.C:], b.Pix16)
	} else {
		copy(e.img.Pix8[e.y*e.img.W*e.img.C:], b.Pix8)
	}
	e.y += b.H
	return nil
}

func (e *tmpEncoder) Close() error {
	s := e.img
	r := image.Rect(0, 0, s.W, s.H)
	var m image.Image
	switch {
	case s.Depth == 16 && s.C == 1:
		g := image.NewGray16(r)
		for i, v := range s.Pix16 {
			g.Pix[2*i], g.Pix[2*i+1] = uint8(v>>8), uint8(v)
		}
		m = g
	case s.Depth == 16:
		g := image.NewNRGBA64(r)
		for i := 0; i < s.W*s.H; i++ {
			for c := 0; c < 4; c++ {
				v := uint16(65535)
				if c < s.C {
					v = s.Pix16[i*s.C+c]
				}
				g.Pix[8*i+2*c], g.Pix[8*i+2*c+1] = uint8(v>>8), uint8(v)
			}
		}
		m = g
	case s.C == 1:
		g := image.NewGray(r)
		copy(g.Pix, s.Pix8)
		m = g
	default:
		g := image.NewNRGBA(r)
		for i := 0; i < s.W*s.H; i++ {
			for c := 0; c < 4; c++ {
				v := uint8(255)
				if c < s.C {
					v = s.Pix8[i*s.C+c]
				}
				g.Pix[4*i+c] = v
			}
		}
		m = g
	}
	switch e.f {
	case imaging.JPEG:
		return jpeg.Encode(e.w, m, &jpeg.Options{Quality: e.quality})
	case imaging.PNG:
		return png.Encode(e.w, m)
	}
	return fmt.Errorf("tmp encoder: %s", e.f)
}
