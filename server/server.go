package server

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/upscaled/upscaled/api"
	"github.com/upscaled/upscaled/blob"
	"github.com/upscaled/upscaled/budget"
	"github.com/upscaled/upscaled/cache"
	"github.com/upscaled/upscaled/engines"
	"github.com/upscaled/upscaled/imaging"
	"github.com/upscaled/upscaled/upscale"
)

// Server is the running service: engine, pipeline, budget, HTTP handlers.
type Server struct {
	cfg      Config
	log      *slog.Logger
	engine   engines.Engine
	pipeline *upscale.Pipeline
	budget   *budget.Budget
	blobs    blob.Store
	cache    *cache.Cache // nil when off
	api      *api.Server
	jobs     *jobsService
	reg      *prometheus.Registry
	ready    *readiness
	lock     *dataLock

	// base is the parent context of every request; canceled when the
	// shutdown grace period ends.
	base       context.Context
	cancelBase context.CancelFunc
	wg         sync.WaitGroup // background self-tests
}

// New validates cfg, opens the engine and builds the handlers. The caller
// must Close the server (Run does).
func New(cfg Config, log *slog.Logger) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.Default()
	}
	imaging.SetWebPCodec(cfg.WebPEncoder)
	keys, err := loadKeys(cfg.APIKeys, cfg.APIKeysFile)
	if err != nil {
		return nil, err
	}
	// nothing in the data directory is touched before its lock is held
	lock, err := lockDataDir(cfg.DataDir)
	if err != nil {
		return nil, fmt.Errorf("UPSCALED_DATA_DIR: %w", err)
	}
	spool := filepath.Join(cfg.DataDir, "spool")
	if err := resetDir(spool); err != nil {
		lock.release()
		return nil, fmt.Errorf("UPSCALED_DATA_DIR: %w", err)
	}
	// an API-only node runs no page: synchronous ones go to the fleet's
	// workers like job pages, and it needs no device
	var engine engines.Engine = planOnly{}
	if cfg.Role != RoleAPI {
		if engine, err = openEngine(cfg); err != nil {
			lock.release()
			return nil, fmt.Errorf("UPSCALED_ENGINE=%s: %w", cfg.Engine, err)
		}
	}
	pcfg := PipelineConfig(cfg, engine.Name())
	limitHeap(cfg.MemoryBudget, log)
	s := &Server{
		cfg: cfg, log: log, engine: engine, lock: lock,
		pipeline: upscale.New(pcfg, engine, cfg.ModelsDir),
		budget:   budget.New(cfg.MemoryBudget, cfg.QueueMax, cfg.QueueTimeout),
		reg:      prometheus.NewRegistry(),
		ready:    newReadiness(),
	}
	s.base, s.cancelBase = context.WithCancel(context.Background())
	if cfg.Role == RoleAPI {
		s.ready.set(true, "API node (UPSCALED_ROLE=api): no engine here; synchronous requests and job pages run on the fleet's workers")
	}
	if err := registerCollectors(s.reg, s.budget, engine, cfg.Role != RoleAPI); err != nil {
		s.Close()
		return nil, err
	}
	metrics, err := api.NewMetrics(s.reg)
	if err != nil {
		s.Close()
		return nil, err
	}
	if s.blobs, err = openBlobs(context.Background(), cfg); err != nil {
		s.Close()
		return nil, fmt.Errorf("UPSCALED_BLOB_URL: %w", err)
	}
	// an API-only node computes nothing to cache (its workers do) and
	// cannot key a lookup on their engine: no cache here
	if cfg.Role != RoleAPI {
		if s.cache, err = openCache(context.Background(), cfg, s.blobs, engine.Name(), spool, s.reg, log); err != nil {
			s.Close()
			return nil, err
		}
	}
	// requests and job pages go through the cache when it is on
	var served cache.Pipeline = s.pipeline
	var resultCache api.ResultCache
	if s.cache != nil {
		served, resultCache = s.cache.Wrap(s.pipeline), s.cache
	}
	var jobRoutes api.Mount
	s.jobs, jobRoutes, err = openJobs(cfg, served, engine, s.budget, metrics, s.blobs, spool, log)
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("jobs: %w", err)
	}
	if err := s.reg.Register(newJobsCollector(s.jobs.m, log)); err != nil {
		s.Close()
		return nil, err
	}
	var pages api.PageRunner
	if cfg.Role == RoleAPI {
		pages = s.jobs.m
	}
	s.api, err = api.New(api.Config{
		MaxUploadBytes: cfg.MaxUploadBytes,
		RequestTimeout: cfg.RequestTimeout,
		SpoolDir:       spool,
		ModelsDir:      cfg.ModelsDir,
		APIKeys:        keys,
		CORSOrigins:    cfg.CORSOrigins,
		ProbesOnly:     cfg.Role == RoleWorker,
	}, api.Deps{
		Upscaler:     served,
		Cache:        resultCache,
		Budget:       s.budget,
		Ready:        s.ready.get,
		Logger:       log,
		Registry:     s.reg,
		Metrics:      metrics,
		Engine:       engine.Name(),
		EngineFailed: s.engineFailed,
		Pages:        pages,
		Routes:       []api.Mount{jobRoutes},
	})
	if err != nil {
		s.Close()
		return nil, err
	}
	log.Info("configured", "engine", engine.Name(), "addr", cfg.Addr, "memory_budget", cfg.MemoryBudget,
		"queue_max", cfg.QueueMax, "api_keys", len(keys), "models_dir", cfg.ModelsDir, "data_dir", cfg.DataDir,
		"blobs", s.blobs.String(), "cache", s.cache != nil, "role", cfg.Role)
	return s, nil
}

// PipelineConfig is the pipeline configuration the server uses with the
// named engine: the pixel limits and, for the Go executor (whose workspaces
// are host memory), tiles bounded to a quarter of the memory budget so that
// several images fit in it.
func PipelineConfig(cfg Config, engine string) upscale.Config {
	pcfg := upscale.Config{MaxInputPixels: cfg.MaxInputPixels, MaxOutputPixels: cfg.MaxOutputPixels}
	if strings.HasPrefix(engine, "cpu") {
		pcfg.MemoryBudget = max(cfg.MemoryBudget/4, minMemoryBudget)
	}
	return pcfg
}

// Handler is the HTTP handler tree.
func (s *Server) Handler() http.Handler { return s.api }

// Budget is the shared memory budget.
func (s *Server) Budget() *budget.Budget { return s.budget }

// Ready reports readiness as /readyz does.
func (s *Server) Ready() (bool, string) { return s.ready.get() }

// StartSelfTest runs the engine self-test in the background; /readyz turns
// 200 when it passes.
func (s *Server) StartSelfTest(ctx context.Context) {
	if s.cfg.Role == RoleAPI {
		return // no engine: ready from the start (New)
	}
	if !s.ready.begin() {
		return
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer s.ready.end()
		// A failed self-test is retried with a growing delay, so that
		// readiness returns by itself once the engine recovers.
		var results []SelfTestResult
		for delay := selfTestRetryMin; ; delay = min(2*delay, selfTestRetryMax) {
			var err error
			results, err = s.selfTestEngines(ctx)
			if err == nil {
				break
			}
			s.log.Error("engine self-test failed: not ready", "engine", s.engine.Name(), "err", err, "retry_in", delay)
			s.ready.set(false, fmt.Sprintf("%v (retrying in %s)", err, delay))
			select {
			case <-ctx.Done():
				return
			case <-time.After(delay):
			}
		}
		var parts []string
		for _, res := range results {
			parts = append(parts, fmt.Sprintf("%s on %s, PSNR %.1f dB vs the reference, %d ms", res.Model, res.Engine, res.PSNR, res.Duration.Milliseconds()))
			s.log.Info("engine self-test passed", "engine", res.Engine, "model", res.Model, "psnr_db", res.PSNR, "duration_ms", res.Duration.Milliseconds())
		}
		s.log.Info("ready")
		s.ready.set(true, "self-test passed: "+strings.Join(parts, "; "))
	}()
}

// selfTestEngines runs the self-test on each device of a scheduled engine
// (every one must compute correctly), or on the engine itself.
func (s *Server) selfTestEngines(ctx context.Context) ([]SelfTestResult, error) {
	multi, ok := s.engine.(engines.MultiDevice)
	if !ok || len(multi.Devices()) <= 1 {
		res, err := SelfTest(ctx, s.pipeline, s.cfg.ModelsDir)
		return []SelfTestResult{res}, err
	}
	var out []SelfTestResult
	for _, d := range multi.Devices() {
		p := upscale.New(PipelineConfig(s.cfg, d.Name()), d, s.cfg.ModelsDir)
		res, err := SelfTest(ctx, p, s.cfg.ModelsDir)
		p.Close()
		out = append(out, res)
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// Delays between self-test attempts while not ready.
const (
	selfTestRetryMin = 2 * time.Second
	selfTestRetryMax = time.Minute
)

// engineFailed is told of a device failure during a request: the service is
// not ready until the self-test passes again.
func (s *Server) engineFailed(err error) {
	if !errors.Is(err, engines.ErrDeviceLost) && !errors.Is(err, engines.ErrUnavailable) {
		return
	}
	s.ready.set(false, "engine failure, re-running the self-test: "+err.Error())
	s.StartSelfTest(s.base)
}

// Listen binds addr. Call it before New: a server that cannot bind then
// fails before it locks or recovers anything in the data directory.
func Listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("UPSCALED_ADDR: %w", err)
	}
	return ln, nil
}

// Serve serves on ln until ctx ends, then shuts down gracefully: it stops
// accepting, lets in-flight requests finish within ShutdownGrace, then
// cancels what is left. It closes the server and ln.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	defer s.Close()
	hs := &http.Server{
		Handler:           s.api,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    s.cfg.MaxHeaderBytes,
		BaseContext:       func(net.Listener) context.Context { return s.base },
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	s.StartSelfTest(s.base)
	jobsCtx, stopJobs := context.WithCancel(s.base)
	defer stopJobs()
	s.jobs.start(jobsCtx)
	errc := make(chan error, 1)
	go func() {
		errc <- hs.Serve(problemListener{Listener: ln, maxHeaderBytes: s.cfg.MaxHeaderBytes, log: s.log})
	}()
	s.log.Info("listening", "addr", ln.Addr().String())

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.ready.shutdown()
	s.log.Info("shutting down", "grace", s.cfg.ShutdownGrace)
	if s.jobs.fleet {
		// no new page from now on; running pages get the drain timeout,
		// then go back to the queue for other nodes (Close waits)
		stopJobs()
	}
	graceCtx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownGrace)
	defer cancel()
	// The listener stays open while requests in flight finish, so that
	// probes get 503 instead of a refused connection; new work gets 503.
	s.api.Drain()
	s.waitIdle(graceCtx)
	err := hs.Shutdown(graceCtx)
	if errors.Is(err, context.DeadlineExceeded) {
		s.log.Warn("grace period over: canceling in-flight requests")
		s.cancelBase()
		// Canceled work stops at its next tile; give handlers a moment to
		// answer and release their memory before closing connections.
		drain, cancelDrain := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancelDrain()
		err = hs.Shutdown(drain)
		if err != nil {
			err = hs.Close()
		}
	}
	<-errc
	// Job items still running stop at their next tile; they are redone
	// from their input on the next start.
	stopJobs()
	s.log.Info("stopped")
	return err
}

// waitIdle returns when no request but probes is in flight, or ctx ends.
func (s *Server) waitIdle(ctx context.Context) {
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for s.api.Active() > 0 {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Close releases the engine, the pipeline's programs and the data
// directory's lock.
func (s *Server) Close() error {
	if s.cancelBase != nil {
		s.cancelBase()
	}
	s.wg.Wait()
	var errs []error
	if s.jobs != nil {
		errs = append(errs, s.jobs.close())
		s.jobs = nil
	}
	if s.cache != nil {
		s.cache.Flush() // results being stored finish before the lock goes
	}
	if s.pipeline != nil {
		errs = append(errs, s.pipeline.Close())
		s.pipeline = nil
	}
	if s.engine != nil {
		errs = append(errs, s.engine.Close())
		s.engine = nil
	}
	errs = append(errs, s.lock.release())
	s.lock = nil
	return errors.Join(errs...)
}

// heapOverhead is what the process needs beyond the images' reservations:
// runtime, engine weights, HTTP buffers (bytes).
const heapOverhead = 160 << 20

// serverGCPercent is the server's GOGC unless the variable is set: pages
// are tens of MiB of pixel buffers, which hold no pointers, so collecting
// at +50 % instead of +100 % costs little CPU and keeps less garbage
// resident (the CLI, one page at a time, runs at 20).
const serverGCPercent = 50

// limitHeap sets the Go runtime's soft memory limit to the budget plus the
// fixed overhead, so that garbage is collected before the heap outgrows
// them, unless GOMEMLIMIT already set one; and GOGC to serverGCPercent
// unless the variable sets it.
func limitHeap(budget int64, log *slog.Logger) {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(serverGCPercent)
	}
	if cur := debug.SetMemoryLimit(-1); cur != math.MaxInt64 {
		return
	}
	debug.SetMemoryLimit(budget + heapOverhead)
	log.Debug("heap limit", "bytes", budget+heapOverhead)
}

// loadKeys merges the configured keys and those of the keys file (one per
// line; blank lines and # comments ignored).
func loadKeys(keys []string, file string) ([]string, error) {
	var out []string
	for _, k := range keys {
		if k = strings.TrimSpace(k); k != "" {
			out = append(out, k)
		}
	}
	if file == "" {
		return out, nil
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, fmt.Errorf("UPSCALED_API_KEYS_FILE: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out = append(out, line)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("UPSCALED_API_KEYS_FILE: %w", err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("UPSCALED_API_KEYS_FILE: %s holds no key", file)
	}
	return out, nil
}

// resetDir creates dir and removes what a previous run left in it.
func resetDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			return err
		}
	}
	return nil
}
