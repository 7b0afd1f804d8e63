package cpuwork

import (
	"fmt"
	"runtime"
	"slices"
	"sync"
	"time"
)

// group is one For call (or one Go task): chunks of [0, n) handed out in
// order.
type group struct {
	fn    func(lo, hi int)
	n     int
	chunk int
	next  int       // first index not handed out yet (guarded by pool.mu)
	since time.Time // when it was queued or last handed a chunk (guarded by pool.mu)
	wg    *sync.WaitGroup
	// catch: a panic in fn is kept for the caller (For) instead of
	// crashing the process (Go).
	catch    bool
	panicked *string // first panic message (guarded by pool.mu)
}

// maxWait bounds how long a group goes without a chunk while smaller ones
// go first: past it, it goes first. A shorter bound costs the panels (at
// 100 ms Real-CUGAN panels' p99 under page load doubled). Guarded by
// pool.mu; tests lower it.
var maxWait = time.Second

// pool hands out the chunks of the smallest group first (fewest indexes,
// the oldest among equals): a panel's layer, whose rows are few, runs as
// soon as a worker is free instead of queueing behind a page's. A flood of
// small groups cannot starve a big one: a group that has gone maxWait
// without a chunk gets the next one.
var pool struct {
	once   sync.Once
	size   int
	mu     sync.Mutex
	cond   *sync.Cond
	active []*group // in submission order
}

// start launches the workers on first use: one per processor.
func start() {
	pool.once.Do(func() {
		pool.size = max(1, runtime.GOMAXPROCS(0))
		pool.cond = sync.NewCond(&pool.mu)
		for range pool.size {
			go worker()
		}
	})
}

func worker() {
	for {
		g, lo, hi := take()
		run(g, lo, hi)
		runtime.Gosched() // let waiting goroutines have the processor
	}
}

// take waits for a chunk and returns the next one of the smallest group.
func take() (*group, int, int) {
	pool.mu.Lock()
	defer pool.mu.Unlock()
	for len(pool.active) == 0 {
		pool.cond.Wait()
	}
	now := time.Now()
	i, starved := 0, 0
	for j, g := range pool.active {
		if g.n < pool.active[i].n {
			i = j
		}
		if g.since.Before(pool.active[starved].since) {
			starved = j
		}
	}
	if now.Sub(pool.active[starved].since) >= maxWait {
		i = starved
	}
	g := pool.active[i]
	g.since = now
	lo := g.next
	g.next = min(lo+g.chunk, g.n)
	if g.next >= g.n {
		pool.active = slices.Delete(pool.active, i, i+1)
	}
	return g, lo, g.next
}

func run(g *group, lo, hi int) {
	defer g.wg.Done()
	if g.catch {
		defer func() {
			if v := recover(); v != nil {
				msg := fmt.Sprint(v)
				pool.mu.Lock()
				if g.panicked == nil {
					g.panicked = &msg
				}
				if g.next < g.n { // hand out no more of its chunks
					g.wg.Add(-(g.n - g.next + g.chunk - 1) / g.chunk)
					g.next = g.n
					pool.active = slices.DeleteFunc(pool.active, func(x *group) bool { return x == g })
				}
				pool.mu.Unlock()
			}
		}()
	}
	g.fn(lo, hi)
}

// submit queues g's chunks and wakes workers for them.
func submit(g *group) {
	start()
	chunks := (g.n + g.chunk - 1) / g.chunk
	g.wg.Add(chunks)
	pool.mu.Lock()
	g.since = time.Now()
	pool.active = append(pool.active, g)
	pool.mu.Unlock()
	for range min(chunks, pool.size) {
		pool.cond.Signal()
	}
}

// Workers is the number of workers: the most chunks that run at once.
func Workers() int {
	start()
	return pool.size
}

// Go runs task on a worker and returns at once. A panic in task crashes
// the process, as in a goroutine.
func Go(task func()) {
	submit(&group{fn: func(int, int) { task() }, n: 1, chunk: 1, wg: new(sync.WaitGroup)})
}

// For calls fn on disjoint chunks covering [0, n) on the workers and
// returns when every chunk is done. A panic in fn is re-raised in the
// caller once the chunks already running have finished.
func For(n int, fn func(lo, hi int)) {
	if n <= 0 {
		return
	}
	g := &group{fn: fn, n: n, chunk: max(1, n/(Workers()*4)), wg: new(sync.WaitGroup), catch: true}
	submit(g)
	g.wg.Wait()
	pool.mu.Lock()
	msg := g.panicked
	pool.mu.Unlock()
	if msg != nil {
		panic("cpuwork: " + *msg)
	}
}
