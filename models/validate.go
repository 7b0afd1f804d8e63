package models

import "fmt"

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
	k, err := kindOf(l)
	if err != nil {
		return err
	}
	if (k.inputs >= 0 && len(l.Inputs) != k.inputs) || (k.inputs < 0 && len(l.Inputs) < 1) {
		return bad("has %d inputs, want %s", len(l.Inputs), arityText(k.inputs))
	}
	if (k.outputs >= 0 && len(l.Outputs) != k.outputs) || (k.outputs < 0 && len(l.Outputs) < 1) {
		return bad("has %d outputs, want %s", len(l.Outputs), arityText(k.outputs))
	}
	if k.validate != nil {
		if err := k.validate(l); err != nil {
			return err
		}
	}
	w, err := WeightsOf(l)
	if err != nil {
		return err
	}
	if len(l.Weight) != w.Weight || len(l.Bias) != w.Bias {
		return bad("has %d weights and %d biases, parameters declare %d and %d", len(l.Weight), len(l.Bias), w.Weight, w.Bias)
	}
	return nil
}

func arityText(a int) string {
	if a < 0 {
		return "at least 1"
	}
	return fmt.Sprint(a)
}
