package cpu

import (
	"fmt"

	"github.com/upscaled/upscaled/internal/cpuwork"
	"github.com/upscaled/upscaled/models"
)

// eltwise is Eltwise over same-shaped blobs: 0 op (0 prod, 1 sum, 2 max);
// 1 coefficients of a sum (absent = all 1).
type eltwise struct {
	op     int
	coeffs []float32
}

func newEltwise(l *models.Layer) (op, error) {
	e := &eltwise{op: l.Params.Int(0, 1), coeffs: l.Params.Floats(1)}
	if e.op < 0 || e.op > 2 {
		return nil, fmt.Errorf("%w: eltwise op %d (0 prod, 1 sum, 2 max)", models.ErrUnsupported, e.op)
	}
	if len(e.coeffs) > 0 && len(e.coeffs) != len(l.Inputs) && len(l.Inputs) > 0 {
		return nil, fmt.Errorf("%w: %d eltwise coefficients for %d inputs", models.ErrFormat, len(e.coeffs), len(l.Inputs))
	}
	return e, nil
}

func (e *eltwise) forward(in []*Tensor) ([]*Tensor, error) {
	if len(in) < 2 {
		return nil, fmt.Errorf("%w: eltwise of %d blobs, want ≥ 2", ErrShape, len(in))
	}
	if len(e.coeffs) > 0 && len(e.coeffs) != len(in) {
		return nil, fmt.Errorf("%w: %d eltwise coefficients for %d inputs", ErrShape, len(e.coeffs), len(in))
	}
	a := in[0]
	for _, t := range in[1:] {
		if !sameShape(a, t) {
			return nil, fmt.Errorf("%w: eltwise of %s and %s", ErrShape, a, t)
		}
	}
	out := &Tensor{Dims: a.Dims, C: a.C, H: a.H, W: a.W, Data: make([]float32, len(a.Data))}
	coeff := func(i int) float32 {
		if len(e.coeffs) == 0 {
			return 1
		}
		return e.coeffs[i]
	}
	n := a.H * a.W
	cpuwork.For(a.C, func(lo, hi int) {
		od := out.Data[lo*n : hi*n]
		switch e.op {
		case 0:
			copy(od, a.Data[lo*n:hi*n])
			for _, t := range in[1:] {
				for i, v := range t.Data[lo*n : hi*n] {
					od[i] *= v
				}
			}
		case 1:
			for k, t := range in {
				c := coeff(k)
				for i, v := range t.Data[lo*n : hi*n] {
					od[i] += c * v
				}
			}
		case 2:
			copy(od, a.Data[lo*n:hi*n])
			for _, t := range in[1:] {
				for i, v := range t.Data[lo*n : hi*n] {
					od[i] = max(od[i], v)
				}
			}
		}
	})
	return []*Tensor{out}, nil
}
