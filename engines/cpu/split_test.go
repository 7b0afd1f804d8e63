package cpu

import (
	"testing"

	"github.com/upscaled/upscaled/models"
)

func TestInputAndSplit(t *testing.T) {
	x := tensorOf(1, 1, 2, 1, 2)
	o, err := build(&models.Layer{Type: "Split", Outputs: []int{1, 2, 3}})
	if err != nil {
		t.Fatal(err)
	}
	out, err := o.forward([]*Tensor{x})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 3 || out[0] != x || out[2] != x {
		t.Fatalf("split outputs %v, want 3 aliases of the input", out)
	}
	in := run1(t, &models.Layer{Type: "Input"}, x)
	if in != x {
		t.Fatal("input does not pass its fed blob through")
	}
}

func TestConcat(t *testing.T) {
	a := tensorOf(1, 2, 2, 1, 2, 3, 4)
	b := tensorOf(2, 2, 2, seq(8, 10)...)
	t.Run("channels", func(t *testing.T) {
		out := run1(t, layerOf("Concat", models.Params{}, nil, nil), a, b)
		assertShape(t, out, 3, 2, 2)
		assertClose(t, out.Data, append([]float32{1, 2, 3, 4}, seq(8, 10)...), 0)
	})
	t.Run("negative-axis", func(t *testing.T) {
		var p models.Params
		p.SetInt(0, -3)
		out := run1(t, layerOf("Concat", p, nil, nil), b, a)
		assertClose(t, out.Data, append(seq(8, 10), 1, 2, 3, 4), 0)
	})
	t.Run("vectors", func(t *testing.T) {
		out := run1(t, layerOf("Concat", models.Params{}, nil, nil), vectorOf(1, 2), vectorOf(3))
		if out.Dims != 1 || out.C != 3 {
			t.Fatalf("shape %s dims %d", out, out.Dims)
		}
		assertClose(t, out.Data, []float32{1, 2, 3}, 0)
	})
	t.Run("mismatch", func(t *testing.T) {
		o, _ := build(layerOf("Concat", models.Params{}, nil, nil))
		if _, err := o.forward([]*Tensor{a, NewTensor(1, 3, 2)}); err == nil {
			t.Fatal("concat of 2×2 and 3×2 accepted")
		}
	})
	t.Run("axis1-unsupported", func(t *testing.T) {
		var p models.Params
		p.SetInt(0, 1)
		o, _ := build(layerOf("Concat", p, nil, nil))
		if _, err := o.forward([]*Tensor{a, a}); err == nil {
			t.Fatal("axis 1 accepted")
		}
	})
}
