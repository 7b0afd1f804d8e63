package vulkan

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/upscaled/upscaled/engines"
)

func TestQueueLimit(t *testing.T) {
	for _, c := range []struct {
		env  string
		want int
	}{{"", 8}, {"1", 1}, {"3", 3}, {"8", 8}, {"0", 0}, {"9", 0}, {"-1", 0}, {"two", 0}} {
		t.Setenv("UPSCALED_VK_QUEUES", c.env)
		got, err := queueLimit()
		if c.want == 0 {
			if err == nil || !strings.Contains(err.Error(), "from 1 to 8") {
				t.Errorf("UPSCALED_VK_QUEUES=%q: %d, %v; want an error naming the range", c.env, got, err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("UPSCALED_VK_QUEUES=%q: %d, %v; want %d", c.env, got, err, c.want)
		}
	}
}

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

// The engine creates min(UPSCALED_VK_QUEUES, the family's queues) queues,
// refuses a bad setting, and concurrent passes over them give the same
// results as one after another.
func TestEngineQueues(t *testing.T) {
	d := openTestEngine(t).Device()
	t.Setenv("UPSCALED_VK_QUEUES", "0")
	if _, err := New(d.Index); err == nil || !strings.Contains(err.Error(), "UPSCALED_VK_QUEUES") {
		t.Fatalf("New with UPSCALED_VK_QUEUES=0: %v, want an error naming the setting", err)
	}
	t.Setenv("UPSCALED_VK_QUEUES", "2")
	e, err := New(d.Index)
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
