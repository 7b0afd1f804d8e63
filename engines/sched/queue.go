package sched

import "context"

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

	start float64 // virtual start tag (queues)
	seq   uint64  // arrival order, breaks ties between equal tags
}

// request is one request's FIFO and its place in the fair share.
type request struct {
	fifo []*item
	// finish is the virtual finish tag of the request's last queued item.
	finish float64
}

// queues are the per-request FIFOs of one device, served by start-time
// fair queuing weighted by pixels: each item gets a virtual start tag (its
// request's previous finish tag, or the current virtual time when the
// request was idle) and a finish tag one cost later; the head with the
// smallest start tag goes next. Requests thus share the device in
// proportion to pixels, not passes: a panel arriving behind a page's tiles
// is served at once, and its next segments before the page's. With equal
// costs this is round-robin. Owned by the device goroutine.
type queues struct {
	reqs map[any]*request
	v    float64 // virtual time: the start tag of the item started last
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
	it.start = r.finish
	if len(r.fifo) == 0 {
		it.start = max(it.start, q.v)
	}
	r.finish = it.start + it.cost
	it.seq = q.seq
	q.seq++
	r.fifo = append(r.fifo, it)
	q.n++
}

// pop takes the queued item with the smallest start tag.
func (q *queues) pop() *item {
	var best *request
	for k, r := range q.reqs {
		if len(r.fifo) == 0 {
			if r.finish <= q.v { // an idle request would restart at v anyway
				delete(q.reqs, k)
			}
			continue
		}
		h := r.fifo[0]
		if best == nil || h.start < best.fifo[0].start || (h.start == best.fifo[0].start && h.seq < best.fifo[0].seq) {
			best = r
		}
	}
	if best == nil {
		return nil
	}
	it := best.fifo[0]
	best.fifo[0] = nil
	best.fifo = best.fifo[1:]
	q.v = max(q.v, it.start)
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
			r.finish = it.start
		}
		r.fifo = append(r.fifo[:i:i], r.fifo[i+1:]...)
		q.n--
		return true
	}
	return false
}
