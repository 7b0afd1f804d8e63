package upscale

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/upscaled/upscaled/engines"
	"github.com/upscaled/upscaled/internal/timeline"
	"github.com/upscaled/upscaled/tiling"
)

// runner executes one tile plan of one image: it first establishes the
// whole-image SE means (each pooling point: every tile's owned share of the
// pooling input summed, divided by the untiled pixel count), then produces
// each tile's output core in raster order.
type runner struct {
	prog   *program
	src    samples
	plan   tiling.Plan
	kinds  []int // transforms: [0], or 0..7 with TTA
	grids  []tiling.Grid
	budget int64
	// keepAlive holds every pass paused between pooling points instead of
	// recomputing each tile's prefix; set when all passes fit the budget.
	keepAlive bool
	// together: kept passes advance at once (a device engine; the Go
	// executor already spreads one pass over every core, and running its
	// passes together would only add their working memory).
	together bool
	passes   map[unit]engines.Pass
	// means[k][layer] are the whole-image channel means for transform k.
	means []map[int][]float32

	mu          sync.Mutex // guards done and the progress calls
	progress    func(Progress)
	done, total int
}

type unit struct{ tile, kind int }

func newRunner(prog *program, src samples, plan tiling.Plan, tta bool, budget int64, progress func(Progress)) (*runner, error) {
	r := &runner{prog: prog, src: src, plan: plan, kinds: []int{0}, budget: budget, progress: progress}
	if tta {
		r.kinds = []int{0, 1, 2, 3, 4, 5, 6, 7}
	}
	for _, pl := range prog.pools {
		g, err := tiling.NewGrid(plan, pl.axis, pl.axis)
		if err != nil {
			return nil, fmt.Errorf("model %s, pooling layer %d: %w", prog.info.ID, pl.layer, err)
		}
		r.grids = append(r.grids, g)
	}
	r.means = make([]map[int][]float32, len(r.kinds))
	for i := range r.means {
		r.means[i] = map[int][]float32{}
	}
	units := len(plan.Tiles) * len(r.kinds)
	r.total = units * (len(prog.pools) + 1)
	r.keepAlive = len(prog.pools) > 0 && keepAlive(prog, plan, int64(units), budget)
	return r, nil
}

// step reports one more tile pass done (passes advancing together call it
// one at a time).
func (r *runner) step() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.done++
	if r.progress != nil {
		r.progress(Progress{TilesDone: r.done, TilesTotal: r.total})
	}
}

// close frees any paused passes.
func (r *runner) close() {
	for u, p := range r.passes {
		p.Close()
		delete(r.passes, u)
	}
}

// options are the pass options for tile t under transform k: the known
// means, and for unknown pooling points the tile's owned region, mapped
// through the transform.
func (r *runner) options(t tiling.Tile, k int) engines.PassOptions {
	known := make(map[int][]float32, len(r.means[k]))
	for l, m := range r.means[k] {
		known[l] = m
	}
	return engines.PassOptions{
		Means: known,
		Region: func(layer, h, w int) engines.Rect {
			for i, pl := range r.prog.pools {
				if pl.layer != layer {
					continue
				}
				bw, bh := transformedSize(w, h, k) // the untransformed blob's size
				o := forwardRect(r.grids[i].Region(t), bw, bh, k)
				return engines.Rect{X0: o.X0, Y0: o.Y0, X1: o.X1, Y1: o.Y1}
			}
			return engines.Rect{X1: w, Y1: h}
		},
	}
}

func (r *runner) start(ctx context.Context, t tiling.Tile, k int) (engines.Pass, error) {
	endTile := timeline.Begin(ctx, "cut tile")
	in := networkTile(r.src, t.Padded, k)
	endTile()
	return r.prog.prog.Start(ctx, in.tile(), r.options(t, k))
}

// collect establishes the whole-image means of every pooling point.
func (r *runner) collect(ctx context.Context) error {
	if len(r.prog.pools) == 0 {
		return nil
	}
	if r.keepAlive {
		r.passes = map[unit]engines.Pass{}
		for _, t := range r.plan.Tiles {
			for _, k := range r.kinds {
				if err := ctx.Err(); err != nil {
					return err
				}
				p, err := r.start(ctx, t, k)
				if err != nil {
					return err
				}
				r.passes[unit{t.Index, k}] = p
			}
		}
	}
	for i, pl := range r.prog.pools {
		sums := make([][]float64, len(r.kinds))
		counts := make([]int, len(r.kinds))
		stops, err := r.advanceAll(ctx)
		if err != nil {
			return err
		}
		for ti, t := range r.plan.Tiles {
			for ki := range r.kinds {
				st := stops[ti*len(r.kinds)+ki]
				if st.Layer != pl.layer {
					return fmt.Errorf("model %s: tile %d paused at layer %d, expected pooling layer %d", r.prog.info.ID, t.Index, st.Layer, pl.layer)
				}
				if sums[ki] == nil {
					sums[ki] = make([]float64, len(st.Sums))
				}
				if len(st.Sums) != len(sums[ki]) {
					return fmt.Errorf("model %s: pooling layer %d: %d channels, expected %d", r.prog.info.ID, pl.layer, len(st.Sums), len(sums[ki]))
				}
				for c, s := range st.Sums {
					sums[ki][c] += s
				}
				counts[ki] += st.Count
			}
		}
		for ki, k := range r.kinds {
			if counts[ki] != r.grids[i].Count() {
				return fmt.Errorf("model %s: pooling layer %d: tiles summed %d positions, the whole image has %d", r.prog.info.ID, pl.layer, counts[ki], r.grids[i].Count())
			}
			m := make([]float32, len(sums[ki]))
			for c, s := range sums[ki] {
				m[c] = float32(s / float64(counts[ki]))
			}
			r.means[k][pl.layer] = m
			if r.keepAlive {
				for _, t := range r.plan.Tiles {
					if err := r.passes[unit{t.Index, k}].Supply(m); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

// advanceAll runs every tile under every transform to its next pause, in
// raster order then transform order. On a device, kept passes run at once,
// so it works on several of this image's tiles together (they hold their
// memory already); others run one at a time, as the budget planned.
func (r *runner) advanceAll(ctx context.Context) ([]engines.Stop, error) {
	stops := make([]engines.Stop, len(r.plan.Tiles)*len(r.kinds))
	errs := make([]error, len(stops))
	var wg sync.WaitGroup
	for ti, t := range r.plan.Tiles {
		for ki, k := range r.kinds {
			u := ti*len(r.kinds) + ki
			if !r.keepAlive || !r.together {
				if err := ctx.Err(); err != nil {
					return nil, err
				}
				if stops[u], errs[u] = r.advance(ctx, t, k); errs[u] != nil {
					return nil, errs[u]
				}
				r.step()
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				if stops[u], errs[u] = r.advance(ctx, t, k); errs[u] == nil {
					r.step()
				}
			}()
		}
	}
	wg.Wait()
	return stops, errors.Join(errs...)
}

// advance runs tile t under transform k to its next pause: the paused pass
// when passes are kept, else a fresh pass that recomputes up to there.
func (r *runner) advance(ctx context.Context, t tiling.Tile, k int) (engines.Stop, error) {
	if r.keepAlive {
		return r.passes[unit{t.Index, k}].Next(ctx)
	}
	p, err := r.start(ctx, t, k)
	if err != nil {
		return engines.Stop{}, err
	}
	defer p.Close()
	return p.Next(ctx)
}

// output writes tile t's output core (Core×scale, RGB), averaged over the
// transforms, into dst at (x, y). An out-of-memory error splits the tile
// into quarters, which is exact once the means are known.
func (r *runner) output(ctx context.Context, t tiling.Tile, dst samples, x, y int) error {
	s := r.plan.Geometry.Scale
	if len(r.kinds) == 1 {
		if err := r.outputKind(ctx, t, r.kinds[0], dst, x, y); err != nil {
			return err
		}
		r.step()
		return nil
	}
	core := newSamples(t.Core.Dx()*s, t.Core.Dy()*s, 3, r.src.Depth)
	acc := make([]uint32, len(core.Pix8)+len(core.Pix16))
	for _, k := range r.kinds {
		if err := r.outputKind(ctx, t, k, core, 0, 0); err != nil {
			return err
		}
		r.step()
		accumulate(acc, core)
	}
	average(core, acc, len(r.kinds))
	crop(dst, x, y, core, tiling.Rect{X1: core.W, Y1: core.H})
	return nil
}

func (r *runner) outputKind(ctx context.Context, t tiling.Tile, k int, dst samples, x, y int) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := r.outputOne(ctx, t, k, dst, x, y, true)
	if errors.Is(err, engines.ErrOutOfMemory) {
		err = r.outputSplit(ctx, t, k, dst, x, y)
	}
	return err
}

// outputOne runs tile t under transform k to its end and crops the core
// into dst at (x, y). A planned tile continues its paused pass when one is
// kept.
func (r *runner) outputOne(ctx context.Context, t tiling.Tile, k int, dst samples, x, y int, planned bool) error {
	f, err := r.finish(ctx, t, k, planned)
	if err != nil {
		return err
	}
	defer f.pass.Close()
	defer timeline.Begin(ctx, "crop")()
	crop(dst, x, y, f.out, f.core)
	return nil
}

// finished is a tile's pass run to its end: its output (the pass's memory,
// valid until the pass closes) and the tile's core in it.
type finished struct {
	pass engines.Pass
	out  samples
	core tiling.Rect
}

// finish runs tile t under transform k to its end: the paused pass when one
// is kept and planned, else a fresh pass. The caller closes the pass.
func (r *runner) finish(ctx context.Context, t tiling.Tile, k int, planned bool) (finished, error) {
	p, ok := r.passes[unit{t.Index, k}]
	if ok && planned {
		delete(r.passes, unit{t.Index, k})
	} else {
		var err error
		if p, err = r.start(ctx, t, k); err != nil {
			return finished{}, err
		}
	}
	fail := func(err error) (finished, error) {
		p.Close()
		return finished{}, err
	}
	st, err := p.Next(ctx)
	if err != nil {
		return fail(err)
	}
	if st.Layer >= 0 {
		return fail(fmt.Errorf("model %s: tile %d paused at layer %d after every mean was known", r.prog.info.ID, t.Index, st.Layer))
	}
	out := untransform(fromTile(p.Output()), k)
	cr, err := r.plan.CoreInOutput(t, out.W, out.H)
	if err != nil {
		return fail(err)
	}
	return finished{pass: p, out: out, core: cr}, nil
}

// outputSplit produces tile t's core from four smaller tiles (recursively),
// all running with the known whole-image means.
func (r *runner) outputSplit(ctx context.Context, t tiling.Tile, k int, dst samples, x, y int) error {
	side := max(t.Core.Dx(), t.Core.Dy()) / 2
	sub, err := tiling.NewPlan(t.Core.Dx(), t.Core.Dy(), side, side, r.plan.Geometry)
	if err != nil || sub.Single() || side < 8 {
		return fmt.Errorf("tile %dx%d cannot be split further: %w", t.Core.Dx(), t.Core.Dy(), engines.ErrOutOfMemory)
	}
	s := r.plan.Geometry.Scale
	for _, st := range sub.Tiles {
		sx, sy := x+st.Core.X0*s, y+st.Core.Y0*s
		st.Core = shift(st.Core, t.Core.X0, t.Core.Y0)
		st.Padded = shift(st.Padded, t.Core.X0, t.Core.Y0)
		err := r.outputOne(ctx, st, k, dst, sx, sy, false)
		if errors.Is(err, engines.ErrOutOfMemory) {
			err = r.outputSplit(ctx, st, k, dst, sx, sy)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func shift(r tiling.Rect, dx, dy int) tiling.Rect {
	return tiling.Rect{X0: r.X0 + dx, Y0: r.Y0 + dy, X1: r.X1 + dx, Y1: r.Y1 + dy}
}

func accumulate(acc []uint32, s samples) {
	if s.Depth == 16 {
		for i, v := range s.Pix16 {
			acc[i] += uint32(v)
		}
		return
	}
	for i, v := range s.Pix8 {
		acc[i] += uint32(v)
	}
}

func average(s samples, acc []uint32, n int) {
	h := uint32(n / 2)
	if s.Depth == 16 {
		for i, a := range acc {
			s.Pix16[i] = uint16((a + h) / uint32(n))
		}
		return
	}
	for i, a := range acc {
		s.Pix8[i] = uint8((a + h) / uint32(n))
	}
}
