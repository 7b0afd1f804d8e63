package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/upscaled/upscaled/engines"
	"github.com/upscaled/upscaled/imaging"
	"github.com/upscaled/upscaled/models"
	"github.com/upscaled/upscaled/upscale"
)

// A synchronous page on a fleet's API node (RunPage) is a one-page job of
// the shared database, like a batch job's page: its input is stored, its
// page enqueued and worked by any worker, and the request waits for it.
// Its job is hidden: its owner is syncOwnerPrefix + the caller's key
// identity, which no API key has, so it shows in no listing and no GET of
// its caller's. It is deleted (records and files) as soon as the request
// is answered. A page whose request ended first (client gone, request
// timeout) is canceled: its job is a tombstone, canceled and deleted, so
// that a worker still running it stops and removes its late result, and
// is deleted once its page left the queue. One whose API node died first
// expires with the normal TTL once its page ended (the collector).
const syncOwnerPrefix = "sync:"

// syncPriority is the queue priority of synchronous pages: a worker takes
// them before batch pages (batchPriority), whose wait nobody sits through.
const (
	syncPriority  = 1
	batchPriority = 2
)

// runInfo is what a fleet worker records of a page's run (items.run):
// what the synchronous answer's headers say, and why a page failed.
type runInfo struct {
	Model  string         `json:"model,omitempty"`
	Tiles  int            `json:"tiles,omitempty"`
	Notes  []string       `json:"notes,omitempty"`
	Cache  string         `json:"cache,omitempty"`
	Stages upscale.Stages `json:"stages"`
	// Processing is the run less the wait for memory, as
	// X-Upscaled-Processing-Ms.
	Processing time.Duration `json:"processing,omitempty"`
	HostBytes  int64         `json:"host_bytes,omitempty"`
	InWidth    int           `json:"in_width,omitempty"`
	InHeight   int           `json:"in_height,omitempty"`
	// Kind names the failure's class (errorKinds), "" when none is known.
	Kind string `json:"kind,omitempty"`
}

func (r runInfo) encode() string {
	b, _ := json.Marshal(r)
	return string(b)
}

// errorKinds are the failures a synchronous answer tells apart by status,
// by the name a worker records and the API node maps back.
var errorKinds = []struct {
	name string
	err  error
}{
	{"corrupt", imaging.ErrCorrupt},
	{"animated", imaging.ErrAnimated},
	{"unsupported", imaging.ErrUnsupported},
	{"image-too-large", imaging.ErrTooLarge},
	{"input-too-large", upscale.ErrInputTooLarge},
	{"output-too-large", upscale.ErrOutputTooLarge},
	{"bad-options", upscale.ErrBadOptions},
	{"unknown-model", models.ErrUnknownModel},
	{"model-not-installed", models.ErrNotInstalled},
	{"over-memory-budget", upscale.ErrReserveTooLarge},
	{"busy", upscale.ErrReserveBusy},
	{"device-out-of-memory", engines.ErrOutOfMemory},
	{"device-lost", engines.ErrDeviceLost},
	{"engine-unavailable", engines.ErrUnavailable},
	{"disk-full", ErrDiskFull},
	{"storage", ErrStorage},
	{"timeout", errPageTimeout},
}

// errorKind is the name of err's class, "" when it has none.
func errorKind(err error) string {
	for _, k := range errorKinds {
		if errors.Is(err, k.err) {
			return k.name
		}
	}
	return ""
}

// PageError is a synchronous page's failure as its worker recorded it:
// Error is the item's reason, Unwrap the class of error it was (nil when
// unknown: an internal error, or a page the queue gave up on).
type PageError struct {
	Reason string
	Kind   error
}

func (e *PageError) Error() string { return e.Reason }
func (e *PageError) Unwrap() error { return e.Kind }

// Page is a synchronous page that ended: its item and what its worker
// recorded. Close it (it deletes the page's job) once answered.
type Page struct {
	m  *Manager
	id string
	// Item is the page's record (Succeeded or Failed).
	Item Item
	// Result is the worker's run: model, tiles, notes, cache, stages
	// (Queue: its wait for memory), Elapsed: the run less that wait; zero
	// fields when the worker recorded none (an older node).
	Result upscale.Result
	// HostBytes is the memory the worker reserved for it.
	HostBytes int64
	// Err is the page's failure (a *PageError), nil when it succeeded.
	Err error
}

// Open opens the page's result; the caller closes it.
func (p *Page) Open(ctx context.Context) (File, error) {
	return p.m.files.openOutput(ctx, p.id, 0)
}

// Close deletes the page's job: its files, then its records.
func (p *Page) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := p.m.files.removeJob(ctx, p.id); err != nil {
		p.m.log.Warn("synchronous page: remove files (they expire with the job)", "job_id", p.id, "err", err)
		return
	}
	if err := p.m.store.delete(ctx, p.id); err != nil {
		p.m.log.Warn("synchronous page: delete its job (it expires)", "job_id", p.id, "err", err)
	}
}

// RunPage runs one synchronous page on the fleet: src (rawName as sent) is
// stored and enqueued as a hidden one-page job of owner with plan's
// options (plan was made from src's header, as Commit's check does), and
// RunPage waits, reading the job as the event watcher does (every
// Config.PollEvery), until the page ended. When ctx ends first the job is
// canceled (the page leaves the queue, or its worker stops it) and ctx's
// error returned.
func (m *Manager) RunPage(ctx context.Context, owner string, rawName []byte, src io.Reader, plan upscale.Plan) (*Page, error) {
	if m.fleet == nil {
		return nil, errors.New("jobs: synchronous pages need the fleet's queue")
	}
	id, err := newID()
	if err != nil {
		return nil, err
	}
	f, err := m.files.createInput(ctx, id, 0)
	if err != nil {
		return nil, fmt.Errorf("jobs: store the page: %w", err)
	}
	n, err := io.Copy(f, ctxReader{ctx, src})
	if err == nil {
		err = f.commit()
	} else {
		f.abort()
	}
	if err != nil {
		m.removeFiles(id)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("jobs: store the page: %w", err)
	}
	if len(rawName) > MaxRawNameBytes {
		rawName = rawName[:MaxRawNameBytes]
	}
	w, h := plan.Input.OrientedSize()
	now := m.deps.Now().UTC()
	j := Job{ID: id, Owner: syncOwnerPrefix + owner, Options: plan.Options, Created: now, State: Queued, Items: []Item{{
		Name: SanitizeName(rawName, "image-1"), RawName: append([]byte{}, rawName...), State: Queued, InBytes: n,
		InFormat: plan.Input.Format, InWidth: w, InHeight: h, OutFormat: plan.Format, OutWidth: plan.OutWidth, OutHeight: plan.OutHeight,
	}}}
	// subscribed before the job exists: no event can be missed
	ch := m.hub.subscribe(id)
	defer m.hub.unsubscribe(id, ch)
	if err := m.store.insertJobTx(ctx, j, m.fleet.enqueuePriority(ctx, id, []int{0}, syncPriority)); err != nil {
		m.removeFiles(id)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("jobs: enqueue the page: %w", err)
	}
	m.log.Debug("synchronous page enqueued", "job_id", id, "bytes", n)
	m.watch(j)
	for {
		select {
		case <-ctx.Done():
			m.cancelPage(id)
			return nil, ctx.Err()
		case ev, ok := <-ch:
			if ok && ev.Kind == EventState && ev.Job.State.Final() && len(ev.Job.Items) == 1 {
				p, _ := m.pageOf(ev.Job)
				return p, nil
			}
			if ok {
				continue
			}
			// the watcher stopped (a read it could not make, or this
			// reader fell behind): read the job here, follow it again
			// while unfinished
			p, done, err := m.pageEnded(ctx, id)
			if err != nil || done {
				if err != nil && ctx.Err() != nil {
					m.cancelPage(id)
					return nil, ctx.Err()
				}
				return p, err
			}
			if !ok {
				ch = m.hub.subscribe(id)
				defer m.hub.unsubscribe(id, ch)
				m.watch(j)
			}
		}
	}
}

// pageEnded reads a synchronous page's job; done when its page ended.
func (m *Manager) pageEnded(ctx context.Context, id string) (*Page, bool, error) {
	cur, err := m.store.job(ctx, id)
	if err != nil {
		return nil, false, fmt.Errorf("jobs: read the page's job: %w", err)
	}
	if len(cur.Items) != 1 {
		return nil, false, fmt.Errorf("jobs: page job %s has %d items", id, len(cur.Items))
	}
	p, done := m.pageOf(cur)
	return p, done, nil
}

// pageOf is a synchronous page's job's page when it ended.
func (m *Manager) pageOf(j Job) (*Page, bool) {
	it := j.Items[0]
	if !it.State.Final() {
		return nil, false
	}
	id := j.ID
	p := &Page{m: m, id: id, Item: it}
	var ri runInfo
	if it.run != "" {
		if err := json.Unmarshal([]byte(it.run), &ri); err != nil {
			m.log.Warn("synchronous page: unreadable run record", "job_id", id, "err", err)
		}
	}
	p.Result = upscale.Result{Model: ri.Model, Format: it.OutFormat, ContentType: it.ContentType,
		InWidth: ri.InWidth, InHeight: ri.InHeight, OutWidth: it.OutWidth, OutHeight: it.OutHeight,
		Tiles: ri.Tiles, Notes: ri.Notes, Elapsed: ri.Processing, Stages: ri.Stages, Cache: ri.Cache}
	p.HostBytes = ri.HostBytes
	switch it.State {
	case Succeeded:
	case Canceled:
		p.Err = &PageError{Reason: "the page was canceled in the fleet's queue", Kind: ErrGone}
	default:
		pe := &PageError{Reason: it.Error}
		for _, k := range errorKinds {
			if k.name == ri.Kind {
				pe.Kind = k.err
			}
		}
		if pe.Reason == "" {
			pe.Reason = "the page failed"
		}
		p.Err = pe
	}
	return p, true
}

// cancelPage cancels a synchronous page whose request ended: its job is
// marked deleted and canceled, its page leaves the queue (or its worker
// stops it at its next tile and removes what it wrote), its files are
// removed; the tombstone expires with the TTL.
func (m *Manager) cancelPage(id string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := m.store.cancel(ctx, id, m.deps.Now(), m.cfg.TTL); err != nil {
		m.log.Warn("synchronous page: cancel", "job_id", id, "err", err)
	}
	if err := m.fleet.cancel(ctx, id); err != nil {
		m.log.Warn("synchronous page: cancel in the queue", "job_id", id, "err", err)
	}
	m.removeFiles(id)
	m.log.Info("synchronous page canceled: its request ended", "job_id", id)
	// once its page left the queue (a worker stops it at its next tile
	// and removes what it wrote) the job goes, rather than waiting for
	// the TTL; the collector takes it if this node stops first
	go func() {
		t := time.NewTicker(m.cfg.PollEvery)
		defer t.Stop()
		for deadline := time.Now().Add(m.cfg.RescueAfter + time.Minute); time.Now().Before(deadline); {
			select {
			case <-m.base.Done():
				return
			case <-t.C:
			}
			ctx, cancel := context.WithTimeout(m.base, 10*time.Second)
			busy, err := m.fleet.pending(ctx, id)
			if err == nil && !busy {
				err = m.files.removeJob(ctx, id)
				if err == nil {
					err = m.store.delete(ctx, id)
				}
				cancel()
				if err != nil {
					m.log.Warn("synchronous page: delete its canceled job (it expires)", "job_id", id, "err", err)
				}
				return
			}
			cancel()
		}
	}()
}
