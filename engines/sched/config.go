package sched

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrConfig: a Config setting is out of range.
var ErrConfig = errors.New("invalid scheduler configuration")

// MaxInFlight bounds Config.InFlight: more passes at once per device only
// add memory, not overlap.
const MaxInFlight = 16

// Config says which devices the shared engine runs on and how deep each
// device's pipeline is.
type Config struct {
	// Devices are the Vulkan device indexes to use. Empty: every usable
	// discrete or integrated GPU, and when there is none, the single engine
	// engines.Select picks (the Vulkan CPU device or the Go executor).
	Devices []int
	// InFlight is the passes each device runs at once (1..MaxInFlight).
	InFlight int
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
