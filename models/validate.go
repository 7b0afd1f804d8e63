package models

import "fmt"

// arity is the number of inputs and outputs each supported layer type takes
// (-1 = any count >= 1).
var arity = map[string][2]int{
	"Input": {0, 1}, "Convolution": {1, 1}, "Deconvolution": {1, 1}, "Split": {1, -1},
	"Concat": {-1, 1}, "Crop": {-1, 1}, "Pooling": {1, 1}, "InnerProduct": {1, 1},
	"BinaryOp": {-1, 1}, "Eltwise": {-1, 1}, "PReLU": {1, 1}, "PixelShuffle": {1, 1},
	"Interp": {1, 1}, "Scale": {-1, 1},
}

// Validate checks what does not depend on the input size: every layer type
// is supported and has its number of inputs and outputs, its parameters are
// consistent, and the loaded weights have the sizes the parameters declare.
// Errors name the file, line and layer.
func (n *Net) Validate() error {
	for i := range n.Layers {
		l := &n.Layers[i]
		if err := validateLayer(l); err != nil {
			return fmt.Errorf("%s:%d: layer %s (%s): %s: %w", n.Name, l.Line, l.Name, l.Type, shapeMsg(err), errKind(err))
		}
	}
	return nil
}

func errKind(err error) error {
	if se, ok := err.(*shapeError); ok {
		if se.kind == ErrShape {
			return ErrFormat
		}
		return se.kind
	}
	return err
}

func validateLayer(l *Layer) error {
	a, ok := arity[l.Type]
	if !ok {
		return unsupported("layer type %q is not supported", l.Type)
	}
	if (a[0] >= 0 && len(l.Inputs) != a[0]) || (a[0] < 0 && len(l.Inputs) < 1) {
		return bad("has %d inputs, want %s", len(l.Inputs), arityText(a[0]))
	}
	if (a[1] >= 0 && len(l.Outputs) != a[1]) || (a[1] < 0 && len(l.Outputs) < 1) {
		return bad("has %d outputs, want %s", len(l.Outputs), arityText(a[1]))
	}
	weights := func(w, b int) error {
		if len(l.Weight) != w || len(l.Bias) != b {
			return bad("has %d weights and %d biases, parameters declare %d and %d", len(l.Weight), len(l.Bias), w, b)
		}
		return nil
	}
	p := &l.Params
	switch l.Type {
	case "Convolution", "Deconvolution":
		c, err := ConvParams(l)
		if err != nil {
			return err
		}
		nb := 0
		if c.Bias {
			nb = c.NumOutput
		}
		return weights(c.WeightSize, nb)
	case "InnerProduct":
		out, ws := p.Int(0, 0), p.Int(2, 0)
		if out < 1 || ws < 1 || ws%out != 0 {
			return bad("weight size %d is not a positive multiple of num_output %d", ws, out)
		}
		if act := p.Int(9, 0); act < 0 || act > 6 {
			return unsupported("activation type %d", act)
		}
		nb := 0
		if p.Int(1, 0) != 0 {
			nb = out
		}
		return weights(ws, nb)
	case "PReLU":
		if p.Int(0, 0) < 1 {
			return bad("num_slope %d < 1", p.Int(0, 0))
		}
		return weights(p.Int(0, 0), 0)
	case "Scale":
		k := p.Int(0, 0)
		if k == -233 {
			if len(l.Inputs) != 2 {
				return bad("Scale with a scale blob needs 2 inputs, has %d", len(l.Inputs))
			}
			return weights(0, 0)
		}
		if k < 1 || len(l.Inputs) != 1 {
			return bad("Scale with %d factors and %d inputs", k, len(l.Inputs))
		}
		nb := 0
		if p.Int(1, 0) != 0 {
			nb = k
		}
		return weights(k, nb)
	case "Pooling":
		_, err := PoolParams(l)
		return err
	case "Interp":
		_, err := InterpOf(l)
		return err
	case "BinaryOp":
		if op := p.Int(0, 0); op < 0 || op > 8 {
			return unsupported("BinaryOp op %d", op)
		}
		want := 2
		if p.Int(1, 0) != 0 {
			want = 1
		}
		if len(l.Inputs) != want {
			return bad("has %d inputs, want %d", len(l.Inputs), want)
		}
	case "Eltwise":
		if op := p.Int(0, 0); op < 0 || op > 2 {
			return unsupported("Eltwise op %d", op)
		}
		if len(l.Inputs) < 2 {
			return bad("has %d inputs, want at least 2", len(l.Inputs))
		}
	case "PixelShuffle":
		if r := p.Int(0, 1); r < 1 || r > 64 {
			return bad("upscale factor %d out of range 1..64", r)
		}
		if m := p.Int(1, 0); m != 0 && m != 1 {
			return unsupported("PixelShuffle mode %d", m)
		}
	case "Crop":
		if len(l.Inputs) > 2 {
			return bad("has %d inputs, want 1 or 2", len(l.Inputs))
		}
	}
	return nil
}

func arityText(a int) string {
	if a < 0 {
		return "at least 1"
	}
	return fmt.Sprint(a)
}
