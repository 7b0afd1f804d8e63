package cpu

import "github.com/upscaled/upscaled/internal/cpuwork"

// makeBorder returns x with top/bottom/left/right pixels of value v added
// around every channel.
func makeBorder(x *Tensor, top, bottom, left, right int, v float32) *Tensor {
	out := NewTensor(x.C, x.H+top+bottom, x.W+left+right)
	cpuwork.For(x.C, func(lo, hi int) {
		for c := lo; c < hi; c++ {
			dst, src := out.Plane(c), x.Plane(c)
			if v != 0 {
				for i := range dst {
					dst[i] = v
				}
			}
			for y := 0; y < x.H; y++ {
				copy(dst[(y+top)*out.W+left:][:x.W], src[y*x.W:][:x.W])
			}
		}
	})
	return out
}
