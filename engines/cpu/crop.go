package cpu

import (
	"fmt"

	"github.com/upscaled/upscaled/internal/cpuwork"
	"github.com/upscaled/upscaled/models"
)

// crop is Crop in its two forms.
//   - Offsets: 0/1/2 w/h/c offsets; 3/4/5 output w/h/c (-233 or absent = the
//     rest); 6/7/8 w/h/c amounts cut from the far end. With a second
//     (reference) input, the output takes the reference's extents.
//   - Slice (numpy-like): 9 starts, 10 ends, 11 axes; negative values count
//     from the end, -233 means the whole axis. For C×H×W, axis 0 = c, 1 = h,
//     2 = w (negative axes count from the last).
type crop struct {
	off, size, off2    [3]int // c, h, w
	starts, ends, axes []int
}

const rest = -233

func newCrop(l *models.Layer) (op, error) {
	p := l.Params
	c := &crop{
		off:    [3]int{p.Int(2, 0), p.Int(1, 0), p.Int(0, 0)},
		size:   [3]int{p.Int(5, rest), p.Int(4, rest), p.Int(3, rest)},
		off2:   [3]int{p.Int(8, 0), p.Int(7, 0), p.Int(6, 0)},
		starts: p.Ints(9), ends: p.Ints(10), axes: p.Ints(11),
	}
	if len(c.starts) != len(c.ends) || (len(c.axes) > 0 && len(c.axes) != len(c.starts)) {
		return nil, fmt.Errorf("%w: crop starts/ends/axes lengths %d/%d/%d differ", models.ErrFormat, len(c.starts), len(c.ends), len(c.axes))
	}
	for i := range 3 {
		if c.off[i] < 0 || c.off2[i] < 0 || (c.size[i] < 0 && c.size[i] != rest) {
			return nil, fmt.Errorf("%w: crop offsets %v, sizes %v, far offsets %v must be ≥ 0", models.ErrFormat, c.off, c.size, c.off2)
		}
	}
	return c, nil
}

// roi resolves the crop window [start, start+size) per axis (c, h, w).
func (c *crop) roi(x *Tensor, ref *Tensor) (start, size [3]int, err error) {
	ext := [3]int{x.C, x.H, x.W}
	if x.Dims == 1 {
		ext = [3]int{1, 1, x.C}
	}
	start, size = [3]int{}, ext
	if len(c.starts) > 0 {
		for i := range c.starts {
			axis := i
			if len(c.axes) > 0 {
				axis = c.axes[i]
			}
			if axis < 0 {
				axis += x.Dims
			}
			if axis < 0 || axis >= x.Dims {
				return start, size, fmt.Errorf("%w: crop axis %d of a %d-D blob", ErrShape, axis, x.Dims)
			}
			a := axis + 3 - x.Dims // index into (c, h, w)
			n := ext[a]
			s, e := c.starts[i], c.ends[i]
			if s == rest {
				s = 0
			}
			if e == rest {
				e = n
			}
			if s < 0 {
				s += n
			}
			if e < 0 {
				e += n
			}
			start[a], size[a] = s, min(e, n)-s
		}
	} else {
		for a := range 3 {
			if x.Dims == 1 && a < 2 {
				continue
			}
			start[a] = c.off[a]
			size[a] = ext[a] - c.off[a] - c.off2[a]
			if c.size[a] != rest && c.size[a] != 0 {
				size[a] = c.size[a]
			}
		}
		if ref != nil {
			if ref.Dims == 1 {
				size[2] = ref.C
			} else {
				size = [3]int{x.C, ref.H, ref.W}
				if x.Dims == 3 && ref.Dims == 3 {
					size[0] = ref.C
				}
			}
		}
	}
	for a := range 3 {
		if start[a] < 0 || size[a] <= 0 || start[a]+size[a] > ext[a] {
			return start, size, fmt.Errorf("%w: crop window start %v size %v outside blob %s", ErrShape, start, size, x)
		}
	}
	return start, size, nil
}

func (c *crop) forward(in []*Tensor) ([]*Tensor, error) {
	if len(in) != 1 && len(in) != 2 {
		return nil, fmt.Errorf("%w: crop takes 1 or 2 blobs, got %d", ErrShape, len(in))
	}
	x := in[0]
	var ref *Tensor
	if len(in) == 2 {
		ref = in[1]
	}
	start, size, err := c.roi(x, ref)
	if err != nil {
		return nil, err
	}
	if x.Dims == 1 {
		out := NewVector(size[2])
		copy(out.Data, x.Data[start[2]:])
		return []*Tensor{out}, nil
	}
	out := NewTensor(size[0], size[1], size[2])
	cpuwork.For(size[0], func(lo, hi int) {
		for ch := lo; ch < hi; ch++ {
			src, dst := x.Plane(start[0]+ch), out.Plane(ch)
			for y := range size[1] {
				copy(dst[y*size[2]:][:size[2]], src[(start[1]+y)*x.W+start[2]:])
			}
		}
	})
	return []*Tensor{out}, nil
}
