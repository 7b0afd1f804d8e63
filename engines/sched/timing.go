package sched

import (
	"context"
	"sync/atomic"
	"time"
)

// Timing adds up where a request's device work spent its time: waiting in
// the device queues for its turn, and running once started (including the
// wait for the device to finish it). Safe for concurrent use.
type Timing struct{ queued, running atomic.Int64 }

// Queued is the time the request's items waited for their turn.
func (t *Timing) Queued() time.Duration { return time.Duration(t.queued.Load()) }

// Running is the time the request's items held an in-flight slot.
func (t *Timing) Running() time.Duration { return time.Duration(t.running.Load()) }

type timingKey struct{}

// WithTiming makes the scheduler add the device work done under ctx to t.
func WithTiming(ctx context.Context, t *Timing) context.Context {
	return context.WithValue(ctx, timingKey{}, t)
}

func timingOf(ctx context.Context) *Timing {
	t, _ := ctx.Value(timingKey{}).(*Timing)
	return t
}
