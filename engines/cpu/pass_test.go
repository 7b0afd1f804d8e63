package cpu

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/upscaled/upscaled/engines"
	"github.com/upscaled/upscaled/models"
)

// randomTile is a w×h RGB tile of random 8-bit samples.
func randomTile(w, h int, seed uint64) engines.Tile {
	r := rand.New(rand.NewPCG(seed, 7))
	t := engines.Tile{W: w, H: h, C: 3, Depth: 8, Pix8: make([]uint8, w*h*3)}
	for i := range t.Pix8 {
		t.Pix8[i] = uint8(r.IntN(256))
	}
	return t
}

func TestPassPausesAtSEPooling(t *testing.T) {
	l := loadModel(t, "realcugan-up2x-conservative")
	tile := randomTile(44, 44, 1)
	ctx := context.Background()
	want, err := engines.Run(ctx, l.prog, tile)
	if err != nil {
		t.Fatal(err)
	}
	ps0, err := l.prog.Start(ctx, tile, engines.PassOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer ps0.Close()
	means := map[int][]float32{}
	var stops []int
	for {
		st, err := ps0.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st.Layer < 0 {
			break
		}
		stops = append(stops, st.Layer)
		pl := l.net.Layers[st.Layer]
		if pl.Type != "Pooling" {
			t.Fatalf("paused at layer %d (%s), not a pooling layer", st.Layer, pl.Type)
		}
		ps := ps0.(*pass)
		for b, x := range ps.blobs {
			if x != nil && ps.p.lastUse[b] < st.Layer {
				t.Errorf("blob %q still held at layer %d after its last reader %d", l.net.Blobs[b], st.Layer, ps.p.lastUse[b])
			}
		}
		x := ps.blobs[pl.Inputs[0]]
		if st.Count != x.H*x.W || len(st.Sums) != x.C {
			t.Fatalf("stop at %d: count %d, %d sums; pooling input %s", st.Layer, st.Count, len(st.Sums), x)
		}
		m := make([]float32, len(st.Sums))
		for i, s := range st.Sums {
			m[i] = float32(s / float64(st.Count))
		}
		means[st.Layer] = m
		if err := ps0.Supply(m); err != nil {
			t.Fatal(err)
		}
	}
	if len(stops) != 4 {
		t.Fatalf("stops %v, want the 4 SE pooling layers", stops)
	}
	got := ps0.Output()
	assertSameTile(t, got, want)

	t.Run("means-given", func(t *testing.T) {
		p2, err := l.prog.Start(ctx, tile, engines.PassOptions{Means: means})
		if err != nil {
			t.Fatal(err)
		}
		defer p2.Close()
		st, err := p2.Next(ctx)
		if err != nil || st.Layer != -1 {
			t.Fatalf("stop %+v, %v: want no pause when every mean is given", st, err)
		}
		assertSameTile(t, p2.Output(), want)
	})
	t.Run("region", func(t *testing.T) {
		var halves [2][]float64
		var counts [2]int
		for k := range 2 {
			p, err := l.prog.Start(ctx, tile, engines.PassOptions{Region: func(layer, h, w int) engines.Rect {
				return engines.Rect{X0: k * w / 2, Y0: 0, X1: (k + 1) * w / 2, Y1: h}
			}})
			if err != nil {
				t.Fatal(err)
			}
			st, err := p.Next(ctx)
			if err != nil {
				t.Fatal(err)
			}
			halves[k], counts[k] = st.Sums, st.Count
			p.Close()
		}
		whole := means[stops[0]]
		for c := range whole {
			m := (halves[0][c] + halves[1][c]) / float64(counts[0]+counts[1])
			if math.Abs(m-float64(whole[c])) > 1e-5 {
				t.Fatalf("channel %d: halves give mean %v, whole %v", c, m, whole[c])
			}
		}
	})
}

// assertSameTile fails unless a and b are identical 8-bit tiles.
func assertSameTile(t *testing.T, a, b engines.Tile) {
	t.Helper()
	if a.W != b.W || a.H != b.H || a.C != b.C || len(a.Pix8) != len(b.Pix8) {
		t.Fatalf("tile %d×%d×%d vs %d×%d×%d", a.W, a.H, a.C, b.W, b.H, b.C)
	}
	for i := range a.Pix8 {
		if a.Pix8[i] != b.Pix8[i] {
			t.Fatalf("sample %d: %d vs %d", i, a.Pix8[i], b.Pix8[i])
		}
	}
}

func TestPass16Bit(t *testing.T) {
	l := loadModel(t, "realesrgan-animevideov3-x2")
	t8 := randomTile(12, 10, 2)
	t16 := engines.Tile{W: 12, H: 10, C: 3, Depth: 16, Pix16: make([]uint16, len(t8.Pix8))}
	for i, v := range t8.Pix8 {
		t16.Pix16[i] = uint16(v) * 257
	}
	o8, err := engines.Run(context.Background(), l.prog, t8)
	if err != nil {
		t.Fatal(err)
	}
	o16, err := engines.Run(context.Background(), l.prog, t16)
	if err != nil {
		t.Fatal(err)
	}
	if o16.Depth != 16 || len(o16.Pix16) != 24*20*3 || o8.W != 24 || o8.H != 20 {
		t.Fatalf("16-bit output %d×%d depth %d (%d samples)", o16.W, o16.H, o16.Depth, len(o16.Pix16))
	}
	for i := range o8.Pix8 {
		if d := math.Abs(float64(o16.Pix16[i])/257 - float64(o8.Pix8[i])); d > 0.51 {
			t.Fatalf("sample %d: 16-bit %d (/257 = %.2f) vs 8-bit %d", i, o16.Pix16[i], float64(o16.Pix16[i])/257, o8.Pix8[i])
		}
	}
}

func TestPassErrors(t *testing.T) {
	l := loadModel(t, "realcugan-up2x-conservative")
	ctx := context.Background()
	good := randomTile(44, 44, 3)
	badTiles := map[string]engines.Tile{
		"rgba":        {W: 2, H: 2, C: 4, Depth: 8, Pix8: make([]uint8, 16)},
		"short":       {W: 44, H: 44, C: 3, Depth: 8, Pix8: make([]uint8, 10)},
		"depth-12":    {W: 2, H: 2, C: 3, Depth: 12, Pix8: make([]uint8, 12)},
		"empty":       {W: 0, H: 2, C: 3, Depth: 8},
		"16-bit-none": {W: 2, H: 2, C: 3, Depth: 16},
	}
	for name, tile := range badTiles {
		t.Run("tile-"+name, func(t *testing.T) {
			_, err := l.prog.Start(ctx, tile, engines.PassOptions{})
			if !errors.Is(err, ErrTile) {
				t.Fatalf("got %v, want ErrTile", err)
			}
		})
	}
	t.Run("too-small-for-network", func(t *testing.T) {
		_, err := engines.Run(ctx, l.prog, randomTile(8, 8, 4))
		if !errors.Is(err, models.ErrShape) {
			t.Fatalf("got %v, want ErrShape", err)
		}
		t.Log(err)
	})
	t.Run("means-for-non-pooling-layer", func(t *testing.T) {
		_, err := l.prog.Start(ctx, good, engines.PassOptions{Means: map[int][]float32{1: {0}}})
		if !errors.Is(err, ErrPassState) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("wrong-means-count", func(t *testing.T) {
		p, _ := l.prog.Start(ctx, good, engines.PassOptions{})
		defer p.Close()
		if _, err := p.Next(ctx); err != nil {
			t.Fatal(err)
		}
		if err := p.Supply([]float32{1, 2}); !errors.Is(err, models.ErrShape) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("out-of-order", func(t *testing.T) {
		p, _ := l.prog.Start(ctx, good, engines.PassOptions{})
		defer p.Close()
		if err := p.Supply(nil); !errors.Is(err, ErrPassState) {
			t.Fatalf("Supply before a pause: %v", err)
		}
		if _, err := p.Next(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := p.Next(ctx); !errors.Is(err, ErrPassState) {
			t.Fatalf("Next while a mean is owed: %v", err)
		}
	})
	t.Run("region-outside", func(t *testing.T) {
		p, _ := l.prog.Start(ctx, good, engines.PassOptions{Region: func(_, h, w int) engines.Rect { return engines.Rect{X1: w + 1, Y1: h} }})
		defer p.Close()
		if _, err := p.Next(ctx); !errors.Is(err, models.ErrShape) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		p, _ := l.prog.Start(cctx, good, engines.PassOptions{})
		defer p.Close()
		cancel()
		if _, err := p.Next(cctx); !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("closed-pass", func(t *testing.T) {
		p, _ := l.prog.Start(ctx, good, engines.PassOptions{})
		p.Close()
		if _, err := p.Next(ctx); !errors.Is(err, engines.ErrClosed) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("missing-blob", func(t *testing.T) {
		info := l.info
		info.OutputBlob = "nope"
		_, err := New().Load(ctx, engines.Model{Info: info, Net: l.net})
		if !errors.Is(err, models.ErrFormat) {
			t.Fatalf("got %v", err)
		}
		info = l.info
		info.InputBlob = "data"
		if _, err := New().Load(ctx, engines.Model{Info: info, Net: l.net}); !errors.Is(err, models.ErrFormat) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("unknown-layer", func(t *testing.T) {
		net := &models.Net{Name: "x.param", Layers: []models.Layer{{Type: "Input", Outputs: []int{0}}, {Type: "Softmax", Name: "sm", Inputs: []int{0}, Outputs: []int{1}, Line: 4}}, Blobs: []string{"in0", "out0"}}
		_, err := New().Load(ctx, engines.Model{Info: l.info, Net: net})
		if !errors.Is(err, models.ErrUnsupported) {
			t.Fatalf("got %v", err)
		}
		t.Log(err)
	})
	t.Run("closed-engine-and-program", func(t *testing.T) {
		e := New()
		p, err := e.Load(ctx, engines.Model{Info: l.info, Net: l.net})
		if err != nil {
			t.Fatal(err)
		}
		p.Close()
		if _, err := p.Start(ctx, good, engines.PassOptions{}); !errors.Is(err, engines.ErrClosed) {
			t.Fatalf("start on closed program: %v", err)
		}
		e.Close()
		if _, err := e.Load(ctx, engines.Model{Info: l.info, Net: l.net}); !errors.Is(err, engines.ErrClosed) {
			t.Fatalf("load on closed engine: %v", err)
		}
	})
}

func TestFootprint(t *testing.T) {
	l := loadModel(t, "realcugan-up2x-conservative")
	small, big := l.prog.Footprint(44, 44), l.prog.Footprint(136, 136)
	if small <= 0 || big <= small {
		t.Fatalf("footprint 44² = %d, 136² = %d: want positive and growing", small, big)
	}
	shapes, err := l.net.InferShapes(models.Shape3(3, 136, 136))
	if err != nil {
		t.Fatal(err)
	}
	var all, largest int64
	for _, s := range shapes {
		all += int64(s.Size()) * 4
		largest = max(largest, int64(s.Size())*4)
	}
	// liveness keeps far less than every blob at once, but at least the
	// largest blob plus the blob feeding it
	if big >= all || big < largest*2 {
		t.Fatalf("footprint %d: every blob %d, largest %d", big, all, largest)
	}
	t.Logf("up2x footprint 136²: %.1f MiB (all blobs %.1f MiB); per input px %.0f B", float64(big)/(1<<20), float64(all)/(1<<20), float64(big)/(136*136))
	if fp := l.prog.Footprint(8, 8); fp != math.MaxInt64 {
		t.Fatalf("8×8 (too small for the network): %d, want MaxInt64", fp)
	}
}

// TestConcurrentPasses runs passes of one program at once: the program is
// shared and read-only, so each result equals the sequential one.
func TestConcurrentPasses(t *testing.T) {
	l := loadModel(t, "realcugan-up2x-conservative")
	ctx := context.Background()
	tiles := []engines.Tile{randomTile(40, 40, 11), randomTile(40, 42, 12), randomTile(44, 40, 13)}
	want := make([]engines.Tile, len(tiles))
	for i, tile := range tiles {
		var err error
		if want[i], err = engines.Run(ctx, l.prog, tile); err != nil {
			t.Fatal(err)
		}
	}
	got := make([]engines.Tile, len(tiles))
	errs := make([]error, len(tiles))
	var wg sync.WaitGroup
	for i, tile := range tiles {
		wg.Go(func() { got[i], errs[i] = engines.Run(ctx, l.prog, tile) })
	}
	wg.Wait()
	for i := range tiles {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		assertSameTile(t, got[i], want[i])
	}
}

// TestFootprintCoversLiveBlobs steps a pass and checks that the blob memory
// it actually holds after each layer (before that layer's inputs are
// dropped) never exceeds Footprint, and that Footprint is not padded far
// beyond it.
func TestFootprintCoversLiveBlobs(t *testing.T) {
	for _, id := range []string{"realcugan-up2x-conservative", "realcugan-up4x-no-denoise", "realesrgan-animevideov3-x2"} {
		t.Run(id, func(t *testing.T) {
			l := loadModel(t, id)
			side := 40 + 2*l.info.PrePadding
			tile := randomTile(side, side, 5)
			p, err := l.prog.Start(context.Background(), tile, engines.PassOptions{})
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			ps := p.(*pass)
			var peak int64
			ps.afterLayer = func(int) {
				seen := map[*Tensor]bool{}
				var live int64
				for _, x := range append(ps.blobs, ps.input) {
					if x != nil && !seen[x] {
						seen[x] = true
						live += x.Bytes()
					}
				}
				peak = max(peak, live)
			}
			for {
				st, err := p.Next(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				if st.Layer < 0 {
					break
				}
				m := make([]float32, len(st.Sums))
				if err := p.Supply(m); err != nil {
					t.Fatal(err)
				}
			}
			fp := l.prog.Footprint(side, side)
			t.Logf("%s %d²: measured live blobs %.2f MiB, footprint %.2f MiB", id, side, float64(peak)/(1<<20), float64(fp)/(1<<20))
			if peak > fp || fp > 2*peak {
				t.Fatalf("footprint %d bytes, measured peak %d", fp, peak)
			}
		})
	}
}
