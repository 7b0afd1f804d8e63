package faultengine

import (
	"context"
	"fmt"
	"os"

	"github.com/upscaled/upscaled/engines"
	"github.com/upscaled/upscaled/engines/cpu"
)

// EnvFaultFile names the variable holding the switch file's path.
const EnvFaultFile = "UPSCALED_TEST_FAULT_FILE"

// init replaces the "cpu" backend (registered by engines/cpu, whose init ran
// first because this package imports it) with the wrapped engine.
func init() {
	path := os.Getenv(EnvFaultFile)
	engines.RegisterBackend(engines.Backend{
		Name: "cpu",
		Devices: func() ([]engines.DeviceInfo, error) {
			return []engines.DeviceInfo{{Backend: "cpu", Name: "Go fp32 executor with fault hook", Type: "cpu", API: "go"}}, nil
		},
		Open: func(int, engines.BackendConfig) (engines.Engine, error) { return Wrap(cpu.New(), path), nil },
	})
}

// Wrap returns e failing with engines.ErrDeviceLost while the file at path
// exists ("" never fails).
func Wrap(e engines.Engine, path string) engines.Engine {
	return &engine{Engine: e, path: path}
}

type engine struct {
	engines.Engine
	path string
}

// fault is the injected error, or nil when the switch file is absent.
func (e *engine) fault(where string) error {
	if e.path == "" {
		return nil
	}
	if _, err := os.Stat(e.path); err != nil {
		return nil
	}
	return fmt.Errorf("faultengine: %s: injected failure (%s exists): %w", where, e.path, engines.ErrDeviceLost)
}

func (e *engine) Load(ctx context.Context, m engines.Model) (engines.Program, error) {
	p, err := e.Engine.Load(ctx, m)
	if err != nil {
		return nil, err
	}
	return &program{Program: p, e: e}, nil
}

type program struct {
	engines.Program
	e *engine
}

func (p *program) Start(ctx context.Context, in engines.Tile, opt engines.PassOptions) (engines.Pass, error) {
	if err := p.e.fault("start"); err != nil {
		return nil, err
	}
	pass, err := p.Program.Start(ctx, in, opt)
	if err != nil {
		return nil, err
	}
	return &faultPass{Pass: pass, e: p.e}, nil
}

type faultPass struct {
	engines.Pass
	e *engine
}

func (p *faultPass) Next(ctx context.Context) (engines.Stop, error) {
	if err := p.e.fault("next"); err != nil {
		return engines.Stop{}, err
	}
	return p.Pass.Next(ctx)
}
