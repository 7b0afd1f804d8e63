package cpu

import (
	"fmt"

	"github.com/upscaled/upscaled/internal/cpuwork"
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
	packed           []float32 // per tap: [kh·kw][outC/ocBlock][inC][ocBlock] (packTaps)
}

func newDeconv(l *models.Layer) (op, error) {
	k, err := readKernel(l)
	if err != nil {
		return nil, err
	}
	p := l.Params
	d := &deconv{kernel: k, packed: packTaps(l.Weight, k.outC, k.inC, k.kw*k.kh)}
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
// each output row gathers the input rows that scatter onto it (so jobs never
// write the same memory); per tap, a block of channels times an input row is
// one small GEMM over the input channels, then added at stride sw.
func (d *deconv) compute(x, out *Tensor, fw, left, top int) {
	nb := (d.outC + ocBlock - 1) / ocBlock
	ow, oh := out.W, out.H
	xt := transposeHWC(x) // [y][x][ic]
	inC := d.inC
	cpuwork.For(nb*oh, func(lo, hi int) {
		var rows [ocBlock][]float32 // full-width rows of the scatter result
		for j := range rows {
			rows[j] = make([]float32, fw)
		}
		tmp := make([]float32, ocBlock*x.W)
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
				v := xt[iy*x.W*inC:][:x.W*inC]
				for kx := range d.kw {
					u := d.packed[((ky*d.kw+kx)*nb+b)*inC*ocBlock:][:inC*ocBlock]
					gemm4(tmp, x.W, 1, u, v, x.W, inC)
					off := kx * d.dw
					for j := range ocBlock {
						dst, src := rows[j][off:], tmp[j*x.W:][:x.W]
						for ix, val := range src {
							dst[ix*d.sw] += val
						}
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

// transposeHWC returns x's values as [y][x][c] (channels contiguous).
func transposeHWC(x *Tensor) []float32 {
	t := make([]float32, len(x.Data))
	n := x.H * x.W
	cpuwork.For(x.H, func(lo, hi int) {
		for c := range x.C {
			plane := x.Data[c*n : (c+1)*n]
			for i := lo * x.W; i < hi*x.W; i++ {
				t[i*x.C+c] = plane[i]
			}
		}
	})
	return t
}

// packTaps rearranges [outC][inC][kh][kw] weights as
// [kh·kw][outC/ocBlock][inC][ocBlock] (zero-filled tail block): per tap, the
// weights gemm4 reads.
func packTaps(w []float32, outC, inC, kk int) []float32 {
	nb := (outC + ocBlock - 1) / ocBlock
	packed := make([]float32, kk*nb*inC*ocBlock)
	for oc := range outC {
		for ic := range inC {
			for t := range kk {
				packed[((t*nb+oc/ocBlock)*inC+ic)*ocBlock+oc%ocBlock] = w[(oc*inC+ic)*kk+t]
			}
		}
	}
	return packed
}
