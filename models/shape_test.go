package models

import (
	"errors"
	"strings"
	"testing"
)

// mkLayer builds a layer of typ with "k=v" parameters and nin/nout blobs.
func mkLayer(t *testing.T, typ, params string, nin, nout int) *Layer {
	t.Helper()
	l := &Layer{Type: typ, Name: "l"}
	p := paramParser{name: "t"}
	seen := map[int]bool{}
	for _, tok := range strings.Fields(params) {
		if err := p.param(l, tok, seen); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < nin; i++ {
		l.Inputs = append(l.Inputs, i)
	}
	for i := 0; i < nout; i++ {
		l.Outputs = append(l.Outputs, nin+i)
	}
	return l
}

func TestLayerShapes(t *testing.T) {
	in := Shape3(4, 10, 12)
	for _, c := range []struct {
		name, typ, params string
		in                []Shape
		want              Shape
	}{
		{"conv valid 3x3", "Convolution", "0=8 1=3 6=288", []Shape{in}, Shape3(8, 8, 10)},
		{"conv pad 1", "Convolution", "0=8 1=3 4=1 6=288", []Shape{in}, Shape3(8, 10, 12)},
		{"conv k2 s2", "Convolution", "0=2 1=2 3=2 6=32", []Shape{in}, Shape3(2, 5, 6)},
		{"conv stride 2 odd", "Convolution", "0=2 1=3 3=2 6=72", []Shape{Shape3(4, 9, 9)}, Shape3(2, 4, 4)},
		{"conv dilation 2", "Convolution", "0=2 1=3 2=2 6=72", []Shape{in}, Shape3(2, 6, 8)},
		{"conv rect kernel", "Convolution", "0=2 1=3 11=1 6=24", []Shape{in}, Shape3(2, 10, 10)},
		{"conv pads lrtb", "Convolution", "0=2 1=3 4=1 15=2 14=0 16=3 6=72", []Shape{in}, Shape3(2, 11, 13)},
		{"conv pad defaults", "Convolution", "0=2 1=3 4=2 14=0 6=72", []Shape{in}, Shape3(2, 8, 14)},
		{"conv same upper s2", "Convolution", "0=2 1=3 3=2 4=-233 6=72", []Shape{in}, Shape3(2, 5, 6)},
		{"conv same lower s1", "Convolution", "0=2 1=3 4=-234 6=72", []Shape{in}, Shape3(2, 10, 12)},
		{"deconv k2 s2", "Deconvolution", "0=3 1=2 3=2 6=48", []Shape{in}, Shape3(3, 20, 24)},
		{"deconv k4 s2 p3", "Deconvolution", "0=3 1=4 3=2 4=3 6=192", []Shape{in}, Shape3(3, 16, 20)},
		{"deconv k5 s3 p2", "Deconvolution", "0=3 1=5 3=3 4=2 6=300", []Shape{in}, Shape3(3, 28, 34)},
		{"deconv output pad", "Deconvolution", "0=3 1=3 3=2 4=1 18=1 6=108", []Shape{in}, Shape3(3, 20, 24)},
		{"deconv output size same", "Deconvolution", "0=3 1=3 3=2 4=-233 20=24 21=20 6=108", []Shape{in}, Shape3(3, 20, 24)},
		{"split", "Split", "", []Shape{in}, in},
		{"concat channels", "Concat", "0=0", []Shape{in, Shape3(2, 10, 12)}, Shape3(6, 10, 12)},
		{"concat negative axis", "Concat", "0=-1", []Shape{in, Shape3(4, 10, 3)}, Shape3(4, 10, 15)},
		{"crop slice cugan", "Crop", "-23309=2,4,4 -23310=2,-4,-4 -23311=2,-2,-1", []Shape{in}, Shape3(4, 2, 4)},
		{"crop slice channels", "Crop", "-23309=1,1 -23310=1,3 -23311=1,0", []Shape{in}, Shape3(2, 10, 12)},
		{"crop slice -233 end", "Crop", "-23309=1,2 -23310=1,-233 -23311=1,-1", []Shape{in}, Shape3(4, 10, 10)},
		{"crop slice no axes", "Crop", "9=0,1,2 10=-233,-1,5", []Shape{in}, Shape3(4, 8, 3)},
		{"crop offsets", "Crop", "0=1 1=2 3=5", []Shape{in}, Shape3(4, 8, 5)},
		{"crop offsets far cut", "Crop", "0=1 1=2 6=3 7=1 2=1", []Shape{in}, Shape3(3, 7, 8)},
		{"crop reference", "Crop", "0=1 1=1", []Shape{in, Shape3(1, 6, 7)}, Shape3(1, 6, 7)},
		{"global pool", "Pooling", "0=1 4=1", []Shape{in}, Shape1(4)},
		{"max pool 2x2", "Pooling", "0=0 1=2 2=2 5=1", []Shape{in}, Shape3(4, 5, 6)},
		{"pool full padding ceil", "Pooling", "0=0 1=3 2=2", []Shape{in}, Shape3(4, 5, 6)},
		{"pool same", "Pooling", "0=1 1=3 2=2 5=2", []Shape{in}, Shape3(4, 5, 6)},
		{"innerproduct", "InnerProduct", "0=8 1=1 2=32", []Shape{Shape1(4)}, Shape1(8)},
		{"innerproduct flattens", "InnerProduct", "0=2 2=960", []Shape{in}, Shape1(2)},
		{"binary same", "BinaryOp", "0=0", []Shape{in, in}, in},
		{"binary per channel", "BinaryOp", "0=2", []Shape{in, Shape1(4)}, in},
		{"binary per channel first", "BinaryOp", "0=2", []Shape{Shape1(4), in}, in},
		{"binary scalar blob", "BinaryOp", "0=1", []Shape{in, Shape1(1)}, in},
		{"binary size-1 dims", "BinaryOp", "0=0", []Shape{Shape3(4, 1, 12), Shape3(1, 10, 1)}, in},
		{"binary with scalar", "BinaryOp", "0=2 1=1 2=0.5", []Shape{in}, in},
		{"eltwise", "Eltwise", "0=1 -23301=2,0.2,1.0", []Shape{in, in}, in},
		{"prelu", "PReLU", "0=4", []Shape{in}, in},
		{"prelu shared", "PReLU", "0=1", []Shape{in}, in},
		{"pixelshuffle", "PixelShuffle", "0=2", []Shape{in}, Shape3(1, 20, 24)},
		{"interp x4", "Interp", "0=1 1=4.0 2=4.0", []Shape{in}, Shape3(4, 40, 48)},
		{"interp half odd", "Interp", "0=3 1=0.5 2=0.5", []Shape{Shape3(4, 11, 13)}, Shape3(4, 5, 6)},
		{"interp 0.75", "Interp", "0=2 1=7.5e-01 2=7.5e-01", []Shape{Shape3(4, 40, 13)}, Shape3(4, 30, 9)},
		{"interp fixed size", "Interp", "0=2 3=7 4=9", []Shape{in}, Shape3(4, 7, 9)},
		{"scale", "Scale", "0=4 1=1", []Shape{in}, in},
		{"scale blob", "Scale", "0=-233", []Shape{in, Shape1(4)}, in},
	} {
		t.Run(c.name, func(t *testing.T) {
			l := mkLayer(t, c.typ, c.params, len(c.in), 1)
			out, err := layerShape(l, c.in, in)
			if err != nil {
				t.Fatal(err)
			}
			if out[0] != c.want {
				t.Fatalf("got %s, want %s", out[0], c.want)
			}
		})
	}
}

func TestLayerShapeErrors(t *testing.T) {
	in := Shape3(4, 10, 12)
	for _, c := range []struct {
		name, typ, params string
		in                []Shape
		want              string
		kind              error
	}{
		{"conv channels", "Convolution", "0=8 1=3 6=216", []Shape{in}, "input has 4 channels, weights expect 3", ErrShape},
		{"conv weight size", "Convolution", "0=8 1=3 6=100", []Shape{in}, "weight size 100 is not a positive multiple", ErrShape},
		{"conv too small", "Convolution", "0=8 1=3 2=8 6=288", []Shape{in}, "smaller than the 17×17 kernel extent", ErrShape},
		{"conv zero kernel", "Convolution", "0=8 1=0 6=288", []Shape{in}, "kernel_w 0 out of range", ErrShape},
		{"conv mixed pads", "Convolution", "0=8 1=3 4=-233 15=1 6=288", []Shape{in}, "pads [-233 1", ErrShape},
		{"conv negative pad", "Convolution", "0=8 1=3 4=-5 6=288", []Shape{in}, "pads [-5", ErrShape},
		{"conv activation", "Convolution", "0=8 1=3 6=288 9=9", []Shape{in}, "activation type 9", ErrUnsupported},
		{"conv leaky without slope", "Convolution", "0=8 1=3 6=288 9=2", []Shape{in}, "needs 1 parameter", ErrShape},
		{"conv 1-D input", "Convolution", "0=8 1=1 6=32", []Shape{Shape1(4)}, "needs a C×H×W input", ErrShape},
		{"deconv too much cut", "Deconvolution", "0=3 1=2 3=2 4=30 6=48", []Shape{in}, "input too small", ErrShape},
		{"concat mismatch", "Concat", "0=0", []Shape{in, Shape3(2, 9, 12)}, "spatial sizes differ", ErrShape},
		{"concat axis", "Concat", "0=3", []Shape{in, in}, "axis 3 out of range", ErrShape},
		{"crop too much", "Crop", "-23309=2,6,6 -23310=2,-6,-6 -23311=2,-2,-1", []Shape{in}, "leaves", ErrShape},
		{"crop axis", "Crop", "-23309=1,1 -23310=1,2 -23311=1,5", []Shape{in}, "axis 5 out of range", ErrShape},
		{"crop reference outside", "Crop", "0=5", []Shape{in, Shape3(4, 10, 12)}, "fall outside", ErrShape},
		{"crop -233 offset form", "Crop", "1=-233 2=-233", []Shape{in}, "axis-shifted", ErrUnsupported},
		{"pool adaptive", "Pooling", "0=1 7=1", []Shape{in}, "adaptive", ErrUnsupported},
		{"pool too small", "Pooling", "0=0 1=20 5=1", []Shape{in}, "smaller than the 20×20 pooling kernel", ErrShape},
		{"innerproduct size", "InnerProduct", "0=8 2=40", []Shape{Shape1(4)}, "input [4] has 4 values, weights expect 5", ErrShape},
		{"binary mismatch", "BinaryOp", "0=0", []Shape{in, Shape3(3, 10, 12)}, "cannot broadcast", ErrShape},
		{"binary 1-D not C", "BinaryOp", "0=0", []Shape{in, Shape1(5)}, "cannot broadcast", ErrShape},
		{"eltwise mismatch", "Eltwise", "0=1", []Shape{in, Shape3(4, 10, 11)}, "Eltwise inputs differ", ErrShape},
		{"eltwise coeffs", "Eltwise", "0=1 -23301=3,1,1,1", []Shape{in, in}, "3 coefficients for 2 inputs", ErrShape},
		{"prelu slopes", "PReLU", "0=3", []Shape{in}, "3 slopes for 4 channels", ErrShape},
		{"pixelshuffle channels", "PixelShuffle", "0=3", []Shape{in}, "does not divide", ErrShape},
		{"interp type", "Interp", "0=7", []Shape{in}, "interp type 7", ErrUnsupported},
		{"interp zero scale", "Interp", "0=1 1=0.0", []Shape{in}, "scales", ErrShape},
		{"scale count", "Scale", "0=3", []Shape{in}, "3 factors for 4 channels", ErrShape},
		{"unknown type", "Softmax", "", []Shape{in}, `layer type "Softmax" is not supported`, ErrUnsupported},
	} {
		t.Run(c.name, func(t *testing.T) {
			l := mkLayer(t, c.typ, c.params, len(c.in), 1)
			out, err := layerShape(l, c.in, in)
			if err == nil {
				t.Fatalf("got %v, want error %q", out, c.want)
			}
			if !errors.Is(err, c.kind) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want %v containing %q", err, c.kind, c.want)
			}
		})
	}
}

func TestInferShapesErrors(t *testing.T) {
	n := parse(t, "7767517\n2 2\nInput in 0 1 x 2=3\nConvolution c 1 1 x y 0=1 1=3 6=27\n")
	if s, err := n.InferShapes(Shape3(3, 5, 5)); err != nil || s[1] != Shape3(1, 3, 3) {
		t.Fatalf("got %v %v", s, err)
	}
	for _, c := range []struct {
		in   Shape
		want string
	}{
		{Shape3(3, 0, 5), "want C×H×W with each side 1.."},
		{Shape3(1, 5, 5), "network expects 3 channels, input has 1"},
		{Shape3(3, 2, 5), "t.param:4: layer c (Convolution) for input 3×2×5: input 3×2×5 with pads 0,0,0,0 is smaller than the 3×3 kernel extent"},
	} {
		_, err := n.InferShapes(c.in)
		if !errors.Is(err, ErrShape) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("input %s: got %v, want %q", c.in, err, c.want)
		}
	}
	if _, err := n.OutputShape(Shape3(3, 5, 5), "nope"); !errors.Is(err, ErrFormat) {
		t.Errorf("unknown blob: got %v", err)
	}
}

func TestGlobalPools(t *testing.T) {
	n := parse(t, "7767517\n4 4\nInput in 0 1 x\nPooling p 1 1 x a 0=1 4=1\nPooling m 1 1 a b 0=0 4=1\nPooling w 1 1 b c 0=1 1=2\n")
	if got := n.GlobalPools(); len(got) != 1 || got[0] != 1 {
		t.Fatalf("GlobalPools = %v, want [1]", got)
	}
}
