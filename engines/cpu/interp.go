package cpu

import (
	"fmt"
	"math"

	"github.com/upscaled/upscaled/internal/cpuwork"
	"github.com/upscaled/upscaled/models"
)

// Interp resize types.
const (
	interpNearest  = 1
	interpBilinear = 2
	interpBicubic  = 3
)

// interp is Interp: 0 type (1 nearest, 2 bilinear, 3 bicubic); 1/2 height
// and width scale; 3/4 output height and width (override the scales); 6
// align_corner. With a second input the output takes its h×w. Scaled size =
// (int)(in·scale). Nearest: src = min((int)(dst/scale), in−1) (in/out when
// sizes are explicit). Bilinear and bicubic (Keys, A = −0.75) map dst to
// (dst+0.5)·in/out − 0.5 (align_corner: dst·(in−1)/(out−1)) and clamp taps
// to the edge.
type interp struct {
	kind           int
	hScale, wScale float32
	outH, outW     int
	alignCorner    bool
}

func newInterp(l *models.Layer) (op, error) {
	p := l.Params
	o := &interp{
		kind:   p.Int(0, 0),
		hScale: p.Float(1, 1), wScale: p.Float(2, 1),
		outH: p.Int(3, 0), outW: p.Int(4, 0),
		alignCorner: p.Int(6, 0) != 0,
	}
	if o.kind < interpNearest || o.kind > interpBicubic {
		return nil, fmt.Errorf("%w: interp type %d (1 nearest, 2 bilinear, 3 bicubic)", models.ErrUnsupported, o.kind)
	}
	if o.hScale <= 0 || o.wScale <= 0 || o.outH < 0 || o.outW < 0 {
		return nil, fmt.Errorf("%w: interp scales %g×%g, sizes %d×%d must be positive", models.ErrFormat, o.hScale, o.wScale, o.outH, o.outW)
	}
	return o, nil
}

func (o *interp) forward(in []*Tensor) ([]*Tensor, error) {
	if len(in) != 1 && len(in) != 2 {
		return nil, fmt.Errorf("%w: interp takes 1 or 2 blobs, got %d", ErrShape, len(in))
	}
	x := in[0]
	if err := want3D(x); err != nil {
		return nil, err
	}
	oh, ow := o.outH, o.outW
	explicit := oh > 0 && ow > 0
	if len(in) == 2 {
		oh, ow, explicit = in[1].H, in[1].W, true
	}
	if !explicit {
		oh, ow = int(float32(x.H)*o.hScale), int(float32(x.W)*o.wScale)
	}
	if oh <= 0 || ow <= 0 {
		return nil, fmt.Errorf("%w: interp output %d×%d of %s is empty", ErrShape, ow, oh, x)
	}
	out := NewTensor(x.C, oh, ow)
	if o.kind == interpNearest {
		hs, ws := 1/o.hScale, 1/o.wScale
		if explicit {
			hs, ws = float32(x.H)/float32(oh), float32(x.W)/float32(ow)
		}
		xs := make([]int, ow)
		for dx := range xs {
			xs[dx] = min(int(float32(dx)*ws), x.W-1)
		}
		cpuwork.For(x.C, func(lo, hi int) {
			for c := lo; c < hi; c++ {
				src, dst := x.Plane(c), out.Plane(c)
				for dy := range oh {
					sy := min(int(float32(dy)*hs), x.H-1)
					row, srow := dst[dy*ow:][:ow], src[sy*x.W:][:x.W]
					for dx, sx := range xs {
						row[dx] = srow[sx]
					}
				}
			}
		})
		return []*Tensor{out}, nil
	}
	taps := 2
	if o.kind == interpBicubic {
		taps = 4
	}
	xi, xw := o.coeffs(x.W, ow, taps)
	yi, yw := o.coeffs(x.H, oh, taps)
	cpuwork.For(x.C, func(lo, hi int) {
		tmp := make([]float32, x.H*ow) // horizontally resized rows
		for c := lo; c < hi; c++ {
			src, dst := x.Plane(c), out.Plane(c)
			for y := range x.H {
				srow, trow := src[y*x.W:][:x.W], tmp[y*ow:][:ow]
				for dx := range ow {
					var s float32
					for k := range taps {
						s += xw[dx*taps+k] * srow[xi[dx*taps+k]]
					}
					trow[dx] = s
				}
			}
			for dy := range oh {
				row := dst[dy*ow:][:ow]
				for k := range taps {
					w, trow := yw[dy*taps+k], tmp[yi[dy*taps+k]*ow:][:ow]
					for dx, v := range trow {
						row[dx] += w * v
					}
				}
			}
		}
	})
	return []*Tensor{out}, nil
}

// coeffs returns, per output index, taps source indices (clamped to the
// edge) and weights.
func (o *interp) coeffs(in, out, taps int) ([]int, []float32) {
	idx, wt := make([]int, out*taps), make([]float32, out*taps)
	scale := float64(in) / float64(out)
	if o.alignCorner && out > 1 {
		scale = float64(in-1) / float64(out-1)
	}
	for d := range out {
		f := float32((float64(d)+0.5)*scale - 0.5)
		if o.alignCorner {
			f = float32(float64(d) * scale)
		}
		s := int(math.Floor(float64(f)))
		t := f - float32(s)
		var w []float32
		first := s
		if taps == 2 {
			w = []float32{1 - t, t}
		} else {
			w = cubicWeights(t)
			first = s - 1
		}
		for k := range taps {
			idx[d*taps+k] = min(max(first+k, 0), in-1)
			wt[d*taps+k] = w[k]
		}
	}
	return idx, wt
}

// cubicWeights are Keys' cubic convolution weights (A = −0.75) for taps at
// offsets −1, 0, 1, 2 from the sample's floor, t its fractional part.
func cubicWeights(t float32) []float32 {
	const a = -0.75
	x0 := t + 1
	w0 := ((a*x0-5*a)*x0+8*a)*x0 - 4*a
	w1 := ((a+2)*t-(a+3))*t*t + 1
	u := 1 - t
	w2 := ((a+2)*u-(a+3))*u*u + 1
	return []float32{w0, w1, w2, 1 - w0 - w1 - w2}
}
