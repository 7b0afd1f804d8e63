// Package tiling owns tile geometry: planning tiles from a memory budget and a
// model's per-pixel footprint, context margins and alignment, reflect-101
// padding at image borders, the mapping of blob pixels to image pixels used to
// compute whole-image SE statistics, and stitching/blending.
//
// It must not import net/http, imaging or upscale.
package tiling
