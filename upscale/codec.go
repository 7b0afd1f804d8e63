package upscale

import (
	"io"

	"github.com/upscaled/upscaled/imaging"
)

func decode(r io.Reader, maxPixels int64) (*imaging.Image, imaging.Header, error) {
	return imaging.Decode(r, imaging.Limits{MaxPixels: maxPixels})
}

// bandEncoder feeds finished output bands to an imaging encoder.
type bandEncoder struct{ enc imaging.Encoder }

func newEncoder(w io.Writer, f imaging.Format, width, height, c, depth int, o Options, icc []byte) (*bandEncoder, error) {
	enc, err := imaging.NewEncoder(w, width, height, c, depth, imaging.EncodeOptions{
		Format: f, Quality: o.Quality, Lossless: o.Lossless, ICC: icc,
	})
	if err != nil {
		return nil, err
	}
	return &bandEncoder{enc: enc}, nil
}

func (e *bandEncoder) WriteRows(b samples) error {
	return e.enc.WriteRows(&imaging.Image{W: b.W, H: b.H, C: b.C, Depth: b.Depth, Pix8: b.Pix8, Pix16: b.Pix16})
}

func (e *bandEncoder) Close() error { return e.enc.Close() }
