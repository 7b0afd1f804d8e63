package models

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"slices"
	"testing"
)

// TestKindsComplete: every layer type has its blob counts and a shape; the
// three questions Net asks (Validate, InferShapes, LoadWeights) all come
// from the table, so a type it lacks is unsupported by each alike.
func TestKindsComplete(t *testing.T) {
	types := LayerTypes()
	if !slices.IsSorted(types) || len(types) != len(kinds) {
		t.Fatalf("LayerTypes %v", types)
	}
	for _, typ := range types {
		if kinds[typ].shape == nil {
			t.Errorf("%s has no shape", typ)
		}
	}
	l := mkLayer(t, "Softmax", "", 1, 1)
	if err := validateLayer(l); !errors.Is(errKind(err), ErrUnsupported) {
		t.Errorf("Validate: %v", err)
	}
	if _, err := layerShape(l, []Shape{Shape3(1, 2, 2)}, Shape3(1, 2, 2)); !errors.Is(err, ErrUnsupported) {
		t.Errorf("shape: %v", err)
	}
	if _, err := WeightsOf(l); !errors.Is(err, ErrUnsupported) {
		t.Errorf("WeightsOf: %v", err)
	}
}

func TestWeightsOf(t *testing.T) {
	for _, c := range []struct {
		name, typ, params string
		nin               int
		want              WeightLayout
	}{
		{"conv with bias", "Convolution", "0=4 1=3 5=1 6=108", 1, WeightLayout{Weight: 108, Bias: 4, Tagged: true, WeightName: "weight", BiasName: "bias"}},
		{"deconv without bias", "Deconvolution", "0=4 1=4 3=2 6=64", 1, WeightLayout{Weight: 64, Tagged: true, WeightName: "weight", BiasName: "bias"}},
		{"inner product", "InnerProduct", "0=8 1=1 2=32", 1, WeightLayout{Weight: 32, Bias: 8, Tagged: true, WeightName: "weight", BiasName: "bias"}},
		{"prelu", "PReLU", "0=16", 1, WeightLayout{Weight: 16, WeightName: "slope"}},
		{"scale with bias", "Scale", "0=3 1=1", 1, WeightLayout{Weight: 3, Bias: 3, WeightName: "scale", BiasName: "bias"}},
		{"scale from a blob", "Scale", "0=-233 1=1", 2, WeightLayout{}},
		{"pooling", "Pooling", "0=1 4=1", 1, WeightLayout{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := WeightsOf(mkLayer(t, c.typ, c.params, c.nin, 1))
			if err != nil || got != c.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, c.want)
			}
		})
	}
	if _, err := WeightsOf(mkLayer(t, "Convolution", "0=4 1=3 6=108 8=1", 1, 1)); !errors.Is(err, ErrUnsupported) {
		t.Errorf("int8 convolution: %v, want ErrUnsupported", err)
	}
}

// TestWeightsOfReadsTheFile: LoadWeights consumes exactly what WeightsOf
// lays out (tag, weights, fp16 padding, biases) and Validate accepts it.
func TestWeightsOfReadsTheFile(t *testing.T) {
	n := parse(t, "7767517\n4 4\nInput in 0 1 x\nConvolution c 1 1 x y 0=2 1=1 5=1 6=6\nPReLU p 1 1 y z 0=2\nScale s 1 1 z w 0=2 1=1\n")
	var bin bytes.Buffer
	le := func(v any) { binary.Write(&bin, binary.LittleEndian, v) }
	for _, l := range n.Layers {
		w, err := WeightsOf(&l)
		if err != nil {
			t.Fatal(err)
		}
		if w.Tagged {
			le(uint32(tagFP32))
		}
		for i := range w.Weight {
			le(math.Float32bits(float32(i)))
		}
		for i := range w.Bias {
			le(math.Float32bits(float32(-i)))
		}
	}
	if err := n.LoadWeights(bytes.NewReader(bin.Bytes()), "t.bin"); err != nil {
		t.Fatal(err)
	}
	if err := n.Validate(); err != nil {
		t.Fatal(err)
	}
	if got := n.Layers[3].Bias; len(got) != 2 || got[1] != -1 {
		t.Fatalf("Scale bias %v, want [0 -1]", got)
	}
}
