package upscale

import (
	"github.com/upscaled/upscaled/models"

	"github.com/upscaled/upscaled/imaging"
	"github.com/upscaled/upscaled/tiling"
)

// Estimate is the host memory, in bytes, that processing an image with
// this header and these options needs at peak (0 when the request is
// invalid: Prepare says why).
func (p *Pipeline) Estimate(h imaging.Header, o Options) int64 {
	pl, err := p.Prepare(h, o)
	if err != nil {
		return 0
	}
	return pl.HostBytes
}

// estimate sums what Process holds at its peak (see parts).
func (p *Pipeline) estimate(prog *program, pl Plan) int64 {
	var total int64
	for _, v := range p.parts(prog, pl) {
		total += v.bytes
	}
	return total
}

type part struct {
	name  string
	bytes int64
}

// parts are the host allocations Process holds at its peak: the decoded
// input and the decoder's intermediates, per tile the network input and
// output and the cropped core (TTA: their transformed copies and the
// accumulator), the output band before and after shaping, the encoder's
// buffers, and, for an engine that works in host memory (the CPU engine),
// one running pass plus every other pass paused at an SE pooling point.
func (p *Pipeline) parts(prog *program, pl Plan) []part {
	h := pl.Input
	w, hh := h.OrientedSize()
	s := int64(pl.Model.Scale)
	inB := int64(max(h.Depth, 8) / 8)
	c := int64(max(h.Channels, 1))
	tp, err := p.tilePlan(prog, w, hh, pl.Options.Tile)
	if err != nil {
		return nil
	}
	kinds := int64(1)
	if pl.Options.TTA {
		kinds = 8
	}
	units := int64(len(tp.Tiles)) * kinds
	keep := len(prog.pools) > 0 && keepAlive(prog, tp, units, p.budget())

	var pw, ph, tw, th int64 // largest padded tile and core
	for _, t := range tp.Tiles {
		pw, ph = max(pw, int64(t.Padded.Dx())), max(ph, int64(t.Padded.Dy()))
		tw, th = max(tw, int64(t.Core.Dx())), max(th, int64(t.Core.Dy()))
	}
	ow, oh := int64(w)*s, int64(hh)*s
	format, depth := pl.Format, int(inB*8)
	if format == imaging.WebP && (ow > webpMaxSide || oh > webpMaxSide) {
		format = imaging.PNG
	}
	if depth == 16 && format != imaging.PNG {
		depth = 8
	}
	outB := int64(depth / 8)

	var ps []part
	add := func(name string, b int64) { ps = append(ps, part{name, b}) }
	add("decode", imaging.DecodeBytes(h)) // includes the decoded image

	netIn := pw * ph * 3 * inB
	netOut := pw * ph * s * s * 3 * inB
	core := tw * th * s * s * 3 * inB
	add("tile buffers", netIn+netOut)
	if kinds > 1 {
		add("TTA copies", netIn+netOut+core+tw*th*s*s*3*4)
	}
	if keep {
		add("paused inputs", (units-1)*netIn)
	}
	bandH := int64(tp.TileH) * s
	shaped := ow * bandH * c * outB
	if c == 3 && outB == inB {
		shaped = 0 // the network's band goes to the encoder as it is
	}
	bands := int64(min(tp.Rows, 2)) // one encoded while the next is produced
	add("bands", bands*ow*bandH*3*inB+shaped)
	if c == 2 || c == 4 {
		add("alpha", ow*4*(4+4)+oh*4*(4+4)+ow*4*4)
	}
	add("encoder", imaging.EncoderBytes(imaging.EncodeOptions{Format: format, Lossless: pl.Options.Lossless, Effort: pl.Options.Effort},
		int(ow), int(oh), int(c), depth))
	if p.hostEngine() {
		add("engine pass", prog.prog.Footprint(int(ph), int(pw))*cpuPassSlack/10)
		if keep {
			add("engine paused", (units-1)*pausedBytes(prog, int(ph), int(pw)))
		}
	} else {
		add("engine staging", netIn+netOut)
	}
	return ps
}

// cpuPassSlack is, in tenths, how far the CPU engine's heap peak over a
// pass exceeds its Footprint (buffers allocated while a concurrent
// collection runs, per-worker scratch): measured 1.24–1.77× at GOGC=1 on
// 86–148 px padded tiles of Real-CUGAN 2x and Real-ESRGAN animevideov3.
const cpuPassSlack = 15

// keepAlive reports whether every tile pass of the plan can stay paused at
// once within budget bytes (0 = unbounded).
func keepAlive(prog *program, tp tiling.Plan, units int64, budget int64) bool {
	if budget <= 0 {
		return true
	}
	var m int64
	for _, t := range tp.Tiles {
		m = max(m, prog.prog.Footprint(t.Padded.Dy(), t.Padded.Dx()))
	}
	return m <= budget/units
}

// pausedBytes is what a CPU pass over an h×w padded input holds while
// paused at its costliest SE pooling point: every fp32 blob produced before
// the pooling layer and read at or after it (Split outputs share their
// input's memory), plus its input when the output adds a residual of it.
func pausedBytes(prog *program, h, w int) int64 {
	net := prog.net
	shapes, err := net.InferShapes(models.Shape3(3, h, w))
	if err != nil {
		return 0
	}
	lv := net.Liveness()
	root, last := lv.Root, lv.RootLast
	var worst int64
	for _, pl := range prog.pools {
		var live int64
		for b := range net.Blobs {
			if root[b] == b && net.Producer[b] < pl.layer && last[b] >= pl.layer {
				live += int64(shapes[b].Size()) * 4
			}
		}
		if prog.info.NearestResidual {
			live += int64(3*h*w) * 4
		}
		worst = max(worst, live)
	}
	return worst
}
