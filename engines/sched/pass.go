package sched

import (
	"context"
	"fmt"

	"github.com/upscaled/upscaled/engines"
)

// pass is a device pass whose segments run through the device's queue.
// Not safe for concurrent use (as every engines.Pass).
type pass struct {
	d      *device
	key    any // the request the pass was started under
	inner  engines.Pass
	px     int64 // input pixels, counted in the device's load while open
	out    engines.Tile
	closed bool
}

// Next queues the segment up to the next pause under the pass's request
// and waits for it; the output is read on the device's turn too.
func (p *pass) Next(ctx context.Context) (engines.Stop, error) {
	if p.closed {
		return engines.Stop{}, fmt.Errorf("sched: pass: %w", engines.ErrClosed)
	}
	var st engines.Stop
	it := &item{key: p.key, cost: float64(p.px), run: func(ctx context.Context) error {
		var err error
		if st, err = p.inner.Next(ctx); err == nil && st.Layer < 0 {
			p.out = p.inner.Output()
		}
		return err
	}}
	if err := p.d.do(ctx, it); err != nil {
		return engines.Stop{}, err
	}
	return st, nil
}

func (p *pass) Supply(means []float32) error {
	if p.closed {
		return fmt.Errorf("sched: pass: %w", engines.ErrClosed)
	}
	return p.inner.Supply(means)
}

func (p *pass) Output() engines.Tile { return p.out }

func (p *pass) Close() {
	if p.closed {
		return
	}
	p.closed = true
	p.inner.Close()
	p.d.load.Add(-p.px)
}
