package cpu

import (
	"testing"

	"github.com/upscaled/upscaled/models"
)

func TestInnerProduct(t *testing.T) {
	w := []float32{1, 2, 3, 4, -1, -1, -1, -1} // [2][4]
	cases := []struct {
		name string
		in   *Tensor
		bias []float32
		act  int
		want []float32
	}{
		{"vector", vectorOf(1, 1, 1, 1), nil, 0, []float32{10, -4}},
		{"flattened-3d", tensorOf(1, 2, 2, 1, 0, 0, 2), nil, 0, []float32{9, -3}},
		{"bias-relu", vectorOf(1, 1, 1, 1), []float32{-11, 5}, 1, []float32{0, 1}},
		{"bias-sigmoid", vectorOf(0, 0, 0, 0), []float32{0, 0}, 4, []float32{0.5, 0.5}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var p models.Params
			p.SetInt(0, 2)
			p.SetInt(2, 8)
			p.SetInt(9, c.act)
			if c.bias != nil {
				p.SetInt(1, 1)
			}
			out := run1(t, layerOf("InnerProduct", p, w, c.bias), c.in)
			if out.Dims != 1 || out.C != 2 {
				t.Fatalf("shape %s dims %d", out, out.Dims)
			}
			assertClose(t, out.Data, c.want, 1e-6)
		})
	}
	t.Run("wrong-input", func(t *testing.T) {
		var p models.Params
		p.SetInt(0, 2)
		p.SetInt(2, 8)
		o, err := build(layerOf("InnerProduct", p, w, nil))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := o.forward([]*Tensor{vectorOf(1, 2, 3)}); err == nil {
			t.Fatal("3 inputs for 4 weights accepted")
		}
	})
	t.Run("weight-count", func(t *testing.T) {
		var p models.Params
		p.SetInt(0, 3)
		p.SetInt(2, 8)
		if _, err := build(layerOf("InnerProduct", p, w, nil)); err == nil {
			t.Fatal("8 weights for 3 outputs accepted")
		}
	})
}
