package vulkan

import (
	"fmt"

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
		kind := "windowed"
		if pp.Global {
			kind = "global max"
		}
		return fmt.Errorf("%w: %s", models.ErrUnsupported, pl.errf(i, "%s pooling is not implemented by the Vulkan engine (global average only)", kind))
	}
	in, err := pl.input(i, 0, 3)
	if err != nil {
		return err
	}
	s := in.shape
	l := pl.l
	slot := poolSlot{layer: i, C: s.C, H: s.H, W: s.W, inputStor: in.stor}
	slot.region, slot.regionSize = l.io, 16
	l.io += 256
	slot.sums, slot.sumsSize = l.io, int64(c4(s.C))*16
	l.io = alignUp(l.io+slot.sumsSize, 256)
	slot.means, slot.meansSize = l.io, int64(c4(s.C))*16
	l.io = alignUp(l.io+slot.meansSize, 256)
	out := lay.Outputs[0]
	pl.blobs[out] = tensor{shape: pl.shapes[out], space: spIO, off: slot.means, size: slot.meansSize}
	binds := []bref{pl.ref(lay.Inputs[0]), {space: spIO, off: slot.region, size: 16}, {space: spIO, off: slot.sums, size: slot.sumsSize}}
	pl.add(i, "gapsum", nil, u32s(s.W, s.H, c4(s.C)), [3]int{c4(s.C), 1, 1}, binds, 2)
	slot.segmentEnd = len(l.steps)
	l.pools = append(l.pools, slot)
	l.segs = append(l.segs, segment{end: len(l.steps), pool: i})
	return nil
}

// planInnerProduct plans an InnerProduct over a 1-D blob.
func (pl *planner) planInnerProduct(i int) error {
	lay := &pl.p.net.Layers[i]
	in, err := pl.input(i, 0, 1)
	if err != nil {
		return err
	}
	n := lay.Params.Int(0, 0)
	k := len(lay.Weight) / n
	if in.shape.W != k {
		return fmt.Errorf("%w: %s", models.ErrShape, pl.errf(i, "input has %d values, weights expect %d", in.shape.W, k))
	}
	pl.output(i, 0)
	c := models.Conv{Activation: lay.Params.Int(9, 0), ActParams: lay.Params.Floats(10)}
	if c.Activation < 0 || c.Activation > 6 {
		return fmt.Errorf("%w: %s", models.ErrUnsupported, pl.errf(i, "activation type %d", c.Activation))
	}
	act, a, b := actSpec(c, false)
	parts := pl.p.layerParts[i]
	binds := []bref{pl.ref(lay.Inputs[0]), pl.ref(lay.Outputs[0]), pl.wref(parts[0]), pl.wref(parts[1])}
	pl.add(i, "innerproduct", []uint32{uint32(act), f32bits(a), f32bits(b)}, u32s(k, n), groups1D(n), binds, 1)
	return nil
}
