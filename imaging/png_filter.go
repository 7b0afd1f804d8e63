package imaging

// filterRows applies a PNG filter to each row of raw (rows of rb bytes)
// into out (len(raw)/rb rows of 1+rb bytes), chosen per row by the minimum
// sum of absolute signed residuals (the usual adaptive heuristic). prev is
// the row above the first (nil: zeros).
func filterRows(out, raw, prev []byte, rb, bpp int) []byte {
	n := len(raw) / rb
	if prev == nil {
		prev = make([]byte, rb)
	}
	var cand [5][]byte
	for i := range cand {
		cand[i] = make([]byte, rb)
	}
	for y := 0; y < n; y++ {
		cur := raw[y*rb : (y+1)*rb]
		best, bestSum := 0, -1
		for f := 0; f < 5; f++ {
			s := filterRow(f, cand[f], cur, prev, bpp)
			if bestSum < 0 || s < bestSum {
				best, bestSum = f, s
			}
		}
		o := out[y*(rb+1):]
		o[0] = byte(best)
		copy(o[1:rb+1], cand[best])
		prev = cur
	}
	return out
}

func abs8(v byte) int {
	if v < 128 {
		return int(v)
	}
	return 256 - int(v)
}

// filterRow writes filter f of cur (above: prev) into dst, returning the
// sum of absolute residuals.
func filterRow(f int, dst, cur, prev []byte, bpp int) int {
	sum := 0
	switch f {
	case 0:
		copy(dst, cur)
		for _, v := range dst {
			sum += abs8(v)
		}
	case 1:
		for i := range cur {
			var a byte
			if i >= bpp {
				a = cur[i-bpp]
			}
			dst[i] = cur[i] - a
			sum += abs8(dst[i])
		}
	case 2:
		for i := range cur {
			dst[i] = cur[i] - prev[i]
			sum += abs8(dst[i])
		}
	case 3:
		for i := range cur {
			var a int
			if i >= bpp {
				a = int(cur[i-bpp])
			}
			dst[i] = cur[i] - byte((a+int(prev[i]))/2)
			sum += abs8(dst[i])
		}
	case 4:
		for i := range cur {
			var a, c int
			if i >= bpp {
				a, c = int(cur[i-bpp]), int(prev[i-bpp])
			}
			dst[i] = cur[i] - paeth(a, int(prev[i]), c)
			sum += abs8(dst[i])
		}
	}
	return sum
}

func paeth(a, b, c int) byte {
	p := a + b - c
	pa, pb, pc := p-a, p-b, p-c
	if pa < 0 {
		pa = -pa
	}
	if pb < 0 {
		pb = -pb
	}
	if pc < 0 {
		pc = -pc
	}
	if pa <= pb && pa <= pc {
		return byte(a)
	}
	if pb <= pc {
		return byte(b)
	}
	return byte(c)
}
