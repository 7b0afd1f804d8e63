package models

// scaleFromBlob is Scale's scale_data_size (param 0) when the factors come
// from a second input blob instead of the .bin file.
const scaleFromBlob = -233

// binaryOpShape: with_scalar (param 1) takes one input, else two,
// broadcast.
func binaryOpShape(l *Layer, in []Shape, _ Shape) ([]Shape, error) {
	if l.Params.Int(1, 0) != 0 {
		if err := needInputs(l, in, 1); err != nil {
			return nil, err
		}
		return []Shape{in[0]}, nil
	}
	if err := needInputs(l, in, 2); err != nil {
		return nil, err
	}
	s, err := Broadcast(in[0], in[1])
	return []Shape{s}, err
}

func validateBinaryOp(l *Layer) error {
	p := &l.Params
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
	return nil
}

// eltwiseShape: two or more inputs of one shape, with one coefficient
// each (param 1) when given.
func eltwiseShape(l *Layer, in []Shape, _ Shape) ([]Shape, error) {
	p := &l.Params
	if len(in) < 2 {
		return nil, bad("Eltwise needs at least 2 inputs, has %d", len(in))
	}
	for _, s := range in[1:] {
		if s != in[0] {
			return nil, bad("Eltwise inputs differ: %s and %s", in[0], s)
		}
	}
	if c := p.Floats(1); len(c) != 0 && len(c) != len(in) {
		return nil, bad("Eltwise has %d coefficients for %d inputs", len(c), len(in))
	}
	if op := p.Int(0, 0); op < 0 || op > 2 {
		return nil, unsupported("Eltwise op %d", op)
	}
	return []Shape{in[0]}, nil
}

func validateEltwise(l *Layer) error {
	if op := l.Params.Int(0, 0); op < 0 || op > 2 {
		return unsupported("Eltwise op %d", op)
	}
	if len(l.Inputs) < 2 {
		return bad("has %d inputs, want at least 2", len(l.Inputs))
	}
	return nil
}

// preluShape: one slope (param 0) for all channels, or one per channel.
func preluShape(l *Layer, in []Shape, _ Shape) ([]Shape, error) {
	if err := needInputs(l, in, 1); err != nil {
		return nil, err
	}
	if k := l.Params.Int(0, 0); k != 1 && k != in[0].C {
		return nil, bad("PReLU has %d slopes for %d channels", k, in[0].C)
	}
	return []Shape{in[0]}, nil
}

func validatePReLU(l *Layer) error {
	if k := l.Params.Int(0, 0); k < 1 {
		return bad("num_slope %d < 1", k)
	}
	return nil
}

// preluWeights: num_slope (param 0) raw slopes.
func preluWeights(p *Params) (WeightLayout, error) {
	return WeightLayout{Weight: p.Int(0, 0), WeightName: "slope"}, nil
}

// scaleShape: one factor per channel (param 0; a 1-D input's length), or
// the factors of a second input blob.
func scaleShape(l *Layer, in []Shape, _ Shape) ([]Shape, error) {
	k := l.Params.Int(0, 0)
	if k == scaleFromBlob {
		if err := needInputs(l, in, 2); err != nil {
			return nil, err
		}
		return []Shape{in[0]}, nil
	}
	if err := needInputs(l, in, 1); err != nil {
		return nil, err
	}
	c := in[0].C
	if in[0].Dims == 1 {
		c = in[0].W
	}
	if k != c {
		return nil, bad("Scale has %d factors for %d channels", k, c)
	}
	return []Shape{in[0]}, nil
}

func validateScale(l *Layer) error {
	k := l.Params.Int(0, 0)
	if k == scaleFromBlob {
		if len(l.Inputs) != 2 {
			return bad("Scale with a scale blob needs 2 inputs, has %d", len(l.Inputs))
		}
		return nil
	}
	if k < 1 || len(l.Inputs) != 1 {
		return bad("Scale with %d factors and %d inputs", k, len(l.Inputs))
	}
	return nil
}

// scaleWeights: scale_data_size (param 0) raw factors, then as many biases
// when bias_term (param 1) is set; none when the factors come from a blob.
func scaleWeights(p *Params) (WeightLayout, error) {
	k := p.Int(0, 0)
	if k == scaleFromBlob {
		return WeightLayout{}, nil
	}
	w := WeightLayout{Weight: k, WeightName: "scale", BiasName: "bias"}
	if p.Int(1, 0) != 0 {
		w.Bias = k
	}
	return w, nil
}
