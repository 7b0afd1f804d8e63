package cpu

import (
	"fmt"
	"math"

	"github.com/upscaled/upscaled/internal/cpuwork"
	"github.com/upscaled/upscaled/models"
)

// binaryOp is BinaryOp: 0 op (0 add, 1 sub, 2 mul, 3 div, 4 max, 5 min,
// 6 pow, 7 rsub b−a, 8 rdiv b/a, 9 rpow b^a, 10 atan2, 11 ratan2); 1 with
// scalar; 2 the scalar b. Two blobs broadcast: a 1-D blob whose length is the
// other's channel count applies per channel (the SE multiply); otherwise each
// of c, h, w must match or be 1.
type binaryOp struct {
	fn     func(a, b float32) float32
	scalar bool
	b      float32
}

var binaryFuncs = []func(a, b float32) float32{
	func(a, b float32) float32 { return a + b },
	func(a, b float32) float32 { return a - b },
	func(a, b float32) float32 { return a * b },
	func(a, b float32) float32 { return a / b },
	func(a, b float32) float32 { return max(a, b) },
	func(a, b float32) float32 { return min(a, b) },
	func(a, b float32) float32 { return float32(math.Pow(float64(a), float64(b))) },
	func(a, b float32) float32 { return b - a },
	func(a, b float32) float32 { return b / a },
	func(a, b float32) float32 { return float32(math.Pow(float64(b), float64(a))) },
	func(a, b float32) float32 { return float32(math.Atan2(float64(a), float64(b))) },
	func(a, b float32) float32 { return float32(math.Atan2(float64(b), float64(a))) },
}

func newBinaryOp(l *models.Layer) (op, error) {
	p := l.Params
	k := p.Int(0, 0)
	if k < 0 || k >= len(binaryFuncs) {
		return nil, fmt.Errorf("%w: binary op %d (supported 0..%d)", models.ErrUnsupported, k, len(binaryFuncs)-1)
	}
	return &binaryOp{fn: binaryFuncs[k], scalar: p.Int(1, 0) != 0, b: p.Float(2, 0)}, nil
}

// dims3 is t's extents as (c, h, w) for broadcasting against other.
func dims3(t, other *Tensor) [3]int {
	if t.Dims == 1 && !(other.Dims == 3 && other.C == t.C) {
		return [3]int{1, 1, t.C} // a plain vector lines up with w
	}
	return [3]int{t.C, t.H, t.W}
}

func (o *binaryOp) forward(in []*Tensor) ([]*Tensor, error) {
	if o.scalar {
		if err := wantInputs(in, 1); err != nil {
			return nil, err
		}
		a := in[0]
		out := &Tensor{Dims: a.Dims, C: a.C, H: a.H, W: a.W, Data: make([]float32, len(a.Data))}
		fn, b := o.fn, o.b
		cpuwork.For(a.C, func(lo, hi int) {
			n := a.H * a.W
			for i := lo * n; i < hi*n; i++ {
				out.Data[i] = fn(a.Data[i], b)
			}
		})
		return []*Tensor{out}, nil
	}
	if err := wantInputs(in, 2); err != nil {
		return nil, err
	}
	a, b := in[0], in[1]
	if sameShape(a, b) {
		out := &Tensor{Dims: a.Dims, C: a.C, H: a.H, W: a.W, Data: make([]float32, len(a.Data))}
		fn := o.fn
		cpuwork.For(a.C, func(lo, hi int) {
			n := a.H * a.W
			ad, bd, od := a.Data[lo*n:hi*n], b.Data[lo*n:hi*n], out.Data[lo*n:hi*n]
			for i := range od {
				od[i] = fn(ad[i], bd[i])
			}
		})
		return []*Tensor{out}, nil
	}
	da, db := dims3(a, b), dims3(b, a)
	var do [3]int
	for i := range 3 {
		if da[i] != db[i] && da[i] != 1 && db[i] != 1 {
			return nil, fmt.Errorf("%w: cannot broadcast %s with %s", ErrShape, a, b)
		}
		do[i] = max(da[i], db[i])
	}
	out := NewTensor(do[0], do[1], do[2])
	if a.Dims == 1 && b.Dims == 1 {
		out = NewVector(do[2])
	}
	// stride 0 along broadcast axes
	stride := func(d [3]int) [3]int {
		s := [3]int{d[1] * d[2], d[2], 1}
		for i := range 3 {
			if d[i] == 1 {
				s[i] = 0
			}
		}
		return s
	}
	sa, sb := stride(da), stride(db)
	fn := o.fn
	cpuwork.For(do[0], func(lo, hi int) {
		for c := lo; c < hi; c++ {
			for y := range do[1] {
				ia, ib := c*sa[0]+y*sa[1], c*sb[0]+y*sb[1]
				row := out.Data[(c*do[1]+y)*do[2]:][:do[2]]
				for x := range row {
					row[x] = fn(a.Data[ia+x*sa[2]], b.Data[ib+x*sb[2]])
				}
			}
		}
	})
	return []*Tensor{out}, nil
}
