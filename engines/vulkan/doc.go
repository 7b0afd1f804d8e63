// Package vulkan is the Vulkan compute engine: a small C layer of our own
// over the Vulkan loader (vk.c, vk.h), GLSL compute shaders compiled to
// SPIR-V (shaders/, embedded), and the Go planner and executor that run NCNN
// networks with them. It is the only cgo package of the module.
//
// Data layout: every C×H×W blob is stored pack4, channel groups of four
// interleaved per pixel ([ceil(C/4)][H][W][4]), as fp16 where the device has
// 16-bit storage and fp32 otherwise; arithmetic and accumulation are fp32.
// 1-D blobs (pooled means, InnerProduct outputs) are always fp32.
//
// It implements engines.Engine and may import engines and models; it must
// not import engines/cpu (tests do), imaging, tiling, upscale or net/http.
package vulkan
