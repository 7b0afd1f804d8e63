package upscale

import (
	"time"

	"github.com/upscaled/upscaled/imaging"
	"github.com/upscaled/upscaled/models"
)

// Options are what a caller chooses for one image.
type Options struct {
	// Model is a catalog id (models.DefaultModel when empty).
	Model string
	// Format of the output: "webp" (when empty), "png", "jpeg" (or any
	// name imaging.ParseFormat reads) or "same" (as the input; GIF and BMP
	// inputs give PNG).
	Format string
	// Quality 1..100 for lossy output (JPEG, lossy WebP); 0 means
	// imaging.DefaultQuality.
	Quality int
	// Lossless WebP.
	Lossless bool
	// Effort 0..6 (imaging.MaxEffort) trades PNG and WebP encoding speed
	// for size; nil means the format's default (imaging.DefaultPNGEffort,
	// imaging.DefaultWebPEffort).
	Effort *int `json:",omitempty"`
	// Subsampling of JPEG chroma: "420" (default when empty), "422" or "444".
	Subsampling string `json:",omitempty"`
	// Tile is the tile side in input pixels; 0 chooses from the memory budget.
	Tile int
	// TTA averages the 8 flips/transposes (8× compute).
	TTA bool
}

// Plan is an accepted request, computed from the header alone.
type Plan struct {
	Options Options
	Model   models.Info
	Input   imaging.Header
	// OutWidth and OutHeight are the output size (after EXIF orientation).
	OutWidth, OutHeight int
	// Format is the output format chosen (may later fall back, see Result).
	Format imaging.Format
	// HostBytes is the peak host memory the run needs (Estimate).
	HostBytes int64
	// ModelFLOPs is the model's convolution arithmetic over the whole image
	// (one untiled pass, every TTA transform); TileFLOPs that of the tile
	// plan, each tile once (see Pipeline.flops).
	ModelFLOPs, TileFLOPs float64
}

// Progress is reported after each tile pass: a tile (under each TTA
// transform) runs once to its end, and, when the model has SE blocks and the
// image is tiled, once more to each SE pooling point first (kept paused or
// recomputed), so TilesTotal is tiles × transforms × (SE points + 1).
type Progress struct {
	TilesDone, TilesTotal int
}

// Result describes a finished run.
type Result struct {
	Model               string
	Format              imaging.Format
	ContentType         string
	InWidth, InHeight   int
	OutWidth, OutHeight int
	Tiles               int
	// Notes are user-facing remarks, e.g. "WebP cannot exceed 16383 px: PNG written".
	Notes   []string
	Elapsed time.Duration
	// Stages splits Elapsed.
	Stages Stages
	// Cache is "hit" when the result came from the result cache (no
	// engine work), "miss" when it was computed and stored there, "" when
	// no cache was asked.
	Cache string `json:",omitempty"`
}

// Stages is the time a request spent in each stage (the engine's and the
// encoder's overlap when the image has several bands of tiles).
type Stages struct {
	// Queue is the wait for memory before the run (Run's Reserver).
	Queue time.Duration
	// Decode is reading and decoding the input.
	Decode time.Duration
	// Engine is running the tiles (device work and waiting for it).
	Engine time.Duration
	// Encode is shaping and encoding the output bands.
	Encode time.Duration
}
