package cpu

import "github.com/upscaled/upscaled/models"

// split is Split: every output aliases the input (layers never write their
// inputs, so sharing is safe).
type split struct{ n int }

func newSplit(l *models.Layer) (op, error) { return split{n: len(l.Outputs)}, nil }

func (s split) forward(in []*Tensor) ([]*Tensor, error) {
	if err := wantInputs(in, 1); err != nil {
		return nil, err
	}
	out := make([]*Tensor, max(s.n, 1))
	for i := range out {
		out[i] = in[0]
	}
	return out, nil
}
