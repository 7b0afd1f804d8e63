package engines

import (
	"context"
	"errors"
	"math"

	"github.com/upscaled/upscaled/models"
)

var (
	// ErrOutOfMemory: the device could not allocate what a pass needs; callers
	// retry with smaller tiles.
	ErrOutOfMemory = errors.New("out of device memory")
	// ErrDeviceLost: the device failed mid-work; the engine recovers for later work.
	ErrDeviceLost = errors.New("device lost")
	// ErrUnavailable: no usable device or engine.
	ErrUnavailable = errors.New("engine unavailable")
	// ErrClosed: the engine or program was closed.
	ErrClosed = errors.New("engine closed")
)

// TooLarge is the Footprint of a pass that no memory budget makes possible:
// one of its buffers exceeds a device limit (the largest allocation or
// storage-buffer binding). Tiling treats it as a planning fact and cuts
// smaller tiles.
const TooLarge int64 = math.MaxInt64

// Model is a catalog entry with its parsed network.
type Model struct {
	Info models.Info
	Net  *models.Net
}

// Tile is interleaved pixels (row-major, C channels per pixel): Pix8 when
// Depth is 8, Pix16 when Depth is 16. Engines take RGB (C = 3) tiles that
// already include their context margin.
type Tile struct {
	W, H, C int
	Depth   int
	Pix8    []uint8
	Pix16   []uint16
}

// Clone copies t's samples into memory of its own.
func (t Tile) Clone() Tile {
	t.Pix8 = append([]uint8(nil), t.Pix8...)
	t.Pix16 = append([]uint16(nil), t.Pix16...)
	return t
}

// Engine runs models on one kind of device. Safe for concurrent use.
type Engine interface {
	// Name identifies the engine and device, e.g. "cpu" or "vulkan:0 (NVIDIA H200)".
	Name() string
	// Load prepares m (weights uploaded once). The caller must Close the Program.
	Load(ctx context.Context, m Model) (Program, error)
	// MemoryBudget is the device bytes available for workspaces (0 = unbounded).
	MemoryBudget() int64
	Close() error
}

// Program is one model loaded on one engine. Safe for concurrent use.
type Program interface {
	// Footprint is the device bytes one pass over an h×w (padded) input needs
	// at peak, weights excluded; TooLarge when the device cannot run a pass
	// of that size at all.
	Footprint(h, w int) int64
	// Start begins a forward pass over in (values are /255 or /65535 inside).
	// The caller must Close the Pass.
	Start(ctx context.Context, in Tile, opt PassOptions) (Pass, error)
	Close() error
}

// Rect is a half-open pixel rectangle [X0,X1)×[Y0,Y1).
type Rect struct{ X0, Y0, X1, Y1 int }

// PassOptions control global average pooling (the SE blocks of Real-CUGAN),
// so that tiled passes can share whole-image channel means.
type PassOptions struct {
	// Means holds known channel means by pooling layer index; those layers
	// use them instead of pooling the tile.
	Means map[int][]float32
	// Region returns, for a pooling layer whose mean is not known, the
	// rectangle of its h×w input blob whose per-channel sums the pass reports
	// at that Stop. Nil means the whole blob.
	Region func(layer, h, w int) Rect
}

// Stop is where Pass.Next paused.
type Stop struct {
	// Layer is the global average pooling layer index, or -1 when the pass
	// has finished and Output is ready.
	Layer int
	// Sums are per-channel sums of the pooling input over Region; Count is the
	// number of pixels summed.
	Sums  []float64
	Count int
}

// Pass is one forward pass, paused at each global average pooling layer whose
// mean is not known in advance. Not safe for concurrent use.
type Pass interface {
	// Next runs to the next pause or to the end.
	Next(ctx context.Context) (Stop, error)
	// Supply gives the channel means for the layer Next stopped at.
	Supply(means []float32) error
	// Output is the result tile (same Depth as the input, C = 3) after Next
	// returned Layer -1: values ×255 (or ×65535), rounded, clamped. Its
	// samples may be the engine's own memory (a device's mapped readback
	// buffer), valid until Close: Clone what outlives the pass.
	Output() Tile
	// Close frees the pass's memory.
	Close()
}

// Run runs one untiled pass: every pooling layer uses the tile's own mean.
func Run(ctx context.Context, p Program, in Tile) (Tile, error) {
	pass, err := p.Start(ctx, in, PassOptions{})
	if err != nil {
		return Tile{}, err
	}
	defer pass.Close()
	for {
		st, err := pass.Next(ctx)
		if err != nil {
			return Tile{}, err
		}
		if st.Layer < 0 {
			return pass.Output().Clone(), nil
		}
		means := make([]float32, len(st.Sums))
		for i, s := range st.Sums {
			means[i] = float32(s / float64(max(st.Count, 1)))
		}
		if err := pass.Supply(means); err != nil {
			return Tile{}, err
		}
	}
}
