package sched

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/upscaled/upscaled/engines"
)

// A request's Timing splits its time into waiting for the one slot and
// holding it: the second of two equal passes waits at least as long as the
// first holds the slot.
func TestTimingSplitsQueuedAndRunning(t *testing.T) {
	rec, _, prog := gatedCPU(t, 1)
	ctx := context.Background()
	var first, second Timing
	var wg sync.WaitGroup
	var open sync.Once
	defer open.Do(func() { close(rec.gate) })
	pending := map[any]int{}
	for _, r := range []struct {
		key string
		tm  *Timing
	}{{"first", &first}, {"second", &second}} {
		wg.Go(func() {
			rctx := WithTiming(engines.WithRequest(ctx, r.key), r.tm)
			if _, err := runPass(rctx, prog, noise(24, 20, 1)); err != nil {
				t.Error(err)
			}
		})
		rec.waitQueued(t, r.key, 1, pending)
	}
	const hold = 100 * time.Millisecond
	time.Sleep(hold)
	open.Do(func() { close(rec.gate) })
	waitAll(t, &wg, "passes")
	if first.Running() < hold || second.Queued() < hold {
		t.Errorf("first held the slot %v, second waited %v for it; want both at least %v (the gate was shut that long)",
			first.Running(), second.Queued(), hold)
	}
	if second.Running() <= 0 {
		t.Errorf("second ran for %v", second.Running())
	}
	t.Logf("first: queued %v, running %v; second: queued %v, running %v",
		first.Queued(), first.Running(), second.Queued(), second.Running())
}
