package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/upscaled/upscaled/upscale"
)

// Upscaler runs one image through the pipeline (upscale.Pipeline).
type Upscaler interface {
	// Plan checks a request from the image header alone: model, limits,
	// memory; src is left at its start.
	Plan(src io.ReadSeeker, o upscale.Options) (upscale.Plan, error)
	// Run reserves the plan's memory from mem, decodes src, upscales it and
	// encodes the result to dst.
	Run(ctx context.Context, plan upscale.Plan, src io.Reader, dst io.Writer, mem upscale.Reserver, progress func(upscale.Progress)) (upscale.Result, error)
}

// Config holds the HTTP-level settings.
type Config struct {
	// MaxUploadBytes bounds a request body.
	MaxUploadBytes int64
	// RequestTimeout bounds one synchronous upscale, upload included.
	RequestTimeout time.Duration
	// SpoolDir holds temporary upload and result files.
	SpoolDir string
	// ModelsDir is where installed models are looked up for /v1/models.
	ModelsDir string
	// APIKeys, when not empty, are required on every /v1 route.
	APIKeys []string
	// CORSOrigins are the allowed browser origins ("*" for any); empty: CORS off.
	CORSOrigins []string
	// ProbesOnly serves /healthz, /readyz and /metrics alone, every other
	// path 404 (a fleet's worker-only node).
	ProbesOnly bool
}

// Readiness reports whether the service can take work, with a reason.
type Readiness func() (ready bool, detail string)

// Mount adds routes to the authenticated /v1 router (e.g. the jobs API).
type Mount func(s *Server, r chi.Router)

// Deps are the components the handlers use.
type Deps struct {
	Upscaler Upscaler
	Budget   MemoryBudget
	Ready    Readiness
	Logger   *slog.Logger
	// Registry receives the HTTP metrics and is served on /metrics.
	Registry *prometheus.Registry
	// Metrics, when set, are the metrics already registered with Registry
	// (shared with job workers); else New creates them.
	Metrics *Metrics
	// Engine names the engine in use, for /v1/models.
	Engine string
	// Routes are extra /v1 routes, mounted behind the same authentication.
	Routes []Mount
	// EngineFailed, when set, is told of errors from the engine (device
	// lost, unavailable) so that readiness can be re-checked.
	EngineFailed func(error)
	// Cache, when set, answers repeated requests before they reserve
	// memory; Upscaler then stores what it computes (cache.Cache.Wrap).
	Cache ResultCache
	// Pages, when set, runs synchronous requests on a fleet's workers
	// (an API-only node): Upscaler then only plans them from the header.
	Pages PageRunner
}

// MemoryBudget is the host-memory budget requests reserve from
// (*budget.Budget): Acquire waits in its queue or fails with a
// budget.BusyError or budget.TooLargeError.
type MemoryBudget interface {
	Acquire(ctx context.Context, bytes int64) (release func(), err error)
}

// Server is the HTTP handler tree. Create it with New.
type Server struct {
	cfg     Config
	up      Upscaler
	budget  MemoryBudget
	ready   Readiness
	log     *slog.Logger
	metrics *Metrics
	reg     *prometheus.Registry
	engine  string
	failed  func(error)
	keys    *keyring
	handler http.Handler
	cache   ResultCache // nil: no result cache
	pages   PageRunner  // nil: synchronous requests run here

	draining atomic.Bool  // set by Drain
	active   atomic.Int64 // requests in flight, probes excepted
}

// retryAfterShutdown is the Retry-After of requests refused while draining.
const retryAfterShutdown = 5 * time.Second

// New builds the routes.
func New(cfg Config, d Deps) (*Server, error) {
	if d.Upscaler == nil || d.Budget == nil {
		return nil, errors.New("api: Upscaler and Budget are required")
	}
	if cfg.SpoolDir == "" {
		cfg.SpoolDir = os.TempDir()
	}
	if err := os.MkdirAll(cfg.SpoolDir, 0o700); err != nil {
		return nil, fmt.Errorf("api: spool directory: %w", err)
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.Registry == nil {
		d.Registry = prometheus.NewRegistry()
	}
	if d.Ready == nil {
		d.Ready = func() (bool, string) { return true, "ready" }
	}
	m := d.Metrics
	if m == nil {
		var err error
		if m, err = NewMetrics(d.Registry); err != nil {
			return nil, err
		}
	}
	s := &Server{
		cfg: cfg, up: d.Upscaler, budget: d.Budget, ready: d.Ready, log: d.Logger,
		metrics: m, reg: d.Registry, engine: d.Engine, failed: d.EngineFailed, keys: newKeyring(cfg.APIKeys),
		cache: d.Cache, pages: d.Pages,
	}
	s.handler = s.routes(d.Routes)
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Metrics are the server's HTTP and processing metrics (shared with job workers).
func (s *Server) Metrics() *Metrics { return s.metrics }

func (s *Server) routes(extra []Mount) http.Handler {
	r := chi.NewRouter()
	// HEAD is answered by every GET route (headers, no body)
	r.Use(s.requestID, s.securityHeaders, s.recoverer, s.cors, s.instrument, s.drainGate, middleware.GetHead)
	// Health and metrics: no authentication, no budget, never blocked by load.
	r.Get("/healthz", s.handleHealthz)
	r.Get("/readyz", s.handleReadyz)
	r.Method(http.MethodGet, "/metrics", promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{}))
	notFound := s.handle(func(w http.ResponseWriter, r *http.Request) error {
		return &statusError{status: http.StatusNotFound, detail: fmt.Sprintf("no route for %s %s", r.Method, r.URL.Path)}
	})
	if s.cfg.ProbesOnly {
		r.NotFound(s.handle(func(w http.ResponseWriter, r *http.Request) error {
			return &statusError{status: http.StatusNotFound, detail: fmt.Sprintf("no route for %s %s: this node is a worker (UPSCALED_ROLE=worker), it serves only /healthz, /readyz and /metrics", r.Method, r.URL.Path)}
		}))
		return r
	}
	mountDocs(r, notFound) // upload page, OpenAPI spec and docs (docs_routes.go)
	r.Route("/v1", func(r chi.Router) {
		r.Use(s.authenticate)
		r.Get("/models", s.handle(s.handleModels))
		r.With(s.deadline).Post("/upscale", s.handle(s.handleUpscale))
		for _, mount := range extra {
			mount(s, r)
		}
	})
	r.NotFound(notFound)
	root := r
	r.MethodNotAllowed(s.handle(func(w http.ResponseWriter, r *http.Request) error {
		allowed := allowedMethods(root, r.URL.Path)
		return &statusError{status: http.StatusMethodNotAllowed, header: http.Header{"Allow": {strings.Join(allowed, ", ")}},
			detail: fmt.Sprintf("%s is not allowed on %s (allowed: %s)", methodLabel(r.Method), r.URL.Path, strings.Join(allowed, ", "))}
	}))
	return r
}

// handle adapts a handler that returns an error: the error becomes a
// problem+json response through the error table.
func (s *Server) handle(h func(w http.ResponseWriter, r *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.writeProblem(w, r, err)
		}
	}
}
