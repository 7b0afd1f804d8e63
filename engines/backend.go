package engines

import (
	"errors"
	"fmt"
	"sort"
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

// BackendConfig is one backend's settings (vulkan.Config), handed to the
// backend's Open by the opener (engines/sched.Open), which knows no
// backend: cmd fills it and the backend checks its type.
type BackendConfig interface {
	// Backend is the name of the backend it configures ("vulkan").
	Backend() string
	// Validate reports every setting out of range.
	Validate() error
}

// Backend is a kind of engine that registers itself (from its package's
// init) so that opening needs no import of it here or in engines/sched.
type Backend struct {
	Name string
	// Devices lists the backend's devices (the Go executor: one).
	Devices func() ([]DeviceInfo, error)
	// Open opens device index with cfg, the backend's own BackendConfig;
	// nil: its defaults. The caller must Close the engine.
	Open func(index int, cfg BackendConfig) (Engine, error)
}

var (
	backendsMu sync.Mutex
	backends   = map[string]Backend{}
)

// RegisterBackend makes a backend available to LookupBackend and
// ListDevices; registering a name again replaces the backend (test hooks).
func RegisterBackend(b Backend) {
	backendsMu.Lock()
	defer backendsMu.Unlock()
	backends[b.Name] = b
}

// LookupBackend returns the backend registered under name.
func LookupBackend(name string) (Backend, bool) {
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
		b, _ := LookupBackend(n)
		ds, err := b.Devices()
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", n, err))
		}
		out = append(out, ds...)
	}
	return out, errors.Join(errs...)
}
