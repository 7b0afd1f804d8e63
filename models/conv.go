package models

// Conv is the geometry and options of a Convolution or Deconvolution layer,
// read from its parameters with NCNN's defaults applied.
type Conv struct {
	NumOutput, NumInput  int
	KernelW, KernelH     int
	DilationW, DilationH int
	StrideW, StrideH     int
	// Pads as declared: each >= 0, or all -233 (SAME_UPPER) or all -234 (SAME_LOWER).
	PadLeft, PadRight, PadTop, PadBottom int
	PadValue                             float32
	Bias                                 bool
	WeightSize                           int
	// Activation: 0 none, 1 relu, 2 leaky relu (ActParams[0] slope),
	// 3 clip (ActParams[0..1]), 4 sigmoid, 5 mish, 6 hardswish (ActParams[0..1]).
	Activation int
	ActParams  []float32
	// Deconvolution only: extra output pixels right/bottom, and the output
	// size to cut to when the pads are -233/-234 (0 = none).
	OutputPadRight, OutputPadBottom int
	OutputW, OutputH                int
}

const (
	padSameUpper = -233
	padSameLower = -234
	maxKernel    = 1 << 10
	maxPad       = 1 << 16
)

// ConvParams reads a Convolution or Deconvolution layer's parameters and
// checks them (positive kernel, stride, dilation; weight size divisible by
// num_output·kernel_w·kernel_h; pads >= 0 or uniformly -233/-234).
func ConvParams(l *Layer) (Conv, error) {
	p := &l.Params
	c := Conv{
		NumOutput:  p.Int(0, 0),
		KernelW:    p.Int(1, 0),
		DilationW:  p.Int(2, 1),
		StrideW:    p.Int(3, 1),
		PadLeft:    p.Int(4, 0),
		Bias:       p.Int(5, 0) != 0,
		WeightSize: p.Int(6, 0),
		Activation: p.Int(9, 0),
		ActParams:  p.Floats(10),
	}
	c.KernelH = p.Int(11, c.KernelW)
	c.DilationH = p.Int(12, c.DilationW)
	c.StrideH = p.Int(13, c.StrideW)
	c.PadRight = p.Int(15, c.PadLeft)
	c.PadTop = p.Int(14, c.PadLeft)
	c.PadBottom = p.Int(16, c.PadTop)
	if l.Type == "Deconvolution" {
		c.OutputPadRight = p.Int(18, 0)
		c.OutputPadBottom = p.Int(19, c.OutputPadRight)
		c.OutputW = p.Int(20, 0)
		c.OutputH = p.Int(21, c.OutputW)
	} else {
		c.PadValue = p.Float(18, 0)
	}
	for _, v := range []struct {
		name   string
		v, max int
	}{
		{"kernel_w", c.KernelW, maxKernel}, {"kernel_h", c.KernelH, maxKernel},
		{"dilation_w", c.DilationW, maxKernel}, {"dilation_h", c.DilationH, maxKernel},
		{"stride_w", c.StrideW, maxKernel}, {"stride_h", c.StrideH, maxKernel},
		{"num_output", c.NumOutput, maxDim},
	} {
		if v.v < 1 || v.v > v.max {
			return c, bad("%s %d out of range 1..%d", v.name, v.v, v.max)
		}
	}
	per := c.NumOutput * c.KernelW * c.KernelH
	if c.WeightSize <= 0 || c.WeightSize%per != 0 {
		return c, bad("weight size %d is not a positive multiple of num_output·kernel_w·kernel_h = %d", c.WeightSize, per)
	}
	c.NumInput = c.WeightSize / per
	pads := []int{c.PadLeft, c.PadRight, c.PadTop, c.PadBottom}
	same := pads[0] == padSameUpper || pads[0] == padSameLower
	for _, v := range pads {
		if (same && v != pads[0]) || (!same && (v < 0 || v > maxPad)) {
			return c, bad("pads %v: want each in 0..%d, or all -233 or all -234", pads, maxPad)
		}
	}
	for _, v := range []int{c.OutputPadRight, c.OutputPadBottom, c.OutputW, c.OutputH} {
		if v < 0 || v > maxDim {
			return c, bad("output pad/size %d out of range 0..%d", v, maxDim)
		}
	}
	if c.Activation < 0 || c.Activation > 6 {
		return c, unsupported("activation type %d", c.Activation)
	}
	if need := map[int]int{2: 1, 3: 2, 6: 2}[c.Activation]; len(c.ActParams) < need {
		return c, bad("activation %d needs %d parameter(s) in id 10, has %d", c.Activation, need, len(c.ActParams))
	}
	return c, nil
}

// KernelExtentW is the input width one output pixel sees: d·(k−1)+1.
func (c Conv) KernelExtentW() int { return c.DilationW*(c.KernelW-1) + 1 }

// KernelExtentH is the input height one output pixel sees.
func (c Conv) KernelExtentH() int { return c.DilationH*(c.KernelH-1) + 1 }

// Pads returns the Convolution's pads for an h×w input, resolving -233
// (SAME_UPPER: the odd pixel goes right/bottom) and -234 (SAME_LOWER).
func (c Conv) Pads(h, w int) (left, right, top, bottom int) {
	if c.PadLeft != padSameUpper && c.PadLeft != padSameLower {
		return c.PadLeft, c.PadRight, c.PadTop, c.PadBottom
	}
	wpad := max(0, c.KernelExtentW()+(w-1)/c.StrideW*c.StrideW-w)
	hpad := max(0, c.KernelExtentH()+(h-1)/c.StrideH*c.StrideH-h)
	if c.PadLeft == padSameUpper {
		return wpad / 2, wpad - wpad/2, hpad / 2, hpad - hpad/2
	}
	return wpad - wpad/2, wpad / 2, hpad - hpad/2, hpad / 2
}

// OutSize is the Convolution output size for an h×w input; a result < 1 means
// the input is too small.
func (c Conv) OutSize(h, w int) (oh, ow int) {
	l, r, t, b := c.Pads(h, w)
	pw, ph := w+l+r, h+t+b
	if pw < c.KernelExtentW() || ph < c.KernelExtentH() {
		return 0, 0
	}
	return (ph-c.KernelExtentH())/c.StrideH + 1, (pw-c.KernelExtentW())/c.StrideW + 1
}

// DeconvFull is the Deconvolution output size before cutting:
// (in−1)·stride + kernel extent + output pad.
func (c Conv) DeconvFull(h, w int) (fh, fw int) {
	return (h-1)*c.StrideH + c.KernelExtentH() + c.OutputPadBottom, (w-1)*c.StrideW + c.KernelExtentW() + c.OutputPadRight
}

// DeconvCut returns the pixels cut from each side of the full Deconvolution
// output of an h×w input: the pads when positive, else with -233/-234 and an
// output size the difference split SAME_UPPER/SAME_LOWER, else nothing.
func (c Conv) DeconvCut(h, w int) (left, right, top, bottom int) {
	if c.PadLeft >= 0 {
		return c.PadLeft, c.PadRight, c.PadTop, c.PadBottom
	}
	if c.OutputW <= 0 || c.OutputH <= 0 {
		return 0, 0, 0, 0
	}
	fh, fw := c.DeconvFull(h, w)
	wcut, hcut := fw-c.OutputW, fh-c.OutputH
	if c.PadLeft == padSameUpper {
		return wcut / 2, wcut - wcut/2, hcut / 2, hcut - hcut/2
	}
	return wcut - wcut/2, wcut / 2, hcut - hcut/2, hcut / 2
}

// convLayerShape is the output of a Convolution or Deconvolution.
func convLayerShape(l *Layer, in []Shape, _ Shape) ([]Shape, error) {
	if err := needInputs(l, in, 1); err != nil {
		return nil, err
	}
	if err := need3D(l, in); err != nil {
		return nil, err
	}
	c, err := ConvParams(l)
	if err != nil {
		return nil, err
	}
	if in[0].C != c.NumInput {
		return nil, bad("input has %d channels, weights expect %d", in[0].C, c.NumInput)
	}
	if l.Type == "Deconvolution" {
		s, err := c.deconvShape(in[0])
		return []Shape{s}, err
	}
	s, err := c.convShape(in[0])
	return []Shape{s}, err
}

func (c Conv) convShape(in Shape) (Shape, error) {
	oh, ow := c.OutSize(in.H, in.W)
	if oh < 1 || ow < 1 {
		l, r, t, b := c.Pads(in.H, in.W)
		return Shape{}, bad("input %s with pads %d,%d,%d,%d is smaller than the %d×%d kernel extent: input too small for this network",
			in, l, r, t, b, c.KernelExtentH(), c.KernelExtentW())
	}
	return Shape3(c.NumOutput, oh, ow), nil
}

func (c Conv) deconvShape(in Shape) (Shape, error) {
	fh, fw := c.DeconvFull(in.H, in.W)
	l, r, t, b := c.DeconvCut(in.H, in.W)
	oh, ow := fh-t-b, fw-l-r
	if oh < 1 || ow < 1 || l < 0 || r < 0 || t < 0 || b < 0 {
		return Shape{}, bad("input %s gives a %d×%d output before cutting %d,%d,%d,%d: input too small for this network", in, fh, fw, l, r, t, b)
	}
	return Shape3(c.NumOutput, oh, ow), nil
}

func validateConv(l *Layer) error {
	_, err := ConvParams(l)
	return err
}

// convWeights: weight_data_size tagged values, then num_output biases
// when bias_term is set.
func convWeights(p *Params) (WeightLayout, error) {
	return taggedWeights(p, 6, 5)
}

// taggedWeights is the layout of the layers whose weights carry a storage
// tag (Convolution, Deconvolution, InnerProduct): param countID values,
// then num_output (param 0) biases when param biasID is set.
func taggedWeights(p *Params, countID, biasID int) (WeightLayout, error) {
	if q := p.Int(8, 0); q != 0 {
		return WeightLayout{}, unsupported("int8 quantized layer (param 8 = %d)", q)
	}
	w := WeightLayout{Weight: p.Int(countID, 0), Tagged: true, WeightName: "weight", BiasName: "bias"}
	if p.Int(biasID, 0) != 0 {
		w.Bias = p.Int(0, 0)
	}
	return w, nil
}
