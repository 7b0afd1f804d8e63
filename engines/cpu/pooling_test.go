package cpu

import (
	"testing"

	"github.com/upscaled/upscaled/models"
)

func poolParams(kv ...int) models.Params {
	var p models.Params
	for i := 0; i < len(kv); i += 2 {
		p.SetInt(kv[i], kv[i+1])
	}
	return p
}

func TestPooling(t *testing.T) {
	// channel 0: 0..15 ramp; channel 1: its negation.
	x := NewTensor(2, 4, 4)
	for i := range 16 {
		x.Data[i] = float32(i)
		x.Data[16+i] = -float32(i)
	}
	t.Run("global-avg", func(t *testing.T) {
		out := run1(t, layerOf("Pooling", poolParams(0, 1, 4, 1), nil, nil), x)
		if out.Dims != 1 || out.C != 2 {
			t.Fatalf("shape %s dims %d, want 1-D of 2", out, out.Dims)
		}
		assertClose(t, out.Data, []float32{7.5, -7.5}, 0)
	})
	t.Run("global-max", func(t *testing.T) {
		out := run1(t, layerOf("Pooling", poolParams(0, 0, 4, 1), nil, nil), x)
		assertClose(t, out.Data, []float32{15, 0}, 0)
	})
	t.Run("max-2x2-s2", func(t *testing.T) {
		out := run1(t, layerOf("Pooling", poolParams(0, 0, 1, 2, 2, 2), nil, nil), x)
		assertShape(t, out, 2, 2, 2)
		assertClose(t, out.Data, []float32{5, 7, 13, 15, 0, -2, -8, -10}, 0)
	})
	t.Run("avg-2x2-s2", func(t *testing.T) {
		out := run1(t, layerOf("Pooling", poolParams(0, 1, 1, 2, 2, 2), nil, nil), x)
		assertClose(t, out.Data[:4], []float32{2.5, 4.5, 10.5, 12.5}, 0)
	})
	t.Run("avg-3x3-s2-full-tail", func(t *testing.T) {
		// full mode: (4-3)%2 = 1 → one tail column/row; windows at 0 and 2.
		out := run1(t, layerOf("Pooling", poolParams(0, 1, 1, 3, 2, 2), nil, nil), x)
		assertShape(t, out, 2, 2, 2)
		// window (2..4)×(2..4) clipped to (2..3)×(2..3): 10,11,14,15.
		assertClose(t, out.Data[:4], []float32{5, (2 + 3 + 6 + 7 + 10 + 11) / 6.0, (8 + 9 + 10 + 12 + 13 + 14) / 6.0, 12.5}, 1e-6)
	})
	t.Run("avg-pad1-count-pad", func(t *testing.T) {
		out := run1(t, layerOf("Pooling", poolParams(0, 1, 1, 3, 3, 1, 6, 1), nil, nil), x)
		assertShape(t, out, 2, 4, 4)
		// corner window: 0+1+4+5 over 9 taps.
		assertClose(t, out.Data[:1], []float32{10.0 / 9}, 1e-6)
	})
	t.Run("avg-pad1-exclude-pad", func(t *testing.T) {
		out := run1(t, layerOf("Pooling", poolParams(0, 1, 1, 3, 3, 1), nil, nil), x)
		assertClose(t, out.Data[:1], []float32{2.5}, 1e-6)
	})
	t.Run("max-same-upper", func(t *testing.T) {
		out := run1(t, layerOf("Pooling", poolParams(0, 0, 1, 2, 2, 1, 5, 2), nil, nil), x)
		assertShape(t, out, 2, 4, 4)
		assertClose(t, out.Data[12:16], []float32{13, 14, 15, 15}, 0)
	})
	t.Run("pad-wider-than-kernel", func(t *testing.T) {
		// pad 3 with kernel 2 stride 2: the first windows lie wholly in the
		// padding (average of nothing: 0)
		out := run1(t, layerOf("Pooling", poolParams(0, 1, 1, 2, 2, 2, 3, 3), nil, nil), x)
		assertShape(t, out, 2, 5, 5)
		assertClose(t, out.Data[:5], []float32{0, 0, 0, 0, 0}, 0)
		// row 1: windows over image row 0 only: empty, column 0, columns 1..2
		assertClose(t, out.Data[5:8], []float32{0, 0, 1.5}, 0)
	})
	t.Run("errors", func(t *testing.T) {
		for _, p := range []models.Params{poolParams(0, 2), poolParams(0, 0, 1, 0), poolParams(0, 0, 1, 2, 5, 9), poolParams(0, 0, 7, 1)} {
			if _, err := build(layerOf("Pooling", p, nil, nil)); err == nil {
				t.Errorf("params %+v accepted", p)
			}
		}
	})
}
