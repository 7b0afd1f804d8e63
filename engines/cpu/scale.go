package cpu

import (
	"fmt"

	"github.com/upscaled/upscaled/internal/cpuwork"
	"github.com/upscaled/upscaled/models"
)

// scale is Scale: x·s[c] + b[c]; 0 scale count (-233 = the second input blob
// holds the factors), 1 bias term.
type scale struct {
	fromBlob bool
	s, b     []float32
}

func newScale(l *models.Layer) (op, error) {
	p := l.Params
	n := p.Int(0, 0)
	o := &scale{fromBlob: n == -233}
	if !o.fromBlob {
		if n <= 0 || len(l.Weight) != n {
			return nil, fmt.Errorf("%w: scale_data_size %d with %d factors loaded", models.ErrFormat, n, len(l.Weight))
		}
		o.s = l.Weight
	}
	if p.Int(1, 0) != 0 {
		if !o.fromBlob && len(l.Bias) != n || len(l.Bias) == 0 {
			return nil, fmt.Errorf("%w: %d scale biases loaded for %d factors", models.ErrFormat, len(l.Bias), n)
		}
		o.b = l.Bias
	}
	return o, nil
}

func (o *scale) forward(in []*Tensor) ([]*Tensor, error) {
	s := o.s
	if o.fromBlob {
		if err := wantInputs(in, 2); err != nil {
			return nil, err
		}
		s = in[1].Data
	} else if err := wantInputs(in, 1); err != nil {
		return nil, err
	}
	x := in[0]
	if len(s) != x.C || (o.b != nil && len(o.b) != x.C) {
		return nil, fmt.Errorf("%w: %d scale factors for %s", ErrShape, len(s), x)
	}
	out := &Tensor{Dims: x.Dims, C: x.C, H: x.H, W: x.W, Data: make([]float32, len(x.Data))}
	n := x.H * x.W
	cpuwork.For(x.C, func(lo, hi int) {
		for c := lo; c < hi; c++ {
			var b float32
			if o.b != nil {
				b = o.b[c]
			}
			dst := out.Data[c*n : (c+1)*n]
			for i, v := range x.Data[c*n : (c+1)*n] {
				dst[i] = v*s[c] + b
			}
		}
	})
	return []*Tensor{out}, nil
}
