// Package vulkan is the Vulkan compute engine: a small C layer of our own
// over the Vulkan loader (vk.c, vk.h: devices, contexts, buffers, pipelines,
// command buffers, timeline semaphores, debug messages routed to slog, fault
// injection for tests), GLSL compute shaders compiled to SPIR-V by `make
// shaders` (shaders/*.comp → shaders/spv, embedded), and the Go planner and
// executor that run NCNN networks with them. It is the only cgo package of
// the module; C keeps no Go pointer beyond a call.
//
// Data layout: every C×H×W blob is stored pack4, channel groups of four
// interleaved per pixel ([ceil(C/4)][H][W][4]), as fp16 where the device has
// 16-bit storage and fp32 otherwise, with lanes beyond C always 0;
// arithmetic and accumulation are fp32. 1-D blobs (pooled means,
// InnerProduct outputs) and all reductions are fp32. Weights are arranged at
// Load ([oc4][ic4][kh][kw][4][4] for convolutions) and uploaded once per
// device context.
//
// Plan once, replay: for each (model, input h×w, pixel depth) a layout lists
// the dispatches (pipeline, specialization and push constants, bindings) and
// places every intermediate in an arena by liveness (blobs whose lifetimes
// do not overlap share bytes; blocks of at most one device allocation). The
// dispatch list is cut into segments after each global average pooling
// layer; an instance (arena, io, pixel buffers) records one command buffer
// per segment once, with barriers only where a dispatch touches bytes an
// earlier one wrote (or writes bytes it read), and is reused by later passes.
// A pass submits segments up to the next pooling layer whose means it does
// not know, reads back only the per-channel sums, and resumes after Supply
// in the same arena. Each pass submits to a compute queue of its own (the
// least used of up to Config.Queues, default 8, each with its own
// timeline semaphore), so concurrent passes do not wait behind each other's
// submitted segments. Only 8- or 16-bit pixels cross the bus: pre- and
// post-processing (÷255, ×255, round, clamp, nearest residual) are shaders.
//
// Fusions (fuse.go, shaders/fuse.glsl): an SE multiply whose readers are
// convolutions, deconvolutions or fused crops runs as no dispatch, the
// readers scale the channels as they load them; a Crop read only by an add
// with a convolution's or deconvolution's output is added in that kernel's
// epilogue (Real-CUGAN's skip connections), so the copy and the add are no
// dispatches either; the network's last Interp and an add of the
// nearest-upsampled input before it (Real-ESRGAN's residual) run in the
// output quantization, in fp32 from the input pixels themselves.
//
// Kernels: 3×3 stride-1 convolutions use a shared-memory tiled implicit GEMM
// (conv3x3), or on devices with NV cooperative matrices (16×16×16 fp16) a
// tensor-core kernel (conv3x3_coopmat) after a self-check against the tiled
// one at engine start (Config.CoopMat off disables it); other
// convolutions use the direct kernel. The tensor-core kernel (coop.go,
// shaders/conv3x3_coopmat.glsl) also runs 2×2 stride-2 convolutions and
// deconvolutions (modes 2, 1; Config.CoopStrided) and 4×4 stride-2
// deconvolutions to ≤ 4 channels (mode 3; Config.CoopDeconv4), all covered
// by the start-up self-check; Config.CoopRPS sets its rows per subgroup,
// Config.CoopKHR runs it through VK_KHR_cooperative_matrix, Config.PipeStats
// prints the driver's per-pipeline statistics.
//
// Configuration: New takes a Config (config.go; DefaultConfig, Validate).
// The engine reads no environment variable: cmd/upscaled fills the Config
// from the UPSCALED_VK_* variables and --vk-* flags, and engines/sched.Open
// hands it to the registered backend as an engines.BackendConfig. The
// package's test binary reads the same variables itself (testConfig) for
// scripts/gpu-kernel.sh.
//
// Profiling: with Config.Profile command buffers carry a timestamp
// after each dispatch and finished segments add their dispatch times up per
// kernel and per layer (WriteProfile, printed by `upscaled bench`).
//
// Errors: VK_ERROR_OUT_OF_DEVICE_MEMORY (and plans over the device's limits)
// wrap engines.ErrOutOfMemory; VK_ERROR_DEVICE_LOST wraps
// engines.ErrDeviceLost, fails the pass and retires the device context; the
// next use creates a new one and programs re-upload their weights.
//
// It implements engines.Engine and may import engines and models; it must
// not import engines/cpu (tests do), imaging, tiling, upscale or net/http.
package vulkan
