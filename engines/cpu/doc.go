// Package cpu is the pure-Go fp32 reference executor of NCNN networks: the
// engines.Engine every other engine is checked against, and the fallback
// when no GPU is usable.
//
// It owns the blob type (Tensor, C×H×W planes), one file per NCNN layer
// (parameters decoded and weights arranged once at Load; registry in
// layer.go maps a layer type to its constructor), the pass that runs layers
// in order, drops each blob after its last reader and pauses at global
// average pooling for tile-shared SE means, the pixel conversions (÷255 or
// ÷65535 in; ×, round, clamp out; the Real-CUGAN 4x nearest residual) and a
// liveness-based memory footprint. Layers parallelise over channels or rows
// on up to GOMAXPROCS goroutines; the convolution is direct (no im2col),
// four output channels per pass over each input row.
//
// It may import engines and models; it must not import imaging, tiling,
// upscale, server packages or cgo.
package cpu
