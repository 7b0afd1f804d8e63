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
	packed           []float32 // [outC/ocBlock][inC][kh][kw][ocBlock], zero-filled tail block
}

func newDeconv(l *models.Layer) (op, error) {
	k, err := readKernel(l)
	if err != nil {
		return nil, err
	}
	p := l.Params
	d := &deconv{kernel: k, packed: packWeights(l.Weight, k.outC, k.inC, k.kw*k.kh)}
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
	d.compute(x, out, fw, l, t)
	return []*Tensor{out}, nil
}

// compute fills out, whose pixel (y, x) is pixel (y+top, x+left) of the
// full fw-wide scatter result, one (channel block, output row) job at a time:
// each output row gathers the input rows that scatter onto it, so jobs never
// write the same memory.
func (d *deconv) compute(x, out *Tensor, fw, left, top int) {
	nb := (d.outC + ocBlock - 1) / ocBlock
	ow, oh := out.W, out.H
	kk := d.kh * d.kw
	parallelFor(nb*oh, func(lo, hi int) {
		var rows [ocBlock][]float32 // full-width rows of the scatter result
		for j := range rows {
			rows[j] = make([]float32, fw)
		}
		for job := lo; job < hi; job++ {
			b, oy := job/oh, job%oh
			fy := oy + top // row in the full result
			for j := range ocBlock {
				bias := float32(0)
				if oc := b*ocBlock + j; oc < d.outC {
					bias = d.bias[oc]
				}
				fill(rows[j], bias)
			}
			for ky := range d.kh {
				// input row iy scatters onto fy through tap ky when iy·sh + ky·dh = fy
				r := fy - ky*d.dh
				if r < 0 || r%d.sh != 0 || r/d.sh >= x.H {
					continue
				}
				iy := r / d.sh
				for ic := range d.inC {
					src := x.Plane(ic)[iy*x.W:][:x.W]
					w := d.packed[((b*d.inC+ic)*kk+ky*d.kw)*ocBlock:][:d.kw*ocBlock]
					for kx := range d.kw {
						wk := w[kx*ocBlock:][:ocBlock]
						off := kx * d.dw
						if d.sw == 1 {
							n := x.W
							axpy4(rows[0][off:off+n], rows[1][off:off+n], rows[2][off:off+n], rows[3][off:off+n], src, wk[0], wk[1], wk[2], wk[3])
							continue
						}
						scatter4(rows[0][off:], rows[1][off:], rows[2][off:], rows[3][off:], src, d.sw, wk[0], wk[1], wk[2], wk[3])
					}
				}
			}
			for j := range ocBlock {
				oc := b*ocBlock + j
				if oc >= d.outC {
					continue
				}
				dst := out.Data[(oc*oh+oy)*ow:][:ow]
				copy(dst, rows[j][left:])
				d.act.apply(dst)
			}
		}
	})
}

// scatter4 is o_j[x·stride] += w_j·s[x] for four rows.
func scatter4(o0, o1, o2, o3, s []float32, stride int, w0, w1, w2, w3 float32) {
	for x, v := range s {
		i := x * stride
		o0[i] += w0 * v
		o1[i] += w1 * v
		o2[i] += w2 * v
		o3[i] += w3 * v
	}
}
