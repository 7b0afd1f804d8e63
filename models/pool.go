package models

// Pool is a Pooling layer's geometry, with NCNN's defaults applied.
type Pool struct {
	Type              int // 0 max, 1 average
	Global            bool
	KernelW, KernelH  int
	StrideW, StrideH  int
	PadLeft, PadRight int
	PadTop, PadBottom int
	PadMode           int // 0 full (ceil), 1 valid, 2 SAME_UPPER, 3 SAME_LOWER
	CountIncludePad   bool
}

// PoolParams reads and checks a Pooling layer's parameters.
func PoolParams(l *Layer) (Pool, error) {
	p := &l.Params
	c := Pool{
		Type: p.Int(0, 0), KernelW: p.Int(1, 0), StrideW: p.Int(2, 1), PadLeft: p.Int(3, 0),
		Global: p.Int(4, 0) != 0, PadMode: p.Int(5, 0), CountIncludePad: p.Int(6, 0) != 0,
	}
	c.KernelH = p.Int(11, c.KernelW)
	c.StrideH = p.Int(12, c.StrideW)
	c.PadRight = p.Int(14, c.PadLeft)
	c.PadTop = p.Int(13, c.PadLeft)
	c.PadBottom = p.Int(15, c.PadTop)
	if c.Type != 0 && c.Type != 1 {
		return c, unsupported("pooling type %d", c.Type)
	}
	if p.Int(7, 0) != 0 {
		return c, unsupported("adaptive pooling")
	}
	if c.Global {
		return c, nil
	}
	for _, v := range []int{c.KernelW, c.KernelH, c.StrideW, c.StrideH} {
		if v < 1 || v > maxKernel {
			return c, bad("pooling kernel/stride %d out of range 1..%d", v, maxKernel)
		}
	}
	for _, v := range []int{c.PadLeft, c.PadRight, c.PadTop, c.PadBottom} {
		if v < 0 || v > maxPad {
			return c, bad("pooling pad %d out of range 0..%d", v, maxPad)
		}
	}
	if c.PadMode < 0 || c.PadMode > 3 {
		return c, unsupported("pooling pad mode %d", c.PadMode)
	}
	return c, nil
}

// Pads returns the pads applied to an h×w input, including the extra
// right/bottom pixels of full-padding mode and the SAME modes.
func (c Pool) Pads(h, w int) (left, right, top, bottom int) {
	switch c.PadMode {
	case 0:
		wtail := (w + c.PadLeft + c.PadRight - c.KernelW) % c.StrideW
		htail := (h + c.PadTop + c.PadBottom - c.KernelH) % c.StrideH
		r, b := c.PadRight, c.PadBottom
		if wtail > 0 {
			r += c.StrideW - wtail
		}
		if htail > 0 {
			b += c.StrideH - htail
		}
		return c.PadLeft, r, c.PadTop, b
	case 2, 3:
		wpad := max(0, c.KernelW+(w-1)/c.StrideW*c.StrideW-w)
		hpad := max(0, c.KernelH+(h-1)/c.StrideH*c.StrideH-h)
		if c.PadMode == 2 {
			return wpad / 2, wpad - wpad/2, hpad / 2, hpad - hpad/2
		}
		return wpad - wpad/2, wpad / 2, hpad - hpad/2, hpad / 2
	}
	return c.PadLeft, c.PadRight, c.PadTop, c.PadBottom
}

func poolLayerShape(l *Layer, in []Shape, _ Shape) ([]Shape, error) {
	if err := needInputs(l, in, 1); err != nil {
		return nil, err
	}
	if err := need3D(l, in); err != nil {
		return nil, err
	}
	c, err := PoolParams(l)
	if err != nil {
		return nil, err
	}
	if c.Global {
		return []Shape{Shape1(in[0].C)}, nil
	}
	s := in[0]
	left, r, t, b := c.Pads(s.H, s.W)
	pw, ph := s.W+left+r, s.H+t+b
	if pw < c.KernelW || ph < c.KernelH {
		return nil, bad("input %s padded to %d×%d is smaller than the %d×%d pooling kernel", s, ph, pw, c.KernelH, c.KernelW)
	}
	return []Shape{Shape3(s.C, (ph-c.KernelH)/c.StrideH+1, (pw-c.KernelW)/c.StrideW+1)}, nil
}

func validatePooling(l *Layer) error {
	_, err := PoolParams(l)
	return err
}

// GlobalPools returns the indices of the global average Pooling layers, in
// layer order (the SE blocks' whole-image means).
func (n *Net) GlobalPools() []int {
	var out []int
	for i, l := range n.Layers {
		if l.Type == "Pooling" && l.Params.Int(4, 0) != 0 && l.Params.Int(0, 0) == 1 {
			out = append(out, i)
		}
	}
	return out
}
