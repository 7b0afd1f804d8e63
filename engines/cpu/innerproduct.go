package cpu

import (
	"fmt"

	"github.com/upscaled/upscaled/internal/cpuwork"
	"github.com/upscaled/upscaled/models"
)

// innerProduct is InnerProduct: the input is flattened; weights [out][in];
// 0 num_output, 1 bias term, 2 weight count, 9/10 activation. Sums in fp32.
type innerProduct struct {
	out, in int
	weight  []float32
	bias    []float32
	act     activation
}

func newInnerProduct(l *models.Layer) (op, error) {
	p := l.Params
	o := &innerProduct{out: p.Int(0, 0)}
	size := p.Int(2, 0)
	if o.out <= 0 || size <= 0 || size%o.out != 0 {
		return nil, fmt.Errorf("%w: num_output %d, weight_data_size %d: want positive, size a multiple of num_output", models.ErrFormat, o.out, size)
	}
	if len(l.Weight) != size {
		return nil, fmt.Errorf("%w: %d weights loaded, weight_data_size %d", models.ErrFormat, len(l.Weight), size)
	}
	o.in, o.weight = size/o.out, l.Weight
	o.bias = make([]float32, o.out)
	if p.Int(1, 0) != 0 {
		if len(l.Bias) != o.out {
			return nil, fmt.Errorf("%w: %d biases loaded, want num_output %d", models.ErrFormat, len(l.Bias), o.out)
		}
		copy(o.bias, l.Bias)
	}
	var err error
	o.act, err = newActivation(p)
	return o, err
}

func (o *innerProduct) forward(in []*Tensor) ([]*Tensor, error) {
	if err := wantInputs(in, 1); err != nil {
		return nil, err
	}
	x := in[0].Data
	if len(x) != o.in {
		return nil, fmt.Errorf("%w: input %s has %d values, weights expect %d", ErrShape, in[0], len(x), o.in)
	}
	out := NewVector(o.out)
	cpuwork.For(o.out, func(lo, hi int) {
		for j := lo; j < hi; j++ {
			s := o.bias[j]
			for i, w := range o.weight[j*o.in : (j+1)*o.in] {
				s += w * x[i]
			}
			out.Data[j] = s
		}
	})
	o.act.apply(out.Data)
	return []*Tensor{out}, nil
}
