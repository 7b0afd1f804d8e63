package cpuwork

import (
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestForCoversEveryIndexOnce(t *testing.T) {
	for _, n := range []int{1, 2, 3, 7, 64, 1000} {
		seen := make([]atomic.Int32, n)
		For(n, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				seen[i].Add(1)
			}
		})
		for i := range seen {
			if c := seen[i].Load(); c != 1 {
				t.Fatalf("n=%d: index %d done %d times, want 1", n, i, c)
			}
		}
	}
}

// Many requests at once must not put more than Workers chunks on the
// processors: that bound is what keeps /healthz responsive under load.
func TestConcurrentCallersShareTheWorkers(t *testing.T) {
	var running, peak atomic.Int32
	work := func(lo, hi int) {
		r := running.Add(1)
		for {
			p := peak.Load()
			if r <= p || peak.CompareAndSwap(p, r) {
				break
			}
		}
		time.Sleep(time.Millisecond)
		running.Add(-1)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() { For(64, work) })
	}
	for range 8 {
		done := make(chan struct{})
		wg.Go(func() { <-done })
		Go(func() { work(0, 1); close(done) })
	}
	wg.Wait()
	if p, w := peak.Load(), int32(Workers()); p > w {
		t.Fatalf("%d chunks ran at once, want at most %d (the workers)", p, w)
	}
}

func TestForReraisesPanicInCaller(t *testing.T) {
	defer func() {
		v := recover()
		if v == nil || !strings.Contains(v.(string), "chunk 3 failed") {
			t.Fatalf("recovered %v, want the chunk's panic", v)
		}
		// The workers survived: the pool still runs work.
		var sum atomic.Int64
		For(10, func(lo, hi int) { sum.Add(int64(hi - lo)) })
		if sum.Load() != 10 {
			t.Fatalf("after a panic For covered %d of 10", sum.Load())
		}
	}()
	For(16, func(lo, hi int) {
		if lo <= 3 && 3 < hi {
			panic("chunk 3 failed")
		}
	})
}

// A small For submitted while a big one runs gets chunks in turn with it,
// instead of waiting until every chunk of the big one was handed out.
func TestSmallForIsNotQueuedBehindABigOne(t *testing.T) {
	var bigStarted atomic.Int32
	bigRunning := make(chan struct{}, 1)
	var wg sync.WaitGroup
	wg.Go(func() {
		For(Workers()*4*8, func(lo, hi int) {
			bigStarted.Add(1)
			select {
			case bigRunning <- struct{}{}:
			default:
			}
			time.Sleep(20 * time.Millisecond)
		})
	})
	<-bigRunning
	For(2, func(lo, hi int) {})
	got, chunks := bigStarted.Load(), int32(Workers()*4)
	wg.Wait()
	if got >= chunks {
		t.Errorf("the small For finished after %d of the big one's %d chunks had started, want fewer", got, chunks)
	}
}

// A big For still runs while more small ones than there are workers keep
// arriving: each time it has gone maxWait without a chunk it gets one.
func TestBigForIsNotStarvedBySmallOnes(t *testing.T) {
	setMaxWait := func(d time.Duration) time.Duration {
		start()
		pool.mu.Lock()
		defer pool.mu.Unlock()
		old := maxWait
		maxWait = d
		return old
	}
	defer setMaxWait(setMaxWait(50 * time.Millisecond))
	stop := make(chan struct{})
	var flood sync.WaitGroup
	for range 2 * Workers() {
		flood.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				For(1, func(int, int) { time.Sleep(5 * time.Millisecond) })
			}
		})
	}
	done := make(chan struct{})
	go func() {
		For(Workers()*4*8, func(int, int) {})
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(time.Duration(Workers()*4) * 100 * time.Millisecond):
		t.Errorf("the big For did not finish within %v while small ones kept coming", time.Duration(Workers()*4)*100*time.Millisecond)
	}
	close(stop)
	flood.Wait()
	<-done
}
