package cpu

import (
	"fmt"
	"math"

	"github.com/upscaled/upscaled/models"
)

// Activation types fused into Convolution, Deconvolution and InnerProduct
// (param 9), with their parameters in param 10.
const (
	actNone = iota
	actReLU
	actLeakyReLU
	actClip
	actSigmoid
	actMish
	actHardSwish
)

type activation struct {
	kind int
	a, b float32
}

// newActivation reads the activation type (id 9) and parameters (id 10).
func newActivation(p models.Params) (activation, error) {
	kind := p.Int(9, actNone)
	args := p.Floats(10)
	arg := func(i int, def float32) float32 {
		if i < len(args) {
			return args[i]
		}
		return def
	}
	switch kind {
	case actNone, actReLU, actSigmoid, actMish:
		return activation{kind: kind}, nil
	case actLeakyReLU:
		return activation{kind: kind, a: arg(0, 0)}, nil
	case actClip:
		return activation{kind: kind, a: arg(0, -math.MaxFloat32), b: arg(1, math.MaxFloat32)}, nil
	case actHardSwish:
		return activation{kind: kind, a: arg(0, 1.0/6), b: arg(1, 0.5)}, nil
	}
	return activation{}, fmt.Errorf("%w: activation type %d (supported 0..6)", models.ErrUnsupported, kind)
}

// apply transforms x in place.
func (a activation) apply(x []float32) {
	switch a.kind {
	case actReLU:
		for i, v := range x {
			if v < 0 {
				x[i] = 0
			}
		}
	case actLeakyReLU:
		s := a.a
		for i, v := range x {
			if v < 0 {
				x[i] = v * s
			}
		}
	case actClip:
		lo, hi := a.a, a.b
		for i, v := range x {
			x[i] = min(max(v, lo), hi)
		}
	case actSigmoid:
		for i, v := range x {
			x[i] = float32(1 / (1 + math.Exp(-float64(v))))
		}
	case actMish:
		for i, v := range x {
			sp := math.Log1p(math.Exp(float64(v)))
			if v > 20 {
				sp = float64(v)
			}
			x[i] = v * float32(math.Tanh(sp))
		}
	case actHardSwish:
		al, be := a.a, a.b
		for i, v := range x {
			x[i] = v * min(max(v*al+be, 0), 1)
		}
	}
}
