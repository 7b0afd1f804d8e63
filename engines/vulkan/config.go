package vulkan

import (
	"errors"
	"fmt"
)

// ErrConfig: a Config setting is out of range.
var ErrConfig = errors.New("invalid Vulkan engine configuration")

// MaxQueues is the default and largest Config.Queues (UPX_MAX_QUEUES).
const MaxQueues = 8

// Config is how an Engine uses its device. The engine reads no environment
// variable: cmd/upscaled fills it from the UPSCALED_VK_* variables and the
// --vk-* flags over DefaultConfig and hands it to New (through
// engines/sched.Open, as the backend's engines.BackendConfig).
type Config struct {
	// Queues is the most compute queues the engine creates and spreads
	// concurrent passes over, one per pass while there are enough
	// (1..MaxQueues; fewer where the device's compute family has fewer).
	Queues int
	// CoopMat runs 3×3 stride-1 convolutions on the cooperative-matrix
	// (tensor-core) kernel where the device has NV cooperative matrices
	// and the start-up self-check passes.
	CoopMat bool
	// CoopStrided also runs 2×2 stride-2 convolutions and deconvolutions
	// on that kernel (its modes 2 and 1).
	CoopStrided bool
	// CoopDeconv4 also runs 4×4 stride-2 deconvolutions to at most 4
	// channels on that kernel (its mode 3; Real-CUGAN's last layer).
	CoopDeconv4 bool
	// Fuse runs SE multiplies, and crops added to a convolution's output,
	// inside the convolution kernels, and a network's last Interp and
	// input-residual add inside the output quantization, instead of as
	// dispatches of their own (fuse.go).
	Fuse bool
	// CoopRPS is the tile rows each subgroup of the kernel computes: 2, or
	// 4 (half the subgroups, twice the reuse of each weight fragment,
	// twice the accumulators). For measurements.
	CoopRPS int
	// CoopKHR runs the kernel through VK_KHR_cooperative_matrix instead of
	// the NV extension, for measurements on devices that have both (the
	// device still qualifies by its NV 16×16×16 fp16 shape).
	CoopKHR bool
	// Profile records a GPU timestamp after every dispatch and adds the
	// dispatch times up per kernel and per layer, process-wide
	// (WriteProfile), on one compute queue (passes on several queues
	// overlap and each other's dispatches would count as theirs).
	// Concurrent passes still inflate each other's times: profile one
	// pass at a time.
	Profile bool
	// PipeStats prints every pipeline created, with the driver's
	// statistics (registers, spills, shared memory) where it has them, to
	// stderr.
	PipeStats bool
}

// DefaultConfig is every compute queue up to MaxQueues and the tensor-core
// kernel in all its modes (conformance passed on the H200 for every carried
// model), fused layers, 2 rows per subgroup, through the NV extension; no profiling.
func DefaultConfig() Config {
	return Config{Queues: MaxQueues, CoopMat: true, CoopStrided: true, CoopDeconv4: true, Fuse: true, CoopRPS: 2}
}

// Backend names the engines backend c configures (engines.BackendConfig).
func (Config) Backend() string { return "vulkan" }

// Validate reports every setting out of range.
func (c Config) Validate() error {
	var errs []error
	if c.Queues < 1 || c.Queues > MaxQueues {
		errs = append(errs, fmt.Errorf("%w: %d compute queues (want 1 to %d)", ErrConfig, c.Queues, MaxQueues))
	}
	if c.CoopRPS != 2 && c.CoopRPS != 4 {
		errs = append(errs, fmt.Errorf("%w: %d tile rows per subgroup (want 2 or 4)", ErrConfig, c.CoopRPS))
	}
	return errors.Join(errs...)
}
