package jobs

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/upscaled/upscaled/blob"
	"github.com/upscaled/upscaled/upscale"
)

// Pipeline runs one image; upscale.Pipeline implements it.
type Pipeline interface {
	Plan(src io.ReadSeeker, o upscale.Options) (upscale.Plan, error)
	Run(ctx context.Context, plan upscale.Plan, src io.Reader, dst io.Writer, mem upscale.Reserver, progress func(upscale.Progress)) (upscale.Result, error)
}

// Deps are the components a Manager uses; only Pipeline is required.
type Deps struct {
	Pipeline Pipeline
	// Budget is the shared memory budget; nil runs items without one.
	Budget Budget
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// FreeSpace gives the free bytes of a directory (FreeSpace when nil).
	FreeSpace func(dir string) (uint64, error)
	// Logger receives job logs (slog.Default when nil).
	Logger *slog.Logger
	// Metrics, when set, counts each page that ends (api.Metrics).
	Metrics Metrics
	// Blobs, when set, holds the uploads and results (an S3 bucket)
	// instead of the data directory; jobs.db stays there.
	Blobs blob.Store
	// Spool holds temp copies of inputs read from Blobs (os.TempDir()
	// when empty); the server's spool directory, emptied at its start.
	Spool string
}

// Metrics counts processed images; source is "job" for job pages, model a
// catalog id, tiles those of the image's plan.
type Metrics interface {
	CountImage(model, source string, ok bool, tiles int)
}

// metricsSource labels job pages in Metrics.
const metricsSource = "job"

// Manager owns the jobs of one data directory. Open it, Run it in a
// goroutine for the workers and collector, Close it after Run returned.
type Manager struct {
	cfg   Config
	deps  Deps
	files layout
	store *store
	queue *queue
	hub   *hub
	gate  *gate
	log   *slog.Logger

	// base is the parent of every job context; canceled by Run's end.
	base     context.Context
	stopBase context.CancelFunc

	// admit orders job creation against the collector's recovery pass.
	admit sync.RWMutex

	// uploads holds a token per job upload being received.
	uploads chan struct{}

	mu       sync.Mutex
	drafts   map[string]bool // ids of uploads not yet committed
	watching map[string]bool // fleet: ids of jobs a watcher reads for subscribers

	// fleet, when set, is the queue of fleet mode (Config.DatabaseURL):
	// pages are River jobs on the shared database, queue is unused.
	fleet *fleet
}

// Open opens (or creates) the store under cfg.DataDir, removes half-written
// results, and queues every unfinished job again: items that were running
// when the process stopped are redone from their input, finished ones kept.
func Open(ctx context.Context, cfg Config, d Deps) (*Manager, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if d.Pipeline == nil {
		return nil, errors.New("jobs: a pipeline is required")
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.FreeSpace == nil {
		d.FreeSpace = FreeSpace
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.Spool == "" {
		d.Spool = os.TempDir()
	}
	l := layout{data: cfg.DataDir, remote: d.Blobs, spool: d.Spool}
	if err := os.MkdirAll(l.jobsDir(), 0o750); err != nil {
		return nil, fmt.Errorf("jobs: data directory: %w", err)
	}
	if cfg.DatabaseURL != "" {
		return openFleet(ctx, cfg, d, l)
	}
	st, err := openStore(ctx, l.db())
	if err != nil {
		return nil, err
	}
	m := newManager(cfg, d, l, st)
	stop := m.stopBase
	n, err := m.recover(ctx)
	if err != nil {
		st.close()
		stop()
		return nil, fmt.Errorf("jobs: resume: %w", err)
	}
	if n > 0 {
		m.log.Info("resumed unfinished jobs", "jobs", n)
	}
	// uploads cut by a crash left directories without a record
	if err := m.sweepDirs(ctx); err != nil {
		st.close()
		stop()
		return nil, fmt.Errorf("jobs: clean up: %w", err)
	}
	return m, nil
}

func newManager(cfg Config, d Deps, l layout, st *store) *Manager {
	base, stop := context.WithCancel(context.Background())
	return &Manager{
		cfg: cfg, deps: d, files: l, store: st,
		queue: newQueue(cfg.Workers), hub: newHub(), gate: newGate(d.Budget, cfg.BudgetShare),
		log: d.Logger.With("component", "jobs"), base: base, stopBase: stop,
		drafts: map[string]bool{}, watching: map[string]bool{}, uploads: make(chan struct{}, cfg.MaxUploads),
	}
}

// openFleet opens the fleet's job store and queue on PostgreSQL. Job
// files must be in a store every node reaches (Deps.Blobs), unless the
// configuration says that one node runs.
func openFleet(ctx context.Context, cfg Config, d Deps, l layout) (*Manager, error) {
	if d.Blobs == nil && !cfg.SingleNode {
		return nil, errors.New("UPSCALED_DATABASE_URL is set but job files would stay in this node's data directory, where other nodes cannot read them: " +
			"set UPSCALED_BLOB_URL=s3://BUCKET/PREFIX (a store every node reaches), or UPSCALED_SINGLE_NODE=1 when this is the only node")
	}
	pool, st, err := openPG(ctx, cfg)
	if err != nil {
		return nil, err
	}
	m := newManager(cfg, d, l, st)
	if m.fleet, err = newFleet(m, pool); err != nil {
		st.close()
		pool.Close()
		return nil, err
	}
	if err := m.sweepDirs(ctx); err != nil {
		m.Close()
		return nil, fmt.Errorf("jobs: clean up: %w", err)
	}
	m.log.Info("fleet job store", "database", redactURL(cfg.DatabaseURL), "node", m.fleet.id, "works_pages", cfg.Work)
	return m, nil
}

// Config returns the configuration in use.
func (m *Manager) Config() Config { return m.cfg }

// Run runs the workers and the collector until ctx ends, then waits for the
// workers to stop (a running item stops at its next tile; it is redone on
// the next Open).
func (m *Manager) Run(ctx context.Context) error {
	if m.fleet != nil {
		return m.fleet.run(ctx, m)
	}
	if err := m.Collect(ctx); err != nil && ctx.Err() == nil {
		m.log.Error("job collector", "err", err)
	}
	var wg sync.WaitGroup
	for w := 0; w < m.cfg.Workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m.work(ctx)
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		m.collect(ctx)
	}()
	<-ctx.Done()
	m.stopBase()
	wg.Wait()
	return nil
}

// Close closes the store. Call it after Run returned.
func (m *Manager) Close() error {
	m.stopBase()
	err := m.store.close()
	if m.fleet != nil {
		m.fleet.pool.Close()
	}
	return err
}

// recover queues every unfinished job not already active; it returns how
// many it queued.
func (m *Manager) recover(ctx context.Context) (int, error) {
	if m.fleet != nil {
		return 0, nil // River holds the fleet's unfinished pages
	}
	m.admit.Lock()
	defer m.admit.Unlock()
	ids, err := m.store.unfinished(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		if m.queue.isActive(id) {
			continue
		}
		if m.files.local() {
			if err := removeTemps(m.files.outDir(id)); err != nil {
				return n, err
			}
		}
		if err := m.store.requeueRunning(ctx, id); err != nil {
			return n, err
		}
		j, err := m.store.job(ctx, id)
		if err != nil {
			return n, err
		}
		pending, err := m.store.queuedItems(ctx, id)
		if err != nil {
			return n, err
		}
		if len(pending) == 0 {
			if err := m.store.tx(ctx, func(tx *sql.Tx) error {
				_, err := m.store.settleJob(ctx, tx, id, m.deps.Now(), m.cfg.TTL)
				return err
			}); err != nil {
				return n, err
			}
			continue
		}
		m.activate(j, pending, nil)
		n++
	}
	return n, nil
}

// activate puts a job's pending items in the queue.
func (m *Manager) activate(j Job, pending []int, plans map[int]upscale.Plan) {
	ctx, cancel := context.WithCancelCause(m.base)
	m.queue.add(&active{id: j.ID, opts: j.Options, plans: plans, ctx: ctx, cancel: cancel, pending: pending,
		total: len(j.Items), finished: j.Counts().Succeeded + j.Counts().Failed + j.Counts().Canceled})
}

// Get returns the owner's job with live progress; ErrNotFound for another
// owner's job, ErrGone for a deleted one.
func (m *Manager) Get(ctx context.Context, owner, id string) (Job, error) {
	j, err := m.owned(ctx, owner, id)
	if err == nil && j.Deleted {
		return Job{}, fmt.Errorf("%w: job %s was deleted", ErrGone, id)
	}
	return j, err
}

// owned is Get that also returns deleted jobs.
func (m *Manager) owned(ctx context.Context, owner, id string) (Job, error) {
	if !validID(id) {
		return Job{}, ErrNotFound
	}
	j, err := m.store.job(ctx, id)
	if err != nil {
		return Job{}, err
	}
	if j.Owner != owner {
		return Job{}, ErrNotFound
	}
	m.live(&j)
	return j, nil
}

// live fills the tile counts of running items and the job's progress.
func (m *Manager) live(j *Job) {
	if m.fleet != nil {
		// tiles of running items are in their records
		j.Progress = j.computeProgress()
		return
	}
	if tiles := m.queue.tiles(j.ID); tiles != nil {
		for i := range j.Items {
			if p, ok := tiles[j.Items[i].Index]; ok && j.Items[i].State == Running {
				j.Items[i].TilesDone, j.Items[i].TilesTotal = p.TilesDone, p.TilesTotal
			}
		}
	}
	j.Progress = j.computeProgress()
}

// List returns a page of the owner's jobs, newest first, and the cursor of
// the next page ("" at the end). Jobs carry their items.
func (m *Manager) List(ctx context.Context, owner string, limit int, cursor string) ([]Job, string, error) {
	if limit < 1 || limit > 100 {
		return nil, "", fmt.Errorf("%w: limit %d: must be 1..100", ErrBadRequest, limit)
	}
	beforeMS, beforeID := int64(1<<62), "~"
	if cursor != "" {
		b, err := base64.RawURLEncoding.DecodeString(cursor)
		ts, id, ok := strings.Cut(string(b), ".")
		v, perr := strconv.ParseInt(ts, 10, 64)
		if err != nil || !ok || perr != nil || !validID(id) {
			return nil, "", fmt.Errorf("%w: cursor %q is not one this server gave", ErrBadRequest, cursor)
		}
		beforeMS, beforeID = v, id
	}
	js, err := m.store.list(ctx, owner, limit+1, beforeMS, beforeID)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(js) > limit {
		js = js[:limit]
		last := js[limit-1]
		next = base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(ms(last.Created), 10) + "." + last.ID))
	}
	for i := range js {
		m.live(&js[i])
	}
	return js, next, nil
}

// Cancel deletes the owner's job: pending items are canceled, a running
// item stops at its next tile, every file of the job is removed and its
// idempotency key released. It leaves the owner's lists at once; the record
// stays as a tombstone (Get: ErrGone) until the TTL passes. Deleting a
// deleted job does nothing.
func (m *Manager) Cancel(ctx context.Context, owner, id string) error {
	j, err := m.owned(ctx, owner, id)
	if err != nil {
		return err
	}
	if j.Deleted {
		return nil
	}
	if err := m.store.cancel(ctx, id, m.deps.Now(), m.cfg.TTL); err != nil {
		return fmt.Errorf("jobs: cancel %s: %w", id, err)
	}
	var running bool
	if m.fleet != nil {
		// a page running on a worker stops at its next tile and removes
		// what it wrote; the bucket's lifecycle rules take a late one
		if err := m.fleet.cancel(ctx, id); err != nil {
			m.log.Warn("cancel queued pages", "job_id", id, "err", err)
		}
		m.removeFiles(id)
	} else if running, _ = m.queue.cancelJob(id); !running {
		m.removeFiles(id)
	}
	m.log.Info("job canceled", "job_id", id, "items_running", running)
	m.publishState(ctx, id)
	return nil
}

func (m *Manager) removeFiles(id string) {
	if err := m.files.removeJob(context.Background(), id); err != nil {
		m.log.Error("remove job files", "job_id", id, "err", err)
	}
}

// Result opens item n's result of the owner's job; the caller closes it.
func (m *Manager) Result(ctx context.Context, owner, id string, n int) (File, Item, error) {
	j, err := m.Get(ctx, owner, id)
	if err != nil {
		return nil, Item{}, err
	}
	if n < 0 || n >= len(j.Items) {
		return nil, Item{}, fmt.Errorf("%w: item %d (the job has %d, numbered from 0)", ErrItemNotFound, n, len(j.Items))
	}
	return m.open(ctx, j, n)
}

func (m *Manager) open(ctx context.Context, j Job, n int) (File, Item, error) {
	it, err := resultOf(j, n)
	if err != nil {
		return nil, it, err
	}
	f, err := m.files.openOutput(ctx, j.ID, n)
	if err != nil {
		return nil, it, fmt.Errorf("jobs: result of item %d: %w", n, err)
	}
	return f, it, nil
}

// resultOf returns item n of j when it has a result to send.
func resultOf(j Job, n int) (Item, error) {
	it := j.Items[n]
	if j.State == Canceled {
		return it, fmt.Errorf("%w: job %s", ErrGone, j.ID)
	}
	switch it.State {
	case Succeeded:
	case Queued, Running:
		return it, fmt.Errorf("%w: item %d is %s", ErrNotReady, n, it.State)
	default:
		msg := string(it.State)
		if it.Error != "" {
			msg += ": " + it.Error
		}
		return it, fmt.Errorf("%w: item %d %s", ErrNoResult, n, msg)
	}
	return it, nil
}

// ResultURL returns a URL that downloads item n's result of the owner's
// job straight from the remote store until ttl passes, answered with the
// given Content-Disposition and Content-Type; "" (no error) when the
// results are in the data directory or the store cannot presign.
func (m *Manager) ResultURL(ctx context.Context, owner, id string, n int, ttl time.Duration, disposition func(Item) string) (string, error) {
	if m.files.local() {
		return "", nil
	}
	j, err := m.Get(ctx, owner, id)
	if err != nil {
		return "", err
	}
	if n < 0 || n >= len(j.Items) {
		return "", fmt.Errorf("%w: item %d (the job has %d, numbered from 0)", ErrItemNotFound, n, len(j.Items))
	}
	it, err := resultOf(j, n)
	if err != nil {
		return "", err
	}
	u, err := m.files.remote.Presign(ctx, outKey(id, n), ttl, disposition(it), it.ContentType)
	if errors.Is(err, blob.ErrNoPresign) {
		return "", nil
	}
	return u, err
}

// Archive returns the owner's finished job for a zip of its results, and
// opens each succeeded item's result through the returned function; the
// caller closes each file.
func (m *Manager) Archive(ctx context.Context, owner, id string) (Job, func(n int) (File, error), error) {
	j, err := m.Get(ctx, owner, id)
	if err != nil {
		return Job{}, nil, err
	}
	if j.State == Canceled {
		return Job{}, nil, fmt.Errorf("%w: job %s", ErrGone, id)
	}
	if !j.State.Final() {
		return Job{}, nil, fmt.Errorf("%w: job %s is %s; the archive is available once it finished", ErrNotReady, id, j.State)
	}
	return j, func(n int) (File, error) {
		f, _, err := m.open(ctx, j, n)
		return f, err
	}, nil
}

// Subscription delivers a job's events; Close it when done. C is closed
// after the final state event, or early if the reader fell too far behind
// (then read the job again).
type Subscription struct {
	C     <-chan Event
	close func()
}

// Close ends the subscription.
func (s *Subscription) Close() { s.close() }

// Subscribe returns the owner's job as it is now and its later events.
func (m *Manager) Subscribe(ctx context.Context, owner, id string) (Job, *Subscription, error) {
	if !validID(id) {
		return Job{}, nil, ErrNotFound
	}
	ch := m.hub.subscribe(id)
	sub := &Subscription{C: ch, close: func() { m.hub.unsubscribe(id, ch) }}
	j, err := m.Get(ctx, owner, id)
	if err != nil {
		sub.Close()
		return Job{}, nil, err
	}
	if m.fleet != nil && !j.State.Final() {
		m.watch(j)
	}
	return j, sub, nil
}

// publishState sends the job's current state to subscribers.
func (m *Manager) publishState(ctx context.Context, id string) {
	if m.fleet != nil {
		return // the watcher reads it from the database (watch.go)
	}
	j, err := m.store.job(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return // expired meanwhile
	}
	if err != nil {
		m.log.Error("job state event", "job_id", id, "err", err)
		return
	}
	m.live(&j)
	m.hub.publish(id, Event{Kind: EventState, Job: j, Progress: j.Progress})
}
