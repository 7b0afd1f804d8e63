package sched

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/upscaled/upscaled/engines"
)

// Engine is the shared engine over one or more device engines. Safe for
// concurrent use; the caller must Close it, which also closes the device
// engines.
type Engine struct {
	devs   []*device
	closed atomic.Bool
	once   sync.Once
}

// New schedules over devs, which the Engine now owns.
func New(cfg Config, devs ...engines.Engine) (*Engine, error) {
	return newEngine(cfg, devs, hooks{})
}

func newEngine(cfg Config, devs []engines.Engine, h hooks) (*Engine, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if len(devs) == 0 {
		return nil, fmt.Errorf("%w: no device engine to schedule over", engines.ErrUnavailable)
	}
	e := &Engine{}
	for i, d := range devs {
		e.devs = append(e.devs, newDevice(i, d, cfg.InFlight, h))
	}
	return e, nil
}

// Name joins the devices' names with " + "; one device keeps its own name.
func (e *Engine) Name() string {
	names := make([]string, len(e.devs))
	for i, d := range e.devs {
		names[i] = d.eng.Name()
	}
	return strings.Join(names, " + ")
}

// Devices are the device engines, in the order placement breaks ties.
func (e *Engine) Devices() []engines.Engine {
	out := make([]engines.Engine, len(e.devs))
	for i, d := range e.devs {
		out[i] = d.eng
	}
	return out
}

// MemoryBudget is the smallest bounded budget of the devices (0 when none
// is bounded): tiles are planned per image, and an image's passes may land
// on any device.
func (e *Engine) MemoryBudget() int64 {
	var b int64
	for _, d := range e.devs {
		if m := d.eng.MemoryBudget(); m > 0 && (b == 0 || m < b) {
			b = m
		}
	}
	return b
}

// Load loads m on every device at once.
func (e *Engine) Load(ctx context.Context, m engines.Model) (engines.Program, error) {
	if e.closed.Load() {
		return nil, fmt.Errorf("sched: load %s: %w", m.Info.ID, engines.ErrClosed)
	}
	p := &program{e: e, id: m.Info.ID, progs: make([]engines.Program, len(e.devs))}
	errs := make([]error, len(e.devs))
	var wg sync.WaitGroup
	for i, d := range e.devs {
		wg.Go(func() { p.progs[i], errs[i] = d.eng.Load(ctx, m) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		for _, pr := range p.progs {
			if pr != nil {
				pr.Close()
			}
		}
		return nil, err
	}
	return p, nil
}

// Close lets queued and running passes finish, refuses new ones, then
// closes the device engines.
func (e *Engine) Close() error {
	var errs []error
	e.once.Do(func() {
		e.closed.Store(true)
		var wg sync.WaitGroup
		for _, d := range e.devs {
			wg.Go(d.close)
		}
		wg.Wait()
		for _, d := range e.devs {
			errs = append(errs, d.eng.Close())
		}
	})
	return errors.Join(errs...)
}

// byLoad is the devices, fewest open-pass pixels first.
func (e *Engine) byLoad() []*device {
	ds := slices.Clone(e.devs)
	slices.SortStableFunc(ds, func(a, b *device) int {
		la, lb := a.load.Load(), b.load.Load()
		switch {
		case la < lb:
			return -1
		case la > lb:
			return 1
		}
		return 0
	})
	return ds
}
