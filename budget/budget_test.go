package budget

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

func TestAcquireImmediate(t *testing.T) {
	b := New(100, 0, 0)
	r1, err := b.Acquire(context.Background(), 60)
	if err != nil {
		t.Fatal(err)
	}
	r2, err := b.Acquire(context.Background(), 40)
	if err != nil {
		t.Fatal(err)
	}
	if got := b.Reserved(); got != 100 {
		t.Fatalf("reserved %d, want 100", got)
	}
	r1()
	r1() // idempotent
	if got := b.Reserved(); got != 40 {
		t.Fatalf("reserved after release %d, want 40", got)
	}
	r2()
	if got := b.Reserved(); got != 0 {
		t.Fatalf("reserved %d, want 0", got)
	}
}

func TestAcquireRefusals(t *testing.T) {
	tests := []struct {
		name     string
		queueMax int
		timeout  time.Duration
		held     int64
		n        int64
		want     error
	}{
		{"larger than budget", 4, 0, 0, 101, ErrTooLarge},
		{"no queue", 0, 0, 80, 30, ErrBusy},
		{"queue timeout", 4, 20 * time.Millisecond, 80, 30, ErrBusy},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := New(100, tt.queueMax, tt.timeout)
			if tt.held > 0 {
				rel, err := b.Acquire(context.Background(), tt.held)
				if err != nil {
					t.Fatal(err)
				}
				defer rel()
			}
			_, err := b.Acquire(context.Background(), tt.n)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			var busy *BusyError
			if errors.Is(err, ErrBusy) && (!errors.As(err, &busy) || busy.RetryAfter <= 0) {
				t.Fatalf("busy error without RetryAfter: %v", err)
			}
			if b.Waiting() != 0 {
				t.Fatalf("%d waiters left behind", b.Waiting())
			}
			if b.Reserved() != tt.held {
				t.Fatalf("reserved %d, want %d", b.Reserved(), tt.held)
			}
		})
	}
}

func TestQueueFull(t *testing.T) {
	b := New(100, 1, 0)
	rel, _ := b.Acquire(context.Background(), 100)
	done := make(chan error, 1)
	go func() {
		r, err := b.Acquire(context.Background(), 50)
		if err == nil {
			r()
		}
		done <- err
	}()
	waitFor(t, func() bool { return b.Waiting() == 1 })
	if _, err := b.Acquire(context.Background(), 10); !errors.Is(err, ErrBusy) {
		t.Fatalf("second waiter: err = %v, want ErrBusy", err)
	}
	rel()
	if err := <-done; err != nil {
		t.Fatalf("queued waiter: %v", err)
	}
}

func TestFIFOLargeHeadNotOvertaken(t *testing.T) {
	b := New(100, 10, 0)
	rel, _ := b.Acquire(context.Background(), 60)
	var mu sync.Mutex
	var order []int64
	var wg sync.WaitGroup
	start := func(n int64) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := b.Acquire(context.Background(), n)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			order = append(order, n)
			mu.Unlock()
			time.Sleep(5 * time.Millisecond)
			r()
		}()
	}
	start(95) // head: cannot fit while 60 are held
	waitFor(t, func() bool { return b.Waiting() == 1 })
	start(10) // would fit now, but must not overtake the head
	waitFor(t, func() bool { return b.Waiting() == 2 })
	if b.Reserved() != 60 {
		t.Fatalf("small waiter overtook the head: reserved %d", b.Reserved())
	}
	rel()
	wg.Wait()
	if len(order) != 2 || order[0] != 95 || order[1] != 10 {
		t.Fatalf("grant order %v, want [95 10]", order)
	}
	if b.Reserved() != 0 {
		t.Fatalf("reserved %d after all released", b.Reserved())
	}
}

func TestCancelWhileWaiting(t *testing.T) {
	b := New(100, 10, 0)
	rel, _ := b.Acquire(context.Background(), 100)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := b.Acquire(ctx, 50)
		done <- err
	}()
	waitFor(t, func() bool { return b.Waiting() == 1 })
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	rel()
	if b.Reserved() != 0 || b.Waiting() != 0 {
		t.Fatalf("reserved %d waiting %d, want 0 0", b.Reserved(), b.Waiting())
	}
}

func TestHeadGivingUpUnblocksOthers(t *testing.T) {
	b := New(100, 10, 0)
	rel, _ := b.Acquire(context.Background(), 50)
	defer rel()
	ctx, cancel := context.WithCancel(context.Background())
	headDone := make(chan error, 1)
	go func() {
		_, err := b.Acquire(ctx, 80)
		headDone <- err
	}()
	waitFor(t, func() bool { return b.Waiting() == 1 })
	smallDone := make(chan error, 1)
	go func() {
		r, err := b.Acquire(context.Background(), 40)
		if err == nil {
			r()
		}
		smallDone <- err
	}()
	waitFor(t, func() bool { return b.Waiting() == 2 })
	cancel()
	<-headDone
	select {
	case err := <-smallDone:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("waiter behind a cancelled head was not granted")
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached")
		}
		time.Sleep(time.Millisecond)
	}
}

// A background reservation (a job page) waiting for memory is passed by a
// request that arrives later: when memory frees, the request gets it first
// and the job page waits until the request is done. Background waits are
// not refused by the queue limit and end with their context.
func TestBackgroundYieldsToRequests(t *testing.T) {
	b := New(100, 0, 0) // queue limit 0: a request that cannot start at once is refused
	held, _ := b.Acquire(context.Background(), 80)
	bgDone := make(chan func(), 1)
	go func() {
		r, err := b.AcquireBackground(context.Background(), 50)
		if err != nil {
			t.Error(err)
		}
		bgDone <- r
	}()
	waitFor(t, func() bool { return b.BackgroundWaiting() == 1 })
	b.queueMax = 10 // now let one request wait
	fgDone := make(chan func(), 1)
	go func() {
		r, err := b.Acquire(context.Background(), 60)
		if err != nil {
			t.Error(err)
		}
		fgDone <- r
	}()
	waitFor(t, func() bool { return b.Waiting() == 1 })
	held()
	fg := <-fgDone
	if got := b.Reserved(); got != 60 || b.BackgroundWaiting() != 1 {
		t.Fatalf("after the holder left: reserved %d, %d background waiting; want the request's 60 and the job page still waiting", got, b.BackgroundWaiting())
	}
	fg()
	bg := <-bgDone
	if got := b.Reserved(); got != 50 {
		t.Fatalf("after the request: reserved %d, want the job page's 50", got)
	}
	bg()

	// cancelled while waiting
	held, _ = b.Acquire(context.Background(), 100)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := b.AcquireBackground(ctx, 10)
		errc <- err
	}()
	waitFor(t, func() bool { return b.BackgroundWaiting() == 1 })
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	held()
	if b.Reserved() != 0 || b.BackgroundWaiting() != 0 {
		t.Fatalf("reserved %d, %d background waiting; want 0 0", b.Reserved(), b.BackgroundWaiting())
	}
	if _, err := b.AcquireBackground(context.Background(), 101); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("over the whole budget: %v, want ErrTooLarge", err)
	}
}
