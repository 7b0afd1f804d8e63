package cpu

import (
	"fmt"

	"github.com/upscaled/upscaled/internal/cpuwork"
	"github.com/upscaled/upscaled/models"
)

// prelu is PReLU: x < 0 → slope·x; 0 num_slope (1 = one shared slope, else
// one per channel, or per element of a 1-D blob).
type prelu struct{ slope []float32 }

func newPReLU(l *models.Layer) (op, error) {
	n := l.Params.Int(0, 0)
	if n <= 0 || len(l.Weight) != n {
		return nil, fmt.Errorf("%w: num_slope %d with %d slopes loaded", models.ErrFormat, n, len(l.Weight))
	}
	return &prelu{slope: l.Weight}, nil
}

func (o *prelu) forward(in []*Tensor) ([]*Tensor, error) {
	if err := wantInputs(in, 1); err != nil {
		return nil, err
	}
	x := in[0]
	if len(o.slope) > 1 && len(o.slope) != x.C {
		return nil, fmt.Errorf("%w: %d slopes for %s", ErrShape, len(o.slope), x)
	}
	out := &Tensor{Dims: x.Dims, C: x.C, H: x.H, W: x.W, Data: make([]float32, len(x.Data))}
	n := x.H * x.W
	cpuwork.For(x.C, func(lo, hi int) {
		for c := lo; c < hi; c++ {
			s := o.slope[0]
			if len(o.slope) > 1 {
				s = o.slope[c]
			}
			dst := out.Data[c*n : (c+1)*n]
			for i, v := range x.Data[c*n : (c+1)*n] {
				if v < 0 {
					v *= s
				}
				dst[i] = v
			}
		}
	})
	return []*Tensor{out}, nil
}
