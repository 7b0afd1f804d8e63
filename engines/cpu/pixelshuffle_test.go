package cpu

import (
	"testing"

	"github.com/upscaled/upscaled/models"
)

func TestPixelShuffle(t *testing.T) {
	// 8 channels of 1×1 (values 0..7), r = 2 → 2 channels of 2×2.
	x := tensorOf(8, 1, 1, seq(8, 0)...)
	p := func(mode int) models.Params {
		var p models.Params
		p.SetInt(0, 2)
		p.SetInt(1, mode)
		return p
	}
	t.Run("pytorch", func(t *testing.T) {
		out := run1(t, layerOf("PixelShuffle", p(0), nil, nil), x)
		assertShape(t, out, 2, 2, 2)
		assertClose(t, out.Data, []float32{0, 1, 2, 3, 4, 5, 6, 7}, 0)
	})
	t.Run("mode1", func(t *testing.T) {
		out := run1(t, layerOf("PixelShuffle", p(1), nil, nil), x)
		assertClose(t, out.Data, []float32{0, 2, 4, 6, 1, 3, 5, 7}, 0)
	})
	t.Run("2x2-input", func(t *testing.T) {
		// 4 channels c of 1×2: value 10c + x; output 1×2×4.
		y := tensorOf(4, 1, 2, 0, 1, 10, 11, 20, 21, 30, 31)
		out := run1(t, layerOf("PixelShuffle", p(0), nil, nil), y)
		assertShape(t, out, 1, 2, 4)
		assertClose(t, out.Data, []float32{0, 10, 1, 11, 20, 30, 21, 31}, 0)
	})
	t.Run("indivisible", func(t *testing.T) {
		o, _ := build(layerOf("PixelShuffle", p(0), nil, nil))
		if _, err := o.forward([]*Tensor{NewTensor(6, 1, 1)}); err == nil {
			t.Fatal("6 channels with r=2 accepted")
		}
	})
}
