package upscale

import (
	"context"
	"errors"
	"time"

	"github.com/upscaled/upscaled/engines"
	"github.com/upscaled/upscaled/internal/timeline"
	"github.com/upscaled/upscaled/tiling"
)

// streamChunkRows is how many output rows streamBands copies out of a
// pass's output at a time (a 5100-pixel-wide RGB row is 15 KB).
const streamChunkRows = 64

// rowResult is a band's finished pass, or why there is none.
type rowResult struct {
	f       finished
	err     error
	elapsed time.Duration
}

// streamBands is produceBands for plans of full-width bands without TTA:
// each band's pass runs to its end while the previous band is encoded
// straight from its pass's output, a chunk of rows at a time, so no
// band-sized buffer is held in host memory (a 2550×3263 page's output band
// is up to 100 MB). A band whose pass cannot start for lack of memory is
// produced as before, through a band buffer, from split tiles.
func (p *Pipeline) streamBands(ctx context.Context, r *runner, in samples, depth int, enc *bandEncoder, st *Stages) error {
	tp := r.plan
	scale := tp.Geometry.Scale
	shaper := newBandShaper(in, scale, depth)
	run := func(row int) <-chan rowResult {
		c := make(chan rowResult, 1)
		go func() {
			t := time.Now()
			f, err := r.finish(ctx, tp.Band(row)[0], r.kinds[0], true)
			c <- rowResult{f, err, time.Since(t)}
		}()
		return c
	}
	var chunk samples
	var next <-chan rowResult
	for row := 0; row < tp.Rows; row++ {
		if next == nil {
			next = run(row)
		}
		res := <-next
		st.Engine += res.elapsed
		next = nil
		if res.err == nil && row+1 < tp.Rows {
			next = run(row + 1) // the device works on the next band while this one is encoded
		}
		var err error
		switch {
		case res.err == nil:
			r.step()
			if chunk.W == 0 {
				chunk = newSamples(in.W*scale, streamChunkRows, 3, in.Depth)
			}
			t := time.Now()
			err = p.encodeCore(ctx, res.f, chunk, shaper, tp.OutputBand(row).Y0, enc)
			res.f.pass.Close()
			st.Encode += time.Since(t)
		case errors.Is(res.err, engines.ErrOutOfMemory):
			err = p.bufferedBand(ctx, r, row, in, shaper, enc, st)
		default:
			err = res.err
		}
		if err != nil {
			if next != nil {
				if res := <-next; res.err == nil {
					res.f.pass.Close()
				}
			}
			return err
		}
	}
	return nil
}

// encodeCore writes a finished tile's core (a full-width band) to enc,
// chunk rows at a time.
func (p *Pipeline) encodeCore(ctx context.Context, f finished, chunk samples, shaper *bandShaper, y0 int, enc *bandEncoder) error {
	defer timeline.Begin(ctx, "encode")()
	for y := 0; y < f.core.Dy(); y += streamChunkRows {
		if err := ctx.Err(); err != nil {
			return err
		}
		n := min(streamChunkRows, f.core.Dy()-y)
		c := chunk
		c.H = n
		c.Pix8, c.Pix16 = chunk.Pix8[:min(len(chunk.Pix8), c.W*n*3)], chunk.Pix16[:min(len(chunk.Pix16), c.W*n*3)]
		crop(c, 0, 0, f.out, tiling.Rect{X0: f.core.X0, Y0: f.core.Y0 + y, X1: f.core.X1, Y1: f.core.Y0 + y + n})
		if err := enc.WriteRows(shaper.shape(c, y0+y)); err != nil {
			return err
		}
	}
	return nil
}

// bufferedBand produces band row through a band buffer (r.output splits
// the tile when a whole one does not fit) and encodes it.
func (p *Pipeline) bufferedBand(ctx context.Context, r *runner, row int, in samples, shaper *bandShaper, enc *bandEncoder, st *Stages) error {
	tp := r.plan
	scale := tp.Geometry.Scale
	ob := tp.OutputBand(row)
	b := newSamples(in.W*scale, ob.Dy(), 3, in.Depth)
	t := time.Now()
	tl := tp.Band(row)[0]
	if err := r.output(ctx, tl, b, tl.Core.X0*scale, 0); err != nil {
		return err
	}
	st.Engine += time.Since(t)
	t = time.Now()
	defer func() { st.Encode += time.Since(t) }()
	return enc.WriteRows(shaper.shape(b, ob.Y0))
}
