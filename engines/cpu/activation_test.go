package cpu

import (
	"math"
	"testing"

	"github.com/upscaled/upscaled/models"
)

func TestActivation(t *testing.T) {
	in := []float32{-2, -0.5, 0, 1, 3}
	sig := func(v float64) float32 { return float32(1 / (1 + math.Exp(-v))) }
	mish := func(v float64) float32 { return float32(v * math.Tanh(math.Log1p(math.Exp(v)))) }
	cases := []struct {
		name string
		kind int
		args []float32
		want []float32
	}{
		{"none", 0, nil, []float32{-2, -0.5, 0, 1, 3}},
		{"relu", 1, nil, []float32{0, 0, 0, 1, 3}},
		{"leaky", 2, []float32{0.1}, []float32{-0.2, -0.05, 0, 1, 3}},
		{"leaky-no-slope", 2, nil, []float32{0, 0, 0, 1, 3}},
		{"clip", 3, []float32{-1, 2}, []float32{-1, -0.5, 0, 1, 2}},
		{"sigmoid", 4, nil, []float32{sig(-2), sig(-0.5), 0.5, sig(1), sig(3)}},
		{"mish", 5, nil, []float32{mish(-2), mish(-0.5), 0, mish(1), mish(3)}},
		// x * clamp(x/6 + 0.5, 0, 1)
		{"hardswish", 6, []float32{1.0 / 6, 0.5}, []float32{-2 * (1.0 / 6), -0.5 * (0.5 - 0.5/6), 0, 1 * (0.5 + 1.0/6), 3}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var p models.Params
			p.SetInt(9, c.kind)
			if c.args != nil {
				p.SetFloats(10, c.args)
			}
			a, err := newActivation(p)
			if err != nil {
				t.Fatal(err)
			}
			x := append([]float32(nil), in...)
			a.apply(x)
			assertClose(t, x, c.want, 1e-6)
		})
	}
	t.Run("unknown", func(t *testing.T) {
		var p models.Params
		p.SetInt(9, 7)
		if _, err := newActivation(p); err == nil {
			t.Fatal("activation 7 accepted")
		}
	})
}
