package cpu

import "github.com/upscaled/upscaled/models"

// input is Input: its blob is fed by the pass before the first layer runs;
// params 0/1/2 (w, h, c) are shape hints only.
type input struct{}

func newInput(*models.Layer) (op, error) { return input{}, nil }

// forward passes the fed blob through.
func (input) forward(in []*Tensor) ([]*Tensor, error) { return in, nil }
