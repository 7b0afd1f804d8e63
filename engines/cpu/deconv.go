package cpu

import (
	"fmt"

	"github.com/upscaled/upscaled/models"
)

// deconv is Deconvolution: every input pixel scatters its value times the
// [out][in][kh][kw] weights (not flipped) onto the output at (y·stride +
// ky·dilation, x·stride + kx·dilation). Full size = (in−1)·stride +
// dilation·(k−1) + 1 + output_pad (ids 18/19 right/bottom); then pads (ids
// 4/15/14/16) are cut from the sides, or with -233/-234 and an output size
// (ids 20/21 w/h) the excess is cut SAME_UPPER/SAME_LOWER style.
type deconv struct {
	kernel
	outPadR, outPadB int
	outW, outH       int
	weight           []float32 // [out][in][kh][kw]
}

func newDeconv(l *models.Layer) (op, error) {
	k, err := readKernel(l)
	if err != nil {
		return nil, err
	}
	p := l.Params
	d := &deconv{kernel: k, weight: l.Weight}
	d.outPadR = p.Int(18, 0)
	d.outPadB = p.Int(19, d.outPadR)
	d.outW = p.Int(20, 0)
	d.outH = p.Int(21, d.outW)
	if d.outPadR < 0 || d.outPadB < 0 || d.outW < 0 || d.outH < 0 {
		return nil, fmt.Errorf("%w: output_pad %d,%d and output size %d×%d must be ≥ 0", models.ErrFormat, d.outPadR, d.outPadB, d.outW, d.outH)
	}
	return d, nil
}

// cuts resolves the pixels removed from each side of the full output.
func (d *deconv) cuts(fw, fh int) (l, r, t, b int) {
	if d.padL == padSameUpper || d.padL == padSameLower {
		if d.outW > 0 && d.outH > 0 {
			l, r = samePads(d.padL, fw-d.outW)
			t, b = samePads(d.padL, fh-d.outH)
		}
		return l, r, t, b
	}
	return d.padL, d.padR, d.padT, d.padB
}

func (d *deconv) forward(in []*Tensor) ([]*Tensor, error) {
	if err := wantInputs(in, 1); err != nil {
		return nil, err
	}
	x := in[0]
	if err := want3D(x); err != nil {
		return nil, err
	}
	if x.C != d.inC {
		return nil, fmt.Errorf("%w: input has %d channels, weights expect %d", ErrShape, x.C, d.inC)
	}
	kew, keh := d.extent()
	fw := (x.W-1)*d.sw + kew + d.outPadR
	fh := (x.H-1)*d.sh + keh + d.outPadB
	l, r, t, b := d.cuts(fw, fh)
	ow, oh := fw-l-r, fh-t-b
	if ow <= 0 || oh <= 0 {
		return nil, fmt.Errorf("%w: deconvolution output %d×%d of input %s is empty", ErrShape, ow, oh, x)
	}
	out := NewTensor(d.outC, oh, ow)
	kk := d.kw * d.kh
	parallelFor(d.outC, func(lo, hi int) {
		full := make([]float32, fw*fh)
		for oc := lo; oc < hi; oc++ {
			fill(full, d.bias[oc])
			for ic := range d.inC {
				src := x.Plane(ic)
				wk := d.weight[(oc*d.inC+ic)*kk:][:kk]
				for ky := range d.kh {
					for kx := range d.kw {
						w := wk[ky*d.kw+kx]
						for iy := range x.H {
							row := src[iy*x.W:][:x.W]
							dst := full[(iy*d.sh+ky*d.dh)*fw+kx*d.dw:]
							if d.sw == 1 {
								dst = dst[:x.W]
								for ix, v := range row {
									dst[ix] += w * v
								}
								continue
							}
							for ix, v := range row {
								dst[ix*d.sw] += w * v
							}
						}
					}
				}
			}
			plane := out.Plane(oc)
			for y := range oh {
				copy(plane[y*ow:][:ow], full[(y+t)*fw+l:])
			}
			d.act.apply(plane)
		}
	})
	return []*Tensor{out}, nil
}
