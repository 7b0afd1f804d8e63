package jobs

import (
	"context"
	"fmt"

	"golang.org/x/sync/semaphore"
)

// Budget is the process-wide host-memory budget that synchronous requests
// also draw from.
type Budget interface {
	// AcquireBackground reserves bytes at low priority: only while no
	// synchronous request waits for memory; release returns them.
	AcquireBackground(ctx context.Context, bytes int64) (release func(), err error)
	// Capacity is the whole budget in bytes.
	Capacity() int64
}

// gate is how job workers take memory, so that a big job never starves
// synchronous requests:
//
//  1. Job workers together hold at most Config.BudgetShare of the budget
//     (a local semaphore); an item larger than the share waits until it
//     has the whole share.
//  2. They take their bytes from the shared budget at background priority:
//     a job item is granted memory only while no synchronous request waits,
//     so it never sits ahead of one.
//
// Synchronous requests thus always find at least 1−BudgetShare of the
// budget not held by jobs, and a job only fills the rest when no request
// is waiting. Jobs may wait while synchronous load lasts; they resume when
// it drops.
type gate struct {
	budget Budget
	share  *semaphore.Weighted
	cap    int64
}

func newGate(b Budget, share float64) *gate {
	if b == nil {
		return &gate{}
	}
	c := int64(float64(b.Capacity()) * share)
	if c < 1 {
		c = 1
	}
	return &gate{budget: b, share: semaphore.NewWeighted(c), cap: c}
}

// Acquire reserves bytes for one job item (an upscale.Reserver); release
// must be called once.
func (g *gate) Acquire(ctx context.Context, bytes int64) (release func(), err error) {
	if g.budget == nil {
		return func() {}, nil
	}
	if bytes > g.budget.Capacity() {
		return nil, fmt.Errorf("item needs %d MiB of memory, more than the whole memory budget (%d MiB)", bytes>>20, g.budget.Capacity()>>20)
	}
	w := min(bytes, g.cap)
	if err := g.share.Acquire(ctx, w); err != nil {
		return nil, err
	}
	rel, err := g.budget.AcquireBackground(ctx, bytes)
	if err != nil {
		g.share.Release(w)
		return nil, err
	}
	return func() { rel(); g.share.Release(w) }, nil
}
