package sched

import (
	"context"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/upscaled/upscaled/engines"
	"github.com/upscaled/upscaled/engines/cpu"
	"github.com/upscaled/upscaled/engines/enginetest"
	"github.com/upscaled/upscaled/engines/vulkan"
	"github.com/upscaled/upscaled/models"
)

// convModel is a small real network (two 3×3 convolutions, no pauses).
func convModel(t testing.TB) engines.Model {
	net := enginetest.BuildNet(t, "sched-conv", 8, 8, []string{
		"Convolution c1 1 1 x0 c 0=8 1=3 4=1 5=1 6=576 9=1",
		"Convolution c2 1 1 c y 0=8 1=3 4=1 5=1 6=576 9=1",
	})
	return engines.Model{Info: models.Info{ID: "sched-conv", Scale: 1, InputBlob: "data", OutputBlob: "out"}, Net: net}
}

// noise is an 8-bit RGB tile of noise, seeded.
func noise(w, h int, seed uint64) engines.Tile {
	rng := rand.New(rand.NewPCG(seed, 5))
	px := make([]uint8, w*h*3)
	for i := range px {
		px[i] = uint8(rng.IntN(256))
	}
	return engines.Tile{W: w, H: h, C: 3, Depth: 8, Pix8: px}
}

// lavapipe opens the Vulkan CPU device (Mesa lavapipe).
func lavapipe(t testing.TB) engines.Engine {
	t.Helper()
	ds, err := vulkan.Devices()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if d.Type == vulkan.TypeCPU && d.Usable() == nil {
			e, err := vulkan.New(d.Index, vulkan.DefaultConfig())
			if err != nil {
				t.Fatal(err)
			}
			return e
		}
	}
	t.Fatal("no usable Vulkan CPU device: install mesa-vulkan-drivers (lavapipe)")
	return nil
}

// recorder collects hook events.
type recorder struct {
	mu     sync.Mutex
	starts []start
	ends   []start
	queued chan any
	gate   chan struct{} // running items wait until it is closed (nil: no wait)
}

type start struct {
	dev int
	key any
}

func newRecorder(gated bool) *recorder {
	r := &recorder{queued: make(chan any, 1024)}
	if gated {
		r.gate = make(chan struct{})
	}
	return r
}

func (r *recorder) hooks() hooks {
	return hooks{
		queued: func(_ int, key any) { r.queued <- key },
		started: func(dev int, key any) {
			r.mu.Lock()
			r.starts = append(r.starts, start{dev, key})
			r.mu.Unlock()
		},
		finished: func(dev int, key any) {
			r.mu.Lock()
			r.ends = append(r.ends, start{dev, key})
			r.mu.Unlock()
		},
		running: func(int, any) {
			if r.gate != nil {
				<-r.gate
			}
		},
	}
}

// gatedCPU is a shared engine over the Go executor with inFlight slots,
// observed by a gated recorder (passes run once rec.gate is closed), with
// the test convolution loaded; both are closed when the test ends.
func gatedCPU(t *testing.T, inFlight int) (*recorder, engines.Model, engines.Program) {
	t.Helper()
	rec := newRecorder(true)
	e, err := newEngine(Config{InFlight: inFlight}, []engines.Engine{cpu.New()}, rec.hooks())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	m := convModel(t)
	prog, err := e.Load(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { prog.Close() })
	return rec, m, prog
}

// waitQueued waits until n items of key were queued (others are counted
// for later calls).
func (r *recorder) waitQueued(t *testing.T, key any, n int, pending map[any]int) {
	t.Helper()
	for pending[key] < n {
		pending[<-r.queued]++
	}
	pending[key] -= n
}

func (r *recorder) started() []start {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]start(nil), r.starts...)
}

// finished are the items in the order they finished running.
func (r *recorder) finished() []start {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]start(nil), r.ends...)
}

// runPass runs a whole pass on prog (each pause answered with the tile's
// own mean) and returns its output.
func runPass(ctx context.Context, prog engines.Program, in engines.Tile) (engines.Tile, error) {
	return engines.Run(ctx, prog, in)
}

// directOutput is the CPU executor's output for in, without the scheduler.
func directOutput(t *testing.T, m engines.Model, in engines.Tile) engines.Tile {
	t.Helper()
	e := cpu.New()
	defer e.Close()
	prog, err := e.Load(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	defer prog.Close()
	out, err := runPass(context.Background(), prog, in)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
