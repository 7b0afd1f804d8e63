// Package upscale runs one image through the pipeline: estimate host memory
// from the header → decode → plan tiles → engine passes (with whole-image SE
// statistics) → stitch → encode, with cancellation and progress per tile.
//
// It must not import net/http, api or server.
package upscale
