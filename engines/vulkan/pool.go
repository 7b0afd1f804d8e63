package vulkan

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/upscaled/upscaled/models"
)

// planPooling plans a global average Pooling layer as a pause point: a
// dispatch sums its input over the pass's region into the io buffer, the
// segment ends, and the means the host supplies (io buffer) become the
// layer's 1-D output.
func (pl *planner) planPooling(i int) error {
	lay := &pl.p.net.Layers[i]
	pp, err := models.PoolParams(lay)
	if err != nil {
		return err
	}
	if !pl.p.gap[i] {
		return pl.planPoolWindow(i, pp)
	}
	in, err := pl.input(i, 0, 3)
	if err != nil {
		return err
	}
	s := in.shape
	l := pl.l
	slot := poolSlot{layer: i, C: s.C, H: s.H, W: s.W, inputStor: in.stor, slices: gapSlices(s.W * s.H)}
	slot.region, slot.regionSize = l.io, 16
	l.io += 256
	slot.sums, slot.sumsSize = l.io, int64(c4(s.C)*slot.slices)*16
	l.io = alignUp(l.io+slot.sumsSize, 256)
	slot.means, slot.meansSize = l.io, int64(c4(s.C))*16
	l.io = alignUp(l.io+slot.meansSize, 256)
	out := lay.Outputs[0]
	pl.blobs[out] = tensor{shape: pl.shapes[out], space: spIO, off: slot.means, size: slot.meansSize, scaleVec: -1}
	binds := []bref{pl.ref(lay.Inputs[0]), {space: spIO, off: slot.region, size: 16}, {space: spIO, off: slot.sums, size: slot.sumsSize}}
	pl.add(i, "gapsum", u32s(0), u32s(s.W, s.H, c4(s.C)), [3]int{c4(s.C), slot.slices, 1}, binds, 2)
	slot.segmentEnd = len(l.steps)
	l.pools = append(l.pools, slot)
	l.segs = append(l.segs, segment{end: len(l.steps), pool: i})
	return nil
}

// gapSliceLen is the positions one workgroup of a pooling sum reduces (64
// per thread): a 2550×3263 page's blob of 4.1 M positions is summed by 254
// workgroups per channel group instead of one.
const gapSliceLen = 16384

// gapSlices is the number of partial sums per channel group for a pooling
// input of n positions (at most 1024).
func gapSlices(n int) int { return min(max((n+gapSliceLen-1)/gapSliceLen, 1), 1024) }

// readSums reads a pooling slot's per-channel sums from the io buffer: the
// slices' partial sums added in slice order.
func (s poolSlot) readSums(io []byte) []float64 {
	sums := make([]float64, s.C)
	for c := range sums {
		g, lane := c/4, c%4
		for k := 0; k < s.slices; k++ {
			off := s.sums + int64(((g*s.slices+k)*4+lane)*4)
			sums[c] += float64(math.Float32frombits(binary.LittleEndian.Uint32(io[off:])))
		}
	}
	return sums
}

// planPoolWindow plans global max and windowed max/average pooling, with
// engines/cpu's semantics: pad mode 0 adds a right/bottom tail so the last
// window fits, 1 uses no pads, 2/3 SAME_UPPER/LOWER.
func (pl *planner) planPoolWindow(i int, pp models.Pool) error {
	lay := &pl.p.net.Layers[i]
	in, err := pl.input(i, 0, 3)
	if err != nil {
		return err
	}
	s := in.shape
	if pp.Global {
		if pp.Type != 0 {
			return fmt.Errorf("%w: %s", models.ErrUnsupported, pl.errf(i, "pooling type %d", pp.Type))
		}
		pl.output(i, 0)
		binds := []bref{pl.ref(lay.Inputs[0]), pl.dummy(), pl.ref(lay.Outputs[0])}
		pl.add(i, "gapsum", u32s(1), u32s(s.W, s.H, c4(s.C)), [3]int{c4(s.C), 1, 1}, binds, 2)
		return nil
	}
	l, r, t, b := pp.PadLeft, pp.PadRight, pp.PadTop, pp.PadBottom
	switch pp.PadMode {
	case 1:
		l, r, t, b = 0, 0, 0, 0
	case 2, 3:
		wpad := max(0, pp.KernelW+(s.W-1)/pp.StrideW*pp.StrideW-s.W)
		hpad := max(0, pp.KernelH+(s.H-1)/pp.StrideH*pp.StrideH-s.H)
		l, r, t, b = wpad/2, wpad-wpad/2, hpad/2, hpad-hpad/2
		if pp.PadMode == 3 {
			l, r, t, b = wpad-wpad/2, wpad/2, hpad-hpad/2, hpad/2
		}
	}
	out := pl.output(i, 0)
	o := out.shape
	avg, countPad := 0, 0
	if pp.Type == 1 {
		avg = 1
	}
	if pp.CountIncludePad {
		countPad = 1
	}
	push := u32s(s.W, s.H, o.W, o.H, c4(s.C), s.C, l, t, r, b, pp.KernelW, pp.KernelH, pp.StrideW, pp.StrideH)
	pl.add(i, "pool", u32s(avg, countPad), push, groups2D(o.W, o.H, c4(s.C)),
		[]bref{pl.ref(lay.Inputs[0]), pl.ref(lay.Outputs[0])}, 1)
	return nil
}

// planInnerProduct plans an InnerProduct over a 1-D blob or a flattened
// image.
func (pl *planner) planInnerProduct(i int) error {
	lay := &pl.p.net.Layers[i]
	in, err := pl.input(i, 0, 0)
	if err != nil {
		return err
	}
	n := lay.Params.Int(0, 0)
	k := len(lay.Weight) / n
	if in.shape.Size() != k {
		return fmt.Errorf("%w: %s", models.ErrShape, pl.errf(i, "input %s has %d values, weights expect %d", in.shape, in.shape.Size(), k))
	}
	pl.output(i, 0)
	c := models.Conv{Activation: lay.Params.Int(9, 0), ActParams: lay.Params.Floats(10)}
	if c.Activation < 0 || c.Activation > 6 {
		return fmt.Errorf("%w: %s", models.ErrUnsupported, pl.errf(i, "activation type %d", c.Activation))
	}
	act, a, b := actSpec(c, false)
	parts := pl.p.layerParts[i]
	vec, img, isImg := pl.ref(lay.Inputs[0]), pl.dummy(), 0
	if in.shape.Dims == 3 {
		vec, img, isImg = pl.dummy(), pl.ref(lay.Inputs[0]), 1
	}
	binds := []bref{vec, pl.ref(lay.Outputs[0]), pl.wref(parts[0]), pl.wref(parts[1]), img}
	spec := []uint32{uint32(act), f32bits(a), f32bits(b), uint32(isImg)}
	pl.add(i, "innerproduct", spec, u32s(k, n, in.shape.H*in.shape.W), groups1D(c4(n)*4), binds, 1)
	return nil
}
