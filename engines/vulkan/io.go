package vulkan

import (
	"fmt"

	"github.com/upscaled/upscaled/engines"
	"github.com/upscaled/upscaled/models"
)

// maxTileSide bounds tile sides so sizes cannot overflow.
const maxTileSide = 1 << 16

// checkTile validates an input tile: RGB, 8 or 16 bits, samples matching.
func checkTile(t engines.Tile) error {
	if t.C != 3 {
		return fmt.Errorf("%w: tile has %d channels, want 3 (RGB)", models.ErrShape, t.C)
	}
	if t.W <= 0 || t.H <= 0 || t.W > maxTileSide || t.H > maxTileSide {
		return fmt.Errorf("%w: tile %d×%d, want each side 1..%d", models.ErrShape, t.W, t.H, maxTileSide)
	}
	n := t.W * t.H * 3
	switch t.Depth {
	case 8:
		if len(t.Pix8) != n {
			return fmt.Errorf("%w: %d 8-bit samples for a %d×%d RGB tile", models.ErrShape, len(t.Pix8), t.W, t.H)
		}
	case 16:
		if len(t.Pix16) != n {
			return fmt.Errorf("%w: %d 16-bit samples for a %d×%d RGB tile", models.ErrShape, len(t.Pix16), t.W, t.H)
		}
	default:
		return fmt.Errorf("%w: tile depth %d, want 8 or 16", models.ErrShape, t.Depth)
	}
	return nil
}

// planPreproc converts the input pixels into the input blob.
func (pl *planner) planPreproc(h, w, depth int) {
	pl.add(-1, "preproc", u32s(depth), u32s(w, h, 3), groups2D(w, h, 1),
		[]bref{{space: spIn, size: pl.l.inBytes}, pl.ref(pl.p.in)}, 1)
}

// planPostproc quantizes the output blob into output pixels, adding the
// nearest-upsampled input when the model asks for it: output pixel (y, x)
// takes input pixel (off + y/s, off + x/s), off being the margin the valid
// convolutions consumed, (in·s − out)/(2s) — as engines/cpu does. With a
// fused tail it runs the network's last layers itself (fuse.go).
func (pl *planner) planPostproc(depth int) error {
	l := pl.l
	resid, s, offX, offY := 0, 1, 0, 0
	if pl.p.info.NearestResidual {
		s = pl.p.info.Scale
		dw, dh := l.w*s-l.outW, l.h*s-l.outH
		if s <= 0 || dw < 0 || dh < 0 || dw%(2*s) != 0 || dh%(2*s) != 0 {
			return fmt.Errorf("%w: output %d×%d is not input %d×%d ×%d less an equal margin per side", models.ErrShape, l.outW, l.outH, l.w, l.h, s)
		}
		resid, offX, offY = 1, dw/(2*s), dh/(2*s)
	}
	// the fused tail (fuse.go): sample the source blob as the final Interp
	// would, adding the nearest-upsampled input pixels first
	t := pl.fuse.tail
	src := pl.shapes[t.src]
	sample, align, hs, ws := 0, 0, float32(1), float32(1)
	if t.interp >= 0 {
		var err error
		if sample, align, hs, ws, err = interpMap(&pl.p.net.Layers[t.interp], src, pl.shapes[pl.p.out]); err != nil {
			return err
		}
	}
	addIn, nh, nw := 0, float32(1), float32(1)
	if t.add >= 0 {
		var err error
		if _, _, nh, nw, err = interpMap(&pl.p.net.Layers[t.near], pl.shapes[pl.p.in], src); err != nil {
			return err
		}
		addIn = 1
	}
	words := int(l.outBytes / 4)
	push := append(u32s(l.outW, l.outH, words, l.w, resid, s, offX, offY, src.W, src.H, l.h),
		f32bits(hs), f32bits(ws), f32bits(nh), f32bits(nw))
	pl.add(-1, "postproc", u32s(depth, sample, align, addIn), push, groups1D(words),
		[]bref{pl.ref(t.src), {space: spOut, size: l.outBytes}, {space: spIn, size: l.inBytes}}, 1)
	return nil
}
