package jobs

import (
	"context"
	"errors"
	"testing"
	"time"
)

func newActive(id string, pending ...int) *active {
	ctx, cancel := context.WithCancelCause(context.Background())
	return &active{id: id, ctx: ctx, cancel: cancel, pending: pending, total: len(pending)}
}

// TestQueueRoundRobin: a later small job is served between a big job's items.
func TestQueueRoundRobin(t *testing.T) {
	q := newQueue(1)
	big, small := newActive("big", 0, 1, 2, 3), newActive("small", 0, 1)
	q.add(big)
	q.add(small)
	var order []string
	for i := 0; i < 6; i++ {
		a, idx, _, err := q.next(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		order = append(order, a.id+string(rune('0'+idx)))
		q.done(a, idx)
	}
	want := []string{"big0", "small0", "big1", "small1", "big2", "big3"}
	for i := range want {
		if order[i] != want[i] {
			t.Fatalf("order %v, want %v", order, want)
		}
	}
	if q.isActive("big") || q.isActive("small") {
		t.Fatal("finished jobs still active")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, _, _, err := q.next(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("empty queue: %v", err)
	}
}

// TestQueueCancel: a canceled job's pending items are dropped, its context
// canceled, and it leaves the queue when its running item ends.
func TestQueueCancel(t *testing.T) {
	q := newQueue(1)
	a := newActive("j", 0, 1, 2)
	q.add(a)
	got, idx, _, _ := q.next(context.Background())
	running, found := q.cancelJob("j")
	if !running || !found || !errors.Is(context.Cause(a.ctx), ErrGone) {
		t.Fatalf("cancel: running=%v found=%v cause=%v", running, found, context.Cause(a.ctx))
	}
	if left, canceled := q.done(got, idx); !left || !canceled {
		t.Fatalf("done after cancel: left=%v canceled=%v", left, canceled)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, _, _, err := q.next(ctx); err == nil {
		t.Fatal("a canceled job's item was served")
	}
}

// TestHub: progress is dropped for a slow reader, a state event closes it,
// and a final state ends every subscription.
func TestHub(t *testing.T) {
	h := newHub()
	slow := h.subscribe("j")
	fast := h.subscribe("j")
	for i := 0; i < subBuffer+10; i++ {
		h.publish("j", Event{Kind: EventProgress})
		if i < subBuffer {
			<-fast
		}
	}
	if len(slow) != subBuffer {
		t.Fatalf("slow reader holds %d events, want %d", len(slow), subBuffer)
	}
	h.publish("j", Event{Kind: EventItem})
	for range slow {
	} // closed after its backlog: it was too slow for an item event
	if ev := <-fast; ev.Kind != EventProgress {
		t.Fatalf("fast reader got %s", ev.Kind)
	}
	for len(fast) > 0 {
		<-fast
	}
	h.publish("j", Event{Kind: EventState, Job: Job{State: Succeeded}})
	var last Event
	for ev := range fast {
		last = ev
	}
	if last.Kind != EventState || last.Job.State != Succeeded {
		t.Fatalf("last event %+v", last)
	}
	h.unsubscribe("j", fast) // after close: no double close
	if len(h.subs) != 0 {
		t.Fatalf("%d jobs still subscribed", len(h.subs))
	}
}
