package sched

import (
	"context"
	"errors"
	"fmt"

	"github.com/upscaled/upscaled/engines"
)

// program is one model loaded on every device.
type program struct {
	e     *Engine
	id    string
	progs []engines.Program // by device index
}

// Footprint is the largest of the devices' footprints: the pass may run on
// any of them.
func (p *program) Footprint(h, w int) int64 {
	var f int64
	for _, pr := range p.progs {
		f = max(f, pr.Footprint(h, w))
	}
	return f
}

// Start places the pass on the least-loaded device, the next one when that
// device is out of memory.
func (p *program) Start(ctx context.Context, in engines.Tile, opt engines.PassOptions) (engines.Pass, error) {
	if p.e.closed.Load() {
		return nil, fmt.Errorf("sched: start %s: %w", p.id, engines.ErrClosed)
	}
	px := int64(in.W) * int64(in.H)
	var errs []error
	for _, d := range p.e.byLoad() {
		inner, err := p.progs[d.index].Start(ctx, in, opt)
		if err == nil {
			d.load.Add(px)
			return &pass{d: d, key: requestKey(ctx), inner: inner, px: px}, nil
		}
		if !errors.Is(err, engines.ErrOutOfMemory) {
			return nil, err
		}
		errs = append(errs, err)
	}
	return nil, errors.Join(errs...)
}

func (p *program) Close() error {
	var errs []error
	for _, pr := range p.progs {
		errs = append(errs, pr.Close())
	}
	return errors.Join(errs...)
}

// requestKey names the request ctx belongs to: its engines.WithRequest id,
// else its Done channel (one per cancelable request context), else nil
// (every context that cannot be canceled).
func requestKey(ctx context.Context) any {
	if id := engines.RequestID(ctx); id != "" {
		return id
	}
	if done := ctx.Done(); done != nil {
		return done
	}
	return nil
}
