package vulkan

import (
	"fmt"

	"github.com/upscaled/upscaled/models"
)

// copyBox adds a dispatch copying a box of src (at sc, sy, sx) into dst (at
// dc, dy, dx); both are images.
func (pl *planner) copyBox(i int, src, dst int, regC, regH, regW, sc, sy, sx, dc, dy, dx int) {
	s, d := pl.blobs[src].shape, pl.blobs[dst].shape
	push := u32s(s.W, s.H, d.W, d.H, d.C, regW, regH, regC, sx, sy, sc, dx, dy, dc)
	groups := [3]int{(regW + 7) / 8, (regH + 7) / 8, (dc+regC+3)/4 - dc/4}
	pl.add(i, "copy", nil, push, groups, []bref{pl.ref(src), pl.ref(dst)}, 1)
}

// copy1D adds a dispatch copying n floats of 1-D blobs.
func (pl *planner) copy1D(i int, src, dst, n, s, d int) {
	pl.add(i, "copy1d", nil, u32s(n, s, d), groups1D(n), []bref{pl.ref(src), pl.ref(dst)}, 1)
}

// planConcat plans a Concat: each input copied into its place of the
// output (channels, rows or columns; elements of 1-D blobs).
func (pl *planner) planConcat(i int) error {
	lay := &pl.p.net.Layers[i]
	first, err := pl.input(i, 0, 0)
	if err != nil {
		return err
	}
	dims := first.shape.Dims
	axis := lay.Params.Int(0, 0)
	if axis < 0 {
		axis += dims
	}
	if axis < 0 || axis >= dims {
		return fmt.Errorf("%w: %s", models.ErrFormat, pl.errf(i, "concat axis %d of a %d-D blob", lay.Params.Int(0, 0), dims))
	}
	for k := range lay.Inputs {
		if _, err := pl.input(i, k, dims); err != nil {
			return err
		}
	}
	out := pl.output(i, 0)
	o := lay.Outputs[0]
	pos := 0
	for _, b := range lay.Inputs {
		s := pl.blobs[b].shape
		if dims == 1 {
			pl.copy1D(i, b, o, s.W, 0, pos)
			pos += s.W
			continue
		}
		switch axis {
		case 0:
			pl.copyBox(i, b, o, s.C, s.H, s.W, 0, 0, 0, pos, 0, 0)
			pos += s.C
		case 1:
			pl.copyBox(i, b, o, s.C, s.H, s.W, 0, 0, 0, 0, pos, 0)
			pos += s.H
		default:
			pl.copyBox(i, b, o, s.C, s.H, s.W, 0, 0, 0, 0, 0, pos)
			pos += s.W
		}
	}
	_ = out
	return nil
}

// planCrop plans a Crop (offsets form, reference-blob form or slice form)
// as a copy of the box.
func (pl *planner) planCrop(i int) error {
	lay := &pl.p.net.Layers[i]
	in, err := pl.input(i, 0, 0)
	if err != nil {
		return err
	}
	shapes := []models.Shape{in.shape}
	if len(lay.Inputs) > 1 {
		ref, err := pl.input(i, 1, 0)
		if err != nil {
			return err
		}
		shapes = append(shapes, ref.shape)
	}
	box, err := models.CropRegion(lay, shapes)
	if err != nil {
		return fmt.Errorf("%s: %w", pl.errf(i, "crop"), err)
	}
	pl.output(i, 0)
	if in.shape.Dims == 1 {
		pl.copy1D(i, lay.Inputs[0], lay.Outputs[0], box.OutW, box.W, 0)
		return nil
	}
	pl.copyBox(i, lay.Inputs[0], lay.Outputs[0], box.OutC, box.OutH, box.OutW, box.C, box.H, box.W, 0, 0, 0)
	return nil
}
