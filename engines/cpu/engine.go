package cpu

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"

	"github.com/upscaled/upscaled/engines"
)

// Engine is the pure-Go fp32 executor. Safe for concurrent use.
type Engine struct {
	closed atomic.Bool
}

// New returns the CPU engine. Layers run on the shared internal/cpuwork
// pool.
func New() engines.Engine { return &Engine{} }

// Name is "cpu".
func (e *Engine) Name() string { return "cpu" }

// MemoryBudget is 0: host memory is governed by the caller.
func (e *Engine) MemoryBudget() int64 { return 0 }

// Close marks the engine closed; programs already loaded keep working.
func (e *Engine) Close() error {
	e.closed.Store(true)
	return nil
}

// Load prepares m: every layer's parameters decoded and weights arranged
// for the executor. The Program shares nothing mutable and needs no Close
// to free memory beyond dropping it.
func (e *Engine) Load(ctx context.Context, m engines.Model) (engines.Program, error) {
	if e.closed.Load() {
		return nil, fmt.Errorf("cpu: load %s: %w", m.Info.ID, engines.ErrClosed)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("cpu: load %s: %w", m.Info.ID, err)
	}
	return newProgram(m)
}

func init() {
	engines.RegisterBackend(engines.Backend{
		Name: "cpu",
		Devices: func() ([]engines.DeviceInfo, error) {
			return []engines.DeviceInfo{{
				Backend: "cpu", Name: fmt.Sprintf("Go fp32 executor, %d threads", runtime.GOMAXPROCS(0)),
				Type: "cpu", API: "go",
			}}, nil
		},
		Open: func(int, engines.BackendConfig) (engines.Engine, error) { return New(), nil },
	})
}
