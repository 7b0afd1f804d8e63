package cpu

import (
	"testing"

	"github.com/upscaled/upscaled/models"
)

func TestEltwise(t *testing.T) {
	a := tensorOf(1, 1, 3, 1, -2, 3)
	b := tensorOf(1, 1, 3, 4, 5, -6)
	cases := []struct {
		name   string
		op     int
		coeffs []float32
		want   []float32
	}{
		{"prod", 0, nil, []float32{4, -10, -18}},
		{"sum", 1, nil, []float32{5, 3, -3}},
		{"sum-coeffs-rrdb", 1, []float32{0.2, 1}, []float32{4.2, 4.6, -5.4}},
		{"max", 2, nil, []float32{4, 5, 3}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var p models.Params
			p.SetInt(0, c.op)
			if c.coeffs != nil {
				p.SetFloats(1, c.coeffs)
			}
			out := run1(t, layerOf("Eltwise", p, nil, nil), a, b)
			assertClose(t, out.Data, c.want, 1e-6)
		})
	}
	t.Run("mismatch", func(t *testing.T) {
		o, _ := build(layerOf("Eltwise", models.Params{}, nil, nil))
		if _, err := o.forward([]*Tensor{a, NewTensor(1, 3, 1)}); err == nil {
			t.Fatal("1×3 vs 3×1 accepted")
		}
	})
	t.Run("bad-op", func(t *testing.T) {
		var p models.Params
		p.SetInt(0, 3)
		if _, err := build(layerOf("Eltwise", p, nil, nil)); err == nil {
			t.Fatal("op 3 accepted")
		}
	})
}
