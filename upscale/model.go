package upscale

import (
	"context"
	"fmt"

	"github.com/upscaled/upscaled/engines"
	"github.com/upscaled/upscaled/models"
	"github.com/upscaled/upscaled/tiling"
)

// program is a model loaded on the pipeline's engine, with the tiling facts
// derived from its graph.
type program struct {
	info models.Info
	net  *models.Net
	prog engines.Program
	geom tiling.Geometry
	// pools are the global average pooling layers (SE blocks) in layer order,
	// each with the map from its input blob to the padded input.
	pools []pool
}

type pool struct {
	layer int
	axis  tiling.AxisMap
}

// analyse derives the tiling geometry from shape inference at two padded
// sizes: every blob's map to the padded input gives the quantum (the
// multiple of input pixels by which a tile can move and keep every blob on
// the untiled grid) and, for the pooling inputs, the maps used to give each
// tile its share of the whole-image SE statistics.
func analyse(info models.Info, net *models.Net) (tiling.Geometry, []pool, error) {
	g := tiling.Geometry{Scale: info.Scale, Margin: info.TileMargin, Align: max(info.Align, 1)}
	p1 := g.PaddedSize(64)
	p2 := g.PaddedSize(64 + 96*g.Align)
	s1, err := net.InferShapes(models.Shape3(3, p1, p1))
	if err != nil {
		return g, nil, fmt.Errorf("model %s: %w", info.ID, err)
	}
	s2, err := net.InferShapes(models.Shape3(3, p2, p2))
	if err != nil {
		return g, nil, fmt.Errorf("model %s: %w", info.ID, err)
	}
	maps := make([]tiling.AxisMap, len(net.Blobs))
	ok := make([]bool, len(net.Blobs))
	q := 1
	for b := range net.Blobs {
		if s1[b].Dims != 3 || s1[b].W == s2[b].W {
			continue
		}
		m, err := tiling.FitAxisMap(p1, s1[b].W, p2, s2[b].W)
		if err != nil {
			return g, nil, fmt.Errorf("model %s: blob %q: %w", info.ID, net.Blobs[b], err)
		}
		maps[b], ok[b] = m, true
		q = lcm(q, m.Den/gcd(m.Den, m.Num))
	}
	g.Quantum = q
	var pools []pool
	for _, l := range net.GlobalPools() {
		in := net.Layers[l].Inputs[0]
		if !ok[in] {
			return g, nil, fmt.Errorf("model %s: pooling layer %s: input blob does not scale with the image", info.ID, net.Layers[l].Name)
		}
		pools = append(pools, pool{layer: l, axis: maps[in]})
	}
	return g, pools, nil
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

func lcm(a, b int) int { return a / gcd(a, b) * b }

// program returns the loaded model id, loading it on first use. Concurrent
// callers share one load.
func (p *Pipeline) program(ctx context.Context, info models.Info) (*program, error) {
	p.mu.Lock()
	e, ok := p.progs[info.ID]
	if !ok {
		e = &progEntry{done: make(chan struct{})}
		p.progs[info.ID] = e
		p.mu.Unlock()
		e.prog, e.err = p.load(ctx, info)
		close(e.done)
		if e.err != nil {
			p.mu.Lock()
			delete(p.progs, info.ID) // let a later call retry
			p.mu.Unlock()
		}
		return e.prog, e.err
	}
	p.mu.Unlock()
	select {
	case <-e.done:
		return e.prog, e.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

type progEntry struct {
	done chan struct{}
	prog *program
	err  error
}

func (p *Pipeline) load(ctx context.Context, info models.Info) (*program, error) {
	net, err := models.Load(p.modelsDir, info)
	if err != nil {
		return nil, err
	}
	geom, pools, err := analyse(info, net)
	if err != nil {
		return nil, err
	}
	prog, err := p.engine.Load(ctx, engines.Model{Info: info, Net: net})
	if err != nil {
		return nil, fmt.Errorf("model %s on %s: %w", info.ID, p.engine.Name(), err)
	}
	return &program{info: info, net: net, prog: prog, geom: geom, pools: pools}, nil
}
