package vulkan

import (
	"fmt"

	"github.com/upscaled/upscaled/models"
)

// actSpec returns the activation kind and its two parameters for shaders:
// NCNN's param 9/10, or 7 (PReLU) when a PReLU layer is fused in.
func actSpec(c models.Conv, prelu bool) (kind int, a, b float32) {
	if prelu {
		return 7, 0, 0
	}
	arg := func(k int, def float32) float32 {
		if k < len(c.ActParams) {
			return c.ActParams[k]
		}
		return def
	}
	switch c.Activation {
	case 2:
		return 2, arg(0, 0), 0
	case 3:
		return 3, arg(0, -3.4e38), arg(1, 3.4e38)
	case 6:
		return 6, arg(0, 1.0/6), arg(1, 0.5)
	}
	return c.Activation, 0, 0
}

// forcePlainConv makes plans use the direct kernel for every convolution
// (benchmarks compare the kernels with it).
var forcePlainConv = false

// planConv plans a Convolution: the tiled 3×3 stride-1 kernel when it
// applies, else the direct kernel.
func (pl *planner) planConv(i int) error {
	lay := &pl.p.net.Layers[i]
	c, err := models.ConvParams(lay)
	if err != nil {
		return err
	}
	in, err := pl.input(i, 0, 3)
	if err != nil {
		return err
	}
	if in.shape.C != c.NumInput {
		return fmt.Errorf("%w: %s", models.ErrShape, pl.errf(i, "input has %d channels, weights expect %d", in.shape.C, c.NumInput))
	}
	out := pl.output(i, 0)
	padL, _, padT, _ := c.Pads(in.shape.H, in.shape.W)
	act, a, b := actSpec(c, pl.p.preluOf[i] >= 0)
	parts := pl.p.layerParts[i]
	s := in.shape
	o := out.shape
	push := append(u32s(s.W, s.H, c4(s.C), o.W, o.H, c4(o.C), padL, padT, o.C), f32bits(c.PadValue))
	fspec, fpush, fbinds := pl.fuseArgs(i, in)
	binds := append([]bref{pl.ref(lay.Inputs[0]), pl.ref(lay.Outputs[0]), pl.wref(parts[0]), pl.wref(parts[1])}, fbinds...)
	defer pl.setFLOPs(2 * float64(len(lay.Weight)) * float64(o.W*o.H)) // each path below adds one step
	if len(parts) == 3 && !forcePlainConv {
		// tensor cores: a 3×3 stride-1 or a 2×2 stride-2 convolution
		binds[2] = pl.wref(parts[2])
		nb, mode := coopNB(o.C), coopConv3x3
		if !coopEligible(c) {
			mode = coopConv2x2S2
		}
		pl.add(i, pl.p.e.cfg.coopShader(), append(pl.p.e.cfg.coopSpec(act, a, b, nb, mode), fspec...), concat(push, u32s(0, 0), fpush),
			[3]int{(o.W + coopTile - 1) / coopTile, (o.H + coopTileH(mode) - 1) / coopTileH(mode), ((o.C+15)/16 + nb - 1) / nb}, binds, 1)
		return nil
	}
	if !forcePlainConv && coopEligible(c) {
		pl.add(i, "conv3x3", append([]uint32{uint32(act), f32bits(a), f32bits(b)}, fspec...), concat(push, fpush),
			[3]int{(o.W + 15) / 16, (o.H + 15) / 16, (c4(o.C) + 3) / 4}, binds, 1)
		return nil
	}
	spec := append(u32s(c.KernelW, c.KernelH, c.DilationW, c.DilationH, c.StrideW, c.StrideH, act), f32bits(a), f32bits(b))
	pl.add(i, "conv", append(spec, fspec...), concat(push, fpush), groups2D(o.W, o.H, (c4(o.C)+3)/4), binds, 1)
	return nil
}

// planDeconv plans a Deconvolution (gather form, cut applied on the fly).
func (pl *planner) planDeconv(i int) error {
	lay := &pl.p.net.Layers[i]
	c, err := models.ConvParams(lay)
	if err != nil {
		return err
	}
	in, err := pl.input(i, 0, 3)
	if err != nil {
		return err
	}
	if in.shape.C != c.NumInput {
		return fmt.Errorf("%w: %s", models.ErrShape, pl.errf(i, "input has %d channels, weights expect %d", in.shape.C, c.NumInput))
	}
	out := pl.output(i, 0)
	cutL, cutR, cutT, cutB := c.DeconvCut(in.shape.H, in.shape.W)
	act, a, b := actSpec(c, false)
	parts := pl.p.layerParts[i]
	s, o := in.shape, out.shape
	push := u32s(s.W, s.H, c4(s.C), o.W, o.H, c4(o.C), cutL, cutT, o.C)
	fspec, fpush, fbinds := pl.fuseArgs(i, in)
	binds := append([]bref{pl.ref(lay.Inputs[0]), pl.ref(lay.Outputs[0]), pl.wref(parts[0]), pl.wref(parts[1])}, fbinds...)
	defer pl.setFLOPs(2 * float64(len(lay.Weight)) * float64(s.W*s.H)) // each path below adds one step
	if len(parts) == 3 && !forceGatherDeconv && o.W+cutL+cutR == s.W*2 && o.H+cutT+cutB == s.H*2 {
		// tensor cores: N = 4 taps × 16 channels per workgroup; the push
		// constants as the convolution's, cuts in place of pads, pad value 0
		binds[2] = pl.wref(parts[2])
		pl.add(i, pl.p.e.cfg.coopShader(), append(pl.p.e.cfg.coopSpec(act, a, b, 4, coopDeconv2x2S2), fspec...), concat(push, u32s(0, 0, 0), fpush),
			[3]int{(s.W + coopTile - 1) / coopTile, (s.H + coopTileH(coopDeconv2x2S2) - 1) / coopTileH(coopDeconv2x2S2), (o.C + 15) / 16}, binds, 1)
		return nil
	}
	if len(parts) == 3 && c.KernelW == 4 {
		// tensor cores, 4×4 stride 2: a virtual 3×3 convolution (pad 1) over
		// (W+1)×(H+1) pixels whose 4 channel groups are the output parities
		binds[2] = pl.wref(parts[2])
		cp := u32s(s.W, s.H, c4(s.C), o.W, o.H, c4(o.C), 1, 1, o.C, 0, cutL, cutT)
		pl.add(i, pl.p.e.cfg.coopShader(), append(pl.p.e.cfg.coopSpec(act, a, b, 1, coopDeconv4x4S2), fspec...), concat(cp, fpush),
			[3]int{(s.W + coopTile) / coopTile, (s.H + coopTile) / coopTile, 1}, binds, 1)
		return nil
	}
	if !forceGatherDeconv && c.KernelW == c.StrideW && c.KernelH == c.StrideH && c.DilationW == 1 && c.DilationH == 1 &&
		o.W+cutL+cutR == s.W*c.StrideW && o.H+cutT+cutB == s.H*c.StrideH {
		// every output pixel comes from exactly one input pixel and tap
		spec := append(u32s(c.KernelW, c.KernelH, act), f32bits(a), f32bits(b))
		pl.add(i, "deconv_stride", append(spec, fspec...), concat(push, fpush), groups2D(s.W, s.H, (c4(o.C)+3)/4), binds, 1)
		return nil
	}
	ocb := min(4, c4(o.C)) // channel groups per invocation
	spec := append(u32s(c.KernelW, c.KernelH, c.DilationW, c.DilationH, c.StrideW, c.StrideH, act), f32bits(a), f32bits(b), uint32(ocb))
	pl.add(i, "deconv", append(spec, fspec...), concat(push, fpush), groups2D(o.W, o.H, (c4(o.C)+ocb-1)/ocb), binds, 1)
	return nil
}

// forceGatherDeconv keeps every deconvolution on the gather kernel
// (benchmarks compare the kernels with it).
var forceGatherDeconv = false

// setFLOPs records the arithmetic of the step just added (profile).
func (pl *planner) setFLOPs(f float64) { pl.l.steps[len(pl.l.steps)-1].flops = f }

// concat joins push-constant word lists.
func concat(parts ...[]uint32) []uint32 {
	var out []uint32
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}
