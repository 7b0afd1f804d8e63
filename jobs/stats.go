package jobs

import (
	"context"
	"time"
)

// Stats is a snapshot of the store for metrics.
type Stats struct {
	// Jobs counts jobs not deleted, by state (every state present).
	Jobs map[State]int
	// ItemsQueued and ItemsRunning count items of all jobs.
	ItemsQueued, ItemsRunning int
	// OldestQueued is the age of the oldest job with a queued item (0
	// when none).
	OldestQueued time.Duration
}

// States lists every job state.
var States = []State{Queued, Running, Succeeded, PartiallySucceeded, Failed, Canceled}

// Stats reads the current counts.
func (m *Manager) Stats(ctx context.Context) (Stats, error) {
	st := Stats{Jobs: map[State]int{}}
	for _, s := range States {
		st.Jobs[s] = 0
	}
	if err := m.store.countBy(ctx, `SELECT state, COUNT(*) FROM jobs WHERE NOT deleted GROUP BY state`, func(s State, n int) {
		st.Jobs[s] = n
	}); err != nil {
		return st, err
	}
	if err := m.store.countBy(ctx, `SELECT state, COUNT(*) FROM items WHERE state IN ('queued', 'running') GROUP BY state`, func(s State, n int) {
		if s == Queued {
			st.ItemsQueued = n
		} else {
			st.ItemsRunning = n
		}
	}); err != nil {
		return st, err
	}
	oldest, err := m.store.oldestQueued(ctx)
	if err != nil {
		return st, err
	}
	if !oldest.IsZero() {
		st.OldestQueued = max(m.deps.Now().Sub(oldest), 0)
	}
	return st, nil
}
