package cpu

import (
	"testing"

	"github.com/upscaled/upscaled/models"
)

func binParams(op int) models.Params {
	var p models.Params
	p.SetInt(0, op)
	return p
}

func TestBinaryOpOps(t *testing.T) {
	a := vectorOf(2, -3, 4)
	b := vectorOf(4, 2, 0.5)
	cases := []struct {
		op   int
		want []float32
	}{
		{0, []float32{6, -1, 4.5}},
		{1, []float32{-2, -5, 3.5}},
		{2, []float32{8, -6, 2}},
		{3, []float32{0.5, -1.5, 8}},
		{4, []float32{4, 2, 4}},
		{5, []float32{2, -3, 0.5}},
		{6, []float32{16, 9, 2}},
		{7, []float32{2, 5, -3.5}},
		{8, []float32{2, -2.0 / 3, 0.125}},
	}
	for _, c := range cases {
		t.Run(string(rune('0'+c.op)), func(t *testing.T) {
			out := run1(t, layerOf("BinaryOp", binParams(c.op), nil, nil), a, b)
			assertClose(t, out.Data, c.want, 1e-6)
		})
	}
	t.Run("unknown-op", func(t *testing.T) {
		if _, err := build(layerOf("BinaryOp", binParams(42), nil, nil)); err == nil {
			t.Fatal("op 42 accepted")
		}
	})
}

func TestBinaryOpBroadcast(t *testing.T) {
	x := tensorOf(2, 2, 2, 1, 2, 3, 4, 5, 6, 7, 8)
	t.Run("scalar", func(t *testing.T) {
		p := binParams(1)
		p.SetInt(1, 1)
		p.SetFloat(2, 0.5)
		out := run1(t, layerOf("BinaryOp", p, nil, nil), x)
		assertShape(t, out, 2, 2, 2)
		assertClose(t, out.Data, []float32{0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5}, 0)
	})
	t.Run("se-multiply", func(t *testing.T) {
		out := run1(t, layerOf("BinaryOp", binParams(2), nil, nil), x, vectorOf(10, -1))
		assertShape(t, out, 2, 2, 2)
		assertClose(t, out.Data, []float32{10, 20, 30, 40, -5, -6, -7, -8}, 0)
	})
	t.Run("se-multiply-vector-first", func(t *testing.T) {
		out := run1(t, layerOf("BinaryOp", binParams(1), nil, nil), vectorOf(10, 0), x)
		assertClose(t, out.Data, []float32{9, 8, 7, 6, -5, -6, -7, -8}, 0)
	})
	t.Run("same-shape", func(t *testing.T) {
		out := run1(t, layerOf("BinaryOp", binParams(0), nil, nil), x, x)
		assertClose(t, out.Data, []float32{2, 4, 6, 8, 10, 12, 14, 16}, 0)
	})
	t.Run("size-1-blob", func(t *testing.T) {
		out := run1(t, layerOf("BinaryOp", binParams(0), nil, nil), x, tensorOf(1, 1, 1, 100))
		assertClose(t, out.Data, []float32{101, 102, 103, 104, 105, 106, 107, 108}, 0)
	})
	t.Run("row-broadcast", func(t *testing.T) {
		out := run1(t, layerOf("BinaryOp", binParams(0), nil, nil), x, tensorOf(1, 1, 2, 10, 20))
		assertClose(t, out.Data, []float32{11, 22, 13, 24, 15, 26, 17, 28}, 0)
	})
	t.Run("per-plane-3d", func(t *testing.T) {
		out := run1(t, layerOf("BinaryOp", binParams(0), nil, nil), x, tensorOf(2, 1, 1, 10, 20))
		assertClose(t, out.Data, []float32{11, 12, 13, 14, 25, 26, 27, 28}, 0)
	})
	t.Run("mismatch", func(t *testing.T) {
		o, _ := build(layerOf("BinaryOp", binParams(0), nil, nil))
		if _, err := o.forward([]*Tensor{x, NewTensor(3, 2, 2)}); err == nil {
			t.Fatal("2 vs 3 channels accepted")
		}
	})
}
