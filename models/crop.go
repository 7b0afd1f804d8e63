package models

// CropBox is the region a Crop layer keeps: offsets and sizes per axis.
type CropBox struct {
	C, H, W    int // offsets
	OutC, OutH int
	OutW       int
}

// Out is the shape of the cropped blob.
func (b CropBox) Out(dims int) Shape {
	if dims == 1 {
		return Shape1(b.OutW)
	}
	return Shape3(b.OutC, b.OutH, b.OutW)
}

// CropRegion resolves a Crop layer for its input shapes. Forms: numpy-like
// slice (9 starts, 10 ends, 11 axes; negative values count from the end,
// -233 = the edge); with two inputs and no slice, the size of the second
// (reference) blob at offsets 0/1/2; else offsets 0/1/2 (w, h, c), sizes
// 3/4/5 (0 or -233 = the rest) and far-end cuts 6/7/8.
func CropRegion(l *Layer, in []Shape) (CropBox, error) {
	if len(in) != 1 && len(in) != 2 {
		return CropBox{}, bad("Crop takes 1 or 2 inputs, has %d", len(in))
	}
	s := in[0]
	if s.Dims != 1 && s.Dims != 3 {
		return CropBox{}, bad("Crop input %s: want 1-D or C×H×W", s)
	}
	p := &l.Params
	box := CropBox{OutC: s.C, OutH: s.H, OutW: s.W}
	size := map[int]int{0: s.C, 1: s.H, 2: s.W}
	starts, ends := p.Ints(9), p.Ints(10)
	if len(starts) > 0 && len(ends) > 0 {
		axes := p.Ints(11)
		if len(axes) == 0 {
			for a := 0; a < s.Dims; a++ {
				axes = append(axes, a)
			}
		}
		if len(starts) < len(axes) || len(ends) < len(axes) {
			return CropBox{}, bad("Crop slice has %d starts and %d ends for %d axes", len(starts), len(ends), len(axes))
		}
		for i, a := range axes {
			if a < 0 {
				a += s.Dims
			}
			if a < 0 || a >= s.Dims {
				return CropBox{}, bad("Crop axis %d out of range for %s", axes[i], s)
			}
			if s.Dims == 1 {
				a = 2
			}
			n := size[a]
			start, end := starts[i], ends[i]
			if start == -233 {
				start = 0
			}
			if end == -233 {
				end = n
			}
			if start < 0 {
				start += n
			}
			if end <= 0 {
				end += n
			}
			end = min(end, n)
			off, out := &box.W, &box.OutW
			switch a {
			case 0:
				off, out = &box.C, &box.OutC
			case 1:
				off, out = &box.H, &box.OutH
			}
			*off, *out = start, end-start
		}
	} else if len(in) == 2 {
		ref := in[1]
		box.W, box.H, box.C = p.Int(0, 0), p.Int(1, 0), p.Int(2, 0)
		box.OutW, box.OutH = ref.W, ref.H
		if s.Dims == 3 && ref.Dims == 3 {
			box.OutC = ref.C
		}
		if s.Dims == 1 {
			box.OutW = ref.W
		}
	} else {
		box.W, box.H, box.C = p.Int(0, 0), p.Int(1, 0), p.Int(2, 0)
		if box.H == -233 || box.C == -233 || box.W == -233 {
			return CropBox{}, unsupported("Crop with -233 offsets (axis-shifted form)")
		}
		rest := func(n, off, out, cut int) int {
			r := n - off - cut
			if out != 0 && out != -233 {
				r = min(out, r)
			}
			return r
		}
		box.OutW = rest(s.W, box.W, p.Int(3, 0), p.Int(6, 0))
		if s.Dims == 3 {
			box.OutH = rest(s.H, box.H, p.Int(4, 0), p.Int(7, 0))
			box.OutC = rest(s.C, box.C, p.Int(5, 0), p.Int(8, 0))
		}
	}
	if box.C < 0 || box.H < 0 || box.W < 0 || box.C+box.OutC > s.C || box.H+box.OutH > s.H || box.W+box.OutW > s.W {
		return CropBox{}, bad("Crop offsets %d,%d,%d with size %s fall outside the input %s", box.C, box.H, box.W, box.Out(s.Dims), s)
	}
	if box.OutC < 1 || box.OutH < 1 || box.OutW < 1 {
		return CropBox{}, bad("Crop of %s leaves %s: input too small for this network", s, box.Out(s.Dims))
	}
	return box, nil
}

func cropLayerShape(l *Layer, in []Shape, _ Shape) ([]Shape, error) {
	box, err := CropRegion(l, in)
	if err != nil {
		return nil, err
	}
	return []Shape{box.Out(in[0].Dims)}, nil
}

func validateCrop(l *Layer) error {
	if len(l.Inputs) > 2 {
		return bad("has %d inputs, want 1 or 2", len(l.Inputs))
	}
	return nil
}
