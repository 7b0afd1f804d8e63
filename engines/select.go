package engines

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
)

// DeviceInfo describes one device a backend can run on.
type DeviceInfo struct {
	Backend string // "vulkan", "cpu"
	Index   int    // index within the backend (the --device number)
	Name    string
	// Type is "discrete", "integrated", "virtual", "cpu" or "other".
	Type         string
	Driver       string
	API          string
	MemoryBudget int64 // bytes the process may use (0 = unbounded)
	FP16Storage  bool  // 16-bit storage buffers
	FP16Math     bool  // fp16 arithmetic
	CoopMatrix   string
	SubgroupSize int
	// Queues is the number of compute queues concurrent passes spread over
	// (0 for the CPU).
	Queues int
	// Unusable says why the engine cannot run here ("" = usable).
	Unusable string
}

// Backend is a kind of engine that registers itself (from its package's
// init) so that selection needs no import of it here.
type Backend struct {
	Name    string
	Devices func() ([]DeviceInfo, error)
	Open    func(index int) (Engine, error)
}

var (
	backendsMu sync.Mutex
	backends   = map[string]Backend{}
)

// RegisterBackend makes a backend available to Select and ListDevices.
func RegisterBackend(b Backend) {
	backendsMu.Lock()
	defer backendsMu.Unlock()
	backends[b.Name] = b
}

func backend(name string) (Backend, bool) {
	backendsMu.Lock()
	defer backendsMu.Unlock()
	b, ok := backends[name]
	return b, ok
}

// ListDevices returns every device of every registered backend, Vulkan
// first; a backend that fails to enumerate contributes its error.
func ListDevices() ([]DeviceInfo, error) {
	backendsMu.Lock()
	names := make([]string, 0, len(backends))
	for n := range backends {
		names = append(names, n)
	}
	backendsMu.Unlock()
	sort.Slice(names, func(i, j int) bool { return names[i] > names[j] }) // vulkan before cpu
	var out []DeviceInfo
	var errs []error
	for _, n := range names {
		b, _ := backend(n)
		ds, err := b.Devices()
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", n, err))
		}
		out = append(out, ds...)
	}
	return out, errors.Join(errs...)
}

// typeRank orders device types for auto selection: discrete GPU, then
// integrated, then virtual, then the Vulkan CPU device.
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

// Select opens an engine: name is "auto", "vulkan" or "cpu"; device is the
// Vulkan device index, or -1 to choose. "auto" prefers a discrete GPU, then
// an integrated or virtual one, then the Go executor, then the Vulkan CPU
// device (lavapipe): on our 2-core CI machine the Go executor used ~3.5×
// less CPU time than lavapipe for the same Real-CUGAN tiles.
func Select(name string, device int) (Engine, error) {
	switch name {
	case "", "auto":
		if device >= 0 {
			return openVulkan(device)
		}
		e, gpuErr := bestVulkan(false)
		if gpuErr == nil {
			return e, nil
		}
		if cpu, ok := backend("cpu"); ok {
			return cpu.Open(0)
		}
		e, err := bestVulkan(true)
		if err == nil {
			return e, nil
		}
		return nil, fmt.Errorf("%w: no engine could start (no CPU executor linked): %w", ErrUnavailable, err)
	case "vulkan":
		if device >= 0 {
			return openVulkan(device)
		}
		return bestVulkan(true)
	case "cpu":
		cpu, ok := backend("cpu")
		if !ok {
			return nil, fmt.Errorf("%w: the CPU executor is not linked into this program", ErrUnavailable)
		}
		return cpu.Open(0)
	}
	return nil, fmt.Errorf("%w: engine %q (want %s)", ErrUnavailable, name, strings.Join([]string{"auto", "vulkan", "cpu"}, ", "))
}

// bestVulkan opens the first usable Vulkan device in auto order; withCPU
// also considers CPU devices.
func bestVulkan(withCPU bool) (Engine, error) {
	vk, ok := backend("vulkan")
	if !ok {
		return nil, fmt.Errorf("%w: the Vulkan engine is not linked into this program", ErrUnavailable)
	}
	ds, err := vk.Devices()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
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
		e, err := vk.Open(d.Index)
		if err == nil {
			return e, nil
		}
		errs = append(errs, err)
	}
	return nil, fmt.Errorf("%w: no usable Vulkan device: %w", ErrUnavailable, errors.Join(errs...))
}

func openVulkan(device int) (Engine, error) {
	vk, ok := backend("vulkan")
	if !ok {
		return nil, fmt.Errorf("%w: the Vulkan engine is not linked into this program", ErrUnavailable)
	}
	ds, err := vk.Devices()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	if device >= len(ds) {
		return nil, fmt.Errorf("%w: Vulkan device %d does not exist (%d devices: run `upscaled devices`)", ErrUnavailable, device, len(ds))
	}
	if u := ds[device].Unusable; u != "" {
		return nil, fmt.Errorf("%w: Vulkan device %d (%s): %s", ErrUnavailable, device, ds[device].Name, u)
	}
	return vk.Open(device)
}
