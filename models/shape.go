package models

import (
	"errors"
	"fmt"
)

// ErrShape: a layer cannot produce a valid blob for the given input size
// (e.g. an input smaller than the network's receptive field).
var ErrShape = errors.New("invalid blob shape")

// Shape3 is a C×H×W blob shape.
func Shape3(c, h, w int) Shape { return Shape{Dims: 3, C: c, H: h, W: w} }

// Shape1 is a 1-D blob of length n.
func Shape1(n int) Shape { return Shape{Dims: 1, C: 1, H: 1, W: n} }

func (s Shape) String() string {
	if s.Dims == 1 {
		return fmt.Sprintf("[%d]", s.W)
	}
	return fmt.Sprintf("%d×%d×%d", s.C, s.H, s.W)
}

// maxDim bounds every inferred dimension so products cannot overflow.
const maxDim = 1 << 24

// InferShapes returns the shape of every blob (indexed like Net.Blobs) when
// every Input layer's blob has shape input (C×H×W). Errors wrap ErrShape (or
// ErrUnsupported for a layer type or form this package does not model) and
// name the layer, its line and the input size.
func (n *Net) InferShapes(input Shape) ([]Shape, error) {
	if input.Dims == 0 {
		input.Dims = 3
	}
	if input.Dims != 3 || input.C <= 0 || input.H <= 0 || input.W <= 0 || input.C > maxDim || input.H > maxDim || input.W > maxDim {
		return nil, fmt.Errorf("%s: input shape %s: want C×H×W with each side 1..%d: %w", n.Name, input, maxDim, ErrShape)
	}
	shapes := make([]Shape, len(n.Blobs))
	known := make([]bool, len(n.Blobs))
	for i := range n.Layers {
		l := &n.Layers[i]
		in := make([]Shape, len(l.Inputs))
		for k, b := range l.Inputs {
			if !known[b] {
				return nil, n.shapeErr(l, input, ErrFormat, "input blob %q has no shape (not produced earlier)", n.Blobs[b])
			}
			in[k] = shapes[b]
		}
		out, err := layerShape(l, in, input)
		if err != nil {
			return nil, n.shapeErr(l, input, err, "%s", shapeMsg(err))
		}
		if len(out) != len(l.Outputs) {
			return nil, n.shapeErr(l, input, ErrFormat, "%s layer has %d outputs, want %d", l.Type, len(l.Outputs), len(out))
		}
		for k, b := range l.Outputs {
			s := out[k]
			if s.C <= 0 || s.H <= 0 || s.W <= 0 {
				return nil, n.shapeErr(l, input, ErrShape, "output %q would be %s: input too small for this network", n.Blobs[b], s)
			}
			if s.C > maxDim || s.H > maxDim || s.W > maxDim || s.C*s.H > maxDim*64 {
				return nil, n.shapeErr(l, input, ErrShape, "output %q would be %s: too large", n.Blobs[b], s)
			}
			shapes[b], known[b] = s, true
		}
	}
	return shapes, nil
}

// OutputShape infers the shape of the blob named blob for input.
func (n *Net) OutputShape(input Shape, blob string) (Shape, error) {
	b, ok := n.Find(blob)
	if !ok {
		return Shape{}, fmt.Errorf("%s: no blob named %q: %w", n.Name, blob, ErrFormat)
	}
	shapes, err := n.InferShapes(input)
	if err != nil {
		return Shape{}, err
	}
	return shapes[b], nil
}

// shapeError carries a layer-level message and the sentinel it wraps.
type shapeError struct {
	msg  string
	kind error
}

func (e *shapeError) Error() string { return e.msg }
func (e *shapeError) Unwrap() error { return e.kind }

func shapeMsg(err error) string {
	var se *shapeError
	if errors.As(err, &se) {
		return se.msg
	}
	return err.Error()
}

func bad(format string, args ...any) error {
	return &shapeError{msg: fmt.Sprintf(format, args...), kind: ErrShape}
}

func unsupported(format string, args ...any) error {
	return &shapeError{msg: fmt.Sprintf(format, args...), kind: ErrUnsupported}
}

func (n *Net) shapeErr(l *Layer, input Shape, kind error, format string, args ...any) error {
	var se *shapeError
	if errors.As(kind, &se) {
		kind = se.kind
	}
	return fmt.Errorf("%s:%d: layer %s (%s) for input %s: %s: %w", n.Name, l.Line, l.Name, l.Type, input, fmt.Sprintf(format, args...), kind)
}

// layerShape computes a layer's output shapes from its input shapes.
func layerShape(l *Layer, in []Shape, input Shape) ([]Shape, error) {
	k, err := kindOf(l)
	if err != nil {
		return nil, err
	}
	return k.shape(l, in, input)
}

// needInputs checks that a layer has k input blobs.
func needInputs(l *Layer, in []Shape, k int) error {
	if len(in) != k {
		return bad("%s takes %d input(s), has %d", l.Type, k, len(in))
	}
	return nil
}

// need3D checks that every input is C×H×W.
func need3D(l *Layer, in []Shape) error {
	for _, s := range in {
		if s.Dims != 3 {
			return bad("%s needs a C×H×W input, got %s", l.Type, s)
		}
	}
	return nil
}

// Broadcast is the shape of a BinaryOp on a and b: equal shapes; a 1-D
// operand whose length equals the other's C (per-channel, as in the SE
// multiply); a 1-D operand of length 1 (scalar); otherwise per dimension the
// sizes must be equal or 1 (size-1 broadcasting).
func Broadcast(a, b Shape) (Shape, error) {
	switch {
	case a == b:
		return a, nil
	case a.Dims == 1 && a.W == 1:
		return b, nil
	case b.Dims == 1 && b.W == 1:
		return a, nil
	case a.Dims == 3 && b.Dims == 1 && b.W == a.C:
		return a, nil
	case a.Dims == 1 && b.Dims == 3 && a.W == b.C:
		return b, nil
	case a.Dims == 3 && b.Dims == 3:
		c, ok1 := bdim(a.C, b.C)
		h, ok2 := bdim(a.H, b.H)
		w, ok3 := bdim(a.W, b.W)
		if ok1 && ok2 && ok3 {
			return Shape3(c, h, w), nil
		}
	}
	return Shape{}, bad("cannot broadcast %s with %s", a, b)
}

func bdim(x, y int) (int, bool) {
	switch {
	case x == y:
		return x, true
	case x == 1:
		return y, true
	case y == 1:
		return x, true
	}
	return 0, false
}
