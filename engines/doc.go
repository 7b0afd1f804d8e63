// Package engines defines the inference engine interface shared by the pure-Go
// reference executor (engines/cpu) and the Vulkan compute engine
// (engines/vulkan), the pixel tile type that crosses it, device descriptions,
// and engine selection.
//
// It may import models; it must not import net/http, imaging, tiling or upscale.
package engines
