package upscale

import "math"

// Alpha is upscaled by bicubic interpolation (Keys, A = −0.75, half-pixel
// centres, edges clamped), not by the network: see doc.go for the
// comparison that chose it.

// cubicTaps are, for each output coordinate along one axis, the 4 source
// coordinates (clamped) and their weights.
type cubicTaps struct {
	idx []int32
	wt  []float32
}

func newCubicTaps(n, scale int) cubicTaps {
	t := cubicTaps{idx: make([]int32, 4*n*scale), wt: make([]float32, 4*n*scale)}
	for d := 0; d < n*scale; d++ {
		f := (float64(d)+0.5)/float64(scale) - 0.5
		x0 := math.Floor(f)
		u := f - x0
		for i := 0; i < 4; i++ {
			x := int(x0) - 1 + i
			t.idx[4*d+i] = int32(min(max(x, 0), n-1))
			t.wt[4*d+i] = float32(keys(u + 1 - float64(i)))
		}
	}
	return t
}

// keys is the cubic convolution kernel with A = −0.75.
func keys(x float64) float64 {
	const a = -0.75
	x = math.Abs(x)
	switch {
	case x <= 1:
		return ((a+2)*x-(a+3))*x*x + 1
	case x < 2:
		return ((a*x-5*a)*x+8*a)*x - 4*a
	}
	return 0
}

// alphaBand upscales channel ch of the interleaved image src (w×h, c
// channels) by scale for output rows [y0, y1), writing channel dch of the
// interleaved band dst (dc channels, w·scale wide). The result is rounded
// and clamped to 0..maxv.
func alphaBand[T uint8 | uint16](dst []T, dc, dch int, src []T, w, h, c, ch int, xs, ys cubicTaps, y0, y1 int, maxv float32) {
	ow := len(xs.idx) / 4
	tmp := make([]float32, 4*ow) // the 4 source rows interpolated horizontally
	for y := y0; y < y1; y++ {
		for i := 0; i < 4; i++ {
			row := src[int(ys.idx[4*y+i])*w*c:]
			r := tmp[i*ow : (i+1)*ow]
			for x := range r {
				k := 4 * x
				r[x] = xs.wt[k]*float32(row[int(xs.idx[k])*c+ch]) + xs.wt[k+1]*float32(row[int(xs.idx[k+1])*c+ch]) +
					xs.wt[k+2]*float32(row[int(xs.idx[k+2])*c+ch]) + xs.wt[k+3]*float32(row[int(xs.idx[k+3])*c+ch])
			}
		}
		wy := ys.wt[4*y : 4*y+4]
		o := (y - y0) * ow * dc
		for x := 0; x < ow; x++ {
			v := wy[0]*tmp[x] + wy[1]*tmp[ow+x] + wy[2]*tmp[2*ow+x] + wy[3]*tmp[3*ow+x]
			v = min(max(v+0.5, 0), maxv)
			dst[o+x*dc+dch] = T(v)
		}
	}
}
