package upscale

import (
	"strings"

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

// estimate sums what Process holds at its peak: the decoded input and the
// decoder's intermediates, per tile the network input and output and the
// cropped core (TTA: their transformed copies and the accumulator), the
// output band before and after shaping, the encoder's buffers, and, for an
// engine that works in host memory (the CPU engine), its pass footprint for
// every pass alive at once.
func (p *Pipeline) estimate(prog *program, pl Plan) int64 {
	h := pl.Input
	w, hh := h.OrientedSize()
	s := int64(pl.Model.Scale)
	inB := int64(max(h.Depth, 8) / 8)
	c := int64(max(h.Channels, 1))
	tp, err := p.tilePlan(prog, w, hh, pl.Options.Tile)
	if err != nil {
		return 0
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

	total := int64(w) * int64(hh) * c * inB // decoded input
	total += imaging.DecodeBytes(h)

	netIn := pw * ph * 3 * inB
	netOut := pw * ph * s * s * 3 * inB
	core := tw * th * s * s * 3 * inB
	tile := netIn + netOut + core
	if kinds > 1 {
		tile += netIn + netOut + tw*th*s*s*3*4 // transformed copies, accumulator
	}
	if keep {
		tile += (units - 1) * netIn // each paused pass keeps its input tile
	}
	total += tile

	bandH := int64(tp.TileH) * s
	total += ow * bandH * 3 * inB  // stitched RGB band
	total += ow * bandH * c * outB // shaped band
	if c == 2 || c == 4 {
		total += ow*4*(4+4) + oh*4*(4+4) + ow*4*4 // alpha taps and row buffer
	}
	total += ow * oh * c * outB // TEMPORARY: whole-image encoder

	if strings.HasPrefix(p.engine.Name(), "cpu") {
		alive := int64(1)
		if keep {
			alive = units
		}
		total += alive * prog.prog.Footprint(int(ph), int(pw))
	} else {
		total += netIn + netOut // the device engine's host staging
	}
	return total
}

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
	return units*m <= budget
}
