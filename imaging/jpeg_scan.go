package imaging

import "math/bits"

// jpegPlane is one component's samples for a group of MCU rows, level
// shifted (value-128), padded to whole blocks by edge replication.
type jpegPlane struct {
	w, h int
	pix  []float32
}

// jpegPlanes converts n rows of 8-bit gray or RGB into component planes
// (YCbCr, JFIF full range; chroma averaged over the subsampling window),
// taking buffers from alloc and returning unused ones to release.
func jpegPlanes(l *jpegLayout, raw []byte, n, outC int, alloc func(int) []float32, release func([]float32)) []jpegPlane {
	mcuRows := (n + l.mcuH - 1) / l.mcuH
	fw, fh := l.mcusX*l.mcuW, mcuRows*l.mcuH
	full := make([][]float32, len(l.comps))
	for i := range full {
		full[i] = alloc(fw * fh)
	}
	w := l.width
	for y := 0; y < fh; y++ {
		sy := min(y, n-1)
		row := raw[sy*w*outC : (sy+1)*w*outC]
		for x := 0; x < fw; x++ {
			sx := min(x, w-1)
			i := y*fw + x
			if outC == 1 {
				full[0][i] = float32(row[sx]) - 128
				continue
			}
			r, g, b := float32(row[3*sx]), float32(row[3*sx+1]), float32(row[3*sx+2])
			full[0][i] = 0.299*r + 0.587*g + 0.114*b - 128
			full[1][i] = -0.168735892*r - 0.331264108*g + 0.5*b
			full[2][i] = 0.5*r - 0.418687589*g - 0.081312411*b
		}
	}
	return subsample(l, full, fw, fh, alloc, release)
}

// subsample reduces full-resolution planes to each component's sampling.
// Full planes that are reduced are handed to release.
func subsample(l *jpegLayout, full [][]float32, fw, fh int, alloc func(int) []float32, release func([]float32)) []jpegPlane {
	hmax, vmax := l.mcuW/8, l.mcuH/8
	planes := make([]jpegPlane, len(l.comps))
	for ci, c := range l.comps {
		sx, sy := hmax/c.h, vmax/c.v
		if sx == 1 && sy == 1 {
			planes[ci] = jpegPlane{fw, fh, full[ci]}
			continue
		}
		pw, ph := fw/sx, fh/sy
		p := alloc(pw * ph)
		inv := 1 / float32(sx*sy)
		for y := 0; y < ph; y++ {
			for x := 0; x < pw; x++ {
				var s float32
				for dy := 0; dy < sy; dy++ {
					for dx := 0; dx < sx; dx++ {
						s += full[ci][(y*sy+dy)*fw+x*sx+dx]
					}
				}
				p[y*pw+x] = s * inv
			}
		}
		release(full[ci])
		planes[ci] = jpegPlane{pw, ph, p}
	}
	return planes
}

// jpegScan entropy-codes mcuRows MCU rows starting at image MCU row first;
// each row restarts DC prediction and is followed by an RST marker unless
// it is the image's last.
func jpegScan(dst []byte, l *jpegLayout, planes []jpegPlane, mcuRows, first int) []byte {
	bw := &bitWriter{out: dst[:0]}
	var blk [64]float32
	var coef [64]int32
	for r := 0; r < mcuRows; r++ {
		var pred [4]int32
		for mx := 0; mx < l.mcusX; mx++ {
			for ci, c := range l.comps {
				p := &planes[ci]
				for by := 0; by < c.v; by++ {
					for bx := 0; bx < c.h; bx++ {
						x0, y0 := (mx*c.h+bx)*8, (r*c.v+by)*8
						for y := 0; y < 8; y++ {
							copy(blk[y*8:y*8+8], p.pix[(y0+y)*p.w+x0:])
						}
						fdctQuant(&blk, &l.div[c.tbl], &coef)
						bw.block(&coef, &pred[ci], jpegCodes[2*c.tbl], jpegCodes[2*c.tbl+1])
					}
				}
			}
		}
		bw.pad()
		if g := first + r; g < l.mcusY-1 {
			bw.out = append(bw.out, 0xFF, 0xD0+byte(g%8))
		}
	}
	return bw.out
}

// fdctQuant computes the 2-D DCT of blk with the Arai-Agui-Nakajima
// factorisation (scaled outputs; the scale is folded into div) and
// quantises it into zigzag order.
func fdctQuant(blk *[64]float32, div *[64]float32, out *[64]int32) {
	for y := 0; y < 8; y++ {
		aan8(blk[y*8:y*8+8:y*8+8], 1)
	}
	for x := 0; x < 8; x++ {
		aan8(blk[x:], 8)
	}
	for z, k := range jpegZigzag {
		q := blk[k] * div[k]
		if q >= 0 {
			out[z] = int32(q + 0.5)
		} else {
			out[z] = -int32(-q + 0.5)
		}
	}
}

// aan8 transforms the 8 values d[0], d[s], ..., d[7s] in place.
func aan8(d []float32, s int) {
	d0, d1, d2, d3 := d[0], d[s], d[2*s], d[3*s]
	d4, d5, d6, d7 := d[4*s], d[5*s], d[6*s], d[7*s]
	t0, t7 := d0+d7, d0-d7
	t1, t6 := d1+d6, d1-d6
	t2, t5 := d2+d5, d2-d5
	t3, t4 := d3+d4, d3-d4

	t10, t13 := t0+t3, t0-t3
	t11, t12 := t1+t2, t1-t2
	d[0], d[4*s] = t10+t11, t10-t11
	z1 := (t12 + t13) * 0.707106781
	d[2*s], d[6*s] = t13+z1, t13-z1

	t10, t11, t12 = t4+t5, t5+t6, t6+t7
	z5 := (t10 - t12) * 0.382683433
	z2 := 0.541196100*t10 + z5
	z4 := 1.306562965*t12 + z5
	z3 := t11 * 0.707106781
	z11, z13 := t7+z3, t7-z3
	d[5*s], d[3*s] = z13+z2, z13-z2
	d[s], d[7*s] = z11+z4, z11-z4
}

// bitWriter packs Huffman codes MSB first with 0xFF byte stuffing.
type bitWriter struct {
	out []byte
	acc uint32
	n   uint
}

func (b *bitWriter) put(code uint32, size uint) {
	b.acc = b.acc<<size | code&(1<<size-1)
	b.n += size
	for b.n >= 8 {
		c := byte(b.acc >> (b.n - 8))
		b.out = append(b.out, c)
		if c == 0xFF {
			b.out = append(b.out, 0)
		}
		b.n -= 8
	}
	b.acc &= 1<<b.n - 1
}

// pad fills the last byte with 1 bits.
func (b *bitWriter) pad() {
	if b.n > 0 {
		b.put(1<<(8-b.n)-1, 8-b.n)
	}
}

// magnitude returns the JPEG size category of v and its coded bits.
func magnitude(v int32) (uint, uint32) {
	a := v
	if a < 0 {
		a = -a
		v--
	}
	s := uint(bits.Len32(uint32(a)))
	return s, uint32(v) & (1<<s - 1)
}

// block writes one quantised block (zigzag order).
func (b *bitWriter) block(c *[64]int32, pred *int32, dc, ac *huffCode) {
	d := c[0] - *pred
	*pred = c[0]
	s, v := magnitude(d)
	b.put(uint32(dc.code[s]), uint(dc.size[s]))
	if s > 0 {
		b.put(v, s)
	}
	run := 0
	for k := 1; k < 64; k++ {
		if c[k] == 0 {
			run++
			continue
		}
		for run > 15 {
			b.put(uint32(ac.code[0xF0]), uint(ac.size[0xF0]))
			run -= 16
		}
		s, v := magnitude(c[k])
		sym := byte(run<<4) | byte(s)
		b.put(uint32(ac.code[sym]), uint(ac.size[sym]))
		b.put(v, s)
		run = 0
	}
	if run > 0 {
		b.put(uint32(ac.code[0]), uint(ac.size[0]))
	}
}
