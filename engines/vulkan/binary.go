package vulkan

import (
	"fmt"

	"github.com/upscaled/upscaled/models"
)

// planBinary plans a BinaryOp: image ⊗ image of the same shape, image ⊗
// per-channel vector (the SE multiply), image or vector ⊗ scalar or
// one-element vector, vector ⊗ vector.
func (pl *planner) planBinary(i int) error {
	lay := &pl.p.net.Layers[i]
	op := lay.Params.Int(0, 0)
	if op < 0 || op > 8 {
		return fmt.Errorf("%w: %s", models.ErrUnsupported, pl.errf(i, "binary op %d (supported 0..8)", op))
	}
	a, err := pl.input(i, 0, 0)
	if err != nil {
		return err
	}
	ai := lay.Inputs[0]
	bmode, swap := 2, 0
	var b tensor
	bi := -1
	scalar := lay.Params.Float(2, 0)
	if lay.Params.Int(1, 0) == 0 {
		if b, err = pl.input(i, 1, 0); err != nil {
			return err
		}
		bi = lay.Inputs[1]
		if a.shape.Dims == 1 && b.shape.Dims == 3 {
			a, b, ai, bi, swap = b, a, bi, ai, 1
		}
		switch {
		case a.shape == b.shape:
			bmode = 0
		case b.shape.Dims == 1 && a.shape.Dims == 3 && b.shape.W == a.shape.C:
			bmode = 1
		case b.shape.Dims == 1 && b.shape.W == 1:
			bmode = 3
		case a.shape.Dims == 1 && a.shape.W == 1 && b.shape.Dims == 1:
			a, b, ai, bi, swap, bmode = b, a, bi, ai, 1-swap, 3
		default:
			return fmt.Errorf("%w: %s", models.ErrUnsupported, pl.errf(i, "broadcast of %s with %s", a.shape, b.shape))
		}
	}
	out := pl.output(i, 0)
	spec := u32s(op, bmode, swap)
	if a.shape.Dims == 1 {
		bb := pl.dummy()
		if bi >= 0 {
			bb = pl.ref(bi)
		}
		n := out.shape.W
		pl.add(i, "binary1d", spec, append(u32s(n), f32bits(scalar)), groups1D(n),
			[]bref{pl.ref(ai), bb, pl.ref(lay.Outputs[0])}, 2)
		return nil
	}
	img, vec := pl.dummy(), pl.dummy()
	switch bmode {
	case 0:
		img = pl.ref(bi)
	case 1, 3:
		vec = pl.ref(bi)
	}
	s := out.shape
	hw := s.H * s.W
	pl.add(i, "binary", spec, append(u32s(hw, c4(s.C), s.C), f32bits(scalar)), groups1D(hw*c4(s.C)),
		[]bref{pl.ref(ai), img, vec, pl.ref(lay.Outputs[0])}, 3)
	return nil
}

// planEltwise plans an Eltwise over two or more same-shape images as a
// chain of two-input dispatches accumulating in the output.
func (pl *planner) planEltwise(i int) error {
	lay := &pl.p.net.Layers[i]
	op := lay.Params.Int(0, 0)
	if op < 0 || op > 2 {
		return fmt.Errorf("%w: %s", models.ErrUnsupported, pl.errf(i, "eltwise op %d (0 prod, 1 sum, 2 max)", op))
	}
	if len(lay.Inputs) < 2 {
		return fmt.Errorf("%w: %s", models.ErrFormat, pl.errf(i, "eltwise of %d inputs", len(lay.Inputs)))
	}
	coeffs := lay.Params.Floats(1)
	coeff := func(k int) float32 {
		if op == 1 && k < len(coeffs) {
			return coeffs[k]
		}
		return 1
	}
	first, err := pl.input(i, 0, 3)
	if err != nil {
		return err
	}
	for k := 1; k < len(lay.Inputs); k++ {
		t, err := pl.input(i, k, 3)
		if err != nil {
			return err
		}
		if t.shape != first.shape {
			return fmt.Errorf("%w: %s", models.ErrShape, pl.errf(i, "input %d is %s, input 0 is %s", k, t.shape, first.shape))
		}
	}
	out := pl.output(i, 0)
	s := out.shape
	hw := s.H * s.W
	acc := pl.ref(lay.Inputs[0])
	ca := coeff(0)
	for k := 1; k < len(lay.Inputs); k++ {
		push := append(u32s(hw, c4(s.C), s.C), f32bits(ca), f32bits(coeff(k)))
		pl.add(i, "eltwise", u32s(op), push, groups1D(hw*c4(s.C)),
			[]bref{acc, pl.ref(lay.Inputs[k]), pl.ref(lay.Outputs[0])}, 2)
		acc, ca = pl.ref(lay.Outputs[0]), 1
	}
	return nil
}

// planPReLU plans a PReLU not fused into a convolution.
func (pl *planner) planPReLU(i int) error {
	lay := &pl.p.net.Layers[i]
	in, err := pl.input(i, 0, 3)
	if err != nil {
		return err
	}
	n := len(lay.Weight)
	if n != 1 && n != in.shape.C {
		return fmt.Errorf("%w: %s", models.ErrShape, pl.errf(i, "%d slopes for %d channels", n, in.shape.C))
	}
	shared := 0
	if n == 1 {
		shared = 1
	}
	out := pl.output(i, 0)
	return pl.affine(i, out, u32s(1, shared, 0), pl.wref(pl.p.layerParts[i][0]), pl.dummy())
}

// planScale plans a Scale: per-channel factors from weights or from a
// second (1-D) input, with optional bias.
func (pl *planner) planScale(i int) error {
	lay := &pl.p.net.Layers[i]
	in, err := pl.input(i, 0, 3)
	if err != nil {
		return err
	}
	parts := pl.p.layerParts[i]
	var sref bref
	if parts[0] < 0 {
		sc, err := pl.input(i, 1, 1)
		if err != nil {
			return err
		}
		if sc.shape.W != in.shape.C {
			return fmt.Errorf("%w: %s", models.ErrShape, pl.errf(i, "%d scales for %d channels", sc.shape.W, in.shape.C))
		}
		sref = pl.ref(lay.Inputs[1])
	} else {
		if n := len(lay.Weight); n != in.shape.C {
			return fmt.Errorf("%w: %s", models.ErrShape, pl.errf(i, "%d scales for %d channels", n, in.shape.C))
		}
		sref = pl.wref(parts[0])
	}
	bias, bb := 0, pl.dummy()
	if parts[1] >= 0 {
		bias, bb = 1, pl.wref(parts[1])
	}
	out := pl.output(i, 0)
	return pl.affine(i, out, u32s(0, 0, bias), sref, bb)
}

// affine adds a scale-shader dispatch from layer i's input 0 to out.
func (pl *planner) affine(i int, out tensor, spec []uint32, s, b bref) error {
	lay := &pl.p.net.Layers[i]
	sh := out.shape
	hw := sh.H * sh.W
	pl.add(i, "scale", spec, u32s(hw, c4(sh.C), sh.C), groups1D(hw*c4(sh.C)),
		[]bref{pl.ref(lay.Inputs[0]), s, b, pl.ref(lay.Outputs[0])}, 3)
	return nil
}
