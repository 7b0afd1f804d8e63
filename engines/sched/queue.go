package sched

import "context"

// item is one unit of device work: a pass's segment up to its next pause.
type item struct {
	key any
	ctx context.Context
	// run does the work on the device's engine; its error is the item's.
	run  func(ctx context.Context) error
	err  error
	done chan struct{} // closed when run returned or the item was dropped
}

// queues are the per-request FIFOs of one device, served in round-robin.
// Owned by the device goroutine.
type queues struct {
	fifo map[any][]*item
	ring []any // requests with queued items, in service order
	rr   int   // ring index served next
	n    int   // items queued
}

func newQueues() *queues { return &queues{fifo: map[any][]*item{}} }

func (q *queues) push(it *item) {
	if len(q.fifo[it.key]) == 0 {
		q.ring = append(q.ring, it.key)
	}
	q.fifo[it.key] = append(q.fifo[it.key], it)
	q.n++
}

// pop takes the head of the next request's FIFO in round-robin order.
func (q *queues) pop() *item {
	if len(q.ring) == 0 {
		return nil
	}
	if q.rr >= len(q.ring) {
		q.rr = 0
	}
	k := q.ring[q.rr]
	f := q.fifo[k]
	it := f[0]
	f[0] = nil
	q.n--
	if len(f) == 1 {
		delete(q.fifo, k)
		q.dropKey(q.rr)
	} else {
		q.fifo[k] = f[1:]
		q.rr++
	}
	return it
}

// remove takes it out of its FIFO; false when it is not queued.
func (q *queues) remove(it *item) bool {
	f := q.fifo[it.key]
	for i, x := range f {
		if x != it {
			continue
		}
		q.n--
		if len(f) == 1 {
			delete(q.fifo, it.key)
			for r, k := range q.ring {
				if k == it.key {
					q.dropKey(r)
					break
				}
			}
		} else {
			q.fifo[it.key] = append(f[:i:i], f[i+1:]...)
		}
		return true
	}
	return false
}

// dropKey removes ring entry r, keeping rr on the request after it.
func (q *queues) dropKey(r int) {
	q.ring = append(q.ring[:r], q.ring[r+1:]...)
	if r < q.rr {
		q.rr--
	}
}
