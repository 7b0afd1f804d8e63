package models

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
)

// binBuilder writes .bin data for hand-built tests.
type binBuilder struct{ bytes.Buffer }

func (b *binBuilder) u32(v uint32) *binBuilder {
	binary.Write(&b.Buffer, binary.LittleEndian, v)
	return b
}

func (b *binBuilder) f32(vs ...float32) *binBuilder {
	for _, v := range vs {
		b.u32(math.Float32bits(v))
	}
	return b
}

func (b *binBuilder) f16(vs ...uint16) *binBuilder {
	for _, v := range vs {
		binary.Write(&b.Buffer, binary.LittleEndian, v)
	}
	return b
}

// tinyParam has one layer of each type with weights in the .bin.
const tinyParam = `7767517
6 6
Input         in    0 1 data
Convolution   conv  1 1 data c 0=1 1=1 5=1 6=3
Deconvolution dec   1 1 c d 0=1 1=1 5=0 6=1
PReLU         pr    1 1 d e 0=1
InnerProduct  ip    1 1 e f 0=2 1=1 2=2
Scale         sc    1 1 f g 0=2 1=1
`

func tinyBin() *binBuilder {
	b := &binBuilder{}
	b.u32(tagFP16).f16(0x3c00, 0xc000, 0x0001, 0) // conv weight 1, -2, 2^-24 + 2 bytes padding
	b.f32(0.5)                                    // conv bias
	b.u32(0).f32(3)                               // deconv weight, fp32 tag 0
	b.f32(0.25)                                   // prelu slope
	b.u32(tagFP32).f32(1, 2)                      // innerproduct weight
	b.f32(7, 8)                                   // innerproduct bias
	b.f32(9, 10).f32(11, 12)                      // scale, scale bias
	return b
}

func TestLoadWeights(t *testing.T) {
	n := parse(t, tinyParam)
	if err := n.LoadWeights(bytes.NewReader(tinyBin().Bytes()), "t.bin"); err != nil {
		t.Fatal(err)
	}
	want := []struct{ w, b []float32 }{
		{nil, nil},
		{[]float32{1, -2, 5.9604645e-08}, []float32{0.5}},
		{[]float32{3}, nil},
		{[]float32{0.25}, nil},
		{[]float32{1, 2}, []float32{7, 8}},
		{[]float32{9, 10}, []float32{11, 12}},
	}
	for i, l := range n.Layers {
		if !reflect.DeepEqual(l.Weight, want[i].w) || !reflect.DeepEqual(l.Bias, want[i].b) {
			t.Errorf("layer %s: weight %v bias %v, want %v %v", l.Name, l.Weight, l.Bias, want[i].w, want[i].b)
		}
	}
	if err := n.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
}

func TestLoadWeightsErrors(t *testing.T) {
	full := tinyBin().Bytes()
	patched := func(off int, v uint32) []byte {
		b := bytes.Clone(full)
		binary.LittleEndian.PutUint32(b[off:], v)
		return b
	}
	for _, c := range []struct {
		name  string
		param string
		bin   []byte
		want  string
		kind  error
	}{
		{"empty", tinyParam, nil, "offset 0: layer conv (Convolution, param line 4): weight tag truncated", ErrFormat},
		{"truncated weight", tinyParam, full[:7], "offset 4: layer conv (Convolution, param line 4): weight of 3 values truncated: need 6 bytes, only 3 remain", ErrFormat},
		{"truncated padding", tinyParam, full[:11], "weight padding truncated", ErrFormat},
		{"truncated bias", tinyParam, full[:13], "offset 12: layer conv", ErrFormat},
		{"truncated scale bias", tinyParam, full[:len(full)-1], "layer sc (Scale, param line 8): bias of 2 values truncated", ErrFormat},
		{"trailing bytes", tinyParam, append(bytes.Clone(full), 1, 2, 3), "3 trailing bytes", ErrFormat},
		{"int8 tag", tinyParam, patched(0, tagInt8), "offset 0: layer conv (Convolution, param line 4): weight is int8", ErrUnsupported},
		{"unknown tag", tinyParam, patched(0, 0x12345678), "tag 0x12345678", ErrUnsupported},
		{"int8 param", strings.Replace(tinyParam, "6=3", "6=3 8=1", 1), full, "int8 quantized layer", ErrUnsupported},
		{"negative count", strings.Replace(tinyParam, "6=3", "6=-3", 1), full, "weight count -3 out of range", ErrFormat},
		{"huge count", strings.Replace(tinyParam, "6=3", "6=2000000000", 1), full, "weight count 2000000000 out of range", ErrFormat},
		{"big count, small file", strings.Replace(tinyParam, "6=3", "6=100000000", 1), full, "weight of 100000000 values truncated", ErrFormat},
		{"unknown layer", "7767517\n2 2\nInput in 0 1 x\nReLU r 1 1 x y\n", nil, `layer type "ReLU" is not supported`, ErrUnsupported},
	} {
		t.Run(c.name, func(t *testing.T) {
			n := parse(t, c.param)
			err := n.LoadWeights(bytes.NewReader(c.bin), "t.bin")
			if !errors.Is(err, c.kind) || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "t.bin: offset ") {
				t.Fatalf("got %v, want %v containing %q", err, c.kind, c.want)
			}
		})
	}
}

func TestScaleFromBlobLoadsNothing(t *testing.T) {
	n := parse(t, "7767517\n3 3\nInput in 0 1 x\nInput in2 0 1 s\nScale sc 2 1 x s y 0=-233 1=1\n")
	if err := n.LoadWeights(bytes.NewReader(nil), "t.bin"); err != nil {
		t.Fatal(err)
	}
	if err := n.Validate(); err != nil {
		t.Fatal(err)
	}
}
