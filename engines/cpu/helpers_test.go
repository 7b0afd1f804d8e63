package cpu

import (
	"math"
	"testing"

	"github.com/upscaled/upscaled/models"
)

// assertClose fails unless got and want agree element-wise within tol
// (absolute, or relative for large values).
func assertClose(t *testing.T, got, want []float32, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("len %d, want %d: got %v", len(got), len(want), got)
	}
	for i := range got {
		d := math.Abs(float64(got[i]) - float64(want[i]))
		if d > tol*math.Max(1, math.Abs(float64(want[i]))) || math.IsNaN(float64(got[i])) {
			if len(got) > 32 {
				t.Fatalf("element %d of %d: got %v, want %v", i, len(got), got[i], want[i])
			}
			t.Fatalf("element %d: got %v, want %v\ngot  %v\nwant %v", i, got[i], want[i], got, want)
		}
	}
}

// tensorOf builds a C×H×W blob from values.
func tensorOf(c, h, w int, v ...float32) *Tensor {
	t := NewTensor(c, h, w)
	if len(v) != len(t.Data) {
		panic("tensorOf: wrong value count")
	}
	copy(t.Data, v)
	return t
}

// vectorOf builds a 1-D blob.
func vectorOf(v ...float32) *Tensor {
	t := NewVector(len(v))
	copy(t.Data, v)
	return t
}

// seq returns n values start, start+1, ...
func seq(n int, start float32) []float32 {
	out := make([]float32, n)
	for i := range out {
		out[i] = start + float32(i)
	}
	return out
}

// layerOf builds a models.Layer for tests.
func layerOf(typ string, p models.Params, weight, bias []float32) *models.Layer {
	return &models.Layer{Type: typ, Name: "test_" + typ, Params: p, Weight: weight, Bias: bias, Line: 1}
}

// run1 builds the layer and runs it on inputs, failing the test on error.
func run1(t *testing.T, l *models.Layer, in ...*Tensor) *Tensor {
	t.Helper()
	o, err := build(l)
	if err != nil {
		t.Fatal(err)
	}
	out, err := o.forward(in)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 1 {
		t.Fatalf("%d outputs, want 1", len(out))
	}
	return out[0]
}

// assertShape fails unless t is C×H×W (dims 3).
func assertShape(t *testing.T, got *Tensor, c, h, w int) {
	t.Helper()
	if got.Dims != 3 || got.C != c || got.H != h || got.W != w {
		t.Fatalf("shape %s (dims %d), want %d×%d×%d", got, got.Dims, c, h, w)
	}
}

// assertCloseRMS fails unless every |got−want| ≤ tol·RMS(want): for sums of
// many terms, whose rounding error scales with their magnitude.
func assertCloseRMS(t *testing.T, got, want []float32, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("len %d, want %d", len(got), len(want))
	}
	var ss float64
	for _, v := range want {
		ss += float64(v) * float64(v)
	}
	rms := math.Sqrt(ss / float64(max(len(want), 1)))
	var worst float64
	for i := range got {
		d := math.Abs(float64(got[i]) - float64(want[i]))
		worst = max(worst, d/rms)
		if d > tol*rms || math.IsNaN(float64(got[i])) {
			t.Fatalf("element %d of %d: got %v, want %v (RMS %.3g, error %.3g·RMS > %.3g)", i, len(got), got[i], want[i], rms, d/rms, tol)
		}
	}
	t.Logf("worst error %.2g·RMS", worst)
}
