package jobs

import (
	"context"
	"errors"
	"time"
)

// watch starts, unless one runs, the reader that turns a fleet job's
// records into events for this node's subscribers: every PollEvery it
// reads the job and publishes what changed since the last read (items'
// states, running items' tiles, the job's state). The pages run on other
// nodes, so the shared database is the one source every API node reads.
// It ends when the job is final or nobody follows it any more.
func (m *Manager) watch(j Job) {
	m.mu.Lock()
	if m.watching[j.ID] {
		m.mu.Unlock()
		return
	}
	m.watching[j.ID] = true
	m.mu.Unlock()
	go func() {
		defer func() {
			m.mu.Lock()
			delete(m.watching, j.ID)
			m.mu.Unlock()
		}()
		t := time.NewTicker(m.cfg.PollEvery)
		defer t.Stop()
		prev := j
		for {
			select {
			case <-m.base.Done():
				return
			case <-t.C:
			}
			if !m.hub.has(j.ID) {
				return
			}
			ctx, cancel := context.WithTimeout(m.base, 10*time.Second)
			cur, err := m.store.job(ctx, j.ID)
			cancel()
			if errors.Is(err, ErrNotFound) {
				return
			}
			if err != nil {
				m.log.Warn("job events: read", "job_id", j.ID, "err", err)
				continue
			}
			m.live(&cur)
			m.publishChanges(prev, cur)
			if cur.State.Final() {
				return
			}
			prev = cur
		}
	}()
}

// publishChanges publishes the events that take prev to cur.
func (m *Manager) publishChanges(prev, cur Job) {
	for i, it := range cur.Items {
		var was Item
		if i < len(prev.Items) {
			was = prev.Items[i]
		}
		switch {
		case it.State != was.State:
			m.hub.publish(cur.ID, Event{Kind: EventItem, Item: it, Progress: cur.Progress})
		case it.State == Running && (it.TilesDone != was.TilesDone || it.TilesTotal != was.TilesTotal):
			m.hub.publish(cur.ID, Event{Kind: EventProgress, Item: it, Progress: cur.Progress})
		}
	}
	if cur.State != prev.State {
		m.hub.publish(cur.ID, Event{Kind: EventState, Job: cur, Progress: cur.Progress})
	}
}
