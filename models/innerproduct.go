package models

// innerProductShape: num_output (param 0) values from an input of
// weight_data_size (param 2) / num_output values.
func innerProductShape(l *Layer, in []Shape, _ Shape) ([]Shape, error) {
	if err := needInputs(l, in, 1); err != nil {
		return nil, err
	}
	p := &l.Params
	out, wsize := p.Int(0, 0), p.Int(2, 0)
	if out <= 0 || wsize <= 0 || wsize%out != 0 {
		return nil, bad("num_output %d and weight size %d inconsistent", out, wsize)
	}
	if got := in[0].Size(); got != wsize/out {
		return nil, bad("input %s has %d values, weights expect %d", in[0], got, wsize/out)
	}
	return []Shape{Shape1(out)}, nil
}

func validateInnerProduct(l *Layer) error {
	p := &l.Params
	out, ws := p.Int(0, 0), p.Int(2, 0)
	if out < 1 || ws < 1 || ws%out != 0 {
		return bad("weight size %d is not a positive multiple of num_output %d", ws, out)
	}
	if act := p.Int(9, 0); act < 0 || act > 6 {
		return unsupported("activation type %d", act)
	}
	return nil
}

// innerProductWeights: weight_data_size (param 2) tagged values, then
// num_output biases when bias_term (param 1) is set.
func innerProductWeights(p *Params) (WeightLayout, error) {
	return taggedWeights(p, 2, 1)
}
