package budget

import (
	"container/list"
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/upscaled/upscaled/upscale"
)

var (
	// ErrBusy: the wait queue is full, or the wait exceeded the queue timeout.
	// Callers answer "try again later". (upscale's name for it, so that
	// packages below this one can tell it apart.)
	ErrBusy = upscale.ErrReserveBusy
	// ErrTooLarge: the reservation exceeds the whole budget and can never be
	// granted.
	ErrTooLarge = upscale.ErrReserveTooLarge
)

// Budget is a weighted semaphore of bytes. Waiters are served in FIFO order:
// a large reservation at the head of the queue is not overtaken by smaller
// ones, so it cannot starve. Safe for concurrent use.
type Budget struct {
	capacity int64         // bytes
	queueMax int           // waiters beyond which Acquire fails at once
	timeout  time.Duration // longest wait in the queue; 0 = until ctx ends

	mu       sync.Mutex
	reserved int64
	waiters  list.List // of *waiter
	// background waiters (AcquireBackground) are granted only when no
	// Acquire waits: batch work never sits ahead of a request.
	background list.List // of *waiter
}

type waiter struct {
	n     int64
	ready chan struct{} // closed when the bytes are granted
}

// New returns a budget of capacity bytes. queueMax is the number of waiters
// allowed (0: none, every reservation that does not fit at once fails with
// ErrBusy); timeout bounds a wait (0: only ctx bounds it).
func New(capacity int64, queueMax int, timeout time.Duration) *Budget {
	return &Budget{capacity: capacity, queueMax: queueMax, timeout: timeout}
}

// Capacity is the budget in bytes.
func (b *Budget) Capacity() int64 { return b.capacity }

// Reserved is the bytes currently held.
func (b *Budget) Reserved() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.reserved
}

// Waiting is the number of Acquire reservations queued (background ones
// are not counted).
func (b *Budget) Waiting() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.waiters.Len()
}

// BackgroundWaiting is the number of AcquireBackground reservations queued.
func (b *Budget) BackgroundWaiting() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.background.Len()
}

// BusyError is returned (wrapping ErrBusy) when a reservation is refused for
// load; RetryAfter is a hint for clients.
type BusyError struct {
	Reason     string
	RetryAfter time.Duration
}

func (e *BusyError) Error() string { return fmt.Sprintf("%v: %s", ErrBusy, e.Reason) }
func (e *BusyError) Unwrap() error { return ErrBusy }

// TooLargeError is returned (wrapping ErrTooLarge) for a reservation larger
// than the budget.
type TooLargeError struct {
	Requested, Capacity int64 // bytes
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%v: needs %d bytes, the budget is %d bytes", ErrTooLarge, e.Requested, e.Capacity)
}
func (e *TooLargeError) Unwrap() error { return ErrTooLarge }

// Acquire reserves n bytes, waiting in the queue when they are not free. The
// returned release must be called exactly once (later calls do nothing).
func (b *Budget) Acquire(ctx context.Context, n int64) (release func(), err error) {
	if n < 0 {
		n = 0
	}
	if n > b.capacity {
		return nil, &TooLargeError{Requested: n, Capacity: b.capacity}
	}
	b.mu.Lock()
	if b.waiters.Len() == 0 && b.reserved+n <= b.capacity {
		b.reserved += n
		b.mu.Unlock()
		return b.releaser(n), nil
	}
	if b.waiters.Len() >= b.queueMax {
		waiting := b.waiters.Len()
		b.mu.Unlock()
		return nil, &BusyError{Reason: fmt.Sprintf("%d requests already waiting (queue limit %d)", waiting, b.queueMax), RetryAfter: b.retryAfter()}
	}
	w := &waiter{n: n, ready: make(chan struct{})}
	elem := b.waiters.PushBack(w)
	b.mu.Unlock()

	var timer <-chan time.Time
	if b.timeout > 0 {
		t := time.NewTimer(b.timeout)
		defer t.Stop()
		timer = t.C
	}
	var cause error
	select {
	case <-w.ready:
		return b.releaser(n), nil
	case <-ctx.Done():
		cause = ctx.Err()
	case <-timer:
		cause = &BusyError{Reason: fmt.Sprintf("waited %v for memory (queue timeout)", b.timeout), RetryAfter: b.retryAfter()}
	}
	b.giveUp(&b.waiters, elem)
	return nil, cause
}

// giveUp takes a waiter that stopped waiting out of queue q, or hands its
// bytes back when they were granted meanwhile.
func (b *Budget) giveUp(q *list.List, elem *list.Element) {
	w := elem.Value.(*waiter)
	b.mu.Lock()
	defer b.mu.Unlock()
	select {
	case <-w.ready:
		b.reserved -= w.n
		b.notifyLocked()
	default:
		isFront := q.Front() == elem
		q.Remove(elem)
		if isFront {
			// Waiters behind a large head may fit now.
			b.notifyLocked()
		}
	}
}

// AcquireBackground reserves n bytes at low priority: at once when they
// are free and no Acquire waits, otherwise in a queue of its own that is
// served, in order, only while no Acquire waits. It has no queue limit and
// no timeout (ctx bounds it). Job pages take memory this way, so a batch
// never delays a synchronous request that arrives after it.
func (b *Budget) AcquireBackground(ctx context.Context, n int64) (release func(), err error) {
	if n < 0 {
		n = 0
	}
	if n > b.capacity {
		return nil, &TooLargeError{Requested: n, Capacity: b.capacity}
	}
	b.mu.Lock()
	if b.waiters.Len() == 0 && b.background.Len() == 0 && b.reserved+n <= b.capacity {
		b.reserved += n
		b.mu.Unlock()
		return b.releaser(n), nil
	}
	w := &waiter{n: n, ready: make(chan struct{})}
	elem := b.background.PushBack(w)
	b.mu.Unlock()
	select {
	case <-w.ready:
		return b.releaser(n), nil
	case <-ctx.Done():
	}
	b.giveUp(&b.background, elem)
	return nil, ctx.Err()
}

func (b *Budget) releaser(n int64) func() {
	var once sync.Once
	return func() {
		once.Do(func() {
			b.mu.Lock()
			b.reserved -= n
			b.notifyLocked()
			b.mu.Unlock()
		})
	}
}

// notifyLocked grants waiters in order while the head fits: Acquire's
// queue first, the background queue only once that one is empty.
func (b *Budget) notifyLocked() {
	for {
		q := &b.waiters
		if q.Len() == 0 {
			q = &b.background
		}
		front := q.Front()
		if front == nil {
			return
		}
		w := front.Value.(*waiter)
		if b.reserved+w.n > b.capacity {
			return
		}
		b.reserved += w.n
		q.Remove(front)
		close(w.ready)
	}
}

// retryAfter suggests how long a refused client should wait: the queue
// timeout when set, else a few seconds.
func (b *Budget) retryAfter() time.Duration {
	if b.timeout > 0 {
		return b.timeout
	}
	return 5 * time.Second
}
