package sched

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/upscaled/upscaled/engines"
	"github.com/upscaled/upscaled/internal/timeline"
)

// device is one engine and the goroutine that owns its queue.
type device struct {
	index    int // position in Engine.devs
	eng      engines.Engine
	inFlight int
	hooks    hooks

	submitc chan *item
	cancelc chan cancelReq
	finishc chan *item
	closec  chan struct{}
	exited  chan struct{}

	mu     sync.Mutex // guards closed and the send on submitc
	closed bool

	// load is the pixels of this device's open passes (placement).
	load atomic.Int64
}

type cancelReq struct {
	it    *item
	reply chan bool // true: removed before it started
}

// hooks observe the scheduler (tests); nil fields are skipped.
type hooks struct {
	// queued is called by the device goroutine as it queues an item.
	queued func(dev int, key any)
	// started is called by the device goroutine as it starts an item.
	started func(dev int, key any)
	// running is called on the item's own goroutine just before it runs,
	// holding its in-flight slot; finished just after.
	running, finished func(dev int, key any)
}

func newDevice(index int, eng engines.Engine, inFlight int, h hooks) *device {
	d := &device{
		index: index, eng: eng, inFlight: inFlight, hooks: h,
		submitc: make(chan *item),
		cancelc: make(chan cancelReq),
		finishc: make(chan *item),
		closec:  make(chan struct{}),
		exited:  make(chan struct{}),
	}
	go d.loop()
	return d
}

// expressFactor: an item at most 1/expressFactor the cost of inFlight of
// the running items may start beyond inFlight (up to inFlight such items),
// so panels do not wait for pages' passes to end: they share the device with
// them instead.
const expressFactor = 4

// loop owns the queues: it takes submissions and cancellations, and starts
// items in fair order while fewer than inFlight run (up to inFlight more
// when they are small next to the big ones running). After close it runs
// what is queued, then exits.
func (d *device) loop() {
	defer close(d.exited)
	q := newQueues()
	var running []*item
	closing := false
	closec := d.closec
	for {
		for {
			if next := q.peek(); next == nil || len(running) >= d.inFlight && !express(next, running, d.inFlight) {
				break
			}
			it := q.pop()
			if err := it.ctx.Err(); err != nil {
				it.err = fmt.Errorf("sched: queued on %s: %w", d.eng.Name(), err)
				close(it.done)
				continue
			}
			running = append(running, it)
			if d.hooks.started != nil {
				d.hooks.started(d.index, it.key)
			}
			go d.exec(it)
		}
		if closing && len(running) == 0 && q.n == 0 {
			return
		}
		select {
		case it := <-d.submitc:
			q.push(it)
			if d.hooks.queued != nil {
				d.hooks.queued(d.index, it.key)
			}
		case c := <-d.cancelc:
			c.reply <- q.remove(c.it)
		case it := <-d.finishc:
			running = slices.DeleteFunc(running, func(r *item) bool { return r == it })
		case <-closec:
			closing, closec = true, nil
		}
	}
}

// express reports whether next may start beyond inFlight: inFlight of the
// running items are each at least expressFactor times its cost, and fewer
// than inFlight items run beyond them.
func express(next *item, running []*item, inFlight int) bool {
	if len(running) < inFlight || len(running) >= 2*inFlight {
		return false
	}
	big := 0
	for _, r := range running {
		if next.cost*expressFactor <= r.cost {
			big++
		}
	}
	return big >= inFlight
}

func (d *device) exec(it *item) {
	start := time.Now()
	it.endQueued()
	if d.hooks.running != nil {
		d.hooks.running(d.index, it.key)
	}
	it.err = it.run(it.ctx)
	if t := timingOf(it.ctx); t != nil {
		t.queued.Add(int64(start.Sub(it.submitted)))
		t.running.Add(int64(time.Since(start)))
	}
	if d.hooks.finished != nil {
		d.hooks.finished(d.index, it.key)
	}
	close(it.done)
	d.finishc <- it
}

// do queues it and waits until it has run, or until ctx ends while it is
// still queued (it is then dropped). Work already started is waited for:
// the engine sees ctx and stops at its next check.
func (d *device) do(ctx context.Context, it *item) error {
	it.ctx, it.done, it.submitted = ctx, make(chan struct{}), time.Now()
	var once sync.Once
	endQueued := timeline.Begin(ctx, "queued")
	it.endQueued = func() { once.Do(endQueued) }
	defer it.endQueued() // dropped while queued
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return fmt.Errorf("sched: %s: %w", d.eng.Name(), engines.ErrClosed)
	}
	d.submitc <- it
	d.mu.Unlock()
	select {
	case <-it.done:
		return it.err
	case <-ctx.Done():
	}
	reply := make(chan bool, 1)
	select {
	case d.cancelc <- cancelReq{it, reply}:
		if <-reply {
			return fmt.Errorf("sched: queued on %s: %w", d.eng.Name(), ctx.Err())
		}
	case <-it.done:
	}
	<-it.done
	return it.err
}

// close stops new submissions and waits until queued and running items
// have finished.
func (d *device) close() {
	d.mu.Lock()
	already := d.closed
	d.closed = true
	d.mu.Unlock()
	if !already {
		close(d.closec)
	}
	<-d.exited
}
