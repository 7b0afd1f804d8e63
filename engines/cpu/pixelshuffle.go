package cpu

import (
	"fmt"

	"github.com/upscaled/upscaled/internal/cpuwork"
	"github.com/upscaled/upscaled/models"
)

// pixelShuffle is PixelShuffle: 0 factor r; 1 mode. Mode 0 (PyTorch): output
// channel p at sub-pixel (sh, sw) comes from input channel p·r² + sh·r + sw;
// mode 1: from channel (sh·r + sw)·outC + p.
type pixelShuffle struct{ r, mode int }

func newPixelShuffle(l *models.Layer) (op, error) {
	o := pixelShuffle{r: l.Params.Int(0, 1), mode: l.Params.Int(1, 0)}
	if o.r <= 0 || (o.mode != 0 && o.mode != 1) {
		return nil, fmt.Errorf("%w: pixel shuffle factor %d mode %d (want factor > 0, mode 0 or 1)", models.ErrFormat, o.r, o.mode)
	}
	return o, nil
}

func (o pixelShuffle) forward(in []*Tensor) ([]*Tensor, error) {
	if err := wantInputs(in, 1); err != nil {
		return nil, err
	}
	x := in[0]
	if err := want3D(x); err != nil {
		return nil, err
	}
	r := o.r
	if x.C%(r*r) != 0 {
		return nil, fmt.Errorf("%w: %d channels not divisible by factor² = %d", ErrShape, x.C, r*r)
	}
	outC := x.C / (r * r)
	out := NewTensor(outC, x.H*r, x.W*r)
	cpuwork.For(outC, func(lo, hi int) {
		for p := lo; p < hi; p++ {
			dst := out.Plane(p)
			for sh := range r {
				for sw := range r {
					q := p*r*r + sh*r + sw
					if o.mode == 1 {
						q = (sh*r+sw)*outC + p
					}
					src := x.Plane(q)
					for y := range x.H {
						row := dst[(y*r+sh)*out.W+sw:]
						for xx, v := range src[y*x.W : (y+1)*x.W] {
							row[xx*r] = v
						}
					}
				}
			}
		}
	})
	return []*Tensor{out}, nil
}
