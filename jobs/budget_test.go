package jobs

import (
	"context"
	"testing"
	"time"

	"github.com/upscaled/upscaled/budget"
)

// TestGateYieldsToSynchronousRequests checks the documented policy with the
// server's real budget: jobs hold at most their share, and never take bytes
// while a synchronous request waits.
func TestGateYieldsToSynchronousRequests(t *testing.T) {
	ctx := context.Background()
	b := budget.New(100, 8, 0)
	g := newGate(b, 0.5)

	t.Run("share cap", func(t *testing.T) {
		rel1, err := g.Acquire(ctx, 40)
		if err != nil {
			t.Fatal(err)
		}
		// a second job item would pass the job share (40+40 > 50): it waits
		// although the budget has 60 free
		c, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		if _, err := g.Acquire(c, 40); err == nil {
			t.Fatal("second job item got past the job share")
		}
		// a synchronous request gets the rest at once
		relSync, err := b.Acquire(ctx, 60)
		if err != nil {
			t.Fatalf("synchronous request refused while jobs hold their share: %v", err)
		}
		relSync()
		rel1()
		if b.Reserved() != 0 {
			t.Fatalf("reserved after release = %d", b.Reserved())
		}
	})

	t.Run("no overtaking a waiting request", func(t *testing.T) {
		hold, _ := b.Acquire(ctx, 80) // a synchronous request in progress
		syncDone := make(chan func())
		go func() {
			rel, err := b.Acquire(ctx, 50) // waits: only 20 free
			if err != nil {
				t.Error(err)
			}
			syncDone <- rel
		}()
		for b.Waiting() == 0 {
			time.Sleep(time.Millisecond)
		}
		jobGot := make(chan func())
		go func() {
			rel, err := g.Acquire(ctx, 10) // 10 would fit, but a request waits
			if err != nil {
				t.Error(err)
			}
			jobGot <- rel
		}()
		select {
		case <-jobGot:
			t.Fatal("job item took bytes while a synchronous request was waiting")
		case <-time.After(100 * time.Millisecond):
		}
		hold()
		relSync := <-syncDone // the waiting request is served first
		relJob := <-jobGot    // then the job (50+10 ≤ 100)
		relJob()
		relSync()
	})

	t.Run("larger than the budget", func(t *testing.T) {
		if _, err := g.Acquire(ctx, 101); err == nil {
			t.Fatal("item larger than the whole budget accepted")
		}
	})

	t.Run("larger than the share", func(t *testing.T) {
		rel, err := g.Acquire(ctx, 70) // takes the whole share, then 70 of the budget
		if err != nil {
			t.Fatal(err)
		}
		if b.Reserved() != 70 {
			t.Fatalf("reserved = %d, want 70", b.Reserved())
		}
		rel()
	})
}
