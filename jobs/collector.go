package jobs

import (
	"context"
	"time"
)

// collect runs Collect every Config.CollectEvery until ctx ends.
func (m *Manager) collect(ctx context.Context) {
	t := time.NewTicker(m.cfg.CollectEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := m.Collect(ctx); err != nil && ctx.Err() == nil {
				m.log.Error("job collector", "err", err)
			}
		}
	}
}

// Collect is one collector pass: it removes jobs whose TTL passed (files,
// then records), directories no record owns (a crash during an upload),
// files of canceled jobs left behind, and queues again unfinished jobs no
// worker holds (after a record could not be written).
func (m *Manager) Collect(ctx context.Context) error {
	expired, err := m.store.expired(ctx, m.deps.Now())
	if err != nil {
		return err
	}
	for _, id := range expired {
		// An expired job is final: a worker may still hold it in the queue
		// (it publishes events after the record says final) but touches
		// none of its files, so it is no reason to keep the job.
		if err := m.files.removeJob(ctx, id); err != nil {
			return err
		}
		if err := m.store.delete(ctx, id); err != nil {
			return err
		}
		m.log.Info("job expired", "job_id", id)
	}
	if err := m.sweepDirs(ctx); err != nil {
		return err
	}
	_, err = m.recover(ctx)
	return err
}

// sweepDirs removes job directories without a live owner record. In a
// remote store it does nothing: other servers' jobs share the bucket (and
// have no record here); the bucket's lifecycle rules remove what an upload
// cut by a crash left.
func (m *Manager) sweepDirs(ctx context.Context) error {
	if !m.files.local() {
		return nil
	}
	ids, err := m.files.jobIDs(ctx)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if !validID(id) || m.queue.isActive(id) {
			continue
		}
		m.mu.Lock()
		draft := m.drafts[id]
		m.mu.Unlock()
		if draft {
			continue
		}
		j, err := m.store.job(ctx, id)
		switch {
		case err == ErrNotFound, err == nil && (j.State == Canceled || j.Deleted):
			if err := m.files.removeJob(ctx, id); err != nil {
				return err
			}
		case err != nil:
			return err
		}
	}
	return nil
}
