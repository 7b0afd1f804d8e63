package models

// ConvFLOPs is the convolution and deconvolution arithmetic (2 ×
// multiply-adds) of one forward pass over a 3×h×w input: per output pixel
// of a convolution, per input pixel of a deconvolution, every weight once.
func (n *Net) ConvFLOPs(h, w int) (float64, error) {
	shapes, err := n.InferShapes(Shape3(3, h, w))
	if err != nil {
		return 0, err
	}
	var f float64
	for _, l := range n.Layers {
		switch l.Type {
		case "Convolution":
			o := shapes[l.Outputs[0]]
			f += 2 * float64(len(l.Weight)) * float64(o.H*o.W)
		case "Deconvolution":
			in := shapes[l.Inputs[0]]
			f += 2 * float64(len(l.Weight)) * float64(in.H*in.W)
		}
	}
	return f, nil
}
