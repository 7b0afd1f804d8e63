package cpu

import (
	"math"
	"runtime"
	"slices"

	"github.com/upscaled/upscaled/models"
)

// Footprint is the host bytes a pass over an h×w (padded) input holds at
// peak: blobs live from their producer to their last reader (Split outputs
// share their input's memory), plus each layer's scratch while it runs and
// the output tile (at 16 bits per sample). The input tile itself is the caller's. It returns
// math.MaxInt64 when the network cannot run on h×w (Start reports why).
// Dropped blobs return to the Go heap when the collector runs, so the
// process may briefly hold more than this.
func (p *program) Footprint(h, w int) int64 {
	shapes, err := p.net.InferShapes(models.Shape3(3, h, w))
	if err != nil {
		return math.MaxInt64
	}
	n := p.net
	root := p.live.Root                   // the blob whose memory b uses
	last := slices.Clone(p.live.RootLast) // last layer using each root
	last[root[p.out]] = len(n.Layers)     // the output is never freed early
	if p.info.NearestResidual {
		last[root[p.in]] = len(n.Layers) // the pass keeps its input for the residual
	}
	bytes := func(s models.Shape) int64 { return int64(s.Size()) * 4 }
	var live, peak int64
	for i, l := range n.Layers {
		for _, b := range l.Outputs {
			if root[b] == b {
				live += bytes(shapes[b])
			}
		}
		peak = max(peak, live+p.scratch(i, shapes))
		freed := map[int]bool{}
		for _, b := range append(append([]int(nil), l.Inputs...), l.Outputs...) {
			r := root[b]
			if last[r] <= i && !freed[r] {
				freed[r] = true
				live -= bytes(shapes[r])
			}
		}
	}
	o := shapes[p.out]
	tile := int64(o.H*o.W*3) * 2 // 16-bit output samples, the larger depth
	return max(peak, live+tile)
}

// scratch is the temporary memory layer i allocates beside its output.
func (p *program) scratch(i int, shapes []models.Shape) int64 {
	l := &p.net.Layers[i]
	if len(l.Inputs) == 0 {
		return 0
	}
	in := shapes[l.Inputs[0]]
	workers := int64(runtime.GOMAXPROCS(0))
	switch o := p.ops[i].(type) {
	case *conv:
		var s int64
		pl, pr, pt, pb := o.pads(in.W, in.H)
		if pl > 0 || pr > 0 || pt > 0 || pb > 0 {
			s = int64(in.C*(in.H+pt+pb)*(in.W+pl+pr)) * 4 // bordered copy
		}
		out := shapes[l.Outputs[0]]
		switch {
		case o.wino != nil: // per worker: transformed inputs and products of one tile row
			tw := int64((out.W + winoM - 1) / winoM)
			nb := int64((o.outC + ocBlock - 1) / ocBlock)
			s += min(workers, int64((out.H+winoM-1)/winoM)) * winoK * tw * (int64(o.inC) + nb*ocBlock) * 4
		case o.kw != 3 || o.sw != 1 || o.dw != 1: // per worker: one im2col row
			s += min(workers, int64(out.H)) * int64(out.W*o.inC*o.kh*o.kw) * 4
		}
		return s
	case *deconv:
		kew, _ := o.extent()
		fw := int64((in.W-1)*o.sw + kew + o.outPadR)
		// the input transposed to [y][x][c], plus full-width rows per worker
		return int64(in.Size())*4 + workers*(ocBlock*fw+ocBlock*int64(in.W))*4
	case *interp:
		out := shapes[l.Outputs[0]]
		return min(workers, int64(in.C)) * int64(in.H*out.W) * 4
	}
	return 0
}
