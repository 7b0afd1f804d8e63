package models

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func parse(t *testing.T, text string) *Net {
	t.Helper()
	n, err := ParseParam(strings.NewReader(text), "t.param")
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestParseParamSyntax(t *testing.T) {
	n := parse(t, `7767517
4 5

Input            in     0 1 data 0=8 1=8 2=3
Split            sp     1 2 data a b
Convolution      conv   1 1 a c 0=4 1=3 4=-233 5=1 6=108 9=2 -23310=1,1.000000e-01 18=2.5e0 -23303=0
BinaryOp         add    2 1 b c out 0=0 30=1,2,3 31=1.5,2
`)
	if got := n.Blobs; !reflect.DeepEqual(got, []string{"data", "a", "b", "c", "out"}) {
		t.Errorf("blobs %v", got)
	}
	if !reflect.DeepEqual(n.Producer, []int{0, 1, 1, 2, 3}) {
		t.Errorf("producers %v", n.Producer)
	}
	if !reflect.DeepEqual(n.Consumers, [][]int{{1}, {2}, {3}, {3}, nil}) {
		t.Errorf("consumers %v", n.Consumers)
	}
	conv := n.Layers[2]
	if conv.Line != 6 || conv.Type != "Convolution" || conv.Name != "conv" || !reflect.DeepEqual(conv.Inputs, []int{1}) || !reflect.DeepEqual(conv.Outputs, []int{3}) {
		t.Errorf("conv layer %+v", conv)
	}
	p := conv.Params
	for _, c := range []struct{ id, want int }{{0, 4}, {1, 3}, {4, -233}, {5, 1}, {6, 108}, {9, 2}, {7, -1}} {
		if got := p.Int(c.id, -1); got != c.want {
			t.Errorf("param %d = %d, want %d", c.id, got, c.want)
		}
	}
	if got := p.Floats(10); !reflect.DeepEqual(got, []float32{0.1}) {
		t.Errorf("old-form array 10 = %v", got)
	}
	if got := p.Float(18, 0); got != 2.5 {
		t.Errorf("float 18 = %v", got)
	}
	if p.Int(18, -7) != -7 {
		t.Error("float param readable as int")
	}
	if !p.Has(3) || len(p.Ints(3)) != 0 {
		t.Errorf("empty array 3: has %v, %v", p.Has(3), p.Ints(3))
	}
	add := n.Layers[3].Params
	if got := add.Ints(30); !reflect.DeepEqual(got, []int{1, 2, 3}) {
		t.Errorf("new-form int array = %v", got)
	}
	if got := add.Floats(31); !reflect.DeepEqual(got, []float32{1.5, 2}) {
		t.Errorf("new-form mixed array = %v", got)
	}
	if b, ok := n.Find("c"); !ok || b != 3 {
		t.Errorf("Find(c) = %d, %v", b, ok)
	}
	if _, ok := n.Find("nope"); ok {
		t.Error("Find(nope) found")
	}
}

func TestParseParamErrors(t *testing.T) {
	const head = "7767517\n"
	for _, c := range []struct {
		name, text, want string
		kind             error
	}{
		{"empty", "", "empty file", ErrFormat},
		{"wrong magic", "7767518\n1 1\nInput in 0 1 x\n", "bad magic", ErrFormat},
		{"no counts", head, "missing layer and blob counts", ErrFormat},
		{"bad counts", head + "1 x\n", "bad counts", ErrFormat},
		{"layer count range", head + "0 1\n", "layer count 0 out of range", ErrFormat},
		{"huge layer count", head + "99999999 1\n", "out of range", ErrFormat},
		{"blob count range", head + "1 -4\n", "blob count -4 out of range", ErrFormat},
		{"too few layers", head + "2 1\nInput in 0 1 x\n", "ends after 1 of 2 layers", ErrFormat},
		{"extra line", head + "1 1\nInput in 0 1 x\nInput in2 0 1 y\n", "extra line", ErrFormat},
		{"short layer", head + "1 1\nInput in 0\n", "layer line needs", ErrFormat},
		{"bad io counts", head + "1 1\nInput in 0 -1 x\n", "bad blob counts", ErrFormat},
		{"huge io counts", head + "1 1\nInput in 0 99999 x\n", "bad blob counts", ErrFormat},
		{"missing blob names", head + "1 2\nSplit s 1 2 x y\n", "lists 2 blob names", ErrFormat},
		{"param as blob", head + "1 2\nSplit s 1 2 x y 0=1\n", "looks like a parameter", ErrFormat},
		{"too many blobs", head + "2 1\nInput in 0 1 x\nSplit s 1 1 x y\n", "exceeds the declared blob count 1", ErrFormat},
		{"too few blobs", head + "1 2\nInput in 0 1 x\n", "declares 2 blobs, layers name 1", ErrFormat},
		{"duplicate producer", head + "2 1\nInput in 0 1 x\nInput in2 0 1 x\n", `blob "x" is already produced by layer in`, ErrFormat},
		{"output twice", head + "1 1\nSplit s 0 2 x x\n", `lists output blob "x" twice`, ErrFormat},
		{"unknown blob", head + "2 3\nInput in 0 1 x\nBinaryOp b 2 1 x y z\n", `reads blob "y" that no layer produces`, ErrFormat},
		{"used before produced", head + "2 2\nSplit s 1 1 x y\nInput in 0 1 x\n", `reads blob "x" before layer in`, ErrFormat},
		{"self loop", head + "2 2\nInput in 0 1 x\nSplit s 1 1 y y\n", `reads blob "y" before layer s`, ErrFormat},
		{"not key=value", head + "1 1\nInput in 0 1 x 5\n", `parameter "5" is not key=value`, ErrFormat},
		{"bad key", head + "1 1\nInput in 0 1 x a=5\n", "key \"a\" is not an integer", ErrFormat},
		{"id too big", head + "1 1\nInput in 0 1 x 32=1\n", "id 32 (key \"32\") out of range 0..31", ErrFormat},
		{"negative id", head + "1 1\nInput in 0 1 x -1=1\n", "id -1", ErrFormat},
		{"array id too big", head + "1 1\nInput in 0 1 x -23332=1,1\n", "id 32", ErrFormat},
		{"duplicate id", head + "1 1\nInput in 0 1 x 1=1 1=2\n", "parameter id 1 given twice", ErrFormat},
		{"duplicate id across forms", head + "1 1\nInput in 0 1 x 1=1 -23301=1,2\n", "given twice", ErrFormat},
		{"array count too big", head + "1 1\nInput in 0 1 x -23310=5,1,2\n", "declares 5 elements, has 2", ErrFormat},
		{"array count too small", head + "1 1\nInput in 0 1 x -23310=1,1,2\n", "declares 1 elements, has 2", ErrFormat},
		{"array bad count", head + "1 1\nInput in 0 1 x -23310=-1\n", "bad element count", ErrFormat},
		{"array huge count", head + "1 1\nInput in 0 1 x -23310=99999999999,1\n", "declares 99999999999 elements, has 1", ErrFormat},
		{"bad int", head + "1 1\nInput in 0 1 x 0=1x\n", `bad integer "1x"`, ErrFormat},
		{"int overflow", head + "1 1\nInput in 0 1 x 0=4294967296\n", "32-bit", ErrFormat},
		{"bad float", head + "1 1\nInput in 0 1 x 0=1.2.3\n", `bad float "1.2.3"`, ErrFormat},
		{"float overflow", head + "1 1\nInput in 0 1 x 0=1e99\n", "finite float32", ErrFormat},
		{"empty value", head + "1 1\nInput in 0 1 x 0=\n", "empty value", ErrFormat},
		{"empty array element", head + "1 1\nInput in 0 1 x 0=1,,2\n", "empty value", ErrFormat},
		{"string value", head + "1 1\nInput in 0 1 x 0=abc\n", `string value "abc" not supported`, ErrUnsupported},
		{"quoted string", head + "1 1\nInput in 0 1 x 0=\"a\"\n", "string value", ErrUnsupported},
		{"long line", head + "1 1\nInput in 0 1 x " + strings.Repeat("0=1", 400000) + "\n", "longer than", ErrFormat},
	} {
		t.Run(c.name, func(t *testing.T) {
			n, err := ParseParam(strings.NewReader(c.text), "bad.param")
			if err == nil {
				t.Fatalf("parsed %+v, want error containing %q", n, c.want)
			}
			if !errors.Is(err, c.kind) || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "bad.param") {
				t.Fatalf("got %q, want %v containing %q and the file name", err, c.kind, c.want)
			}
		})
	}
}

func TestParseParamErrorNamesLineAndLayer(t *testing.T) {
	_, err := ParseParam(strings.NewReader("7767517\n2 2\nInput in 0 1 x\nConvolution myconv 1 1 x y 0=1.5.5\n"), "m.param")
	if err == nil || !strings.Contains(err.Error(), "m.param:4:") || !strings.Contains(err.Error(), "layer myconv") {
		t.Fatalf("got %v, want file:line and layer name", err)
	}
}
