package cpu

import (
	"testing"

	"github.com/upscaled/upscaled/models"
)

func TestScale(t *testing.T) {
	x := tensorOf(2, 1, 2, 1, 2, 3, 4)
	p := func(n, bias int) models.Params {
		var p models.Params
		p.SetInt(0, n)
		p.SetInt(1, bias)
		return p
	}
	t.Run("factors", func(t *testing.T) {
		out := run1(t, layerOf("Scale", p(2, 0), []float32{2, -1}, nil), x)
		assertClose(t, out.Data, []float32{2, 4, -3, -4}, 0)
	})
	t.Run("factors-bias", func(t *testing.T) {
		out := run1(t, layerOf("Scale", p(2, 1), []float32{2, -1}, []float32{1, 10}), x)
		assertClose(t, out.Data, []float32{3, 5, 7, 6}, 0)
	})
	t.Run("second-blob", func(t *testing.T) {
		out := run1(t, layerOf("Scale", p(-233, 0), nil, nil), x, vectorOf(0.5, 2))
		assertClose(t, out.Data, []float32{0.5, 1, 6, 8}, 0)
	})
	t.Run("count-mismatch", func(t *testing.T) {
		o, err := build(layerOf("Scale", p(3, 0), []float32{1, 2, 3}, nil))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := o.forward([]*Tensor{x}); err == nil {
			t.Fatal("3 factors for 2 channels accepted")
		}
		if _, err := build(layerOf("Scale", p(2, 0), []float32{1}, nil)); err == nil {
			t.Fatal("1 factor loaded for 2 accepted")
		}
	})
}
