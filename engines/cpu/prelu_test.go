package cpu

import (
	"testing"

	"github.com/upscaled/upscaled/models"
)

func TestPReLU(t *testing.T) {
	x := tensorOf(2, 1, 2, -1, 2, -3, 4)
	one := func(n int) models.Params { var p models.Params; p.SetInt(0, n); return p }
	t.Run("per-channel", func(t *testing.T) {
		out := run1(t, layerOf("PReLU", one(2), []float32{0.5, 0.25}, nil), x)
		assertClose(t, out.Data, []float32{-0.5, 2, -0.75, 4}, 0)
	})
	t.Run("shared", func(t *testing.T) {
		out := run1(t, layerOf("PReLU", one(1), []float32{0.1}, nil), x)
		assertClose(t, out.Data, []float32{-0.1, 2, -0.3, 4}, 1e-7)
	})
	t.Run("vector", func(t *testing.T) {
		out := run1(t, layerOf("PReLU", one(2), []float32{0.5, 2}, nil), vectorOf(-2, -2))
		assertClose(t, out.Data, []float32{-1, -4}, 0)
	})
	t.Run("slope-count", func(t *testing.T) {
		o, err := build(layerOf("PReLU", one(3), []float32{1, 2, 3}, nil))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := o.forward([]*Tensor{x}); err == nil {
			t.Fatal("3 slopes for 2 channels accepted")
		}
		if _, err := build(layerOf("PReLU", one(2), []float32{1}, nil)); err == nil {
			t.Fatal("1 slope loaded for num_slope 2 accepted")
		}
	})
}
