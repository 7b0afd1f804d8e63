package jobs

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/upscaled/upscaled/engines"
	"github.com/upscaled/upscaled/upscale"
)

// retryAfter is how long an item waits after its record could not be
// written (e.g. the database is locked) before it runs again.
const retryAfter = 2 * time.Second

// maxAttempts is how often an item is tried when the engine fails in a way
// that may pass (device lost, out of device memory); the waits between
// tries double from retryAfter.
const maxAttempts = 5

// maxDiskWait is the longest wait between tries of an item that met a
// full disk.
const maxDiskWait = time.Minute

// transient reports engine and object store failures worth another try
// later.
func transient(err error) bool {
	return errors.Is(err, engines.ErrDeviceLost) || errors.Is(err, engines.ErrUnavailable) || errors.Is(err, engines.ErrOutOfMemory) ||
		errors.Is(err, ErrStorage)
}

// work runs items until ctx ends.
func (m *Manager) work(ctx context.Context) {
	for {
		a, idx, retry, err := m.queue.next(ctx)
		if err != nil {
			return
		}
		m.runItem(a, idx, retry)
	}
}

// runItem claims, processes and records one item. A record that cannot be
// written puts the item back in the queue; the job's own cancellation or
// the manager's stop leaves it to Cancel or to the next Open.
func (m *Manager) runItem(a *active, idx int, retry bool) {
	ctx := a.ctx
	log := m.log.With("job_id", a.id, "item", idx)
	requeue := func(err error) {
		log.Warn("job item queued again", "err", err)
		m.queue.push(a, idx)
	}
	defer func() {
		if left, canceled := m.queue.done(a, idx); left && canceled {
			m.removeFiles(a.id)
		}
	}()
	if ctx.Err() != nil {
		return
	}
	now := m.deps.Now()
	claimed, err := m.store.claimItem(ctx, a.id, idx, now, retry)
	if err != nil {
		if ctx.Err() == nil {
			m.sleep(ctx, retryAfter)
			requeue(err)
		}
		return
	}
	if !claimed {
		return
	}
	m.publishItem(ctx, a.id, idx)
	m.publishState(ctx, a.id)

	it, tiles, perr := m.process(ctx, a, idx)
	if ctx.Err() != nil {
		// job deleted or manager stopping: the record is Cancel's, or is
		// requeued by the next Open
		m.files.removeOutput(a.id, idx)
		return
	}
	it.Index = idx
	if perr != nil && transient(perr) {
		if n := m.queue.attempt(a, idx); n < maxAttempts {
			log.Warn("job item: engine or store failure, trying again", "err", perr, "attempt", n)
			m.files.removeOutput(a.id, idx)
			m.sleep(ctx, retryAfter<<(n-1))
			requeue(perr)
			return
		}
	}
	if perr != nil && errors.Is(perr, ErrDiskFull) && m.retryDiskFull(ctx, a, idx, perr, requeue) {
		return
	}
	if perr != nil {
		it.State, it.Error = Failed, publicReason(perr)
		log.Warn("job item failed", "err", perr)
	} else {
		it.State = Succeeded
	}
	ok, final, err := m.store.finishItem(ctx, a.id, it, m.deps.Now(), m.cfg.TTL)
	if err != nil && errors.Is(err, ErrDiskFull) && it.State == Succeeded {
		// The result may be what filled the disk, leaving no room for its
		// record: it goes, and the page is tried again like one whose
		// result met the full disk (and fails, recordably, past DiskRetry).
		m.files.removeOutput(a.id, idx)
		if m.retryDiskFull(ctx, a, idx, err, requeue) {
			return
		}
		it = Item{Index: idx, State: Failed, Error: publicReason(err)}
		log.Warn("job item failed", "err", err)
		ok, final, err = m.store.finishItem(ctx, a.id, it, m.deps.Now(), m.cfg.TTL)
	}
	if err != nil {
		// the result file stays: invisible while the record says running,
		// replaced atomically by the retry
		m.sleep(ctx, retryAfter)
		requeue(err)
		return
	}
	if !ok {
		m.files.removeOutput(a.id, idx)
		return
	}
	m.queue.finish(a)
	if m.deps.Metrics != nil {
		m.deps.Metrics.CountImage(a.opts.Model, metricsSource, it.State == Succeeded, tiles)
	}
	m.publishItem(ctx, a.id, idx)
	if final != "" {
		log.Info("job finished", "state", final)
		m.publishState(ctx, a.id)
	}
}

// retryDiskFull puts an item that met a full disk back in the queue after a
// growing wait, until DiskRetry has passed since it first met it; false
// when that time is up (the item fails).
func (m *Manager) retryDiskFull(ctx context.Context, a *active, idx int, err error, requeue func(error)) bool {
	since, n := m.queue.diskFullSince(a, idx, m.deps.Now())
	if m.deps.Now().Sub(since) >= m.cfg.DiskRetry {
		return false
	}
	wait := min(retryAfter<<min(n-1, 5), maxDiskWait)
	m.log.Warn("job item: disk full, trying again", "job_id", a.id, "item", idx, "err", err, "attempt", n, "retry_in", wait)
	m.files.removeOutput(a.id, idx)
	m.sleep(ctx, wait)
	requeue(err)
	return true
}

func (m *Manager) sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// process runs an item through the pipeline into its result file. The
// returned Item holds the output fields; tiles are the plan's.
func (m *Manager) process(ctx context.Context, a *active, idx int) (Item, int, error) {
	var plan *upscale.Plan
	if p, ok := a.plans[idx]; ok {
		plan = &p
	}
	progress := func(p upscale.Progress) {
		m.queue.setTiles(a, idx, p)
		m.hub.publish(a.id, Event{Kind: EventProgress, Progress: m.queue.progress(a),
			Item: Item{Index: idx, State: Running, TilesDone: p.TilesDone, TilesTotal: p.TilesTotal}})
	}
	return m.runPipeline(ctx, a.id, idx, a.opts, plan, progress)
}

// runPipeline runs item idx of job id through the pipeline into its result
// (planned from its header when plan is nil).
func (m *Manager) runPipeline(ctx context.Context, id string, idx int, opts upscale.Options, plan *upscale.Plan, progress func(upscale.Progress)) (Item, int, error) {
	f, err := m.files.openInput(ctx, id, idx)
	if err != nil {
		return Item{}, 0, err
	}
	defer f.Close()
	if plan == nil {
		p, err := m.deps.Pipeline.Plan(f, opts)
		if err != nil {
			return Item{}, 0, err
		}
		plan = &p
	}
	var res upscale.Result
	var took time.Duration
	n, err := m.files.writeOutput(ctx, id, idx, func(w io.Writer) error {
		var err error
		started := time.Now()
		res, err = m.deps.Pipeline.Run(ctx, *plan, f, w, m.gate, progress)
		took = time.Since(started)
		return err
	})
	if err != nil {
		if errors.Is(err, ErrDiskFull) {
			m.log.Error("job item: disk full", "job_id", id, "item", idx)
		}
		return Item{}, 0, err
	}
	// Processing is measured as a synchronous request's: the run less the
	// wait for memory (a cache hit included)
	run := runInfo{Model: res.Model, Tiles: res.Tiles, Notes: res.Notes, Cache: res.Cache, Stages: res.Stages,
		Processing: took - res.Stages.Queue, HostBytes: plan.HostBytes, InWidth: res.InWidth, InHeight: res.InHeight}
	if res.Cache == "hit" {
		run.HostBytes = 0 // a hit reserves no memory
	}
	return Item{
		OutBytes: n, OutFormat: res.Format, OutWidth: res.OutWidth, OutHeight: res.OutHeight,
		ContentType: res.ContentType, run: run.encode(),
	}, res.Tiles, nil
}

// publishItem sends an item's record to subscribers.
func (m *Manager) publishItem(ctx context.Context, id string, idx int) {
	if m.fleet != nil {
		return
	}
	j, err := m.store.job(ctx, id)
	if err != nil || idx >= len(j.Items) {
		return
	}
	m.live(&j)
	m.hub.publish(id, Event{Kind: EventItem, Item: j.Items[idx], Progress: j.Progress})
}
