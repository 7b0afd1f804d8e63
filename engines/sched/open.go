package sched

import (
	"errors"
	"fmt"
	"log/slog"

	"github.com/upscaled/upscaled/engines"
)

// Open opens the devices cfg names and schedules over them. engine is
// "auto", "vulkan" or "cpu" as for engines.Select: "cpu" is the Go executor
// alone; otherwise cfg.Devices, or every usable discrete or integrated GPU,
// or (none) the single engine engines.Select(engine, -1) picks. A GPU that
// is listed as usable but fails to open is left out with a warning.
func Open(engine string, cfg Config) (*Engine, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if engine == "cpu" {
		if len(cfg.Devices) > 0 {
			return nil, fmt.Errorf("%w: devices %v name Vulkan devices, but the engine is cpu", ErrConfig, cfg.Devices)
		}
		e, err := engines.Select("cpu", -1)
		if err != nil {
			return nil, err
		}
		return New(cfg, e)
	}
	switch engine {
	case "", "auto", "vulkan":
	default:
		_, err := engines.Select(engine, -1) // names the valid engines
		return nil, err
	}
	var devs []engines.Engine
	closeAll := func() {
		for _, d := range devs {
			d.Close()
		}
	}
	if len(cfg.Devices) > 0 {
		for _, i := range cfg.Devices {
			d, err := engines.Select("vulkan", i)
			if err != nil {
				closeAll()
				return nil, fmt.Errorf("device %d: %w", i, err)
			}
			devs = append(devs, d)
		}
		return New(cfg, devs...)
	}
	ds, listErr := engines.ListDevices()
	for _, info := range ds {
		if info.Backend != "vulkan" || info.Unusable != "" || (info.Type != "discrete" && info.Type != "integrated") {
			continue
		}
		d, err := engines.Select("vulkan", info.Index)
		if err != nil {
			slog.Warn("sched: GPU left out", "device", info.Index, "name", info.Name, "err", err)
			continue
		}
		devs = append(devs, d)
	}
	if len(devs) > 0 {
		return New(cfg, devs...)
	}
	d, err := engines.Select(engine, -1)
	if err != nil {
		return nil, errors.Join(err, listErr)
	}
	return New(cfg, d)
}
