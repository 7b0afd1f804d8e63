package server

import (
	"context"
	"log/slog"
	"strings"

	"github.com/upscaled/upscaled/api"
	"github.com/upscaled/upscaled/blob"
	"github.com/upscaled/upscaled/budget"
	"github.com/upscaled/upscaled/engines"
	"github.com/upscaled/upscaled/jobs"
)

// jobsService is the batch-job manager of a Server: its workers share the
// pipeline and the memory budget with synchronous requests.
type jobsService struct {
	m    *jobs.Manager
	done chan struct{}
	// fleet: pages are queue jobs of the shared database; on SIGTERM they
	// drain at once (Server.Serve), instead of after the HTTP grace.
	fleet bool
}

// openJobs opens the job store under cfg.DataDir (resuming unfinished jobs)
// and returns the /v1/jobs routes to mount.
func openJobs(cfg Config, p jobs.Pipeline, engine engines.Engine, b *budget.Budget, metrics jobs.Metrics, blobs blob.Store, spool string, log *slog.Logger) (*jobsService, api.Mount, error) {
	jc := cfg.Jobs
	jc.DataDir = cfg.DataDir
	jc.Work = cfg.Role != RoleAPI
	if jc.Workers == 0 {
		jc.Workers = autoJobWorkers(engine)
	}
	d := jobs.Deps{Pipeline: p, Budget: b, Logger: log, Metrics: metrics, Spool: spool}
	if !blobs.Local() {
		// uploads and results in the bucket; a local directory store
		// holds only the cache, jobs keep their data directory
		d.Blobs = blobs
	}
	m, err := jobs.Open(context.Background(), jc, d)
	if err != nil {
		return nil, nil, err
	}
	return &jobsService{m: m, fleet: jc.DatabaseURL != ""}, api.JobRoutes(m, api.JobsConfig{PresignTTL: cfg.PresignTTL}), nil
}

// start runs the workers and the collector until ctx ends; an item running
// then stops at its next tile and is redone on the next start.
func (j *jobsService) start(ctx context.Context) {
	if j == nil || j.done != nil {
		return
	}
	j.done = make(chan struct{})
	go func() {
		defer close(j.done)
		j.m.Run(ctx)
	}()
}

// close waits for the workers (their context must be canceled) and closes
// the store.
func (j *jobsService) close() error {
	if j == nil {
		return nil
	}
	if j.done != nil {
		<-j.done
	}
	return j.m.Close()
}

// jobPagesPerGPU is how many job pages run at once per GPU by default: the
// decode of one, the device work of two and the encode of another overlap,
// as with four bench streams.
const jobPagesPerGPU = 4

// autoJobWorkers is the default number of job pages processed at once:
// jobPagesPerGPU per GPU, one on the Go executor (whose passes already use
// every core).
func autoJobWorkers(e engines.Engine) int {
	if strings.HasPrefix(e.Name(), "cpu") {
		return 1
	}
	n := 1
	if m, ok := e.(engines.MultiDevice); ok {
		n = max(len(m.Devices()), 1)
	}
	return min(jobPagesPerGPU*n, 64)
}
