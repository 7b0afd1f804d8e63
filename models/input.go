package models

// inputShape: the network's input, checked against the declared channels
// (param 2).
func inputShape(l *Layer, in []Shape, input Shape) ([]Shape, error) {
	if err := needInputs(l, in, 0); err != nil {
		return nil, err
	}
	if c := l.Params.Int(2, 0); c > 0 && c != input.C {
		return nil, bad("network expects %d channels, input has %d", c, input.C)
	}
	return []Shape{input}, nil
}

// splitShape: each output is the input (shared, not copied).
func splitShape(l *Layer, in []Shape, _ Shape) ([]Shape, error) {
	if err := needInputs(l, in, 1); err != nil {
		return nil, err
	}
	out := make([]Shape, len(l.Outputs))
	for i := range out {
		out[i] = in[0]
	}
	return out, nil
}
