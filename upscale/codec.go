package upscale

import (
	"fmt"
	"io"

	"github.com/upscaled/upscaled/imaging"
)

func decode(r io.Reader, maxPixels int64) (*imaging.Image, imaging.Header, error) {
	return imaging.Decode(r, imaging.Limits{MaxPixels: maxPixels})
}

// bandEncoder feeds finished output bands to an imaging encoder.
type bandEncoder struct{ enc imaging.Encoder }

func newEncoder(w io.Writer, f imaging.Format, width, height, c, depth int, o Options, icc []byte) (*bandEncoder, error) {
	sub, err := subsampling(o.Subsampling)
	if err != nil {
		return nil, err
	}
	enc, err := imaging.NewEncoder(w, width, height, c, depth, imaging.EncodeOptions{
		Format: f, Quality: o.Quality, Lossless: o.Lossless, Effort: o.Effort, Subsampling: sub, ICC: icc,
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

// subsampling maps Options.Subsampling to the imaging value.
func subsampling(s string) (imaging.Subsampling, error) {
	switch s {
	case "", "420":
		return imaging.Sub420, nil
	case "422":
		return imaging.Sub422, nil
	case "444":
		return imaging.Sub444, nil
	}
	return 0, fmt.Errorf("%w: subsampling %q is not 420, 422 or 444", ErrBadOptions, s)
}
