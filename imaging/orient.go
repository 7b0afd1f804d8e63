package imaging

// Orient returns m turned upright for EXIF orientation o (1..8): the
// stored pixel that the orientation says belongs at the top-left goes to
// (0,0). Orientation 1 (or an invalid value) returns m itself; 5..8 swap
// width and height.
func Orient(m *Image, o int) *Image {
	if o < 2 || o > 8 {
		return m
	}
	w, h := m.W, m.H
	dw, dh := w, h
	if o >= 5 {
		dw, dh = h, w
	}
	out := &Image{W: dw, H: dh, C: m.C, Depth: m.Depth, ICC: m.ICC}
	n := dw * dh * m.C
	if m.Depth == 8 {
		out.Pix8 = make([]uint8, n)
	} else {
		out.Pix16 = make([]uint16, n)
	}
	c := m.C
	for y := 0; y < dh; y++ {
		for x := 0; x < dw; x++ {
			sx, sy := orientSource(o, x, y, w, h)
			d, s := (y*dw+x)*c, (sy*w+sx)*c
			if m.Depth == 8 {
				copy(out.Pix8[d:d+c], m.Pix8[s:s+c])
			} else {
				copy(out.Pix16[d:d+c], m.Pix16[s:s+c])
			}
		}
	}
	return out
}

// orientSource maps a displayed pixel (x,y) to the stored pixel of a w×h
// stored image under orientation o.
func orientSource(o, x, y, w, h int) (int, int) {
	switch o {
	case 2: // mirrored horizontally
		return w - 1 - x, y
	case 3: // rotated 180
		return w - 1 - x, h - 1 - y
	case 4: // mirrored vertically
		return x, h - 1 - y
	case 5: // transposed
		return y, x
	case 6: // stored rotated 90 CCW: turn 90 CW
		return y, h - 1 - x
	case 7: // transversed
		return w - 1 - y, h - 1 - x
	case 8: // stored rotated 90 CW: turn 90 CCW
		return w - 1 - y, x
	}
	return x, y
}
