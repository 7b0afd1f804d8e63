package vulkan

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/upscaled/upscaled/engines"
)

// Engine runs models on one Vulkan device. Safe for concurrent use. When the
// device is lost, in-flight passes fail with engines.ErrDeviceLost and the
// next use creates a fresh device context (programs re-upload their
// weights).
type Engine struct {
	dev Device
	cfg Config
	// coop: 3×3 convolutions use the cooperative-matrix kernel (device
	// support, Config.CoopMat, self-check passed).
	coop atomic.Bool

	mem  *memCounter // bytes of every buffer the engine holds
	work *workCounter

	mu     sync.Mutex
	st     *devState
	closed bool
}

// New opens the engine on Vulkan device index (see Devices) as cfg says;
// the caller must Close it.
func New(index int, cfg Config) (*Engine, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	ds, err := Devices()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", engines.ErrUnavailable, err)
	}
	if index < 0 || index >= len(ds) {
		return nil, fmt.Errorf("%w: Vulkan device %d does not exist (%d devices)", engines.ErrUnavailable, index, len(ds))
	}
	d := ds[index]
	if err := d.Usable(); err != nil {
		return nil, fmt.Errorf("%w: Vulkan device %d: %w", engines.ErrUnavailable, index, err)
	}
	coop := d.CoopMatrixUsable() && cfg.CoopMat
	mem := &memCounter{}
	st, err := newDevState(d, coop, cfg, mem)
	if err != nil {
		return nil, fmt.Errorf("%w: Vulkan device %d (%s): %w", engines.ErrUnavailable, index, d.Name, err)
	}
	e := &Engine{dev: d, cfg: cfg, st: st, mem: mem, work: &workCounter{}}
	if coop {
		e.coop.Store(true)
		if err := e.checkCoop(); err != nil {
			e.coop.Store(false)
			slog.Warn("vulkan: cooperative-matrix kernel disabled", "device", d.Name, "err", err)
		}
	}
	return e, nil
}

// forceTiledConv keeps programs off the cooperative-matrix kernel
// (benchmarks compare the kernels with it).
var forceTiledConv = false

// CoopMatrix reports whether 3×3 convolutions run on the cooperative-matrix
// kernel.
func (e *Engine) CoopMatrix() bool { return e.coop.Load() }

// Config is the configuration the engine was opened with.
func (e *Engine) Config() Config { return e.cfg }

// Device describes the engine's device.
func (e *Engine) Device() Device { return e.dev }

// Name is "vulkan:N (device name)".
func (e *Engine) Name() string { return fmt.Sprintf("vulkan:%d (%s)", e.dev.Index, e.dev.Name) }

// state returns the live device state with a reference the caller releases,
// recreating it after a device loss.
func (e *Engine) state() (*devState, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil, fmt.Errorf("vulkan: %w", engines.ErrClosed)
	}
	if e.st != nil && !e.st.acquire() {
		e.st = nil
	}
	if e.st == nil {
		st, err := newDevState(e.dev, e.dev.CoopMatrixUsable() && e.cfg.CoopMat, e.cfg, e.mem)
		if err != nil {
			return nil, fmt.Errorf("vulkan: recreating device %d after loss: %w", e.dev.Index, err)
		}
		e.st = st
		e.st.acquire()
	}
	return e.st, nil
}

// lost retires st after a device loss; the next state() makes a new one.
func (e *Engine) lost(st *devState) {
	e.mu.Lock()
	if e.st == st {
		e.st = nil
	}
	e.mu.Unlock()
	st.kill()
}

// checkLost retires st when err is a device loss, and returns err.
func (e *Engine) checkLost(st *devState, err error) error {
	if errors.Is(err, engines.ErrDeviceLost) {
		e.lost(st)
	}
	return err
}

// MemoryInUse is the bytes of the device and staging buffers the engine
// holds now (weights, workspaces, transfers).
func (e *Engine) MemoryInUse() int64 { return e.mem.inUse.Load() }

// PeakMemory is the most MemoryInUse has been since New.
func (e *Engine) PeakMemory() int64 { return e.mem.peak.Load() }

// MemoryBudget is the device memory still available to this process: the
// VK_EXT_memory_budget budget less current usage, else the Device.Budget
// fraction of the heap.
func (e *Engine) MemoryBudget() int64 {
	st, err := e.state()
	if err != nil {
		return 0
	}
	defer st.release()
	if b, u := st.ctx.budget(); b > 0 {
		return max(b-u, 0)
	}
	return e.dev.Budget()
}

// Load arranges m's weights and uploads them to the device.
func (e *Engine) Load(ctx context.Context, m engines.Model) (engines.Program, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("vulkan: load %s: %w", m.Info.ID, err)
	}
	p, err := newProgram(e, m, e.coop.Load() && !forceTiledConv)
	if err != nil {
		return nil, err
	}
	pd, st, err := p.device(false)
	if err != nil {
		return nil, fmt.Errorf("vulkan: load %s: %w", m.Info.ID, err)
	}
	_ = pd
	st.release()
	return p, nil
}

// Close releases the device; programs and passes fail afterwards.
func (e *Engine) Close() error {
	e.mu.Lock()
	st := e.st
	e.st, e.closed = nil, true
	e.mu.Unlock()
	if st != nil {
		st.kill()
	}
	return nil
}
