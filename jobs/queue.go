package jobs

import (
	"context"
	"sync"
	"time"

	"github.com/upscaled/upscaled/upscale"
)

// active is a job with work left, held in memory while its items run.
type active struct {
	id   string
	opts upscale.Options
	// plans are the items' plans made at submission (read only; none for
	// a job resumed by Open: its items are planned when they run).
	plans map[int]upscale.Plan
	// ctx is canceled (cause ErrGone) when the job is deleted, or when the
	// manager stops.
	ctx    context.Context
	cancel context.CancelCauseFunc

	// guarded by queue.mu
	pending  []int             // queued item indexes, in order
	retry    map[int]bool      // items whose record may still say running
	attempts map[int]int       // failed attempts per item (transient errors)
	diskFull map[int]time.Time // when an item first met a full disk
	running  int               // items being processed by workers
	canceled bool
	tiles    map[int]upscale.Progress // tiles of running items
	total    int                      // items in the job
	finished int                      // items in a final state
}

// queue dispatches items round-robin across active jobs, so a big job
// does not hold back a small one submitted after it.
type queue struct {
	mu     sync.Mutex
	ring   []*active // jobs with pending items, next to serve first
	byID   map[string]*active
	signal chan struct{}
}

func newQueue(workers int) *queue {
	return &queue{byID: map[string]*active{}, signal: make(chan struct{}, workers)}
}

func (q *queue) wake() {
	select {
	case q.signal <- struct{}{}:
	default:
	}
}

// add makes a job active with its pending items (no-op when already active).
func (q *queue) add(a *active) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if _, ok := q.byID[a.id]; ok {
		return false
	}
	q.byID[a.id] = a
	if len(a.pending) > 0 {
		q.ring = append(q.ring, a)
		q.wake()
	}
	return true
}

// push puts an item back at the front of its job (retry after an error).
func (q *queue) push(a *active, idx int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if a.canceled || q.byID[a.id] != a {
		return
	}
	if a.retry == nil {
		a.retry = map[int]bool{}
	}
	a.retry[idx] = true
	a.pending = append([]int{idx}, a.pending...)
	if len(a.pending) == 1 {
		q.ring = append(q.ring, a)
	}
	q.wake()
}

// next blocks until an item is available or ctx ends. The item counts as
// running until done is called for it.
func (q *queue) next(ctx context.Context) (*active, int, bool, error) {
	for {
		q.mu.Lock()
		if len(q.ring) > 0 {
			a := q.ring[0]
			q.ring = q.ring[1:]
			idx := a.pending[0]
			a.pending = a.pending[1:]
			if len(a.pending) > 0 {
				q.ring = append(q.ring, a)
			}
			retry := a.retry[idx]
			delete(a.retry, idx)
			a.running++
			if len(q.ring) > 0 {
				q.wake()
			}
			q.mu.Unlock()
			return a, idx, retry, nil
		}
		q.mu.Unlock()
		select {
		case <-ctx.Done():
			return nil, 0, false, ctx.Err()
		case <-q.signal:
		}
	}
}

// done ends an item's run; it reports whether the job left the queue (no
// pending or running items remain), and whether it had been canceled.
func (q *queue) done(a *active, idx int) (left, canceled bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	a.running--
	delete(a.tiles, idx)
	if a.running == 0 && (len(a.pending) == 0 || a.canceled) && q.byID[a.id] == a {
		delete(q.byID, a.id)
		return true, a.canceled
	}
	return false, a.canceled
}

// cancel drops a job's pending items and cancels its context; it reports
// whether items are still running (they stop between tiles) and whether the
// job was active at all.
func (q *queue) cancelJob(id string) (running, found bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	a, ok := q.byID[id]
	if !ok {
		return false, false
	}
	a.canceled = true
	a.pending = nil
	for i, r := range q.ring {
		if r == a {
			q.ring = append(q.ring[:i], q.ring[i+1:]...)
			break
		}
	}
	a.cancel(ErrGone)
	if a.running == 0 {
		delete(q.byID, id)
		return false, true
	}
	return true, true
}

// attempt counts a failed try of an item and returns the count.
func (q *queue) attempt(a *active, idx int) int {
	q.mu.Lock()
	defer q.mu.Unlock()
	if a.attempts == nil {
		a.attempts = map[int]int{}
	}
	a.attempts[idx]++
	return a.attempts[idx]
}

// diskFullSince records that an item met a full disk and returns when it
// first did, and how often it has.
func (q *queue) diskFullSince(a *active, idx int, now time.Time) (time.Time, int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if a.diskFull == nil {
		a.diskFull = map[int]time.Time{}
	}
	if a.attempts == nil {
		a.attempts = map[int]int{}
	}
	if _, ok := a.diskFull[idx]; !ok {
		a.diskFull[idx] = now
	}
	a.attempts[idx]++
	return a.diskFull[idx], a.attempts[idx]
}

// setTiles records a running item's tile progress.
func (q *queue) setTiles(a *active, idx int, p upscale.Progress) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if a.tiles == nil {
		a.tiles = map[int]upscale.Progress{}
	}
	a.tiles[idx] = p
}

// finish counts an item recorded as finished.
func (q *queue) finish(a *active) {
	q.mu.Lock()
	defer q.mu.Unlock()
	a.finished++
}

// progress is a job's progress from the counters and live tiles.
func (q *queue) progress(a *active) Progress {
	q.mu.Lock()
	defer q.mu.Unlock()
	p := Progress{ItemsDone: a.finished, ItemsTotal: a.total}
	frac := 0.0
	for _, t := range a.tiles {
		p.TilesDone += t.TilesDone
		p.TilesTotal += t.TilesTotal
		if t.TilesTotal > 0 {
			frac += float64(t.TilesDone) / float64(t.TilesTotal)
		}
	}
	if p.ItemsTotal > 0 {
		p.Percent = 100 * (float64(p.ItemsDone) + frac) / float64(p.ItemsTotal)
	}
	return p
}

// tiles returns the tile progress of a job's running items.
func (q *queue) tiles(id string) map[int]upscale.Progress {
	q.mu.Lock()
	defer q.mu.Unlock()
	a, ok := q.byID[id]
	if !ok || len(a.tiles) == 0 {
		return nil
	}
	out := make(map[int]upscale.Progress, len(a.tiles))
	for k, v := range a.tiles {
		out[k] = v
	}
	return out
}

// isActive reports whether a job is held in memory.
func (q *queue) isActive(id string) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	_, ok := q.byID[id]
	return ok
}
