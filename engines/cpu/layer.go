package cpu

import (
	"fmt"

	"github.com/upscaled/upscaled/models"
)

// op is one prepared layer: parameters decoded and weights arranged at Load.
// forward must not modify its inputs (blobs may be shared by Split) and must
// be safe for concurrent calls.
type op interface {
	forward(in []*Tensor) ([]*Tensor, error)
}

// constructor decodes a layer's parameters and arranges its weights.
type constructor func(l *models.Layer) (op, error)

// registry maps an NCNN layer type to its constructor: adding a layer is its
// entry in models' table of kinds (shape, checks, weights), one line here
// and its file.
var registry = map[string]constructor{
	"Input":         newInput,
	"Convolution":   newConv,
	"Deconvolution": newDeconv,
	"Split":         newSplit,
	"Concat":        newConcat,
	"Crop":          newCrop,
	"Pooling":       newPooling,
	"InnerProduct":  newInnerProduct,
	"BinaryOp":      newBinaryOp,
	"Eltwise":       newEltwise,
	"PReLU":         newPReLU,
	"PixelShuffle":  newPixelShuffle,
	"Interp":        newInterp,
	"Scale":         newScale,
}

// build prepares l, naming the layer in errors.
func build(l *models.Layer) (op, error) {
	c, ok := registry[l.Type]
	if !ok {
		return nil, fmt.Errorf("cpu: layer %s (line %d): type %q: %w", l.Name, l.Line, l.Type, models.ErrUnsupported)
	}
	o, err := c(l)
	if err != nil {
		return nil, fmt.Errorf("cpu: layer %s %s (line %d): %w", l.Type, l.Name, l.Line, err)
	}
	return o, nil
}

// wantInputs checks the number of input blobs a forward call got.
func wantInputs(in []*Tensor, n int) error {
	if len(in) != n {
		return fmt.Errorf("%w: %d input blobs, want %d", ErrShape, len(in), n)
	}
	return nil
}

// want3D checks that t is a C×H×W blob.
func want3D(t *Tensor) error {
	if t.Dims != 3 {
		return fmt.Errorf("%w: got 1-D blob %s, want C×H×W", ErrShape, t)
	}
	return nil
}
