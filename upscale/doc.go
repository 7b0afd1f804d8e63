// Package upscale runs one image through the pipeline: estimate host memory
// from the header → decode → plan tiles → engine passes (with whole-image SE
// statistics) → stitch → encode, with cancellation and progress per tile.
//
// Every caller (the API, job workers, the CLI, the self-test) takes the same
// two steps: Pipeline.Plan admits an image from its header alone (read
// once: model, limits, options, host memory), and Pipeline.Run reserves
// that memory through the caller's Reserver (the server's budget, the job
// gate, the CLI's heap limit) and runs it.
//
// Exact tiling. Real-CUGAN's convolutions are unpadded, so a tile whose
// margin covers the network's trim computes exactly the untiled values,
// except in the squeeze-excitation blocks, whose global average pooling
// must see the whole image. Shape inference at two sizes maps every blob to
// the padded input (tiling.AxisMap); tiles start on multiples of the
// coarsest blob stride so each tile's blobs lie on the untiled grid, and the
// untiled grid of each pooling input is partitioned among the tiles. Every
// tile's pass pauses at each pooling point reporting the sums over its
// share; the sums over all tiles divided by the untiled pixel count are the
// true whole-image means, supplied to every pass before it continues. When
// all paused passes fit the memory budget they are kept (no recompute),
// otherwise each tile's prefix is recomputed with the means known so far.
// Real-ESRGAN (same-padded convolutions) needs no statistics: its catalog
// TileMargin covers the receptive field, and tiled output equals untiled.
//
// Output streams by bands (run.go, stream.go): when the plan's tiles are
// full-width bands, each band is encoded straight from its pass's output
// (the engine's memory, read in place), 64 rows at a time, while the next
// band's pass runs on the device; other plans crop tiles into two band
// buffers that alternate between the engine and the encoder. Either way no
// whole output image is held, except libwebp's picture for WebP (lossy:
// YUV 4:2:0, 1.5 bytes per pixel, converted as the bands arrive).
//
// Gray input runs as RGB with the value replicated and comes back as the
// luma of the result (gray.go). 16-bit input runs at 16 bits through the
// engine and is written as 16-bit PNG.
//
// Alpha is upscaled by bicubic interpolation (Keys, A = −0.75), not by the
// network. Measured on testdata/testimages/small-rgba-40x56.png at 2× with
// realcugan-up2x-conservative (TestAlphaChoice writes both planes with
// UPSCALED_ALPHA_DIR set): the network sharpens the anti-aliased edge but
// also disturbs flat areas — 2893 of 8592 output pixels whose input alpha
// is fully 0 or 255 changed (up to 121 levels, faint streaks inside the
// opaque disc), against 368 edge-adjacent pixels for bicubic, which keeps
// every uniform area exact and the edge's anti-aliasing as drawn. Bicubic
// also costs no second network pass.
//
// It must not import net/http, api or server.
package upscale
