package cpu

import (
	"fmt"
	"math"

	"github.com/upscaled/upscaled/internal/cpuwork"
	"github.com/upscaled/upscaled/models"
)

// pooling is Pooling: 0 type (0 max, 1 avg); 1/11 kernel w/h; 2/12 stride;
// 3/14/13/15 pads left/right/top/bottom; 4 global; 5 pad mode (0 full: extra
// right/bottom pad so the last window fits, 1 valid, 2 SAME_UPPER, 3
// SAME_LOWER); 6 average counts padding. Global pooling gives a 1-D blob of
// C values; sums accumulate in fp64.
type pooling struct {
	avg, global            bool
	kw, kh, sw, sh         int
	padL, padR, padT, padB int
	mode                   int
	countPad               bool
}

func newPooling(l *models.Layer) (op, error) {
	p := l.Params
	typ := p.Int(0, 0)
	if typ != 0 && typ != 1 {
		return nil, fmt.Errorf("%w: pooling type %d (0 max, 1 avg)", models.ErrUnsupported, typ)
	}
	if p.Int(7, 0) != 0 {
		return nil, fmt.Errorf("%w: adaptive pooling", models.ErrUnsupported)
	}
	o := &pooling{avg: typ == 1, global: p.Int(4, 0) != 0, mode: p.Int(5, 0), countPad: p.Int(6, 0) != 0}
	o.kw = p.Int(1, 0)
	o.kh = p.Int(11, o.kw)
	o.sw = p.Int(2, 1)
	o.sh = p.Int(12, o.sw)
	o.padL = p.Int(3, 0)
	o.padR = p.Int(14, o.padL)
	o.padT = p.Int(13, o.padL)
	o.padB = p.Int(15, o.padT)
	if !o.global && (o.kw <= 0 || o.kh <= 0 || o.sw <= 0 || o.sh <= 0 || o.padL < 0 || o.padR < 0 || o.padT < 0 || o.padB < 0) {
		return nil, fmt.Errorf("%w: pooling kernel %d×%d stride %d×%d pads %d,%d,%d,%d", models.ErrFormat, o.kw, o.kh, o.sw, o.sh, o.padL, o.padR, o.padT, o.padB)
	}
	if o.mode < 0 || o.mode > 3 {
		return nil, fmt.Errorf("%w: pooling pad mode %d (0..3)", models.ErrUnsupported, o.mode)
	}
	return o, nil
}

// channelSums returns per-channel fp64 sums of x over r (half-open).
func channelSums(x *Tensor, r [4]int) []float64 {
	x0, y0, x1, y1 := r[0], r[1], r[2], r[3]
	sums := make([]float64, x.C)
	cpuwork.For(x.C, func(lo, hi int) {
		for c := lo; c < hi; c++ {
			p := x.Plane(c)
			var s float64
			for y := y0; y < y1; y++ {
				for _, v := range p[y*x.W+x0 : y*x.W+x1] {
					s += float64(v)
				}
			}
			sums[c] = s
		}
	})
	return sums
}

func (o *pooling) forward(in []*Tensor) ([]*Tensor, error) {
	if err := wantInputs(in, 1); err != nil {
		return nil, err
	}
	x := in[0]
	if err := want3D(x); err != nil {
		return nil, err
	}
	if o.global {
		return []*Tensor{o.globalPool(x)}, nil
	}
	return o.window(x)
}

func (o *pooling) globalPool(x *Tensor) *Tensor {
	out := NewVector(x.C)
	if o.avg {
		n := float64(x.H * x.W)
		for c, s := range channelSums(x, [4]int{0, 0, x.W, x.H}) {
			out.Data[c] = float32(s / n)
		}
		return out
	}
	cpuwork.For(x.C, func(lo, hi int) {
		for c := lo; c < hi; c++ {
			m := float32(math.Inf(-1))
			for _, v := range x.Plane(c) {
				m = max(m, v)
			}
			out.Data[c] = m
		}
	})
	return out
}

// window is windowed pooling over the padded input.
func (o *pooling) window(x *Tensor) ([]*Tensor, error) {
	w, h := x.W, x.H
	l, r, t, b := o.padL, o.padR, o.padT, o.padB
	tailW, tailH := 0, 0 // extra right/bottom pad of full mode, never counted
	switch o.mode {
	case 0:
		if rem := (w + l + r - o.kw) % o.sw; rem > 0 && w+l+r >= o.kw {
			tailW = o.sw - rem
		}
		if rem := (h + t + b - o.kh) % o.sh; rem > 0 && h+t+b >= o.kh {
			tailH = o.sh - rem
		}
	case 1:
		l, r, t, b = 0, 0, 0, 0
	case 2, 3:
		sm := padSameUpper
		if o.mode == 3 {
			sm = padSameLower
		}
		l, r = samePads(sm, o.kw+(w-1)/o.sw*o.sw-w)
		t, b = samePads(sm, o.kh+(h-1)/o.sh*o.sh-h)
	}
	pw, ph := w+l+r+tailW, h+t+b+tailH
	if pw < o.kw || ph < o.kh {
		return nil, fmt.Errorf("%w: padded input %d×%d smaller than pooling kernel %d×%d", ErrShape, pw, ph, o.kw, o.kh)
	}
	ow, oh := (pw-o.kw)/o.sw+1, (ph-o.kh)/o.sh+1
	out := NewTensor(x.C, oh, ow)
	cpuwork.For(x.C, func(lo, hi int) {
		for c := lo; c < hi; c++ {
			src, dst := x.Plane(c), out.Plane(c)
			for oy := range oh {
				for ox := range ow {
					// window in padded coordinates, then clipped to the image
					wx0, wy0 := ox*o.sw-l, oy*o.sh-t
					wx1, wy1 := wx0+o.kw, wy0+o.kh
					ix0, iy0, ix1, iy1 := max(wx0, 0), max(wy0, 0), min(wx1, w), min(wy1, h)
					m, s := float32(math.Inf(-1)), float32(0)
					for y := iy0; y < iy1 && ix0 < ix1; y++ { // a window may lie wholly in the padding
						for _, v := range src[y*w+ix0 : y*w+ix1] {
							m = max(m, v)
							s += v
						}
					}
					if !o.avg {
						dst[oy*ow+ox] = m // padding never wins a max
						continue
					}
					n := max(ix1-ix0, 0) * max(iy1-iy0, 0)
					if o.countPad {
						// padded area counts, the full-mode tail does not
						n = (min(wx1, w+r) - wx0) * (min(wy1, h+b) - wy0)
					}
					if n > 0 {
						s /= float32(n)
					}
					dst[oy*ow+ox] = s
				}
			}
		}
	})
	return []*Tensor{out}, nil
}
