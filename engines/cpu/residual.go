package cpu

import "fmt"

// nearestResidual returns the nearest-upsampled input that Real-CUGAN 4x adds
// to its network output: output pixel (y, x) takes input pixel (off + y/s,
// off + x/s), off being the context the valid convolutions consumed on each
// side, (in·s − out)/(2s), derived from the two blob sizes.
func nearestResidual(in, out *Tensor, s int) (func(c, y, x int) float32, error) {
	if s <= 0 {
		return nil, fmt.Errorf("%w: residual scale %d", ErrShape, s)
	}
	dw, dh := in.W*s-out.W, in.H*s-out.H
	if dw < 0 || dh < 0 || dw%(2*s) != 0 || dh%(2*s) != 0 {
		return nil, fmt.Errorf("%w: output %s is not input %s ×%d less an equal margin per side", ErrShape, out, in, s)
	}
	offX, offY := dw/(2*s), dh/(2*s)
	return func(c, y, x int) float32 {
		return in.Data[(c*in.H+offY+y/s)*in.W+offX+x/s]
	}, nil
}
