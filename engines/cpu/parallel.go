package cpu

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// parallelFor calls fn on disjoint chunks covering [0, n), on at most
// GOMAXPROCS goroutines. It returns when every chunk is done.
func parallelFor(n int, fn func(lo, hi int)) {
	if n <= 0 {
		return
	}
	workers := min(runtime.GOMAXPROCS(0), n)
	if workers <= 1 {
		fn(0, n)
		return
	}
	chunk := max(1, n/(workers*4))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				lo := int(next.Add(int64(chunk))) - chunk
				if lo >= n {
					return
				}
				fn(lo, min(lo+chunk, n))
			}
		})
	}
	wg.Wait()
}
