package cpu

import (
	"fmt"

	"github.com/upscaled/upscaled/internal/cpuwork"
	"github.com/upscaled/upscaled/models"
)

// ocBlock is how many output channels the kernels compute together: each
// input value loaded feeds ocBlock sums.
const ocBlock = 4

// conv is Convolution (ids in kernel; 18 pad value). Three kernels, chosen at
// Load from the geometry: Winograd F(4×4, 3×3) for 3×3 stride-1 layers with
// ≥ 8 channels each way (winograd.go); a direct row kernel for the other
// kernel-width-3 stride-1 layers (the 3-channel input and output layers);
// im2col rows times packed weights for everything else (stride 2, 1×1, ...).
type conv struct {
	kernel
	padValue float32
	packed   []float32 // [outC/ocBlock][inC][kh][kw][ocBlock] (packWeights)
	wino     []float32 // Winograd-transformed weights when useWinograd
}

func newConv(l *models.Layer) (op, error) {
	k, err := readKernel(l)
	if err != nil {
		return nil, err
	}
	c := &conv{kernel: k, padValue: l.Params.Float(18, 0)}
	if useWinograd(k) {
		c.wino = winogradWeights(l.Weight, k.outC, k.inC)
	} else {
		c.packed = packWeights(l.Weight, k.outC, k.inC, k.kh*k.kw)
	}
	return c, nil
}

// pads resolves the four pads for a w×h input.
func (c *conv) pads(w, h int) (l, r, t, b int) {
	if c.padL == padSameUpper || c.padL == padSameLower {
		kew, keh := c.extent()
		l, r = samePads(c.padL, kew+(w-1)/c.sw*c.sw-w)
		t, b = samePads(c.padL, keh+(h-1)/c.sh*c.sh-h)
		return l, r, t, b
	}
	return c.padL, c.padR, c.padT, c.padB
}

func (c *conv) forward(in []*Tensor) ([]*Tensor, error) {
	if err := wantInputs(in, 1); err != nil {
		return nil, err
	}
	x := in[0]
	if err := want3D(x); err != nil {
		return nil, err
	}
	if x.C != c.inC {
		return nil, fmt.Errorf("%w: input has %d channels, weights expect %d", ErrShape, x.C, c.inC)
	}
	l, r, t, b := c.pads(x.W, x.H)
	if l > 0 || r > 0 || t > 0 || b > 0 {
		x = makeBorder(x, t, b, l, r, c.padValue)
	}
	kew, keh := c.extent()
	if x.W < kew || x.H < keh {
		return nil, fmt.Errorf("%w: padded input %d×%d smaller than kernel extent %d×%d", ErrShape, x.W, x.H, kew, keh)
	}
	out := NewTensor(c.outC, (x.H-keh)/c.sh+1, (x.W-kew)/c.sw+1)
	switch {
	case c.wino != nil:
		c.winograd(x, out)
	case c.kw == 3 && c.sw == 1 && c.dw == 1:
		c.direct(x, out)
	default:
		c.im2col(x, out)
	}
	return []*Tensor{out}, nil
}

// direct is the kernel-width-3 stride-1 kernel: it fills out (bias, sums,
// activation), one (channel block, output row) job at a time, each input row
// feeding ocBlock output rows.
func (c *conv) direct(x, out *Tensor) {
	nb := (c.outC + ocBlock - 1) / ocBlock
	ow, oh := out.W, out.H
	kk := c.kh * c.kw
	cpuwork.For(nb*oh, func(lo, hi int) {
		var spare []float32 // rows of the zero-weight channels of the tail block
		var rows [ocBlock][]float32
		for job := lo; job < hi; job++ {
			b, oy := job/oh, job%oh
			for j := range ocBlock {
				oc := b*ocBlock + j
				if oc < c.outC {
					rows[j] = out.Data[(oc*oh+oy)*ow:][:ow]
					fill(rows[j], c.bias[oc])
				} else {
					if spare == nil {
						spare = make([]float32, ow)
					}
					rows[j] = spare
				}
			}
			for ic := range c.inC {
				plane := x.Plane(ic)
				for ky := range c.kh {
					src := plane[(oy*c.sh+ky*c.dh)*x.W:][:x.W]
					w := c.packed[((b*c.inC+ic)*kk+ky*c.kw)*ocBlock:][:c.kw*ocBlock]
					row3(rows[0], rows[1], rows[2], rows[3], src[:ow+2], w[:12])
				}
			}
			for j := range ocBlock {
				if b*ocBlock+j < c.outC {
					c.act.apply(rows[j])
				}
			}
		}
	})
}

// row3 is the 3-tap stride-1 row: o_j[x] += Σ_kx w[kx·4+j]·s[x+kx].
func row3(o0, o1, o2, o3, s, w []float32) {
	n := len(o0)
	o1, o2, o3 = o1[:n], o2[:n], o3[:n]
	s0, s1, s2 := s[0:n], s[1:n+1], s[2:n+2]
	w = w[:12]
	a0, a1, a2, a3 := w[0], w[1], w[2], w[3]
	b0, b1, b2, b3 := w[4], w[5], w[6], w[7]
	c0, c1, c2, c3 := w[8], w[9], w[10], w[11]
	for x := range n {
		p, q, r := s0[x], s1[x], s2[x]
		o0[x] += a0*p + b0*q + c0*r
		o1[x] += a1*p + b1*q + c1*r
		o2[x] += a2*p + b2*q + c2*r
		o3[x] += a3*p + b3*q + c3*r
	}
}

// fill sets every element of x to v.
func fill(x []float32, v float32) {
	for i := range x {
		x[i] = v
	}
}

// packWeights rearranges [outC][inC][kk] weights as
// [outC/ocBlock][inC][kk][ocBlock], zero-filling the tail block, so that the
// ocBlock weights of one tap are adjacent.
func packWeights(w []float32, outC, inC, kk int) []float32 {
	nb := (outC + ocBlock - 1) / ocBlock
	packed := make([]float32, nb*inC*kk*ocBlock)
	for oc := range outC {
		b, j := oc/ocBlock, oc%ocBlock
		for ic := range inC {
			for i := range kk {
				packed[((b*inC+ic)*kk+i)*ocBlock+j] = w[(oc*inC+ic)*kk+i]
			}
		}
	}
	return packed
}

// im2col is every other convolution: per output row, the kn = inC·kh·kw
// inputs of each output pixel are gathered contiguously, then multiplied by
// the packed weights one channel block at a time.
func (c *conv) im2col(x, out *Tensor) {
	ow, oh := out.W, out.H
	kn := c.inC * c.kh * c.kw
	nb := (c.outC + ocBlock - 1) / ocBlock
	cpuwork.For(oh, func(lo, hi int) {
		col := make([]float32, ow*kn) // [pixel][ic·kh·kw]
		var tail []float32
		for oy := lo; oy < hi; oy++ {
			for p := range ow { // pixel by pixel: col is written contiguously
				dst := col[p*kn:][:kn]
				k := 0
				for ic := range c.inC {
					plane := x.Plane(ic)
					for ky := range c.kh {
						src := plane[(oy*c.sh+ky*c.dh)*x.W+p*c.sw:]
						for kx := range c.kw {
							dst[k] = src[kx*c.dw]
							k++
						}
					}
				}
			}
			for b := range nb {
				u := c.packed[b*kn*ocBlock:][:kn*ocBlock]
				if (b+1)*ocBlock <= c.outC {
					gemm4(out.Data[(b*ocBlock*oh+oy)*ow:], oh*ow, 1, u, col, ow, kn)
					continue
				}
				if tail == nil {
					tail = make([]float32, ocBlock*ow)
				}
				gemm4(tail, ow, 1, u, col, ow, kn)
				for j := range c.outC - b*ocBlock {
					copy(out.Data[((b*ocBlock+j)*oh+oy)*ow:][:ow], tail[j*ow:])
				}
			}
			for oc := range c.outC {
				row := out.Data[(oc*oh+oy)*ow:][:ow]
				bias := c.bias[oc]
				for i := range row {
					row[i] += bias
				}
				c.act.apply(row)
			}
		}
	})
}
