// Package cpu is the pure-Go fp32 reference executor of NCNN networks: the
// engines.Engine every other engine is checked against, and the fallback
// when no GPU is usable. It registers itself as the "cpu" backend.
//
// It owns the blob type (Tensor, C×H×W planes), one file per NCNN layer
// (parameters decoded and weights arranged once at Load; the registry in
// layer.go maps a layer type to its constructor), the pass that runs layers
// in order, drops each blob after its last reader and pauses at global
// average pooling for tile-shared SE means, the pixel conversions (÷255 or
// ÷65535 in; ×, round, clamp out; the Real-CUGAN 4x nearest residual) and a
// liveness-based memory footprint.
//
// Layers split their work over channels or rows into chunks that run on the
// process-wide worker pool of internal/cpuwork (GOMAXPROCS workers shared by
// every request, so concurrent requests never oversubscribe the cores). Convolutions run as Winograd F(4×4, 3×3) where the geometry
// allows, else as a direct row kernel or im2col rows; the matrix products
// share one register-blocked kernel (gemm.go) computing four output channels
// by two pixels.
//
// It may import engines, models and internal/cpuwork; it must not import imaging, tiling,
// upscale, server packages or cgo.
package cpu
