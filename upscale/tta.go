package upscale

import "github.com/upscaled/upscaled/tiling"

// Test-time augmentation: transform k (0..7) flips x (bit 0) and y (bit 1),
// then transposes (bit 2). The network runs on each transformed tile; each
// output is transformed back and the 8 are averaged.

// transformedSize is the size of F_k of a w×h image.
func transformedSize(w, h, k int) (int, int) {
	if k&4 != 0 {
		return h, w
	}
	return w, h
}

// forward writes F_k(src) into dst; src is w×h with c channels.
func forward[T tiling.Pixel](dst, src []T, w, h, c, k int) {
	w2, h2 := transformedSize(w, h, k)
	o := 0
	for y2 := 0; y2 < h2; y2++ {
		for x2 := 0; x2 < w2; x2++ {
			u, v := x2, y2
			if k&4 != 0 {
				u, v = y2, x2
			}
			if k&1 != 0 {
				u = w - 1 - u
			}
			if k&2 != 0 {
				v = h - 1 - v
			}
			copy(dst[o:o+c], src[(v*w+u)*c:])
			o += c
		}
	}
}

// inverse writes F_k⁻¹(src) into dst, where src (w2×h2) is F_k of a w×h
// image: dst(x, y) = src(F_k(x, y)).
func inverse[T tiling.Pixel](dst, src []T, w, h, c, k int) {
	w2, _ := transformedSize(w, h, k)
	o := 0
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			u, v := x, y
			if k&1 != 0 {
				u = w - 1 - u
			}
			if k&2 != 0 {
				v = h - 1 - v
			}
			if k&4 != 0 {
				u, v = v, u
			}
			copy(dst[o:o+c], src[(v*w2+u)*c:])
			o += c
		}
	}
}

// forwardRect maps a rectangle of a w×h grid through F_k.
func forwardRect(r tiling.Rect, w, h, k int) tiling.Rect {
	if k&1 != 0 {
		r.X0, r.X1 = w-r.X1, w-r.X0
	}
	if k&2 != 0 {
		r.Y0, r.Y1 = h-r.Y1, h-r.Y0
	}
	if k&4 != 0 {
		r = tiling.Rect{X0: r.Y0, Y0: r.X0, X1: r.Y1, Y1: r.X1}
	}
	return r
}
