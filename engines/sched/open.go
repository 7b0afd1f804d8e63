package sched

import (
	"errors"
	"fmt"
	"log/slog"
	"sort"

	"github.com/upscaled/upscaled/engines"
)

// Open is the one way the CLI, bench and the server open an engine: engine
// is "auto", "vulkan" or "cpu", cfg the devices, the passes in flight and
// the backends' settings (cfg.Backends, e.g. a vulkan.Config). The result
// schedules over the devices it opened, one or several:
//
//   - "cpu": the Go executor (cfg.Devices must be empty).
//   - cfg.Devices given: those Vulkan devices (engine auto or vulkan).
//   - else every usable discrete or integrated GPU; a GPU that is listed as
//     usable but fails to open is left out with a warning.
//   - no such GPU: one engine. "vulkan" takes the best usable Vulkan
//     device (virtual, then the CPU device); "auto" a virtual GPU, else the
//     Go executor, else the Vulkan CPU device (lavapipe): on our 2-core CI
//     machine the Go executor used ~3.5× less CPU time than lavapipe for
//     the same Real-CUGAN tiles.
//
// Backends come from the engines registry (linked in by importing their
// package); one missing makes its choices unavailable.
func Open(engine string, cfg Config) (*Engine, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	switch engine {
	case "cpu":
		if len(cfg.Devices) > 0 {
			return nil, fmt.Errorf("%w: devices %v name Vulkan devices, but the engine is cpu", ErrConfig, cfg.Devices)
		}
		e, err := openCPU(cfg)
		if err != nil {
			return nil, err
		}
		return New(cfg, e)
	case "", "auto", "vulkan":
	default:
		return nil, fmt.Errorf("%w: engine %q (want auto, vulkan or cpu)", engines.ErrUnavailable, engine)
	}
	var devs []engines.Engine
	closeAll := func() {
		for _, d := range devs {
			d.Close()
		}
	}
	if len(cfg.Devices) > 0 {
		for _, i := range cfg.Devices {
			d, err := openVulkan(i, cfg)
			if err != nil {
				closeAll()
				return nil, fmt.Errorf("device %d: %w", i, err)
			}
			devs = append(devs, d)
		}
		return New(cfg, devs...)
	}
	ds, listErr := vulkanDevices()
	for _, info := range ds {
		if info.Unusable != "" || (info.Type != "discrete" && info.Type != "integrated") {
			continue
		}
		d, err := openVulkan(info.Index, cfg)
		if err != nil {
			slog.Warn("sched: GPU left out", "device", info.Index, "name", info.Name, "err", err)
			continue
		}
		devs = append(devs, d)
	}
	if len(devs) > 0 {
		return New(cfg, devs...)
	}
	d, err := openOne(engine, cfg)
	if err != nil {
		return nil, errors.Join(err, listErr)
	}
	return New(cfg, d)
}

// openOne opens the single engine of engine "auto", "" or "vulkan" when no
// GPU is usable.
func openOne(engine string, cfg Config) (engines.Engine, error) {
	if engine == "vulkan" {
		return bestVulkan(cfg, true)
	}
	e, gpuErr := bestVulkan(cfg, false)
	if gpuErr == nil {
		return e, nil
	}
	if _, ok := engines.LookupBackend("cpu"); ok {
		return openCPU(cfg)
	}
	e, err := bestVulkan(cfg, true)
	if err == nil {
		return e, nil
	}
	return nil, fmt.Errorf("%w: no engine could start (no CPU executor linked): %w", engines.ErrUnavailable, err)
}

func openCPU(cfg Config) (engines.Engine, error) {
	cpu, ok := engines.LookupBackend("cpu")
	if !ok {
		return nil, fmt.Errorf("%w: the CPU executor is not linked into this program", engines.ErrUnavailable)
	}
	return cpu.Open(0, cfg.backend("cpu"))
}

func vulkanBackend() (engines.Backend, error) {
	vk, ok := engines.LookupBackend("vulkan")
	if !ok {
		return vk, fmt.Errorf("%w: the Vulkan engine is not linked into this program", engines.ErrUnavailable)
	}
	return vk, nil
}

func vulkanDevices() ([]engines.DeviceInfo, error) {
	vk, err := vulkanBackend()
	if err != nil {
		return nil, err
	}
	ds, err := vk.Devices()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", engines.ErrUnavailable, err)
	}
	return ds, nil
}

// typeRank orders device types for the single-engine choice: discrete GPU,
// then integrated, then virtual, then the Vulkan CPU device.
func typeRank(t string) int {
	switch t {
	case "discrete":
		return 0
	case "integrated":
		return 1
	case "virtual":
		return 2
	case "cpu":
		return 3
	}
	return 4
}

// bestVulkan opens the first usable Vulkan device in typeRank order;
// withCPU also considers CPU devices.
func bestVulkan(cfg Config, withCPU bool) (engines.Engine, error) {
	vk, ds, err := vulkanWithDevices()
	if err != nil {
		return nil, err
	}
	sort.SliceStable(ds, func(i, j int) bool { return typeRank(ds[i].Type) < typeRank(ds[j].Type) })
	var errs []error
	for _, d := range ds {
		if d.Unusable != "" {
			errs = append(errs, fmt.Errorf("device %d (%s): %s", d.Index, d.Name, d.Unusable))
			continue
		}
		if d.Type == "cpu" && !withCPU {
			errs = append(errs, fmt.Errorf("device %d (%s) is a CPU device", d.Index, d.Name))
			continue
		}
		e, err := vk.Open(d.Index, cfg.backend("vulkan"))
		if err == nil {
			return e, nil
		}
		errs = append(errs, err)
	}
	return nil, fmt.Errorf("%w: no usable Vulkan device: %w", engines.ErrUnavailable, errors.Join(errs...))
}

// vulkanWithDevices is the Vulkan backend and its devices.
func vulkanWithDevices() (engines.Backend, []engines.DeviceInfo, error) {
	vk, err := vulkanBackend()
	if err != nil {
		return engines.Backend{}, nil, err
	}
	ds, err := vulkanDevices()
	return vk, ds, err
}

// openVulkan opens Vulkan device index.
func openVulkan(index int, cfg Config) (engines.Engine, error) {
	vk, ds, err := vulkanWithDevices()
	if err != nil {
		return nil, err
	}
	if index >= len(ds) {
		return nil, fmt.Errorf("%w: Vulkan device %d does not exist (%d devices: run `upscaled devices`)", engines.ErrUnavailable, index, len(ds))
	}
	if u := ds[index].Unusable; u != "" {
		return nil, fmt.Errorf("%w: Vulkan device %d (%s): %s", engines.ErrUnavailable, index, ds[index].Name, u)
	}
	return vk.Open(index, cfg.backend("vulkan"))
}
