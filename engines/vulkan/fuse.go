package vulkan

import (
	"github.com/upscaled/upscaled/models"
)

// Layers that run inside a convolution or deconvolution kernel instead of
// as dispatches of their own (shaders/fuse.glsl), found per layout from the
// graph and the inferred shapes:
//   - an SE multiply (BinaryOp mul of an image by a per-channel vector an
//     InnerProduct made) whose every reader, through Splits, is a
//     convolution, a deconvolution or a fused Crop: the readers scale the
//     channels as they load them (IN_SCALE) and the product is never
//     stored;
//   - a Crop over all channels read only by a BinaryOp add of two images,
//     whose other operand is the output of a convolution or deconvolution
//     read by nothing else (and planned after the Crop): that kernel's
//     epilogue adds the crop window (RES), so neither the copy nor the add
//     is a dispatch and the add's output is the kernel's.
//
// Real-CUGAN's skip connections are exactly these: Crop + add after each
// upsampling deconvolution and after the last convolution, SE scales read by
// the strided layers and by the crops.
type fusion struct {
	// seVec[i] is the scale vector blob of SE multiply i, or -1.
	seVec []int
	// cropAdd[i] is the add that Crop i is fused into, or -1.
	cropAdd []int
	// addInto[i] is the layer whose epilogue runs add i, or -1; res[j] is
	// the fused Crop's output blob that layer j adds, or -1.
	addInto, res []int
	tail         tailFusion
}

// tailFusion is the network's last layers that the output quantization
// (postproc) runs, in fp32 up to the rounded pixel instead of through fp16
// blobs: a final Interp (Real-ESRGAN x2's bicubic ×½) whose input nothing
// else reads, and before it (or last) an add of the nearest-upsampled
// network input, read as the input pixels themselves (the residual the
// network's output is added to).
type tailFusion struct {
	interp, add, near int // layers, or -1
	src               int // the blob postproc reads
}

// findTail finds the tail layers ending at blob out of a net whose input
// blob is in.
func findTail(n *models.Net, shapes []models.Shape, in, out int) tailFusion {
	t := tailFusion{interp: -1, add: -1, near: -1, src: out}
	only := func(b, layer int) bool { return len(n.Consumers[b]) == 1 && n.Consumers[b][0] == layer }
	b := out
	if j := n.Producer[b]; j >= 0 && n.Layers[j].Type == "Interp" && len(n.Layers[j].Inputs) == 1 &&
		only(n.Layers[j].Inputs[0], j) && shapes[b].Dims == 3 {
		t.interp, b = j, n.Layers[j].Inputs[0]
	}
	k := n.Producer[b]
	if k < 0 || len(n.Consumers[b]) > 1 {
		return t
	}
	add := &n.Layers[k]
	if add.Type != "BinaryOp" || add.Params.Int(0, 0) != 0 || add.Params.Int(1, 0) != 0 || len(add.Inputs) != 2 ||
		shapes[add.Inputs[0]] != shapes[add.Inputs[1]] {
		return t
	}
	for o, other := range []int{add.Inputs[0], add.Inputs[1]} {
		j := n.Producer[other]
		if j < 0 || n.Layers[j].Type != "Interp" || n.Layers[j].Params.Int(0, 0) != models.InterpNearest ||
			len(n.Layers[j].Inputs) != 1 || !only(other, k) {
			continue
		}
		src := n.Layers[j].Inputs[0]
		for p := n.Producer[src]; p >= 0 && n.Layers[p].Type == "Split"; p = n.Producer[src] {
			src = n.Layers[p].Inputs[0]
		}
		if src != in {
			continue
		}
		t.add, t.near, t.src = k, j, add.Inputs[1-o]
		break
	}
	if t.add < 0 {
		t.src = b
	}
	return t
}

// findFusions picks the fusions for a net with blob shapes (none when off:
// Config.Fuse).
func findFusions(n *models.Net, shapes []models.Shape, in, out int, on bool) fusion {
	L := len(n.Layers)
	f := fusion{seVec: fill(L, -1), cropAdd: fill(L, -1), addInto: fill(L, -1), res: fill(L, -1),
		tail: tailFusion{interp: -1, add: -1, near: -1, src: out}}
	if !on {
		return f
	}
	isConv := func(j int) bool {
		t := n.Layers[j].Type
		return t == "Convolution" || t == "Deconvolution"
	}
	for i := range n.Layers {
		l := &n.Layers[i]
		if l.Type != "Crop" || len(l.Inputs) != 1 || len(l.Outputs) != 1 {
			continue
		}
		src, out := l.Inputs[0], l.Outputs[0]
		s := shapes[src]
		box, err := models.CropRegion(l, []models.Shape{s})
		if err != nil || s.Dims != 3 || box.C != 0 || box.OutC != s.C || len(n.Consumers[out]) != 1 {
			continue
		}
		k := n.Consumers[out][0]
		add := &n.Layers[k]
		if add.Type != "BinaryOp" || add.Params.Int(0, 0) != 0 || add.Params.Int(1, 0) != 0 || len(add.Inputs) != 2 ||
			shapes[add.Inputs[0]] != shapes[add.Inputs[1]] || f.addInto[k] >= 0 {
			continue
		}
		other := add.Inputs[0]
		if other == out {
			other = add.Inputs[1]
		}
		j := n.Producer[other]
		if other == out || j <= i || !isConv(j) || len(n.Consumers[other]) != 1 || f.res[j] >= 0 {
			continue
		}
		f.cropAdd[i], f.addInto[k], f.res[j] = k, j, out
	}
	for i := range n.Layers {
		l := &n.Layers[i]
		if l.Type != "BinaryOp" || l.Params.Int(0, 0) != 2 || l.Params.Int(1, 0) != 0 || len(l.Inputs) != 2 {
			continue
		}
		img, vec := l.Inputs[0], l.Inputs[1]
		if shapes[img].Dims == 1 {
			img, vec = vec, img
		}
		if shapes[img].Dims != 3 || shapes[vec].Dims != 1 || shapes[vec].W != shapes[img].C {
			continue
		}
		if p := n.Producer[vec]; p < 0 || n.Layers[p].Type != "InnerProduct" {
			continue // only InnerProduct zeroes the vector's tail lanes
		}
		if p := n.Producer[img]; p >= 0 && f.seVec[p] >= 0 {
			continue // one scale per blob
		}
		ok := true
		for _, r := range readers(n, l.Outputs[0]) {
			if !(isConv(r.layer) && r.input == 0) && f.cropAdd[r.layer] < 0 {
				ok = false
			}
		}
		if ok {
			f.seVec[i] = vec
		}
	}
	// A fused Crop of an unfused SE product reads the stored product: fine.
	f.tail = findTail(n, shapes, in, out)
	return f
}

// reader is a layer reading a blob (as its input-th input).
type reader struct{ layer, input int }

// readers lists the layers that read blob b, through Splits.
func readers(n *models.Net, b int) []reader {
	var out []reader
	for _, j := range n.Consumers[b] {
		l := &n.Layers[j]
		if l.Type == "Split" {
			for _, o := range l.Outputs {
				out = append(out, readers(n, o)...)
			}
			continue
		}
		for k, in := range l.Inputs {
			if in == b {
				out = append(out, reader{j, k})
			}
		}
	}
	return out
}

func fill(n, v int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = v
	}
	return s
}

// fuseArgs are a convolution or deconvolution kernel's fusion
// specialization (IN_SCALE, RES), push constants (resW, resH, resX, resY)
// and bindings 4–6 (insc, res, rsc) for layer i reading tensor in.
func (pl *planner) fuseArgs(i int, in tensor) (spec, push []uint32, binds []bref) {
	inScale, insc := 0, pl.dummy()
	if in.scaleVec >= 0 {
		inScale, insc = 1, pl.ref(in.scaleVec)
	}
	res, resRef, rsc := 0, pl.dummy(), pl.dummy()
	push = make([]uint32, 4)
	if b := pl.fuse.res[i]; b >= 0 {
		t := pl.blobs[b]
		res, resRef = 1, bref{space: t.space, stor: t.stor, off: t.off, size: max(t.size, 16)}
		if t.scaleVec >= 0 {
			res, rsc = 2, pl.ref(t.scaleVec)
		}
		push = u32s(t.src.W, t.src.H, t.cropX, t.cropY)
	}
	return u32s(inScale, res), push, []bref{insc, resRef, rsc}
}

// fused plans layer i when it runs as no dispatch of its own: an SE
// multiply or a Crop left to its readers, an add done by a kernel's
// epilogue. Its output is then a view of a tensor already planned.
func (pl *planner) fused(i int) bool {
	lay := &pl.p.net.Layers[i]
	switch {
	case i == pl.fuse.tail.interp || i == pl.fuse.tail.add || i == pl.fuse.tail.near:
		// postproc's (planPostproc); their outputs are never stored
	case pl.fuse.seVec[i] >= 0:
		img := lay.Inputs[0]
		if img == pl.fuse.seVec[i] {
			img = lay.Inputs[1]
		}
		t := pl.blobs[img]
		t.scaleVec = pl.fuse.seVec[i]
		pl.blobs[lay.Outputs[0]] = t
	case pl.fuse.cropAdd[i] >= 0:
		src := pl.blobs[lay.Inputs[0]]
		box, _ := models.CropRegion(lay, []models.Shape{src.shape}) // checked by findFusions
		t := src
		t.shape, t.src, t.cropX, t.cropY = box.Out(3), src.shape, box.W, box.H
		pl.blobs[lay.Outputs[0]] = t
	case pl.fuse.addInto[i] >= 0:
		out := lay.Inputs[0]
		if out == pl.fuse.res[pl.fuse.addInto[i]] {
			out = lay.Inputs[1]
		}
		pl.blobs[lay.Outputs[0]] = pl.blobs[out]
	default:
		return false
	}
	return true
}
