package models

// pixelShuffleShape: C×H×W becomes C/r²×rH×rW (r: param 0).
func pixelShuffleShape(l *Layer, in []Shape, _ Shape) ([]Shape, error) {
	if err := needInputs(l, in, 1); err != nil {
		return nil, err
	}
	if err := need3D(l, in); err != nil {
		return nil, err
	}
	r := l.Params.Int(0, 1)
	if r <= 0 || r > 64 || in[0].C%(r*r) != 0 {
		return nil, bad("PixelShuffle factor %d does not divide %d channels into r²", r, in[0].C)
	}
	return []Shape{Shape3(in[0].C/(r*r), in[0].H*r, in[0].W*r)}, nil
}

func validatePixelShuffle(l *Layer) error {
	p := &l.Params
	if r := p.Int(0, 1); r < 1 || r > 64 {
		return bad("upscale factor %d out of range 1..64", r)
	}
	if m := p.Int(1, 0); m != 0 && m != 1 {
		return unsupported("PixelShuffle mode %d", m)
	}
	return nil
}
