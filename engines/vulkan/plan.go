package vulkan

import (
	"fmt"

	"github.com/upscaled/upscaled/models"
)

// Spaces a binding points into.
const (
	spArena   = iota // device-local intermediates (offset from the arena plan)
	spIO             // host-visible: pooling regions, sums and means
	spIn             // host-visible input pixels
	spOut            // host-visible output pixels
	spWeights        // the program's weights (off relative to a part)
)

// bref is a buffer range a dispatch binds.
type bref struct {
	space     int
	stor      int // spArena: storage index
	part      int // spWeights: weights part
	off, size int64
}

// step is one dispatch of a plan.
type step struct {
	layer  int
	shader string
	spec   []uint32
	push   []uint32
	groups [3]int
	binds  []bref
	writes []bool  // per binding
	flops  float64 // 2·multiply-adds of a convolution (profile)
}

// storage is one arena allocation: a blob, or several aliased ones.
type storage struct {
	size      int64
	def, last int // first and last step touching it
	off       int64
}

// tensor is where a blob lives and how it is laid out.
type tensor struct {
	shape models.Shape
	space int
	stor  int   // spArena
	off   int64 // spIO
	size  int64
	// scaleVec ≥ 0: the blob is the stored one's channels times this
	// per-channel vector blob (a fused SE multiply; fuse.go).
	scaleVec int
	// src, cropX, cropY: a fused Crop's window at (cropX, cropY) of the
	// stored src-shaped blob (src.Dims == 0: not a crop).
	src          models.Shape
	cropX, cropY int
}

// poolSlot is a global average pooling layer's place in the io buffer.
type poolSlot struct {
	layer                 int
	C, H, W               int
	region, sums, means   int64 // io offsets
	regionSize, sumsSize  int64
	meansSize             int64
	inputStor, segmentEnd int
	slices                int // partial sums per channel group (gapsum)
}

// segment ends after step end (exclusive); pool ≥ 0 is the pooling layer
// whose sums are ready when it completes (-1: the last segment).
type segment struct {
	end  int
	pool int
}

// layout is a plan for one (input h×w, pixel depth): the dispatch list, the
// arena and io offsets and the segments between pooling pauses. It depends
// on the device only through the storage element size and the arena block
// size (its largest allocation).
type layout struct {
	h, w, depth int
	esize       int64
	steps       []step
	stors       []storage
	pools       []poolSlot
	segs        []segment
	arena       int64   // sum of blocks
	blocks      []int64 // arena block sizes (one allocation each)
	blockSize   int64
	io          int64
	inBytes     int64
	outBytes    int64
	outW, outH  int
	maxBinding  int64
}

// footprint is the device bytes a pass holds: arena, io and pixel buffers.
func (l *layout) footprint() int64 { return l.arena + l.io + l.inBytes + l.outBytes }

// testBlockSize, when set, overrides the arena block size (tests of the
// multi-block arena on small inputs).
var testBlockSize int64

// planner builds a layout from a program's network.
type planner struct {
	p      *program
	l      *layout
	shapes []models.Shape
	blobs  []tensor
	align  int64
	fuse   fusion
}

func (pl *planner) errf(layer int, format string, args ...any) error {
	l := &pl.p.net.Layers[layer]
	return fmt.Errorf("%s layer %s (line %d): %s", l.Type, l.Name, l.Line, fmt.Sprintf(format, args...))
}

// imageBytes is the pack4 size of a C×H×W blob.
func (pl *planner) imageBytes(s models.Shape) int64 {
	return int64((s.C+3)/4) * int64(s.H) * int64(s.W) * 4 * pl.l.esize
}

// newStorage gives blob b a fresh arena storage.
func (pl *planner) newStorage(b int) {
	s := pl.shapes[b]
	var size int64
	if s.Dims == 3 {
		size = pl.imageBytes(s)
	} else {
		size = int64((s.W+3)/4) * 16
	}
	pl.l.stors = append(pl.l.stors, storage{size: alignUp(max(size, 16), pl.align), def: -1, last: -1})
	pl.blobs[b] = tensor{shape: s, space: spArena, stor: len(pl.l.stors) - 1, size: size, scaleVec: -1}
}

// ref is a binding of blob b.
func (pl *planner) ref(b int) bref {
	t := pl.blobs[b]
	return bref{space: t.space, stor: t.stor, off: t.off, size: max(t.size, 16)}
}

// wref is a binding of weights part k.
func (pl *planner) wref(k int) bref {
	return bref{space: spWeights, part: k, size: pl.p.partBytes(k, pl.l.esize)}
}

// add appends a dispatch of shader with its specialization and push
// constants; written lists the indices of the bindings it writes (the
// others are read), for liveness and barriers.
func (pl *planner) add(layer int, shader string, spec, push []uint32, groups [3]int, binds []bref, written ...int) {
	st := step{layer: layer, shader: shader, spec: spec, push: push, groups: groups, binds: binds, writes: make([]bool, len(binds))}
	for _, i := range written {
		st.writes[i] = true
	}
	idx := len(pl.l.steps)
	for _, b := range binds {
		if b.space == spArena {
			s := &pl.l.stors[b.stor]
			if s.def < 0 {
				s.def = idx
			}
			s.last = idx
		}
		pl.l.maxBinding = max(pl.l.maxBinding, b.size)
	}
	pl.l.steps = append(pl.l.steps, st)
}

// dummy is a harmless binding for a shader slot a variant does not read.
func (pl *planner) dummy() bref { return bref{space: spIO, off: 0, size: 16} }

// groups2D covers an image with 8×8 workgroups per channel group.
func groups2D(w, h, c4 int) [3]int { return [3]int{(w + 7) / 8, (h + 7) / 8, c4} }

// groups1D covers n invocations of 64-wide workgroups, folding into y when
// n exceeds one row of workgroups (shaders index y·numGroups.x·64 + x).
func groups1D(n int) [3]int {
	g := max((n+63)/64, 1)
	gx := min(g, 65535)
	return [3]int{gx, (g + gx - 1) / gx, 1}
}

func c4(c int) int { return (c + 3) / 4 }

func u32s(v ...int) []uint32 {
	out := make([]uint32, len(v))
	for i, x := range v {
		out[i] = uint32(int32(x))
	}
	return out
}

// buildLayout plans an h×w input at the given pixel depth.
func (p *program) buildLayout(h, w, depth int, esize int64) (*layout, error) {
	shapes, err := p.net.InferShapes(models.Shape3(3, h, w))
	if err != nil {
		return nil, err
	}
	l := &layout{h: h, w: w, depth: depth, esize: esize, blockSize: p.e.dev.MaxAlloc}
	if l.blockSize <= 0 {
		l.blockSize = 1 << 30
	}
	if testBlockSize > 0 {
		l.blockSize = testBlockSize
	}
	pl := &planner{p: p, l: l, shapes: shapes, blobs: make([]tensor, len(shapes)), align: 256, fuse: findFusions(p.net, shapes, p.in, p.out, p.e.cfg.Fuse)}
	for i := range pl.blobs {
		pl.blobs[i] = tensor{stor: -1, space: -1, scaleVec: -1}
	}
	if p.info.NearestResidual { // postproc adds the residual itself; no tail then
		pl.fuse.tail = tailFusion{interp: -1, add: -1, near: -1, src: p.out}
	}
	// io: one 256-byte zero slot for dummy bindings first.
	l.io = 256
	pxBytes := int64(depth / 8)
	l.inBytes = alignUp(int64(h*w*3)*pxBytes, 4)
	pl.newStorage(p.in)
	pl.planPreproc(h, w, depth)
	for i := range p.net.Layers {
		if err := pl.layer(i); err != nil {
			return nil, fmt.Errorf("%s: %w", p.net.Name, err)
		}
	}
	out := shapes[p.out]
	if out.Dims != 3 || out.C != 3 {
		return nil, fmt.Errorf("%w: %s output blob %s is not 3×H×W", models.ErrUnsupported, p.net.Name, out)
	}
	if pl.blobs[pl.fuse.tail.src].space != spArena {
		return nil, fmt.Errorf("%w: %s output blob is not an image", models.ErrUnsupported, p.net.Name)
	}
	l.outW, l.outH = out.W, out.H
	l.outBytes = alignUp(int64(out.W*out.H*3)*pxBytes, 4)
	if err := pl.planPostproc(depth); err != nil {
		return nil, err
	}
	l.segs = append(l.segs, segment{end: len(l.steps), pool: -1})
	if l.blocks, err = assignOffsets(l.stors, l.blockSize); err != nil {
		return nil, fmt.Errorf("%s at %d×%d: %w", p.net.Name, w, h, err)
	}
	for _, b := range l.blocks {
		l.arena += b
	}
	return l, nil
}

// layer plans one network layer.
func (pl *planner) layer(i int) error {
	p := pl.p
	lay := &p.net.Layers[i]
	if p.fusedInto[i] >= 0 {
		// PReLU fused into the convolution before it: alias its output.
		pl.blobs[lay.Outputs[0]] = pl.blobs[lay.Inputs[0]]
		return nil
	}
	if done := pl.fused(i); done {
		return nil
	}
	switch lay.Type {
	case "Input":
		return nil
	case "Split":
		for _, b := range lay.Outputs {
			pl.blobs[b] = pl.blobs[lay.Inputs[0]]
		}
		return nil
	case "Convolution":
		return pl.planConv(i)
	case "Deconvolution":
		return pl.planDeconv(i)
	case "Pooling":
		return pl.planPooling(i)
	case "InnerProduct":
		return pl.planInnerProduct(i)
	case "BinaryOp":
		return pl.planBinary(i)
	case "Eltwise":
		return pl.planEltwise(i)
	case "PReLU":
		return pl.planPReLU(i)
	case "Scale":
		return pl.planScale(i)
	case "Concat":
		return pl.planConcat(i)
	case "Crop":
		return pl.planCrop(i)
	case "PixelShuffle":
		return pl.planPixelShuffle(i)
	case "Interp":
		return pl.planInterp(i)
	}
	return fmt.Errorf("%w: %s", models.ErrUnsupported, pl.errf(i, "layer type not supported by the Vulkan engine"))
}

// input returns the tensor of layer i's k-th input, failing when it is not
// the kind of blob the layer needs.
func (pl *planner) input(i, k int, dims int) (tensor, error) {
	lay := &pl.p.net.Layers[i]
	if k >= len(lay.Inputs) {
		return tensor{}, fmt.Errorf("%w: %s", models.ErrFormat, pl.errf(i, "missing input %d", k))
	}
	t := pl.blobs[lay.Inputs[k]]
	if t.space < 0 {
		return tensor{}, fmt.Errorf("%w: %s", models.ErrFormat, pl.errf(i, "reads blob %q before it is written", pl.p.net.Blobs[lay.Inputs[k]]))
	}
	if dims != 0 && t.shape.Dims != dims {
		return tensor{}, fmt.Errorf("%w: %s", models.ErrUnsupported, pl.errf(i, "input %s: want a %d-D blob", t.shape, dims))
	}
	return t, nil
}

// output allocates layer i's k-th output in the arena.
func (pl *planner) output(i, k int) tensor {
	b := pl.p.net.Layers[i].Outputs[k]
	pl.newStorage(b)
	return pl.blobs[b]
}
