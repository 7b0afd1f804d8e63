package upscale

import (
	"github.com/upscaled/upscaled/engines"
	"github.com/upscaled/upscaled/imaging"
	"github.com/upscaled/upscaled/tiling"
)

// samples is an interleaved image buffer of either depth: the pipeline's
// currency between the decoder, the engine and the encoder.
type samples struct {
	W, H, C, Depth int
	Pix8           []uint8
	Pix16          []uint16
}

func newSamples(w, h, c, depth int) samples {
	s := samples{W: w, H: h, C: c, Depth: depth}
	if depth == 16 {
		s.Pix16 = make([]uint16, w*h*c)
	} else {
		s.Pix8 = make([]uint8, w*h*c)
	}
	return s
}

func fromImage(m *imaging.Image) samples {
	return samples{W: m.W, H: m.H, C: m.C, Depth: m.Depth, Pix8: m.Pix8, Pix16: m.Pix16}
}

func fromTile(t engines.Tile) samples {
	return samples{W: t.W, H: t.H, C: t.C, Depth: t.Depth, Pix8: t.Pix8, Pix16: t.Pix16}
}

func (s samples) tile() engines.Tile {
	return engines.Tile{W: s.W, H: s.H, C: s.C, Depth: s.Depth, Pix8: s.Pix8, Pix16: s.Pix16}
}

// networkTile extracts padded window r of src as RGB (gray replicated, alpha
// dropped, reflect-101 outside the image), transformed by k.
func networkTile(src samples, r tiling.Rect, k int) samples {
	w, h := r.Dx(), r.Dy()
	t := newSamples(w, h, 3, src.Depth)
	if src.Depth == 16 {
		tiling.Extract(t.Pix16, src.Pix16, src.W, src.H, src.C, r)
	} else {
		tiling.Extract(t.Pix8, src.Pix8, src.W, src.H, src.C, r)
	}
	if k == 0 {
		return t
	}
	w2, h2 := transformedSize(w, h, k)
	f := newSamples(w2, h2, 3, src.Depth)
	if src.Depth == 16 {
		forward(f.Pix16, t.Pix16, w, h, 3, k)
	} else {
		forward(f.Pix8, t.Pix8, w, h, 3, k)
	}
	return f
}

// untransform returns F_k⁻¹(s), the output of a transformed tile back in the
// tile's own orientation.
func untransform(s samples, k int) samples {
	if k == 0 {
		return s
	}
	w, h := transformedSize(s.W, s.H, k) // F_k is its own size inverse
	d := newSamples(w, h, s.C, s.Depth)
	if s.Depth == 16 {
		inverse(d.Pix16, s.Pix16, w, h, s.C, k)
	} else {
		inverse(d.Pix8, s.Pix8, w, h, s.C, k)
	}
	return d
}

// crop copies rectangle r of s into dst at (x, y); dst has s's channels.
func crop(dst samples, x, y int, s samples, r tiling.Rect) {
	if s.Depth == 16 {
		tiling.Stitch(tiling.Band[uint16]{W: dst.W, H: dst.H, C: dst.C, Pix: dst.Pix16}, x, y, s.Pix16, s.W, r)
	} else {
		tiling.Stitch(tiling.Band[uint8]{W: dst.W, H: dst.H, C: dst.C, Pix: dst.Pix8}, x, y, s.Pix8, s.W, r)
	}
}
