package imaging

import (
	"fmt"

	"github.com/upscaled/upscaled/internal/cpuwork"
)

// result is what a compression job produces for one row group.
type result struct {
	out   []byte
	adler uint32 // Adler-32 of the uncompressed group (PNG)
	n     int64  // uncompressed length (PNG)
	err   error
}

// orderedPipe runs jobs on up to workers of the shared CPU pool and hands their
// results to emit in submission order. At most limit jobs are pending
// (running or finished but not yet emitted), which bounds memory.
type orderedPipe struct {
	sem     chan struct{}
	limit   int
	pending []chan result
	emit    func(result) error
	err     error
}

func newOrderedPipe(workers int, emit func(result) error) *orderedPipe {
	return &orderedPipe{sem: make(chan struct{}, workers), limit: workers + 1, emit: emit}
}

// submit starts run and emits whatever finished at the head of the queue,
// waiting for the oldest job while too many are pending.
func (p *orderedPipe) submit(run func() result) error {
	if p.err != nil {
		return p.err
	}
	ch := make(chan result, 1)
	p.sem <- struct{}{}
	cpuwork.Go(func() {
		var r result
		defer func() {
			if v := recover(); v != nil {
				r = result{err: fmt.Errorf("imaging: encoder worker failed: %v", v)}
			}
			<-p.sem
			ch <- r
		}()
		r = run()
	})
	p.pending = append(p.pending, ch)
	return p.drain(false)
}

// drain emits finished results in order; with all set it waits for every job.
func (p *orderedPipe) drain(all bool) error {
	for len(p.pending) > 0 && p.err == nil {
		var r result
		if all || len(p.pending) > p.limit {
			r = <-p.pending[0]
		} else {
			select {
			case r = <-p.pending[0]:
			default:
				return nil
			}
		}
		p.pending = p.pending[1:]
		if r.err != nil {
			p.err = r.err
		} else if err := p.emit(r); err != nil {
			p.err = err
		}
	}
	if p.err != nil {
		for _, ch := range p.pending { // let running jobs finish
			<-ch
		}
		p.pending = nil
	}
	return p.err
}

// freeList recycles equal-sized buffers between an encoder's jobs, keeping
// at most cap(ch) idle ones.
type freeList[T any] struct {
	ch   chan []T
	size int
}

func newFreeList[T any](keep, size int) *freeList[T] {
	return &freeList[T]{ch: make(chan []T, keep), size: size}
}

// get returns a buffer of length size (contents undefined).
func (f *freeList[T]) get() []T {
	select {
	case b := <-f.ch:
		return b[:f.size]
	default:
		return make([]T, f.size)
	}
}

// put offers b back; buffers of another capacity are dropped.
func (f *freeList[T]) put(b []T) {
	if cap(b) < f.size {
		return
	}
	select {
	case f.ch <- b:
	default:
	}
}
