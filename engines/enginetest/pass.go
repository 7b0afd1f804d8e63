package enginetest

import (
	"context"
	"errors"
	"math"
	"sync"
	"testing"

	"github.com/upscaled/upscaled/engines"
	"github.com/upscaled/upscaled/engines/cpu"
	"github.com/upscaled/upscaled/models"
)

// seBody is a network with two SE blocks (two global average pooling
// layers), like Real-CUGAN's.
var seBody = []string{
	"Split s 1 2 x0 a b", "Pooling gap0 1 1 a g 0=1 4=1",
	"InnerProduct fc1 1 1 g f1 0=3 1=1 2=18 9=1", "InnerProduct fc2 1 1 f1 f2 0=6 1=1 2=18 9=4",
	"BinaryOp mul 2 1 b f2 m 0=2",
	"Convolution c 1 1 m c1 0=7 1=3 4=1 5=1 6=378 9=2 -23310=1,1.000000e-01",
	"Split s2 1 2 c1 a2 b2", "Pooling gap1 1 1 a2 g2 0=1 4=1",
	"InnerProduct fc3 1 1 g2 f3 0=7 1=1 2=49 9=4",
	"BinaryOp mul2 2 1 b2 f3 y 0=2",
}

// runStops runs a pass to the end, answering each pause with supply(stop)
// (nil: the stop's own mean), and returns the stops and the output.
func runStops(t *testing.T, prog engines.Program, tile engines.Tile, opt engines.PassOptions, supply func(engines.Stop) []float32) ([]engines.Stop, engines.Tile) {
	t.Helper()
	ctx := context.Background()
	pass, err := prog.Start(ctx, tile, opt)
	if err != nil {
		t.Fatal(err)
	}
	defer pass.Close()
	var stops []engines.Stop
	for {
		st, err := pass.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st.Layer < 0 {
			return stops, pass.Output().Clone()
		}
		stops = append(stops, st)
		var means []float32
		if supply != nil {
			means = supply(st)
		}
		if means == nil {
			means = make([]float32, len(st.Sums))
			for i, s := range st.Sums {
				means[i] = float32(s / float64(max(st.Count, 1)))
			}
		}
		if err := pass.Supply(means); err != nil {
			t.Fatal(err)
		}
	}
}

// compareStops checks layer, count and sums (relative 1e-3 of the sum's
// scale: fp16 storage of the summed values).
func compareStops(t *testing.T, got, want []engines.Stop) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d pauses, cpu %d", len(got), len(want))
	}
	for k := range got {
		g, w := got[k], want[k]
		if g.Layer != w.Layer || g.Count != w.Count || len(g.Sums) != len(w.Sums) {
			t.Fatalf("pause %d: layer %d count %d (%d sums), cpu layer %d count %d (%d sums)", k, g.Layer, g.Count, len(g.Sums), w.Layer, w.Count, len(w.Sums))
		}
		for c := range g.Sums {
			tol := 1e-3*float64(w.Count) + 1e-3*math.Abs(w.Sums[c])
			if math.Abs(g.Sums[c]-w.Sums[c]) > tol {
				t.Errorf("pause %d channel %d: sum %.5f, cpu %.5f", k, c, g.Sums[c], w.Sums[c])
			}
		}
	}
}

func checkOutput(t *testing.T, got, want engines.Tile) {
	t.Helper()
	if got.W != want.W || got.H != want.H || len(got.Pix16) != len(want.Pix16) {
		t.Fatalf("output %d×%d, cpu %d×%d", got.W, got.H, want.W, want.H)
	}
	if maxAbs, mean := diff16(got.Pix16, want.Pix16); maxAbs > MaxAbsDiff || mean > MaxMeanDiff {
		t.Errorf("output: max |Δ| %.2e, mean %.2e", maxAbs, mean)
	}
}

// PassProtocol checks the pause/resume protocol against the CPU executor:
// pauses at every global average pooling layer with per-channel sums over
// the whole blob or a Region, means supplied at Start skip their pause,
// misuse is an error, and concurrent passes on one program stay apart.
func PassProtocol(t *testing.T, eng engines.Engine) {
	net := BuildNet(t, "pass-se", 6, 7, seBody)
	m := engines.Model{Info: models.Info{ID: "pass-se", Scale: 1, InputBlob: "data", OutputBlob: "out"}, Net: net}
	ctx := context.Background()
	prog, err := eng.Load(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	defer prog.Close()
	ref := cpu.New()
	defer ref.Close()
	refProg, err := ref.Load(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	defer refProg.Close()
	tile := randomTile(15, 11, 9)

	t.Run("whole", func(t *testing.T) {
		gs, gout := runStops(t, prog, tile, engines.PassOptions{}, nil)
		ws, wout := runStops(t, refProg, tile, engines.PassOptions{}, nil)
		if len(gs) != 2 {
			t.Fatalf("%d pauses, want 2", len(gs))
		}
		compareStops(t, gs, ws)
		checkOutput(t, gout, wout)
	})
	t.Run("region-and-foreign-means", func(t *testing.T) {
		opt := engines.PassOptions{Region: func(layer, h, w int) engines.Rect { return engines.Rect{X0: 2, Y0: 1, X1: w - 3, Y1: h - 1} }}
		// means unrelated to the tile (as from other tiles) must be used
		supply := func(st engines.Stop) []float32 {
			m := make([]float32, len(st.Sums))
			for i := range m {
				m[i] = 0.1 * float32(i%3)
			}
			return m
		}
		gs, gout := runStops(t, prog, tile, opt, supply)
		ws, wout := runStops(t, refProg, tile, opt, supply)
		compareStops(t, gs, ws)
		if gs[0].Count != (15-5)*(11-2) {
			t.Errorf("count %d, want the region's %d pixels", gs[0].Count, (15-5)*(11-2))
		}
		checkOutput(t, gout, wout)
	})
	t.Run("means-at-start", func(t *testing.T) {
		ws, _ := runStops(t, refProg, tile, engines.PassOptions{}, nil)
		first := ws[0].Layer
		means := make([]float32, len(ws[0].Sums))
		for i := range means {
			means[i] = 0.3
		}
		opt := engines.PassOptions{Means: map[int][]float32{first: means}}
		gs, gout := runStops(t, prog, tile, opt, nil)
		ws2, wout := runStops(t, refProg, tile, opt, nil)
		if len(gs) != 1 || gs[0].Layer == first {
			t.Fatalf("pauses %v: the layer with known means must not pause", gs)
		}
		compareStops(t, gs, ws2)
		checkOutput(t, gout, wout)
	})
	t.Run("misuse", func(t *testing.T) {
		pass, err := prog.Start(ctx, tile, engines.PassOptions{})
		if err != nil {
			t.Fatal(err)
		}
		defer pass.Close()
		if err := pass.Supply([]float32{1}); err == nil {
			t.Error("Supply before any pause accepted")
		}
		st, err := pass.Next(ctx)
		if err != nil || st.Layer < 0 {
			t.Fatalf("first Next: %+v, %v", st, err)
		}
		if _, err := pass.Next(ctx); err == nil {
			t.Error("Next before Supply accepted")
		}
		if err := pass.Supply(make([]float32, len(st.Sums)+1)); err == nil {
			t.Error("Supply with the wrong number of means accepted")
		}
		if _, err := prog.Start(ctx, tile, engines.PassOptions{Means: map[int][]float32{0: {1}}}); err == nil {
			t.Error("means for a non-pooling layer accepted")
		}
		bad := tile
		bad.Pix16 = bad.Pix16[:10]
		if _, err := prog.Start(ctx, bad, engines.PassOptions{}); err == nil {
			t.Error("tile with too few samples accepted")
		}
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := prog.Start(cctx, tile, engines.PassOptions{}); !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled context: %v", err)
		}
	})
	t.Run("concurrent", func(t *testing.T) {
		const n = 3
		var wg sync.WaitGroup
		outs := make([]engines.Tile, n)
		errs := make([]error, n)
		for k := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				outs[k], errs[k] = engines.Run(ctx, prog, randomTile(15, 11, uint64(100+k)))
			}()
		}
		wg.Wait()
		for k := range n {
			if errs[k] != nil {
				t.Fatal(errs[k])
			}
			want, err := engines.Run(ctx, refProg, randomTile(15, 11, uint64(100+k)))
			if err != nil {
				t.Fatal(err)
			}
			checkOutput(t, outs[k], want)
		}
	})
}
