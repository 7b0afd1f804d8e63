package models

// Interp resize types.
const (
	InterpNearest  = 1
	InterpBilinear = 2
	InterpBicubic  = 3
)

// InterpParams is an Interp layer's resize type, scales and fixed output size.
type InterpParams struct {
	Type           int
	ScaleH, ScaleW float32
	OutH, OutW     int // 0 = from the scales
	AlignCorner    bool
}

// InterpOf reads and checks an Interp layer's parameters.
func InterpOf(l *Layer) (InterpParams, error) {
	p := &l.Params
	c := InterpParams{
		Type: p.Int(0, 0), ScaleH: p.Float(1, 1), ScaleW: p.Float(2, 1),
		OutH: p.Int(3, 0), OutW: p.Int(4, 0), AlignCorner: p.Int(6, 0) != 0,
	}
	if c.Type < InterpNearest || c.Type > InterpBicubic {
		return c, unsupported("interp type %d", c.Type)
	}
	if p.Int(5, 0) != 0 {
		return c, unsupported("interp with a dynamic target size")
	}
	if c.OutH < 0 || c.OutW < 0 || c.OutH > maxDim || c.OutW > maxDim {
		return c, bad("interp output size %d×%d out of range 0..%d", c.OutH, c.OutW, maxDim)
	}
	if !(c.ScaleH > 0 && c.ScaleH <= 64 && c.ScaleW > 0 && c.ScaleW <= 64) {
		return c, bad("interp scales %g×%g out of range (0, 64]", c.ScaleH, c.ScaleW)
	}
	return c, nil
}

// Size is the output size for an h×w input: the fixed size when both are
// set, else (int)(in·scale) computed in float32 as NCNN does.
func (c InterpParams) Size(h, w int) (oh, ow int) {
	if c.OutH > 0 && c.OutW > 0 {
		return c.OutH, c.OutW
	}
	return int(float32(h) * c.ScaleH), int(float32(w) * c.ScaleW)
}

func interpLayerShape(l *Layer, in []Shape, _ Shape) ([]Shape, error) {
	if err := needInputs(l, in, 1); err != nil {
		return nil, err
	}
	if err := need3D(l, in); err != nil {
		return nil, err
	}
	c, err := InterpOf(l)
	if err != nil {
		return nil, err
	}
	oh, ow := c.Size(in[0].H, in[0].W)
	return []Shape{Shape3(in[0].C, oh, ow)}, nil
}

func validateInterp(l *Layer) error {
	_, err := InterpOf(l)
	return err
}
