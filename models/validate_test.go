package models

import (
	"errors"
	"strings"
	"testing"
)

func TestValidateErrors(t *testing.T) {
	for _, c := range []struct {
		name, param string
		edit        func(n *Net)
		want        string
		kind        error
	}{
		{"conv weight size not multiple", "Convolution c 1 1 x y 0=8 1=3 6=100", nil, "weight size 100 is not a positive multiple of num_output·kernel_w·kernel_h = 72", ErrFormat},
		{"conv weights loaded short", "Convolution c 1 1 x y 0=1 1=1 5=1 6=3", func(n *Net) { n.Layers[1].Weight = make([]float32, 2) }, "has 2 weights and 0 biases, parameters declare 3 and 1", ErrFormat},
		{"innerproduct size", "InnerProduct ip 1 1 x y 0=3 2=10", nil, "weight size 10 is not a positive multiple of num_output 3", ErrFormat},
		{"prelu zero", "PReLU p 1 1 x y 0=0", nil, "num_slope 0", ErrFormat},
		{"split no outputs", "Split s 1 0 x", nil, "has 0 outputs, want at least 1", ErrFormat},
		{"binary arity", "BinaryOp b 1 1 x y 0=0", nil, "has 1 inputs, want 2", ErrFormat},
		{"binary op", "BinaryOp b 1 1 x y 0=40 1=1", nil, "BinaryOp op 40", ErrUnsupported},
		{"eltwise op", "Eltwise e 2 1 x x y 0=5", nil, "Eltwise op 5", ErrUnsupported},
		{"pixelshuffle mode", "PixelShuffle p 1 1 x y 0=2 1=3", nil, "PixelShuffle mode 3", ErrUnsupported},
		{"unknown type", "Softmax s 1 1 x y", nil, `layer type "Softmax" is not supported`, ErrUnsupported},
	} {
		t.Run(c.name, func(t *testing.T) {
			blobs := 2
			if strings.Contains(c.param, " 1 0 x") {
				blobs = 1
			}
			n := parse(t, "7767517\n2 "+string(rune('0'+blobs))+"\nInput in 0 1 x\n"+c.param+"\n")
			if c.edit != nil {
				c.edit(n)
			}
			err := n.Validate()
			if !errors.Is(err, c.kind) || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "t.param:4: layer ") {
				t.Fatalf("got %v, want %v containing %q", err, c.kind, c.want)
			}
		})
	}
}
