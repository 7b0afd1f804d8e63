package cpuwork

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
)

var (
	startOnce sync.Once
	poolSize  int
	queue     chan func()
)

// start launches the workers on first use: one per processor.
func start() {
	startOnce.Do(func() {
		poolSize = max(1, runtime.GOMAXPROCS(0))
		queue = make(chan func(), 4*poolSize)
		for range poolSize {
			go worker()
		}
	})
}

func worker() {
	for task := range queue {
		task()
	}
}

// Workers is the number of workers: the most tasks that run at once.
func Workers() int {
	start()
	return poolSize
}

// Go runs task on a worker and returns at once; it waits only while the
// queue is full. A panic in task crashes the process, as in a goroutine.
func Go(task func()) {
	start()
	queue <- task
}

// For calls fn on disjoint chunks covering [0, n) on the workers and
// returns when every chunk is done. A panic in fn is re-raised in the
// caller once the other chunks have finished.
func For(n int, fn func(lo, hi int)) {
	if n <= 0 {
		return
	}
	helpers := min(Workers(), n)
	chunk := max(1, n/(helpers*4))
	var (
		next     atomic.Int64
		wg       sync.WaitGroup
		panicked atomic.Pointer[string]
	)
	help := func() {
		defer wg.Done()
		defer func() {
			if v := recover(); v != nil {
				msg := fmt.Sprint(v)
				panicked.CompareAndSwap(nil, &msg)
				next.Store(int64(n)) // no more chunks for anyone
			}
		}()
		for {
			lo := int(next.Add(int64(chunk))) - chunk
			if lo >= n {
				return
			}
			fn(lo, min(lo+chunk, n))
			runtime.Gosched() // let waiting goroutines have the processor
		}
	}
	wg.Add(helpers)
	for range helpers {
		queue <- help
	}
	wg.Wait()
	if msg := panicked.Load(); msg != nil {
		panic("cpuwork: " + *msg)
	}
}
