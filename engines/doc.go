// Package engines defines the inference engine interface shared by the pure-Go
// reference executor (engines/cpu) and the Vulkan compute engine
// (engines/vulkan), the pixel tile type that crosses it, device descriptions,
// and the backend registry (backend.go): each backend registers itself from
// its package's init with its devices, an Open, and the type of its own
// settings (BackendConfig, e.g. vulkan.Config). Opening an engine — which
// devices, in what order, scheduled how — is engines/sched.Open, the one
// opener of the CLI, bench and the server: it needs sched's scheduler,
// which imports this package, so it cannot live here; through the registry
// it still imports no backend.
//
// It may import models; it must not import net/http, imaging, tiling or upscale.
package engines
