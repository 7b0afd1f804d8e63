package sched

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/upscaled/upscaled/engines"
)

// ErrConfig: a Config setting is out of range.
var ErrConfig = errors.New("invalid scheduler configuration")

// MaxInFlight bounds Config.InFlight: more passes at once per device only
// add memory, not overlap.
const MaxInFlight = 16

// Config says which devices the shared engine runs on, how deep each
// device's pipeline is, and how each backend opens its devices.
type Config struct {
	// Devices are the Vulkan device indexes to use. Empty: every usable
	// discrete or integrated GPU, and when there is none, the single engine
	// Open picks (a virtual GPU, the Go executor or the Vulkan CPU device).
	Devices []int
	// InFlight is the passes each device runs at once (1..MaxInFlight).
	InFlight int
	// Backends are the backends' settings (a vulkan.Config), at most one
	// per backend; a backend without one opens with its defaults.
	Backends []engines.BackendConfig
}

// backend is the settings cfg has for backend name, or nil.
func (c Config) backend(name string) engines.BackendConfig {
	for _, b := range c.Backends {
		if b != nil && b.Backend() == name {
			return b
		}
	}
	return nil
}

// DefaultConfig is every usable GPU, two passes in flight per device.
func DefaultConfig() Config { return Config{InFlight: 2} }

// Validate reports every setting out of range.
func (c Config) Validate() error {
	var errs []error
	if c.InFlight < 1 || c.InFlight > MaxInFlight {
		errs = append(errs, fmt.Errorf("%w: %d passes in flight per device (want 1..%d)", ErrConfig, c.InFlight, MaxInFlight))
	}
	seen := map[int]bool{}
	for _, d := range c.Devices {
		if d < 0 {
			errs = append(errs, fmt.Errorf("%w: device index %d is negative", ErrConfig, d))
		}
		if seen[d] {
			errs = append(errs, fmt.Errorf("%w: device %d listed twice", ErrConfig, d))
		}
		seen[d] = true
	}
	backends := map[string]bool{}
	for _, b := range c.Backends {
		if b == nil {
			continue
		}
		if backends[b.Backend()] {
			errs = append(errs, fmt.Errorf("%w: %s settings given twice", ErrConfig, b.Backend()))
		}
		backends[b.Backend()] = true
		if err := b.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", b.Backend(), err))
		}
	}
	return errors.Join(errs...)
}

// ParseDevices reads a device list: "all" (or "") for every usable GPU,
// else comma-separated Vulkan device indexes such as "0,1".
func ParseDevices(s string) ([]int, error) {
	s = strings.TrimSpace(s)
	if s == "" || strings.EqualFold(s, "all") {
		return nil, nil
	}
	var out []int
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		n, err := strconv.Atoi(f)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("%w: device %q in %q (want all, or indexes such as 0,1: see upscaled devices)", ErrConfig, f, s)
		}
		out = append(out, n)
	}
	return out, nil
}
