package jobs

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"

	"github.com/upscaled/upscaled/upscale"
)

// pageArgs is a fleet queue job: one page (item) of a job.
type pageArgs struct {
	Job  string `json:"job"`
	Item int    `json:"item"`
}

// Kind names the queue job kind in river_job.
func (pageArgs) Kind() string { return "upscaled_page" }

// errPageTimeout: a fleet page ran past Config.RescueAfter.
var errPageTimeout = errors.New("job page timed out")

// queueName is the River queue every page goes to.
const queueName = "pages"

// fleet is the queue of fleet mode: River on the shared PostgreSQL. Pages
// are enqueued in the transaction that records their job; worker nodes
// take them (any node, any page), API nodes only enqueue and cancel.
type fleet struct {
	pool   *pgxpool.Pool
	client *river.Client[pgx.Tx]  // works pages (worker nodes) and cancels them
	insert *river.Client[*sql.Tx] // enqueues in the store's transactions
	id     string                 // this node's River client id
	stop   chan struct{}          // closed when Run ends
	// maxTries is the River attempts of the pages this node enqueues
	// (Config.MaxAttempts).
	maxTries int
}

// NodeID is this process's River client id: host name and process id,
// what river_job.attempted_by records for the pages it took.
func NodeID() string {
	h, _ := os.Hostname()
	h = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.' {
			return r
		}
		return '_'
	}, h)
	return fmt.Sprintf("%s-%d", h, os.Getpid())
}

// retryPolicy waits as the embedded queue does: retryAfter, doubling with
// each attempt, at most maxDiskWait.
type retryPolicy struct{}

func (retryPolicy) NextRetry(j *rivertype.JobRow) time.Time {
	return time.Now().Add(min(retryAfter<<min(max(j.Attempt-1, 0), 5), maxDiskWait))
}

// pageWorker runs a page for River.
type pageWorker struct {
	river.WorkerDefaults[pageArgs]
	m *Manager
}

func (w *pageWorker) Work(ctx context.Context, j *river.Job[pageArgs]) error {
	return w.m.runPage(ctx, j.Args.Job, j.Args.Item, j.Attempt, j.MaxAttempts)
}

func newFleet(m *Manager, pool *pgxpool.Pool) (*fleet, error) {
	f := &fleet{pool: pool, id: NodeID(), stop: make(chan struct{}), maxTries: m.cfg.MaxAttempts}
	rc := &river.Config{
		ID:          f.id,
		Logger:      m.log.With("component", "river"),
		MaxAttempts: m.cfg.MaxAttempts,
		RetryPolicy: retryPolicy{},
		// a page runs at most RescueAfter; one still marked running a
		// second later is its dead node's, and River's rescuer (every
		// 30 s, on the leader) hands it to another worker
		JobTimeout:           m.cfg.RescueAfter,
		RescueStuckJobsAfter: m.cfg.RescueAfter + time.Second,
		SoftStopTimeout:      max(m.cfg.DrainTimeout, time.Millisecond),
	}
	if m.cfg.Work {
		workers := river.NewWorkers()
		if err := river.AddWorkerSafely(workers, &pageWorker{m: m}); err != nil {
			return nil, err
		}
		rc.Workers = workers
		rc.Queues = map[string]river.QueueConfig{queueName: {MaxWorkers: m.cfg.Workers}}
	}
	var err error
	if f.client, err = river.NewClient(riverpgxv5.New(pool), rc); err != nil {
		return nil, fmt.Errorf("jobs: queue: %w", err)
	}
	if f.insert, err = river.NewClient(riverdatabasesql.New(m.store.db), &river.Config{ID: f.id + "-insert", MaxAttempts: m.cfg.MaxAttempts}); err != nil {
		return nil, fmt.Errorf("jobs: queue: %w", err)
	}
	return f, nil
}

// enqueue returns what adds a job's pending pages to the queue inside the
// transaction that records the job.
func (f *fleet) enqueue(ctx context.Context, id string, pending []int) func(*sql.Tx) error {
	return f.enqueuePriority(ctx, id, pending, batchPriority)
}

// enqueuePriority is enqueue at a River priority (1 first, then 2, …):
// synchronous pages (syncPriority) go before batch pages.
func (f *fleet) enqueuePriority(ctx context.Context, id string, pending []int, priority int) func(*sql.Tx) error {
	return func(tx *sql.Tx) error {
		params := make([]river.InsertManyParams, len(pending))
		for i, n := range pending {
			params[i] = river.InsertManyParams{Args: pageArgs{Job: id, Item: n}, InsertOpts: &river.InsertOpts{
				Queue: queueName, MaxAttempts: f.maxTries, Priority: priority, UniqueOpts: river.UniqueOpts{ByArgs: true},
			}}
		}
		_, err := f.insert.InsertManyTx(ctx, tx, params)
		return err
	}
}

// cancel cancels a job's pages still in the queue or running: a running
// page's worker (on any node) sees its context canceled.
func (f *fleet) cancel(ctx context.Context, id string) error {
	filter, _ := json.Marshal(map[string]string{"job": id})
	rows, err := f.pool.Query(ctx, `SELECT id FROM river_job WHERE kind = $1 AND args @> $2::jsonb
		AND state IN ('available', 'running', 'retryable', 'scheduled', 'pending')`, pageArgs{}.Kind(), string(filter))
	if err != nil {
		return err
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return err
	}
	var errs []error
	for _, rid := range ids {
		if _, err := f.client.JobCancel(ctx, rid); err != nil && !errors.Is(err, river.ErrNotFound) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// pending reports whether a job has pages in the queue not yet ended
// (available, running, waiting for a retry).
func (f *fleet) pending(ctx context.Context, id string) (bool, error) {
	filter, _ := json.Marshal(map[string]string{"job": id})
	var n int
	err := f.pool.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = $1 AND args @> $2::jsonb
		AND state IN ('available', 'running', 'retryable', 'scheduled', 'pending')`, pageArgs{}.Kind(), string(filter)).Scan(&n)
	return n > 0, err
}

// run works pages (on a worker node), collects expired jobs and sweeps
// pages the queue gave up on until ctx ends, then drains: no new page is
// taken, running ones get DrainTimeout to finish, then their contexts are
// canceled and they go back to the queue (runPage snoozes them).
func (f *fleet) run(ctx context.Context, m *Manager) error {
	defer close(f.stop)
	if m.cfg.Work {
		if err := f.client.Start(context.WithoutCancel(ctx)); err != nil {
			return fmt.Errorf("jobs: queue: %w", err)
		}
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		m.collect(ctx)
	}()
	go func() {
		defer wg.Done()
		m.sweep(ctx)
	}()
	<-ctx.Done()
	wg.Wait()
	if !m.cfg.Work {
		return nil
	}
	m.log.Info("draining: no new pages; running pages may finish", "drain_timeout", m.cfg.DrainTimeout)
	stopCtx, cancel := context.WithTimeout(context.Background(), m.cfg.DrainTimeout+15*time.Second)
	defer cancel()
	if err := f.client.Stop(stopCtx); err != nil {
		m.log.Warn("queue did not stop in time; canceling", "err", err)
		hard, cancelHard := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancelHard()
		return f.client.StopAndCancel(hard)
	}
	m.log.Info("drained")
	return nil
}

// runPage runs one page taken from the queue, its attempt of at most
// maxTries. A nil return completes the queue job (the page's record says
// how it ended); an error has River try it again after retryPolicy's wait,
// or give it up after maxTries (sweep.go fails its item then).
func (m *Manager) runPage(ctx context.Context, id string, idx, attempt, maxTries int) error {
	log := m.log.With("job_id", id, "item", idx, "attempt", attempt)
	// the last try records a failure itself rather than leave it to River
	tries := min(maxAttempts, max(maxTries, 1))
	opts, live, err := m.store.jobHead(ctx, id)
	if errors.Is(err, ErrNotFound) || err == nil && !live {
		return nil // expired, deleted or finished: nothing to do
	}
	if err != nil {
		return err
	}
	// a page whose record says running was started by a node that died
	// or was stopped: it is redone
	claimed, err := m.store.claimItem(ctx, id, idx, m.deps.Now(), true)
	if err != nil || !claimed {
		return err
	}
	var last time.Time
	progress := func(p upscale.Progress) {
		if now := time.Now(); now.Sub(last) >= m.cfg.ProgressEvery {
			last = now
			if err := m.store.setTiles(ctx, id, idx, p.TilesDone, p.TilesTotal); err != nil && ctx.Err() == nil {
				log.Warn("job item progress", "err", err)
			}
		}
	}
	it, tiles, perr := m.runPipeline(ctx, id, idx, opts, nil, progress)
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		perr = fmt.Errorf("%w: the page took longer than UPSCALED_JOB_RESCUE_AFTER (%s)", errPageTimeout, m.cfg.RescueAfter)
		if attempt < tries {
			log.Warn("job item: too slow, trying again", "err", perr)
			return perr
		}
		ctx = context.WithoutCancel(ctx)
	}
	if ctx.Err() != nil {
		// canceled (the job was deleted) or this node is draining
		bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if st, err := m.store.itemState(bg, id, idx); err == nil && st == Canceled {
			m.files.removeOutput(id, idx)
			return nil
		}
		log.Info("job item returned to the queue")
		return river.JobSnooze(0)
	}
	it.Index = idx
	if perr != nil && (transient(perr) || errors.Is(perr, ErrDiskFull)) && attempt < tries {
		log.Warn("job item: engine, store or disk failure, trying again", "err", perr)
		return perr
	}
	if perr != nil {
		it.State, it.Error = Failed, publicReason(perr)
		it.run = runInfo{Kind: errorKind(perr)}.encode()
		log.Warn("job item failed", "err", perr)
	} else {
		it.State = Succeeded
	}
	ok, final, err := m.store.finishItem(ctx, id, it, m.deps.Now(), m.cfg.TTL)
	if err != nil {
		// the result stays: invisible while the record says running, and
		// rewritten alike by the retry
		return err
	}
	if !ok {
		// the record moved on: canceled, or another try of the page (its
		// node thought dead) finished first with the same bytes
		if st, err := m.store.itemState(ctx, id, idx); err == nil && st == Canceled {
			m.files.removeOutput(id, idx)
		}
		return nil
	}
	if m.deps.Metrics != nil {
		m.deps.Metrics.CountImage(opts.Model, metricsSource, it.State == Succeeded, tiles)
	}
	if final != "" {
		log.Info("job finished", "state", final)
	}
	return nil
}
