package cpu

import (
	"context"
	"fmt"
	"slices"
	"sync/atomic"

	"github.com/upscaled/upscaled/engines"
	"github.com/upscaled/upscaled/models"
)

// program is a model prepared for the executor: immutable after newProgram,
// so any number of passes may run on it at once.
type program struct {
	info models.Info
	net  *models.Net
	ops  []op
	in   int // input blob index
	out  int // output blob index
	// lastUse[b] is the last layer reading blob b (its producer when nothing
	// reads it; len(Layers) for the output blob, which is never freed early).
	lastUse []int
	live    models.Liveness
	// gap marks global average pooling layers: the pass pauses there.
	gap    []bool
	closed atomic.Bool
}

func newProgram(m engines.Model) (*program, error) {
	n := m.Net
	if n == nil {
		return nil, fmt.Errorf("cpu: load %s: no network: %w", m.Info.ID, models.ErrFormat)
	}
	p := &program{info: m.Info, net: n, ops: make([]op, len(n.Layers)), gap: make([]bool, len(n.Layers))}
	var ok bool
	if p.in, ok = n.Find(m.Info.InputBlob); !ok {
		return nil, fmt.Errorf("cpu: load %s: %s has no input blob %q: %w", m.Info.ID, n.Name, m.Info.InputBlob, models.ErrFormat)
	}
	if p.out, ok = n.Find(m.Info.OutputBlob); !ok {
		return nil, fmt.Errorf("cpu: load %s: %s has no output blob %q: %w", m.Info.ID, n.Name, m.Info.OutputBlob, models.ErrFormat)
	}
	for i := range n.Layers {
		l := &n.Layers[i]
		o, err := build(l)
		if err != nil {
			return nil, fmt.Errorf("load %s (%s): %w", m.Info.ID, n.Name, err)
		}
		p.ops[i] = o
		if pl, isPool := o.(*pooling); isPool && pl.global && pl.avg {
			p.gap[i] = true
		}
	}
	p.live = n.Liveness()
	p.lastUse = slices.Clone(p.live.Last)
	p.lastUse[p.out] = len(n.Layers)
	return p, nil
}

// Close marks the program closed: later Starts fail.
func (p *program) Close() error {
	p.closed.Store(true)
	return nil
}

// Start begins a pass over the RGB tile in.
func (p *program) Start(ctx context.Context, in engines.Tile, opt engines.PassOptions) (engines.Pass, error) {
	if p.closed.Load() {
		return nil, fmt.Errorf("cpu: start %s: %w", p.info.ID, engines.ErrClosed)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("cpu: start %s: %w", p.info.ID, err)
	}
	x, err := tileToTensor(in)
	if err != nil {
		return nil, fmt.Errorf("cpu: start %s: %w", p.info.ID, err)
	}
	if _, err := p.net.InferShapes(x.Shape()); err != nil { // fail before any work
		return nil, fmt.Errorf("cpu: start %s: %w", p.info.ID, err)
	}
	for layer := range opt.Means {
		if layer < 0 || layer >= len(p.gap) || !p.gap[layer] {
			return nil, fmt.Errorf("cpu: start %s: means given for layer %d, which is not a global average pooling layer: %w", p.info.ID, layer, ErrPassState)
		}
	}
	ps := &pass{p: p, opt: opt, blobs: make([]*Tensor, len(p.net.Blobs)), pending: -1, depth: in.Depth}
	ps.blobs[p.in] = x
	if p.info.NearestResidual {
		ps.input = x // kept to the end for the residual
	}
	return ps, nil
}
