package vulkan

import (
	"fmt"

	"github.com/upscaled/upscaled/models"
)

// planPixelShuffle plans a PixelShuffle (depth to space).
func (pl *planner) planPixelShuffle(i int) error {
	lay := &pl.p.net.Layers[i]
	in, err := pl.input(i, 0, 3)
	if err != nil {
		return err
	}
	r := lay.Params.Int(0, 1)
	mode := lay.Params.Int(1, 0)
	if r < 1 || mode < 0 || mode > 1 || in.shape.C%(r*r) != 0 {
		return fmt.Errorf("%w: %s", models.ErrUnsupported, pl.errf(i, "pixel shuffle r=%d mode=%d of %s", r, mode, in.shape))
	}
	out := pl.output(i, 0)
	s, o := in.shape, out.shape
	pl.add(i, "pixelshuffle", u32s(r, mode), u32s(s.W, s.H, o.W, o.H, c4(o.C), o.C), groups2D(o.W, o.H, c4(o.C)),
		[]bref{pl.ref(lay.Inputs[0]), pl.ref(lay.Outputs[0])}, 1)
	return nil
}

// planInterp plans an Interp (nearest, bilinear, bicubic).
func (pl *planner) planInterp(i int) error {
	lay := &pl.p.net.Layers[i]
	in, err := pl.input(i, 0, 3)
	if err != nil {
		return err
	}
	out := pl.output(i, 0)
	s, o := in.shape, out.shape
	typ, align, hs, ws, err := interpMap(lay, s, o)
	if err != nil {
		return err
	}
	push := append(u32s(s.W, s.H, o.W, o.H, c4(o.C), o.C), f32bits(hs), f32bits(ws))
	pl.add(i, "interp", u32s(typ, align), push, groups2D(o.W, o.H, c4(o.C)),
		[]bref{pl.ref(lay.Inputs[0]), pl.ref(lay.Outputs[0])}, 1)
	return nil
}

// interpMap is how an Interp layer maps output pixels of shape o to input
// pixels of shape s (the interp shader's TYPE, ALIGN and hs, ws).
func interpMap(lay *models.Layer, s, o models.Shape) (typ, align int, hs, ws float32, err error) {
	ip, err := models.InterpOf(lay)
	if err != nil {
		return 0, 0, 0, 0, err
	}
	explicit := len(lay.Inputs) > 1 || (ip.OutH > 0 && ip.OutW > 0)
	if ip.Type == models.InterpNearest {
		hs, ws = 1/ip.ScaleH, 1/ip.ScaleW
		if explicit {
			hs, ws = float32(s.H)/float32(o.H), float32(s.W)/float32(o.W)
		}
		return ip.Type, 0, hs, ws, nil
	}
	f := func(in, out int) float32 {
		if ip.AlignCorner && out > 1 {
			return float32(float64(in-1) / float64(out-1))
		}
		return float32(float64(in) / float64(out))
	}
	if ip.AlignCorner {
		align = 1
	}
	return ip.Type, align, f(s.H, o.H), f(s.W, o.W), nil
}
