package upscale

// bandShaper turns rows [oy0, oy0+rgb.H) of the network's RGB output into
// the output image's channels (gray as luma, alpha upscaled from the input)
// and depth.
type bandShaper struct {
	src      samples // the decoded input
	outC     int
	outDepth int
	xs, ys   cubicTaps // alpha interpolation, when the input has alpha
}

func newBandShaper(src samples, scale, outDepth int) *bandShaper {
	b := &bandShaper{src: src, outC: src.C, outDepth: outDepth}
	if src.C == 2 || src.C == 4 {
		b.xs, b.ys = newCubicTaps(src.W, scale), newCubicTaps(src.H, scale)
	}
	return b
}

func (b *bandShaper) shape(rgb samples, oy0 int) samples {
	if b.outC == 3 && b.outDepth == rgb.Depth {
		return rgb // RGB in, RGB out: the network's band as it is
	}
	out := newSamples(rgb.W, rgb.H, b.outC, b.outDepth)
	n := rgb.W * rgb.H
	c := b.outC
	switch {
	case rgb.Depth == 8:
		for i := 0; i < n; i++ {
			p := rgb.Pix8[3*i : 3*i+3]
			if c <= 2 {
				out.Pix8[i*c] = luma8(p[0], p[1], p[2])
			} else {
				copy(out.Pix8[i*c:], p)
			}
		}
	case b.outDepth == 16:
		for i := 0; i < n; i++ {
			p := rgb.Pix16[3*i : 3*i+3]
			if c <= 2 {
				out.Pix16[i*c] = luma16(p[0], p[1], p[2])
			} else {
				copy(out.Pix16[i*c:], p)
			}
		}
	default: // 16-bit network output to an 8-bit format
		for i := 0; i < n; i++ {
			p := rgb.Pix16[3*i : 3*i+3]
			if c <= 2 {
				out.Pix8[i*c] = to8(luma16(p[0], p[1], p[2]))
			} else {
				out.Pix8[i*c], out.Pix8[i*c+1], out.Pix8[i*c+2] = to8(p[0]), to8(p[1]), to8(p[2])
			}
		}
	}
	if c == 2 || c == 4 {
		b.alpha(out, oy0)
	}
	return out
}

func (b *bandShaper) alpha(out samples, oy0 int) {
	s := b.src
	y1 := oy0 + out.H
	switch {
	case s.Depth == 8:
		alphaBand(out.Pix8, out.C, out.C-1, s.Pix8, s.W, s.H, s.C, s.C-1, b.xs, b.ys, oy0, y1, 255)
	case out.Depth == 16:
		alphaBand(out.Pix16, out.C, out.C-1, s.Pix16, s.W, s.H, s.C, s.C-1, b.xs, b.ys, oy0, y1, 65535)
	default:
		tmp := make([]uint16, out.W*out.H)
		alphaBand(tmp, 1, 0, s.Pix16, s.W, s.H, s.C, s.C-1, b.xs, b.ys, oy0, y1, 65535)
		for i, v := range tmp {
			out.Pix8[i*out.C+out.C-1] = to8(v)
		}
	}
}

func to8(v uint16) uint8 { return uint8((uint32(v)*255 + 32767) / 65535) }
