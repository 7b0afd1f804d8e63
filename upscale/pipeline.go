package upscale

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/upscaled/upscaled/engines"
	"github.com/upscaled/upscaled/imaging"
	"github.com/upscaled/upscaled/models"
)

var (
	// ErrInputTooLarge: the input has more pixels than Config.MaxInputPixels.
	ErrInputTooLarge = errors.New("input image too large")
	// ErrOutputTooLarge: the output would have more pixels than Config.MaxOutputPixels.
	ErrOutputTooLarge = errors.New("output image too large")
	// ErrBadOptions: an option is out of range (format, quality, tile).
	ErrBadOptions = errors.New("invalid options")
)

// Config bounds what a Pipeline accepts and how much memory tiles may use.
type Config struct {
	// MaxInputPixels and MaxOutputPixels bound width×height (0 = no limit).
	MaxInputPixels, MaxOutputPixels int64
	// MemoryBudget is the bytes one image's tile passes may hold on the
	// engine's device at once; 0 takes the engine's MemoryBudget (and when
	// that is 0 too, images run whole).
	MemoryBudget int64
	// MinTile is the smallest tile side (input pixels) tried when shrinking
	// tiles to fit the budget or after an out-of-memory error; default 32.
	MinTile int
}

// Pipeline runs images through models on one engine. Programs are loaded
// on first use and kept; safe for concurrent use.
type Pipeline struct {
	cfg       Config
	engine    engines.Engine
	modelsDir string

	mu    sync.Mutex
	progs map[string]*progEntry
}

// New returns a pipeline running models from modelsDir on engine.
func New(cfg Config, engine engines.Engine, modelsDir string) *Pipeline {
	if cfg.MinTile <= 0 {
		cfg.MinTile = 32
	}
	return &Pipeline{cfg: cfg, engine: engine, modelsDir: modelsDir, progs: map[string]*progEntry{}}
}

// Engine is the engine the pipeline runs on.
func (p *Pipeline) Engine() engines.Engine { return p.engine }

// Close releases the loaded programs (not the engine).
func (p *Pipeline) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	var errs []error
	for id, e := range p.progs {
		<-e.done
		if e.prog != nil {
			errs = append(errs, e.prog.prog.Close())
		}
		delete(p.progs, id)
	}
	return errors.Join(errs...)
}

// hostEngine reports whether the engine works in host memory (the Go
// executor): its passes count in the host estimate and run one at a time.
func (p *Pipeline) hostEngine() bool { return strings.HasPrefix(p.engine.Name(), "cpu") }

// budget is the device bytes tile passes may use (0 = unbounded).
func (p *Pipeline) budget() int64 {
	b := p.cfg.MemoryBudget
	if e := p.engine.MemoryBudget(); e > 0 && (b <= 0 || e < b) {
		b = e
	}
	return b
}

// Prepare checks a request against the header alone and plans the output.
func (p *Pipeline) Prepare(h imaging.Header, o Options) (Plan, error) {
	pl, _, err := p.prepare(context.Background(), h, o)
	return pl, err
}

func (p *Pipeline) prepare(ctx context.Context, h imaging.Header, o Options) (Plan, *program, error) {
	if o.Model == "" {
		o.Model = models.DefaultModel
	}
	info, err := models.Lookup(o.Model)
	if err != nil {
		return Plan{}, nil, err
	}
	if !models.Installed(p.modelsDir, info) {
		return Plan{}, nil, fmt.Errorf("%w: %s is not in %s: run `upscaled models fetch %s`", models.ErrNotInstalled, info.ID, p.modelsDir, info.ID)
	}
	if h.Width <= 0 || h.Height <= 0 {
		return Plan{}, nil, fmt.Errorf("%w: image size %dx%d", imaging.ErrCorrupt, h.Width, h.Height)
	}
	if h.Frames > 1 {
		return Plan{}, nil, fmt.Errorf("%w: %d frames", imaging.ErrAnimated, h.Frames)
	}
	in := int64(h.Width) * int64(h.Height)
	if p.cfg.MaxInputPixels > 0 && in > p.cfg.MaxInputPixels {
		return Plan{}, nil, fmt.Errorf("%w: %dx%d is %d pixels, the limit is %d", ErrInputTooLarge, h.Width, h.Height, in, p.cfg.MaxInputPixels)
	}
	w, hh := h.OrientedSize()
	ow, oh := w*info.Scale, hh*info.Scale
	out := int64(ow) * int64(oh)
	if p.cfg.MaxOutputPixels > 0 && out > p.cfg.MaxOutputPixels {
		return Plan{}, nil, fmt.Errorf("%w: %dx%d at %dx is %dx%d = %d pixels, the limit is %d", ErrOutputTooLarge, w, hh, info.Scale, ow, oh, out, p.cfg.MaxOutputPixels)
	}
	f, err := outputFormat(o.Format, h.Format)
	if err != nil {
		return Plan{}, nil, err
	}
	if o.Quality < 0 || o.Quality > 100 {
		return Plan{}, nil, fmt.Errorf("%w: quality %d is outside 1..100", ErrBadOptions, o.Quality)
	}
	if o.Quality == 0 {
		o.Quality = imaging.DefaultQuality
	}
	if o.Tile < 0 {
		return Plan{}, nil, fmt.Errorf("%w: tile size %d is negative", ErrBadOptions, o.Tile)
	}
	if o.Effort != nil && (*o.Effort < 0 || *o.Effort > imaging.MaxEffort) {
		return Plan{}, nil, fmt.Errorf("%w: effort %d is outside 0..%d", ErrBadOptions, *o.Effort, imaging.MaxEffort)
	}
	if _, err := subsampling(o.Subsampling); err != nil {
		return Plan{}, nil, err
	}
	prog, err := p.program(ctx, info)
	if err != nil {
		return Plan{}, nil, err
	}
	pl := Plan{Options: o, Model: info, Input: h, OutWidth: ow, OutHeight: oh, Format: f}
	pl.HostBytes = p.estimate(prog, pl)
	pl.ModelFLOPs, pl.TileFLOPs = p.flops(prog, pl)
	return pl, prog, nil
}

// outputFormat resolves Options.Format against the input format.
func outputFormat(name string, in imaging.Format) (imaging.Format, error) {
	switch strings.ToLower(name) {
	case "":
		return imaging.WebP, nil
	case "same":
		if in.Encodable() {
			return in, nil
		}
		return imaging.PNG, nil
	}
	if f, err := imaging.ParseFormat(name); err == nil && f.Encodable() {
		return f, nil
	}
	return "", fmt.Errorf("%w: output format %q (want webp, png, jpeg or same)", ErrBadOptions, name)
}
