package cpu

import (
	"context"
	"fmt"

	"github.com/upscaled/upscaled/engines"
)

// pass runs a program's layers in order over one tile, dropping each blob
// after its last reader, and pauses at global average pooling layers whose
// means are not given. Not safe for concurrent use.
type pass struct {
	p       *program
	opt     engines.PassOptions
	blobs   []*Tensor
	input   *Tensor // the 0..1 input when the nearest residual needs it
	depth   int
	next    int // next layer to run
	pending int // pooling layer awaiting Supply, or -1
	done    bool
	closed  bool
	out     engines.Tile
	// afterLayer, when set (tests), is called after each layer ran, before
	// its inputs are released: the moment that layer's memory peaks.
	afterLayer func(layer int)
}

// Next runs layers until a pooling pause or the end, checking ctx between
// layers.
func (ps *pass) Next(ctx context.Context) (engines.Stop, error) {
	switch {
	case ps.closed:
		return engines.Stop{}, fmt.Errorf("cpu: pass %s: %w", ps.p.info.ID, engines.ErrClosed)
	case ps.pending >= 0:
		return engines.Stop{}, fmt.Errorf("cpu: pass %s: Next before Supply for pooling layer %d: %w", ps.p.info.ID, ps.pending, ErrPassState)
	case ps.done:
		return engines.Stop{Layer: -1}, nil
	}
	net := ps.p.net
	for ps.next < len(net.Layers) {
		if err := ctx.Err(); err != nil {
			return engines.Stop{}, fmt.Errorf("cpu: pass %s at layer %d: %w", ps.p.info.ID, ps.next, err)
		}
		i := ps.next
		l := &net.Layers[i]
		in := make([]*Tensor, len(l.Inputs))
		for k, b := range l.Inputs {
			if in[k] = ps.blobs[b]; in[k] == nil {
				return engines.Stop{}, fmt.Errorf("cpu: pass %s: layer %s reads blob %q, which holds no data: %w", ps.p.info.ID, l.Name, net.Blobs[b], ErrPassState)
			}
		}
		if l.Type == "Input" {
			for _, b := range l.Outputs {
				if ps.blobs[b] == nil {
					return engines.Stop{}, fmt.Errorf("cpu: pass %s: input layer %s feeds blob %q, but the tile goes to %q: %w", ps.p.info.ID, l.Name, net.Blobs[b], ps.p.info.InputBlob, ErrShape)
				}
			}
			ps.next++
			continue
		}
		if ps.p.gap[i] {
			x := in[0]
			if means, ok := ps.opt.Means[i]; ok {
				if err := ps.setMeans(i, x, means); err != nil {
					return engines.Stop{}, err
				}
				continue
			}
			r := engines.Rect{X1: x.W, Y1: x.H}
			if ps.opt.Region != nil {
				r = ps.opt.Region(i, x.H, x.W)
			}
			if r.X0 < 0 || r.Y0 < 0 || r.X1 > x.W || r.Y1 > x.H || r.X0 > r.X1 || r.Y0 > r.Y1 {
				return engines.Stop{}, fmt.Errorf("cpu: pass %s: pooling layer %d region %+v outside its %d×%d input: %w", ps.p.info.ID, i, r, x.W, x.H, ErrShape)
			}
			ps.pending = i
			sums := channelSums(x, [4]int{r.X0, r.Y0, r.X1, r.Y1})
			return engines.Stop{Layer: i, Sums: sums, Count: (r.X1 - r.X0) * (r.Y1 - r.Y0)}, nil
		}
		out, err := ps.p.ops[i].forward(in)
		if err != nil {
			return engines.Stop{}, fmt.Errorf("cpu: pass %s: layer %s %s (line %d): %w", ps.p.info.ID, l.Type, l.Name, l.Line, err)
		}
		if len(out) != len(l.Outputs) {
			return engines.Stop{}, fmt.Errorf("cpu: pass %s: layer %s made %d blobs, want %d: %w", ps.p.info.ID, l.Name, len(out), len(l.Outputs), ErrShape)
		}
		for k, b := range l.Outputs {
			ps.blobs[b] = out[k]
		}
		if ps.afterLayer != nil {
			ps.afterLayer(i)
		}
		ps.release(i)
		ps.next++
	}
	return ps.finish()
}

// setMeans makes the means the output of pooling layer i and moves on.
func (ps *pass) setMeans(i int, x *Tensor, means []float32) error {
	if len(means) != x.C {
		return fmt.Errorf("cpu: pass %s: %d means for pooling layer %d over %d channels: %w", ps.p.info.ID, len(means), i, x.C, ErrShape)
	}
	v := NewVector(x.C)
	copy(v.Data, means)
	for _, b := range ps.p.net.Layers[i].Outputs {
		ps.blobs[b] = v
	}
	ps.release(i)
	ps.next++
	return nil
}

// Supply gives the channel means for the pooling layer Next stopped at.
func (ps *pass) Supply(means []float32) error {
	if ps.closed {
		return fmt.Errorf("cpu: pass %s: %w", ps.p.info.ID, engines.ErrClosed)
	}
	if ps.pending < 0 {
		return fmt.Errorf("cpu: pass %s: Supply without a pooling pause: %w", ps.p.info.ID, ErrPassState)
	}
	i := ps.pending
	if err := ps.setMeans(i, ps.blobs[ps.p.net.Layers[i].Inputs[0]], means); err != nil {
		return err
	}
	ps.pending = -1
	return nil
}

// release drops blobs whose last reader is layer i (memory returns to the
// runtime once no alias holds it).
func (ps *pass) release(i int) {
	l := &ps.p.net.Layers[i]
	for _, b := range l.Inputs {
		if ps.p.lastUse[b] <= i {
			ps.blobs[b] = nil
		}
	}
	for _, b := range l.Outputs {
		if ps.p.lastUse[b] <= i {
			ps.blobs[b] = nil
		}
	}
}

// finish quantizes the output blob (plus the nearest residual) to a tile.
func (ps *pass) finish() (engines.Stop, error) {
	y := ps.blobs[ps.p.out]
	if y == nil || y.Dims != 3 || y.C != 3 {
		return engines.Stop{}, fmt.Errorf("cpu: pass %s: output blob %q is %v, want 3×H×W: %w", ps.p.info.ID, ps.p.info.OutputBlob, y, ErrShape)
	}
	var residual func(c, yy, xx int) float32
	if ps.p.info.NearestResidual {
		var err error
		if residual, err = nearestResidual(ps.input, y, ps.p.info.Scale); err != nil {
			return engines.Stop{}, fmt.Errorf("cpu: pass %s: %w", ps.p.info.ID, err)
		}
	}
	ps.out = tensorToTile(y, ps.depth, residual)
	ps.done = true
	clear(ps.blobs)
	ps.input = nil
	return engines.Stop{Layer: -1}, nil
}

// Output is the result tile after Next returned Layer -1 (zero Tile before).
func (ps *pass) Output() engines.Tile {
	if !ps.done {
		return engines.Tile{}
	}
	return ps.out
}

// Close drops the pass's blobs.
func (ps *pass) Close() {
	ps.closed = true
	clear(ps.blobs)
	ps.input = nil
	ps.out = engines.Tile{}
}
