package vulkan

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/upscaled/upscaled/engines"
)

// Concurrent passes each get a queue of their own while there are enough,
// then share the least used one.
func TestTakeQueueSpreadsPasses(t *testing.T) {
	s := &devState{busy: make([]int, 3)}
	var got []int
	for range 4 {
		got = append(got, s.takeQueue())
	}
	if want := []int{0, 1, 2, 0}; !slices.Equal(got, want) {
		t.Fatalf("four passes on three queues took %v, want %v", got, want)
	}
	s.dropQueue(1)
	if q := s.takeQueue(); q != 1 {
		t.Errorf("after the pass on queue 1 ended the next took queue %d, want 1", q)
	}
}

// The engine creates min(Config.Queues, the family's queues) queues,
// refuses a bad setting, and concurrent passes over them give the same
// results as one after another.
func TestEngineQueues(t *testing.T) {
	d := openTestEngine(t).Device()
	bad := DefaultConfig()
	bad.Queues = 0
	if _, err := New(d.Index, bad); !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "0 compute queues (want 1 to 8)") {
		t.Fatalf("New with 0 queues: %v, want ErrConfig naming the range", err)
	}
	cfg := DefaultConfig()
	cfg.Queues = 2
	e, err := New(d.Index, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if got, want := e.st.ctx.queues(), min(2, d.ComputeQueues); got != want {
		t.Errorf("%d compute queues created, want %d (limit 2, the device has %d)", got, want, d.ComputeQueues)
	}
	t.Logf("%s: %d compute queues in its family, %d used", d.Name, d.ComputeQueues, e.st.ctx.queues())
	ctx := context.Background()
	prog, err := e.Load(ctx, loadNet(t, "realesrgan-animevideov3-x2"))
	if err != nil {
		t.Fatal(err)
	}
	defer prog.Close()
	tiles := []engines.Tile{grayTile(24, 20), grayTile(16, 12), grayTile(20, 24)}
	want := make([]engines.Tile, len(tiles))
	for k, tile := range tiles {
		if want[k], err = engines.Run(ctx, prog, tile); err != nil {
			t.Fatal(err)
		}
	}
	got := make([]engines.Tile, len(tiles))
	errs := make([]error, len(tiles))
	var wg sync.WaitGroup
	for k, tile := range tiles {
		wg.Go(func() { got[k], errs[k] = engines.Run(ctx, prog, tile) })
	}
	wg.Wait()
	for k := range tiles {
		if errs[k] != nil {
			t.Fatal(errs[k])
		}
		if !slices.Equal(got[k].Pix8, want[k].Pix8) {
			t.Errorf("tile %d: concurrent result differs from the result run alone", k)
		}
	}
	for q, n := range e.st.busy {
		if n != 0 {
			t.Errorf("queue %d still counts %d passes after all ended", q, n)
		}
	}
}
