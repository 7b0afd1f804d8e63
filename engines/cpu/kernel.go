package cpu

import (
	"fmt"

	"github.com/upscaled/upscaled/models"
)

// Padding sentinels of Convolution/Deconvolution/Pooling pads.
const (
	padSameUpper = -233 // total pad split with the smaller half first
	padSameLower = -234 // total pad split with the larger half first
)

// kernel holds the geometry parameters shared by Convolution and
// Deconvolution: ids 0 num_output, 1/11 kernel w/h, 2/12 dilation, 3/13
// stride, 4/15/14/16 pads left/right/top/bottom (each defaulting to the
// previous one), 5 bias term, 6 weight count.
type kernel struct {
	outC, inC              int
	kw, kh, dw, dh, sw, sh int
	padL, padR, padT, padB int
	bias                   []float32 // outC values; zeros without a bias term
	act                    activation
}

func readKernel(l *models.Layer) (kernel, error) {
	p := l.Params
	k := kernel{outC: p.Int(0, 0)}
	k.kw = p.Int(1, 0)
	k.kh = p.Int(11, k.kw)
	k.dw = p.Int(2, 1)
	k.dh = p.Int(12, k.dw)
	k.sw = p.Int(3, 1)
	k.sh = p.Int(13, k.sw)
	k.padL = p.Int(4, 0)
	k.padR = p.Int(15, k.padL)
	k.padT = p.Int(14, k.padL)
	k.padB = p.Int(16, k.padT)
	if k.outC <= 0 || k.kw <= 0 || k.kh <= 0 || k.dw <= 0 || k.dh <= 0 || k.sw <= 0 || k.sh <= 0 {
		return k, fmt.Errorf("%w: num_output %d, kernel %d×%d, dilation %d×%d, stride %d×%d: each must be > 0",
			models.ErrFormat, k.outC, k.kw, k.kh, k.dw, k.dh, k.sw, k.sh)
	}
	// -233/-234 in the left pad selects SAME padding (the other pads then
	// default to it and are not used); otherwise every pad is a count
	if k.padL != padSameUpper && k.padL != padSameLower {
		for _, v := range []int{k.padL, k.padR, k.padT, k.padB} {
			if v < 0 {
				return k, fmt.Errorf("%w: pads %d,%d,%d,%d (left, right, top, bottom): want ≥ 0, or -233/-234 in the left pad", models.ErrFormat, k.padL, k.padR, k.padT, k.padB)
			}
		}
	}
	size := p.Int(6, 0)
	per := k.outC * k.kw * k.kh
	if size <= 0 || size%per != 0 {
		return k, fmt.Errorf("%w: weight_data_size %d is not a positive multiple of num_output·kw·kh = %d", models.ErrFormat, size, per)
	}
	k.inC = size / per
	if len(l.Weight) != size {
		return k, fmt.Errorf("%w: %d weights loaded, weight_data_size %d", models.ErrFormat, len(l.Weight), size)
	}
	k.bias = make([]float32, k.outC)
	if p.Int(5, 0) != 0 {
		if len(l.Bias) != k.outC {
			return k, fmt.Errorf("%w: %d biases loaded, want num_output %d", models.ErrFormat, len(l.Bias), k.outC)
		}
		copy(k.bias, l.Bias)
	}
	var err error
	k.act, err = newActivation(p)
	return k, err
}

// extent is the dilated kernel size along w and h.
func (k kernel) extent() (int, int) {
	return k.dw*(k.kw-1) + 1, k.dh*(k.kh-1) + 1
}

// samePads splits a total pad per the SAME_UPPER/-LOWER mode.
func samePads(mode, total int) (lo, hi int) {
	if total <= 0 {
		return 0, 0
	}
	if mode == padSameLower {
		return total - total/2, total / 2
	}
	return total / 2, total - total/2
}
