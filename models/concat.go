package models

// concatShape joins inputs along axis (param 0; negative counts from the end).
func concatShape(l *Layer, in []Shape, _ Shape) ([]Shape, error) {
	s, err := concatOf(&l.Params, in)
	return []Shape{s}, err
}

func concatOf(p *Params, in []Shape) (Shape, error) {
	if len(in) < 1 {
		return Shape{}, bad("Concat needs inputs")
	}
	dims := in[0].Dims
	axis := p.Int(0, 0)
	if axis < 0 {
		axis += dims
	}
	if axis < 0 || axis >= dims {
		return Shape{}, bad("Concat axis %d out of range for %d-D blobs", p.Int(0, 0), dims)
	}
	if dims == 1 {
		axis = 2
	}
	out := in[0]
	for _, s := range in[1:] {
		if s.Dims != dims {
			return Shape{}, bad("Concat of %s and %s", in[0], s)
		}
		switch axis {
		case 0:
			if s.H != out.H || s.W != out.W {
				return Shape{}, bad("Concat on channels of %s and %s: spatial sizes differ", in[0], s)
			}
			out.C += s.C
		case 1:
			if s.C != out.C || s.W != out.W {
				return Shape{}, bad("Concat on height of %s and %s", in[0], s)
			}
			out.H += s.H
		case 2:
			if s.C != out.C || s.H != out.H {
				return Shape{}, bad("Concat on width of %s and %s", in[0], s)
			}
			out.W += s.W
		}
	}
	return out, nil
}
