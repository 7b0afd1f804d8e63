package upscale

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/upscaled/upscaled/engines"
	"github.com/upscaled/upscaled/imaging"
	"github.com/upscaled/upscaled/internal/timeline"
	"github.com/upscaled/upscaled/tiling"
)

// Process decodes src, upscales it as plan says and writes the encoded
// result to dst: tiles run in raster order by bands and each finished band
// goes to the encoder, so for PNG and JPEG the full output never sits in
// memory. progress (may be nil) is called after each tile pass; ctx is
// checked between tiles.
func (p *Pipeline) Process(ctx context.Context, src io.Reader, plan Plan, dst io.Writer, progress func(Progress)) (Result, error) {
	start := time.Now()
	endDecode := timeline.Begin(ctx, "decode")
	img, _, err := decode(src, p.cfg.MaxInputPixels)
	endDecode()
	if err != nil {
		return Result{}, err
	}
	decoded := time.Now()
	// The plan came from a header: hold the decoded image to the same limits.
	w, h := img.W, img.H
	scale := plan.Model.Scale
	if p.cfg.MaxOutputPixels > 0 && int64(w*scale)*int64(h*scale) > p.cfg.MaxOutputPixels {
		return Result{}, fmt.Errorf("%w: %dx%d at %dx is %d pixels, the limit is %d", ErrOutputTooLarge, w, h, scale, int64(w*scale)*int64(h*scale), p.cfg.MaxOutputPixels)
	}
	prog, err := p.program(ctx, plan.Model)
	if err != nil {
		return Result{}, err
	}
	res := Result{Model: plan.Model.ID, InWidth: w, InHeight: h, OutWidth: w * scale, OutHeight: h * scale}
	format, depth, notes := outputKind(plan.Format, img, res.OutWidth, res.OutHeight)
	res.Format, res.Notes = format, notes
	res.ContentType = contentType(format)

	in := fromImage(img)
	tp, err := p.tilePlan(prog, w, h, plan.Options.Tile)
	if err != nil {
		return Result{}, err
	}
	enc, err := newEncoder(dst, format, res.OutWidth, res.OutHeight, in.C, depth, plan.Options, img.ICC)
	if err != nil {
		return Result{}, err
	}
	r, err := p.runPlan(ctx, prog, in, tp, plan.Options.TTA, progress)
	if err != nil {
		return Result{}, err
	}
	defer r.close()
	res.Tiles = len(r.plan.Tiles)
	res.Stages.Decode = decoded.Sub(start)
	res.Stages.Engine = time.Since(decoded)
	if err := p.produceBands(ctx, r, in, depth, enc, &res.Stages); err != nil {
		return Result{}, err
	}
	t := time.Now()
	endEncode := timeline.Begin(ctx, "encode")
	err = enc.Close()
	endEncode()
	if err != nil {
		return Result{}, err
	}
	res.Stages.Encode += time.Since(t)
	res.Elapsed = time.Since(start)
	return res, nil
}

// produceBands runs the plan's tiles band by band and encodes each finished
// band while the engine works on the next one, so the device is not idle
// while a band is encoded: straight from the pass's output when each band is
// one tile (streamBands), else through two band buffers. Stages gets the
// time the engine and the encoder took on this request's goroutines.
func (p *Pipeline) produceBands(ctx context.Context, r *runner, in samples, depth int, enc *bandEncoder, st *Stages) error {
	if r.plan.Cols == 1 && len(r.kinds) == 1 {
		return p.streamBands(ctx, r, in, depth, enc, st)
	}
	tp := r.plan
	scale := tp.Geometry.Scale
	shaper := newBandShaper(in, scale, depth)
	type band struct {
		buf samples
		y0  int
	}
	// Each band buffer serves every row of tiles it is given (the encoder
	// copies what it keeps); the tiles overwrite all of it.
	free := make(chan samples, 2)
	free <- newSamples(in.W*scale, tp.TileH*scale, 3, in.Depth)
	if tp.Rows > 1 {
		free <- newSamples(in.W*scale, tp.TileH*scale, 3, in.Depth)
	}
	full := make(chan band, 1)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var engineTime time.Duration
	errc := make(chan error, 1)
	go func() {
		defer close(full)
		for row := 0; row < tp.Rows; row++ {
			var buf samples
			endWait := timeline.Begin(ctx, "wait for the encoder")
			select {
			case buf = <-free:
				endWait()
			case <-ctx.Done():
				errc <- ctx.Err()
				return
			}
			t := time.Now()
			ob := tp.OutputBand(row)
			b := buf
			b.H = ob.Dy()
			n := b.W * b.H * 3
			b.Pix8, b.Pix16 = buf.Pix8[:min(n, cap(buf.Pix8))], buf.Pix16[:min(n, cap(buf.Pix16))]
			for _, tl := range tp.Band(row) {
				if err := r.output(ctx, tl, b, tl.Core.X0*scale, 0); err != nil {
					errc <- err
					return
				}
			}
			engineTime += time.Since(t)
			full <- band{buf: b, y0: ob.Y0}
		}
		errc <- nil
	}()
	var encErr error
	encCtx := timeline.WithTrack(ctx, timeline.Track(ctx)+" encoder")
	for b := range full {
		if encErr != nil {
			continue // drain: the producer stops at its next band
		}
		t := time.Now()
		endEncode := timeline.Begin(encCtx, "encode")
		encErr = enc.WriteRows(shaper.shape(b.buf, b.y0))
		endEncode()
		st.Encode += time.Since(t)
		if encErr != nil {
			cancel()
			continue
		}
		free <- b.buf
	}
	err := <-errc
	st.Engine += engineTime
	if encErr != nil {
		return encErr
	}
	return err
}

// tilePlan cuts a w×h image: tiles of side tile when given, else the
// largest that fit the memory budget (the whole image when it fits).
func (p *Pipeline) tilePlan(prog *program, w, h, tile int) (tiling.Plan, error) {
	if tile > 0 {
		return tiling.NewPlan(w, h, tile, tile, prog.geom)
	}
	return tiling.Choose(w, h, prog.geom, p.budget(), prog.prog.Footprint, p.cfg.MinTile)
}

// runPlan establishes the SE means for plan. After an out-of-memory error
// (device memory taken by other work, not a planning fact: Footprint
// reports device limits and the plan avoids them) it recomputes prefixes
// instead of keeping passes paused, then tries smaller tiles, keeping
// passes again when the budget allows.
func (p *Pipeline) runPlan(ctx context.Context, prog *program, in samples, tp tiling.Plan, tta bool, progress func(Progress)) (*runner, error) {
	forceRecompute := false
	for {
		r, err := newRunner(prog, in, tp, tta, p.budget(), progress)
		if err != nil {
			return nil, err
		}
		r.together = !p.hostEngine()
		if forceRecompute {
			r.keepAlive = false
		}
		err = r.collect(ctx)
		if err == nil {
			return r, nil
		}
		r.close()
		if !errors.Is(err, engines.ErrOutOfMemory) {
			return nil, err
		}
		if r.keepAlive {
			forceRecompute = true
			continue
		}
		side := max(tp.TileW, tp.TileH) / 2
		if side < p.cfg.MinTile {
			return nil, fmt.Errorf("%dx%d tiles: %w", tp.TileW, tp.TileH, err)
		}
		if tp, err = tiling.NewPlan(in.W, in.H, side, side, prog.geom); err != nil {
			return nil, err
		}
		forceRecompute = false
	}
}

// webpMaxSide is the largest WebP width or height.
const webpMaxSide = imaging.WebPMaxDim

// outputKind settles the output format and depth for an image.
func outputKind(f imaging.Format, img *imaging.Image, ow, oh int) (imaging.Format, int, []string) {
	var notes []string
	if f == imaging.WebP && (ow > webpMaxSide || oh > webpMaxSide) {
		f = imaging.PNG
		notes = append(notes, fmt.Sprintf("WebP cannot exceed %d px (output is %dx%d): PNG written", webpMaxSide, ow, oh))
	}
	depth := img.Depth
	if depth == 16 && f != imaging.PNG {
		depth = 8
		notes = append(notes, fmt.Sprintf("%s holds 8 bits per channel: the 16-bit result was rounded to 8 bits", f))
	}
	return f, depth, notes
}

func contentType(f imaging.Format) string {
	switch f {
	case imaging.PNG:
		return "image/png"
	case imaging.JPEG:
		return "image/jpeg"
	case imaging.WebP:
		return "image/webp"
	}
	return "application/octet-stream"
}
