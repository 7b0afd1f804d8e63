package jobs

import (
	"errors"
	"fmt"
	"time"
)

// Config holds the job limits and paths. The defaults match the documented
// UPSCALED_JOB_* / UPSCALED_DATA_DIR variables read by cmd.
type Config struct {
	// DataDir holds jobs.db and jobs/<id>/ (UPSCALED_DATA_DIR).
	DataDir string
	// Workers is the number of items processed at once (UPSCALED_JOB_WORKERS);
	// the server sets 0 (its default) by the engine: 4 per GPU, 1 on the Go
	// executor.
	Workers int
	// MaxItems is the most images one job may hold (UPSCALED_JOB_MAX_ITEMS).
	MaxItems int
	// MaxBytes is the most bytes of images one job may upload, in total
	// (UPSCALED_JOB_MAX_BYTES).
	MaxBytes int64
	// TTL is how long a finished job's results are kept (UPSCALED_JOB_TTL).
	TTL time.Duration
	// MinFreeDisk is the free space, in bytes, under which new jobs are
	// refused (UPSCALED_MIN_FREE_DISK).
	MinFreeDisk uint64
	// CollectEvery is the collector's period.
	CollectEvery time.Duration
	// UploadTimeout bounds one job upload from its first byte to its last
	// (UPSCALED_JOB_UPLOAD_TIMEOUT): a trickle cannot hold a connection
	// and a job directory for ever.
	UploadTimeout time.Duration
	// MaxUploads is the most job uploads received at once
	// (UPSCALED_JOB_MAX_UPLOADS); more are refused as busy.
	MaxUploads int
	// DiskRetry is how long a job page whose result met a full disk is
	// tried again, with growing waits, before it fails
	// (UPSCALED_JOB_DISK_RETRY): pages finish by themselves once space
	// returns.
	DiskRetry time.Duration
	// BudgetShare is the fraction (0,1] of the memory budget job workers may
	// hold together (UPSCALED_JOB_BUDGET_SHARE); the rest stays for
	// synchronous requests.
	BudgetShare float64

	// DatabaseURL, when set, is the fleet's PostgreSQL database
	// (UPSCALED_DATABASE_URL, postgres://…): job records live there and
	// every page is a River queue job that any worker node takes; empty
	// keeps the embedded SQLite store and in-process queue.
	DatabaseURL string
	// DatabaseMaxConns bounds this node's connections to it
	// (UPSCALED_DATABASE_MAX_CONNS).
	DatabaseMaxConns int
	// Work runs this node's page workers (false on API-only nodes of a
	// fleet, UPSCALED_ROLE=api).
	Work bool
	// SingleNode allows DatabaseURL with job files in the data directory
	// (UPSCALED_SINGLE_NODE): only one node can then see them.
	SingleNode bool
	// RescueAfter is the longest a fleet page may run
	// (UPSCALED_JOB_RESCUE_AFTER): a slower one is stopped and tried again
	// (it fails after maxAttempts), and a page whose node died (its record
	// still running) is handed to another worker this long (+1 s, plus up
	// to 30 s, River's rescuer period) after it started.
	RescueAfter time.Duration
	// DrainTimeout is how long a fleet worker's running pages may finish
	// after SIGTERM before they are stopped and returned to the queue
	// (UPSCALED_DRAIN_TIMEOUT); it takes no new page meanwhile.
	DrainTimeout time.Duration
	// ProgressEvery is how often a fleet worker writes a running page's
	// tile progress to the database (UPSCALED_JOB_PROGRESS_EVERY).
	ProgressEvery time.Duration
	// PollEvery is how often a fleet node reads a job whose events (SSE)
	// someone follows (UPSCALED_JOB_POLL).
	PollEvery time.Duration
	// MaxAttempts is how often the fleet's queue starts a page before it
	// gives it up (UPSCALED_JOB_MAX_ATTEMPTS): a node lost while running it
	// uses one; engine and store failures fail the page after maxAttempts
	// of them, or at this limit when it is lower. A page keeps the limit of
	// the node that accepted its job.
	MaxAttempts int
	// SweepEvery is how often a fleet node looks for pages the queue gave
	// up on (or that were canceled in it) while their items still say
	// queued or running, and fails them (UPSCALED_JOB_SWEEP_EVERY); one
	// node at a time does the work.
	SweepEvery time.Duration
}

// DefaultConfig returns the documented defaults.
func DefaultConfig() Config {
	return Config{
		DataDir:       "./data",
		Workers:       1,
		MaxItems:      500,
		MaxBytes:      2 << 30,
		TTL:           24 * time.Hour,
		MinFreeDisk:   1 << 30,
		CollectEvery:  time.Minute,
		BudgetShare:   0.5,
		UploadTimeout: 10 * time.Minute,
		MaxUploads:    16,
		DiskRetry:     30 * time.Minute,

		DatabaseMaxConns: 8,
		Work:             true,
		RescueAfter:      2 * time.Minute,
		DrainTimeout:     30 * time.Second,
		ProgressEvery:    time.Second,
		PollEvery:        500 * time.Millisecond,
		MaxAttempts:      20,
		SweepEvery:       30 * time.Second,
	}
}

// Validate reports the first invalid field.
func (c Config) Validate() error {
	var errs []error
	if c.DataDir == "" {
		errs = append(errs, errors.New("jobs: data directory must be set"))
	}
	if c.Workers < 1 || c.Workers > 64 {
		errs = append(errs, fmt.Errorf("jobs: workers %d: must be 1..64", c.Workers))
	}
	if c.MaxItems < 1 {
		errs = append(errs, fmt.Errorf("jobs: max items %d: must be at least 1", c.MaxItems))
	}
	if c.MaxBytes < 1 {
		errs = append(errs, fmt.Errorf("jobs: max bytes %d: must be at least 1", c.MaxBytes))
	}
	if c.TTL < time.Second {
		errs = append(errs, fmt.Errorf("jobs: TTL %s: must be at least 1s", c.TTL))
	}
	if c.CollectEvery < 10*time.Millisecond {
		errs = append(errs, fmt.Errorf("jobs: collect period %s: must be at least 10ms", c.CollectEvery))
	}
	if c.UploadTimeout < time.Second {
		errs = append(errs, fmt.Errorf("UPSCALED_JOB_UPLOAD_TIMEOUT: %s: must be at least 1s", c.UploadTimeout))
	}
	if c.DiskRetry < 0 {
		errs = append(errs, fmt.Errorf("UPSCALED_JOB_DISK_RETRY: %s: must be 0 or more", c.DiskRetry))
	}
	if c.MaxUploads < 1 {
		errs = append(errs, fmt.Errorf("UPSCALED_JOB_MAX_UPLOADS: %d: must be at least 1", c.MaxUploads))
	}
	if !(c.BudgetShare > 0 && c.BudgetShare <= 1) {
		errs = append(errs, fmt.Errorf("jobs: budget share %g: must be in (0, 1]", c.BudgetShare))
	}
	if c.DatabaseURL != "" {
		if err := CheckDatabaseURL(c.DatabaseURL); err != nil {
			errs = append(errs, fmt.Errorf("UPSCALED_DATABASE_URL: %w", err))
		}
	}
	if c.DatabaseMaxConns < 2 || c.DatabaseMaxConns > 1000 {
		errs = append(errs, fmt.Errorf("UPSCALED_DATABASE_MAX_CONNS: %d: must be 2..1000", c.DatabaseMaxConns))
	}
	if c.RescueAfter < time.Second {
		errs = append(errs, fmt.Errorf("UPSCALED_JOB_RESCUE_AFTER: %s: must be at least 1s", c.RescueAfter))
	}
	if c.DrainTimeout < 0 {
		errs = append(errs, fmt.Errorf("UPSCALED_DRAIN_TIMEOUT: %s: must be 0 or more", c.DrainTimeout))
	}
	if c.ProgressEvery < 10*time.Millisecond {
		errs = append(errs, fmt.Errorf("UPSCALED_JOB_PROGRESS_EVERY: %s: must be at least 10ms", c.ProgressEvery))
	}
	if c.PollEvery < 10*time.Millisecond {
		errs = append(errs, fmt.Errorf("UPSCALED_JOB_POLL: %s: must be at least 10ms", c.PollEvery))
	}
	if c.MaxAttempts < 1 || c.MaxAttempts > 1000 {
		errs = append(errs, fmt.Errorf("UPSCALED_JOB_MAX_ATTEMPTS: %d: must be 1..1000", c.MaxAttempts))
	}
	if c.SweepEvery < 10*time.Millisecond {
		errs = append(errs, fmt.Errorf("UPSCALED_JOB_SWEEP_EVERY: %s: must be at least 10ms", c.SweepEvery))
	}
	if c.DatabaseURL == "" && !c.Work {
		errs = append(errs, errors.New("UPSCALED_ROLE=api: an API-only node needs the fleet's database (UPSCALED_DATABASE_URL): with the embedded store only this process runs its jobs"))
	}
	return errors.Join(errs...)
}
