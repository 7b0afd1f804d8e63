package sched

import (
	"context"
	"time"
)

// item is one unit of device work: a pass's segment up to its next pause.
type item struct {
	key any
	ctx context.Context
	// cost is the work the item stands for in the fair share: the pass's
	// input pixels.
	cost float64
	// run does the work on the device's engine; its error is the item's.
	run  func(ctx context.Context) error
	err  error
	done chan struct{} // closed when run returned or the item was dropped
	// submitted is when do queued it (Timing); endQueued ends its
	// timeline span when it starts or is dropped.
	submitted time.Time
	endQueued func()

	finish float64 // virtual finish tag (queues)
	seq    uint64  // arrival order, breaks ties between equal tags
}

// request is one request's FIFO and its place in the fair share.
type request struct {
	fifo []*item
	// finish is the virtual finish tag of the request's last queued item.
	finish float64
}

// queues are the per-request FIFOs of one device, served by weighted fair
// queuing by pixels: an item starts (virtually) where its request's
// previous item finished, or at the current virtual time when the request
// was idle, and finishes one cost later; the head with the smallest finish
// tag goes next. The virtual time advances as in an ideal fair share: by
// each started item's cost divided by the number of requests waiting.
// Requests thus share the device in proportion to pixels, not passes: a
// panel arriving behind queued pages, whole or in tiles, goes before them
// (its finish tag is nearer), while a page among a stream of panels waits
// for about its own cost per waiting request, never forever. With equal
// costs this is round-robin. Owned by the device goroutine.
type queues struct {
	reqs map[any]*request
	v    float64 // virtual time, in pixels per request
	seq  uint64
	n    int // items queued
}

func newQueues() *queues { return &queues{reqs: map[any]*request{}} }

func (q *queues) push(it *item) {
	r := q.reqs[it.key]
	if r == nil {
		r = &request{}
		q.reqs[it.key] = r
	}
	start := r.finish
	if len(r.fifo) == 0 {
		start = max(start, q.v)
	}
	it.finish = start + it.cost
	r.finish = it.finish
	it.seq = q.seq
	q.seq++
	r.fifo = append(r.fifo, it)
	q.n++
}

// peek is the item pop would take next, or nil.
func (q *queues) peek() *item {
	var best *item
	for _, r := range q.reqs {
		if len(r.fifo) > 0 && (best == nil || before(r.fifo[0], best)) {
			best = r.fifo[0]
		}
	}
	return best
}

// before orders items by finish tag, then arrival.
func before(a, b *item) bool {
	return a.finish < b.finish || a.finish == b.finish && a.seq < b.seq
}

// pop takes the queued item with the smallest finish tag.
func (q *queues) pop() *item {
	it := q.peek()
	if it == nil {
		return nil
	}
	waiting := 0
	for k, r := range q.reqs {
		switch {
		case len(r.fifo) > 0:
			waiting++
		case r.finish <= q.v: // an idle request would restart at v anyway
			delete(q.reqs, k)
		}
	}
	r := q.reqs[it.key]
	r.fifo[0] = nil
	r.fifo = r.fifo[1:]
	q.v += it.cost / float64(waiting)
	q.n--
	return it
}

// remove takes it out of its FIFO; false when it is not queued. A request
// does not pay for a removed last item.
func (q *queues) remove(it *item) bool {
	r := q.reqs[it.key]
	if r == nil {
		return false
	}
	for i, x := range r.fifo {
		if x != it {
			continue
		}
		if i == len(r.fifo)-1 {
			r.finish = it.finish - it.cost
		}
		r.fifo = append(r.fifo[:i:i], r.fifo[i+1:]...)
		q.n--
		return true
	}
	return false
}
