package server

import (
	"github.com/upscaled/upscaled/engines"
	"github.com/upscaled/upscaled/engines/sched"
)

// openEngine opens the shared engine every request runs on (sched.Open):
// the devices cfg names (UPSCALED_DEVICES, or the one UPSCALED_DEVICE),
// else every usable GPU, else the single engine UPSCALED_ENGINE selects;
// the Go executor when the engine is cpu. Vulkan devices open with
// cfg.Vulkan.
func openEngine(cfg Config) (engines.Engine, error) {
	sc := sched.DefaultConfig()
	sc.InFlight = cfg.InFlight
	sc.Backends = []engines.BackendConfig{cfg.Vulkan}
	sc.Devices = cfg.Devices
	if cfg.Device >= 0 && cfg.Engine != "cpu" {
		sc.Devices = []int{cfg.Device}
	}
	e, err := sched.Open(cfg.Engine, sc)
	if err != nil {
		return nil, err
	}
	return e, nil
}
