package cpu

import (
	"fmt"

	"github.com/upscaled/upscaled/models"
)

// concat is Concat along axis 0 (channels of C×H×W blobs, elements of 1-D
// blobs); param 0 axis (negative counts from the end).
type concat struct{ axis int }

func newConcat(l *models.Layer) (op, error) {
	return concat{axis: l.Params.Int(0, 0)}, nil
}

func (c concat) forward(in []*Tensor) ([]*Tensor, error) {
	if len(in) == 0 {
		return nil, fmt.Errorf("%w: concat of no blobs", ErrShape)
	}
	dims := in[0].Dims
	axis := c.axis
	if axis < 0 {
		axis += dims
	}
	if axis != 0 {
		return nil, fmt.Errorf("%w: concat axis %d of a %d-D blob (only the first axis is supported)", models.ErrUnsupported, c.axis, dims)
	}
	total := 0
	for _, t := range in {
		if t.Dims != dims || t.H != in[0].H || t.W != in[0].W {
			return nil, fmt.Errorf("%w: concat of %s and %s", ErrShape, in[0], t)
		}
		total += t.C
	}
	out := &Tensor{Dims: dims, C: total, H: in[0].H, W: in[0].W}
	out.Data = make([]float32, 0, out.Size())
	for _, t := range in {
		out.Data = append(out.Data, t.Data...)
	}
	return []*Tensor{out}, nil
}
