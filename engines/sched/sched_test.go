package sched

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/upscaled/upscaled/engines"
	"github.com/upscaled/upscaled/engines/cpu"
	"github.com/upscaled/upscaled/engines/enginetest"
	"github.com/upscaled/upscaled/imaging"
)

// TestPassProtocol runs the engines' pass-protocol conformance suite (SE
// pauses, regions, supplied means, misuse, concurrent passes) through the
// scheduler over two devices.
func TestPassProtocol(t *testing.T) {
	tests := []struct {
		name string
		devs func(t *testing.T) []engines.Engine
	}{
		{"cpu+cpu", func(*testing.T) []engines.Engine { return []engines.Engine{cpu.New(), cpu.New()} }},
		{"cpu+lavapipe", func(t *testing.T) []engines.Engine { return []engines.Engine{cpu.New(), lavapipe(t)} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := New(DefaultConfig(), tt.devs(t)...)
			if err != nil {
				t.Fatal(err)
			}
			defer e.Close()
			enginetest.PassProtocol(t, e)
		})
	}
}

// waitAll fails the test instead of hanging when results do not come.
func waitAll(t *testing.T, wg *sync.WaitGroup, what string) {
	t.Helper()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(2 * time.Minute):
		t.Fatalf("%s: still waiting after 2 minutes", what)
	}
}

// TestFairness queues a big request's passes first and a small request's
// one pass after them: the small pass starts after at most InFlight+1 of
// the big ones (those holding the device, and one turn), not after all of
// them. Finishing order is checked where it is deterministic (one pass in
// flight): with two, a descheduled goroutine may let any number of big
// passes through the other slot.
func TestFairness(t *testing.T) {
	const bigTiles = 8
	for _, inFlight := range []int{1, 2} {
		t.Run(fmt.Sprintf("in-flight-%d", inFlight), func(t *testing.T) {
			rec, m, prog := gatedCPU(t, inFlight)
			ctx := context.Background()

			var wg sync.WaitGroup
			errs := make(chan error, bigTiles+1)
			run := func(req string, seed uint64, w, h int) {
				defer wg.Done()
				rctx := engines.WithRequest(ctx, req)
				in := noise(w, h, seed)
				out, err := runPass(rctx, prog, in)
				if err == nil && imaging.SamplesPSNR(directOutput(t, m, in).Pix8, out.Pix8, 255) < 60 {
					err = fmt.Errorf("%s tile %d: output differs from the direct pass", req, seed)
				}
				if err != nil {
					errs <- err
				}
			}
			pending := map[any]int{}
			for i := range bigTiles {
				wg.Add(1)
				go run("big", uint64(i), 24, 20)
			}
			rec.waitQueued(t, "big", bigTiles, pending)
			wg.Add(1)
			go run("small", 99, 8, 6)
			rec.waitQueued(t, "small", 1, pending)
			close(rec.gate)
			waitAll(t, &wg, "passes")
			close(errs)
			for err := range errs {
				t.Error(err)
			}

			bigFirst := 0
			for _, s := range rec.started() {
				if s.key == "small" {
					break
				}
				bigFirst++
			}
			if bigFirst > inFlight+1 {
				t.Errorf("the small pass started after %d big passes, want at most %d (in flight %d + one turn): %v", bigFirst, inFlight+1, inFlight, rec.started())
			}
			// With one pass in flight the device finishes in start order:
			// the small request is done after the gated big pass and at
			// most one more.
			if inFlight == 1 {
				bigDone := 0
				for _, f := range rec.finished() {
					if f.key == "small" {
						break
					}
					bigDone++
				}
				if bigDone > 2 {
					t.Errorf("the small request finished after %d of %d big passes, want at most 2", bigDone, bigTiles)
				}
			}
		})
	}
}

// TestTwoDevices: passes spread over both devices (the Go executor and
// lavapipe), and each device's output matches the direct pass.
func TestTwoDevices(t *testing.T) {
	rec := newRecorder(false)
	e, err := newEngine(Config{InFlight: 1}, []engines.Engine{cpu.New(), lavapipe(t)}, rec.hooks())
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	ctx := context.Background()
	m := convModel(t)
	prog, err := e.Load(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	defer prog.Close()
	const n = 4
	ins := make([]engines.Tile, n)
	passes := make([]engines.Pass, n)
	for i := range n {
		ins[i] = noise(20, 16, uint64(i))
		if passes[i], err = prog.Start(engines.WithRequest(ctx, fmt.Sprint("r", i)), ins[i], engines.PassOptions{}); err != nil {
			t.Fatal(err)
		}
		defer passes[i].Close()
	}
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			st, err := passes[i].Next(ctx)
			if err == nil && st.Layer >= 0 {
				err = fmt.Errorf("paused at layer %d in a network without pooling", st.Layer)
			}
			errs[i] = err
		})
	}
	waitAll(t, &wg, "passes")
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("pass %d: %v", i, errs[i])
		}
		if p := imaging.SamplesPSNR(directOutput(t, m, ins[i]).Pix8, passes[i].Output().Pix8, 255); p < 40 {
			t.Errorf("pass %d: PSNR %.1f dB against the direct pass, want ≥ 40", i, p)
		}
	}
	per := map[int]int{}
	for _, s := range rec.started() {
		per[s.dev]++
	}
	if per[0] == 0 || per[1] == 0 {
		t.Errorf("passes per device %v: both devices must receive work", per)
	}
}

// TestCancelOneRequest: canceling a request drops its queued passes (they
// never start) and leaves another request's passes to finish correctly.
func TestCancelOneRequest(t *testing.T) {
	rec, m, prog := gatedCPU(t, 1)
	actx, cancelA := context.WithCancel(engines.WithRequest(context.Background(), "a"))
	defer cancelA()
	bctx := engines.WithRequest(context.Background(), "b")
	const na, nb = 5, 2
	aErrs := make(chan error, na)
	var bwg, awg sync.WaitGroup
	bErrs := make([]error, nb)
	pending := map[any]int{}
	for i := range na {
		awg.Go(func() {
			_, err := runPass(actx, prog, noise(16, 16, uint64(i)))
			aErrs <- err
		})
	}
	rec.waitQueued(t, "a", na, pending)
	for i := range nb {
		bwg.Go(func() {
			in := noise(16, 16, uint64(100+i))
			out, err := runPass(bctx, prog, in)
			if err == nil && imaging.SamplesPSNR(directOutput(t, m, in).Pix8, out.Pix8, 255) < 60 {
				err = errors.New("output differs from the direct pass")
			}
			bErrs[i] = err
		})
	}
	rec.waitQueued(t, "b", nb, pending)
	cancelA()
	// The queued passes of a return while the first one still holds the
	// device.
	for range na - 1 {
		select {
		case err := <-aErrs:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("queued pass of the canceled request: %v, want context.Canceled", err)
			}
		case <-time.After(2 * time.Minute):
			t.Fatal("queued passes of the canceled request did not return while the device was busy")
		}
	}
	close(rec.gate)
	waitAll(t, &awg, "canceled request")
	waitAll(t, &bwg, "other request")
	for i, err := range bErrs {
		if err != nil {
			t.Errorf("pass %d of the other request: %v", i, err)
		}
	}
	started := map[any]int{}
	for _, s := range rec.started() {
		started[s.key]++
	}
	if started["a"] != 1 || started["b"] != nb {
		t.Errorf("started %v: want the one running pass of a and all %d of b", started, nb)
	}
}

// TestCloseDrains: Close returns after every queued pass has run, and
// refuses work afterwards.
func TestCloseDrains(t *testing.T) {
	rec := newRecorder(true)
	e, err := newEngine(Config{InFlight: 1}, []engines.Engine{cpu.New()}, rec.hooks())
	if err != nil {
		t.Fatal(err)
	}
	m := convModel(t)
	ctx := context.Background()
	prog, err := e.Load(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	const n = 4
	ins := make([]engines.Tile, n)
	passes := make([]engines.Pass, n)
	for i := range n {
		ins[i] = noise(16, 12, uint64(i))
		if passes[i], err = prog.Start(engines.WithRequest(ctx, fmt.Sprint(i)), ins[i], engines.PassOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	late, err := prog.Start(ctx, ins[0], engines.PassOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer late.Close()
	results := make([]chan error, n)
	pending := map[any]int{}
	for i := range n {
		results[i] = make(chan error, 1)
		go func() {
			_, err := passes[i].Next(ctx)
			results[i] <- err
		}()
		rec.waitQueued(t, fmt.Sprint(i), 1, pending)
	}
	closed := make(chan error, 1)
	go func() { closed <- e.Close() }()
	for !e.closed.Load() {
		time.Sleep(time.Millisecond)
	}
	close(rec.gate)
	if err := <-closed; err != nil {
		t.Fatalf("Close: %v", err)
	}
	for i := range n {
		select {
		case err := <-results[i]:
			if err != nil {
				t.Errorf("pass %d queued before Close: %v", i, err)
			} else if p := imaging.SamplesPSNR(directOutput(t, m, ins[i]).Pix8, passes[i].Output().Pix8, 255); p < 60 {
				t.Errorf("pass %d: PSNR %.1f dB against the direct pass", i, p)
			}
		default:
			t.Errorf("pass %d was still queued or running when Close returned", i)
		}
		passes[i].Close()
	}
	if _, err := late.Next(ctx); !errors.Is(err, engines.ErrClosed) {
		t.Errorf("Next after Close: %v, want ErrClosed", err)
	}
	if _, err := prog.Start(ctx, ins[0], engines.PassOptions{}); !errors.Is(err, engines.ErrClosed) {
		t.Errorf("Start after Close: %v, want ErrClosed", err)
	}
	if _, err := e.Load(ctx, m); !errors.Is(err, engines.ErrClosed) {
		t.Errorf("Load after Close: %v, want ErrClosed", err)
	}
}

// TestSmallPassTakesTheExpressSlot: with every slot held by a big pass, a
// pass at most a quarter of their size starts at once in the one extra
// slot, while another big pass queued before it waits for a slot.
func TestSmallPassTakesTheExpressSlot(t *testing.T) {
	rec, _, prog := gatedCPU(t, 1)
	ctx := context.Background()
	var wg sync.WaitGroup
	var open sync.Once
	defer open.Do(func() { close(rec.gate) }) // on failure too: let the passes end
	pass := func(req string, w, h int) {
		wg.Go(func() {
			if _, err := runPass(engines.WithRequest(ctx, req), prog, noise(w, h, 1)); err != nil {
				t.Error(err)
			}
		})
	}
	pending := map[any]int{}
	pass("big1", 24, 20)
	rec.waitQueued(t, "big1", 1, pending)
	pass("big2", 24, 20)
	rec.waitQueued(t, "big2", 1, pending)
	pass("small", 8, 6) // 48 pixels against 480
	rec.waitQueued(t, "small", 1, pending)
	deadline := time.Now().Add(10 * time.Second)
	for !slices.ContainsFunc(rec.started(), func(s start) bool { return s.key == "small" }) {
		if time.Now().After(deadline) {
			t.Fatalf("the small pass did not start while the big one held the only slot: started %v", rec.started())
		}
		time.Sleep(time.Millisecond)
	}
	if got := rec.started(); len(got) != 2 || got[0].key != "big1" || got[1].key != "small" {
		t.Errorf("started %v, want big1 then small (big2 waits for big1's slot)", got)
	}
	open.Do(func() { close(rec.gate) })
	waitAll(t, &wg, "passes")
}

// With two slots held by big passes, two small passes start beyond them
// (the express slots) and a third small one waits.
func TestExpressSlotsAreBounded(t *testing.T) {
	rec, _, prog := gatedCPU(t, 2)
	ctx := context.Background()
	var wg sync.WaitGroup
	var open sync.Once
	defer open.Do(func() { close(rec.gate) })
	pending := map[any]int{}
	for _, p := range []struct {
		req  string
		w, h int
	}{{"big1", 24, 20}, {"big2", 24, 20}, {"big3", 24, 20}, {"small1", 8, 6}, {"small2", 8, 6}, {"small3", 8, 6}} {
		wg.Go(func() {
			if _, err := runPass(engines.WithRequest(ctx, p.req), prog, noise(p.w, p.h, 1)); err != nil {
				t.Error(err)
			}
		})
		rec.waitQueued(t, p.req, 1, pending)
	}
	want := []any{"big1", "big2", "small1", "small2"}
	deadline := time.Now().Add(10 * time.Second)
	for len(rec.started()) < len(want) && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond) // a wrongly admitted fifth would start by now
	var got []any
	for _, s := range rec.started() {
		got = append(got, s.key)
	}
	if !slices.Equal(got, want) {
		t.Errorf("started %v while two big passes held the slots, want %v", got, want)
	}
	open.Do(func() { close(rec.gate) })
	waitAll(t, &wg, "passes")
}
