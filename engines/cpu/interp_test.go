package cpu

import (
	"testing"

	"github.com/upscaled/upscaled/models"
)

func interpParams(kind int, hs, ws float32, oh, ow, align int) models.Params {
	var p models.Params
	p.SetInt(0, kind)
	p.SetFloat(1, hs)
	p.SetFloat(2, ws)
	p.SetInt(3, oh)
	p.SetInt(4, ow)
	p.SetInt(6, align)
	return p
}

func TestInterpNearest(t *testing.T) {
	x := tensorOf(1, 2, 2, 1, 2, 3, 4)
	t.Run("x2", func(t *testing.T) {
		out := run1(t, layerOf("Interp", interpParams(1, 2, 2, 0, 0, 0), nil, nil), x)
		assertShape(t, out, 1, 4, 4)
		assertClose(t, out.Data, []float32{1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}, 0)
	})
	t.Run("x1.5-truncates-size", func(t *testing.T) {
		// out = (int)(2·1.5) = 3; src = (int)(dst/1.5) = 0, 0, 1.
		out := run1(t, layerOf("Interp", interpParams(1, 1.5, 1.5, 0, 0, 0), nil, nil), x)
		assertShape(t, out, 1, 3, 3)
		assertClose(t, out.Data, []float32{1, 1, 2, 1, 1, 2, 3, 3, 4}, 0)
	})
	t.Run("explicit-size", func(t *testing.T) {
		out := run1(t, layerOf("Interp", interpParams(1, 1, 1, 1, 4, 0), nil, nil), x)
		assertShape(t, out, 1, 1, 4)
		assertClose(t, out.Data, []float32{1, 1, 2, 2}, 0)
	})
	t.Run("reference-blob", func(t *testing.T) {
		out := run1(t, layerOf("Interp", interpParams(1, 1, 1, 0, 0, 0), nil, nil), x, NewTensor(5, 4, 2))
		assertShape(t, out, 1, 4, 2)
	})
}

func TestInterpBilinear(t *testing.T) {
	x := tensorOf(1, 1, 2, 0, 8)
	t.Run("half-pixel-x2", func(t *testing.T) {
		// dst 0..3 → src -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to 1).
		out := run1(t, layerOf("Interp", interpParams(2, 1, 2, 0, 0, 0), nil, nil), x)
		assertShape(t, out, 1, 1, 4)
		assertClose(t, out.Data, []float32{0, 2, 6, 8}, 1e-6)
	})
	t.Run("align-corner", func(t *testing.T) {
		// dst 0..3 → src 0, 1/3, 2/3, 1.
		out := run1(t, layerOf("Interp", interpParams(2, 1, 1, 1, 4, 1), nil, nil), x)
		assertClose(t, out.Data, []float32{0, 8.0 / 3, 16.0 / 3, 8}, 1e-6)
	})
	t.Run("2d-downscale-half", func(t *testing.T) {
		// 0.5 on 4×4: each output is the mean of a 2×2 block (src 0.5, 2.5).
		y := tensorOf(1, 4, 4, seq(16, 0)...)
		out := run1(t, layerOf("Interp", interpParams(2, 0.5, 0.5, 0, 0, 0), nil, nil), y)
		assertShape(t, out, 1, 2, 2)
		assertClose(t, out.Data, []float32{2.5, 4.5, 10.5, 12.5}, 1e-6)
	})
}

func TestInterpBicubic(t *testing.T) {
	t.Run("weights", func(t *testing.T) {
		// t = 0.5: Keys A=-0.75 gives (-0.09375, 0.59375, 0.59375, -0.09375).
		assertClose(t, cubicWeights(0.5), []float32{-0.09375, 0.59375, 0.59375, -0.09375}, 1e-6)
		assertClose(t, cubicWeights(0), []float32{0, 1, 0, 0}, 1e-6)
	})
	t.Run("downscale-half", func(t *testing.T) {
		// row 0,10,20,30 → out at src 0.5 and 2.5 with taps clamped at the edges:
		// 0.5: taps (0,0,10,20) → -0.09375·0 + 0.59375·0 + 0.59375·10 - 0.09375·20 = 4.0625
		// 2.5: taps (10,20,30,30) → -0.9375 + 11.875 + 17.8125 - 2.8125 = 25.9375
		x := tensorOf(1, 1, 4, 0, 10, 20, 30)
		out := run1(t, layerOf("Interp", interpParams(3, 1, 0.5, 0, 0, 0), nil, nil), x)
		assertShape(t, out, 1, 1, 2)
		assertClose(t, out.Data, []float32{4.0625, 25.9375}, 1e-5)
	})
	t.Run("constant-stays-constant", func(t *testing.T) {
		x := tensorOf(1, 3, 4, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5)
		out := run1(t, layerOf("Interp", interpParams(3, 0.75, 0.75, 0, 0, 0), nil, nil), x)
		assertShape(t, out, 1, 2, 3)
		assertClose(t, out.Data, []float32{5, 5, 5, 5, 5, 5}, 1e-6)
	})
	t.Run("bad-type", func(t *testing.T) {
		if _, err := build(layerOf("Interp", interpParams(4, 1, 1, 0, 0, 0), nil, nil)); err == nil {
			t.Fatal("type 4 accepted")
		}
	})
}
