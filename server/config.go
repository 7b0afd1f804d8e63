package server

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/upscaled/upscaled/blob"
	"github.com/upscaled/upscaled/cache"
	"github.com/upscaled/upscaled/engines/sched"
	"github.com/upscaled/upscaled/engines/vulkan"
	"github.com/upscaled/upscaled/imaging"
	"github.com/upscaled/upscaled/jobs"
)

// Config is everything `upscaled serve` can be told. cmd fills it from
// UPSCALED_* variables and flags over DefaultConfig.
type Config struct {
	// Addr is the listen address (host:port).
	Addr string
	// DataDir holds job data and temporary upload/result files.
	DataDir string
	// ModelsDir holds the installed models.
	ModelsDir string
	// Engine is "auto", "vulkan" or "cpu"; Device the Vulkan device index
	// (-1: choose the best).
	Engine string
	Device int
	// Devices are the Vulkan device indexes the shared engine schedules
	// over (empty: every usable GPU, else the single best engine);
	// InFlight is the passes each device runs at once.
	Devices  []int
	InFlight int
	// Vulkan is how the Vulkan engine uses each device it opens (queues,
	// tensor-core kernel modes, profiling).
	Vulkan vulkan.Config
	// WebPEncoder encodes lossy WebP in this process (imaging.SetWebPCodec):
	// auto, libwebp, or the parallel VP8 encoder.
	WebPEncoder imaging.WebPCodec
	// MemoryBudget is the host bytes all images in work may hold together.
	MemoryBudget int64
	// QueueMax requests may wait for memory; beyond it they get 503.
	QueueMax int
	// QueueTimeout is the longest wait for memory before a 503.
	QueueTimeout time.Duration
	// MaxUploadBytes bounds one synchronous upload.
	MaxUploadBytes int64
	// MaxInputPixels and MaxOutputPixels bound width×height.
	MaxInputPixels, MaxOutputPixels int64
	// RequestTimeout bounds one synchronous request, upload included.
	RequestTimeout time.Duration
	// APIKeys (and the keys in APIKeysFile, one per line) are required on
	// /v1 routes when any is set.
	APIKeys     []string
	APIKeysFile string
	// CORSOrigins are the allowed browser origins ("*": any); empty: off.
	CORSOrigins []string
	// ShutdownGrace is how long in-flight work may finish after SIGTERM.
	ShutdownGrace time.Duration
	// MaxHeaderBytes bounds request headers.
	MaxHeaderBytes int
	// LogLevel is debug, info, warn or error; LogFormat json or text.
	LogLevel, LogFormat string
	// Jobs configures batch jobs (its DataDir follows DataDir).
	Jobs jobs.Config
	// BlobURL is the object store of cache entries: "" (DataDir), a
	// directory, file:///dir, or s3://bucket/prefix.
	BlobURL string
	// S3 is how an s3:// BlobURL is reached (endpoint, region, credentials,
	// part size); Bucket and Prefix come from BlobURL.
	S3 blob.S3Config
	// Cache turns the result cache on; CacheMaxBytes bounds it on a local
	// store (least recently used entries go first).
	Cache         bool
	CacheMaxBytes int64
	// PresignTTL, when positive, sends job result downloads from S3 by a
	// 307 to a presigned URL valid this long (0: through the server).
	PresignTTL time.Duration
	// Role is what this node does in a fleet: RoleAll (API and page
	// workers), RoleAPI (accepts and answers, runs no job page) or
	// RoleWorker (takes pages from the queue; HTTP serves only /healthz,
	// /readyz and /metrics). Jobs.DatabaseURL is the fleet's database.
	Role string
}

// Roles of a node (UPSCALED_ROLE).
const (
	RoleAll    = "all"
	RoleAPI    = "api"
	RoleWorker = "worker"
)

// Limits of a few settings.
const (
	minMemoryBudget     = 16 << 20 // bytes
	maxDefaultBudget    = 8 << 30  // bytes
	fallbackBudget      = 2 << 30  // bytes, when physical memory is unknown
	defaultMaxUpload    = 64 << 20 // bytes
	defaultMaxInputPix  = 50_000_000
	defaultMaxOutputPix = 400_000_000
)

// DefaultConfig returns the documented defaults; the memory budget is a
// quarter of the memory available to the process, at most 8 GiB.
func DefaultConfig() Config {
	return Config{
		Addr:            ":8080",
		DataDir:         "./data",
		ModelsDir:       "./models",
		Engine:          "auto",
		Device:          -1,
		InFlight:        sched.DefaultConfig().InFlight,
		Vulkan:          vulkan.DefaultConfig(),
		MemoryBudget:    DefaultMemoryBudget(),
		QueueMax:        16,
		QueueTimeout:    30 * time.Second,
		MaxUploadBytes:  defaultMaxUpload,
		MaxInputPixels:  defaultMaxInputPix,
		MaxOutputPixels: defaultMaxOutputPix,
		RequestTimeout:  120 * time.Second,
		ShutdownGrace:   25 * time.Second,
		MaxHeaderBytes:  64 << 10,
		LogLevel:        "info",
		LogFormat:       "json",
		Jobs:            defaultJobs(),
		S3:              blob.S3Config{PartSize: blob.DefaultPartSize, Retries: blob.DefaultRetries},
		Cache:           true,
		CacheMaxBytes:   cache.DefaultMaxBytes,
		Role:            RoleAll,
	}
}

// defaultJobs is jobs.DefaultConfig with the number of workers left to
// the engine (autoJobWorkers).
func defaultJobs() jobs.Config {
	c := jobs.DefaultConfig()
	c.Workers = 0
	return c
}

// DefaultMemoryBudget is a quarter of the memory available to the process
// (physical memory or the cgroup limit), at most 8 GiB.
func DefaultMemoryBudget() int64 {
	total := availableMemory()
	if total <= 0 {
		return fallbackBudget
	}
	return max(min(total/4, maxDefaultBudget), minMemoryBudget)
}

// Validate reports every invalid setting, each naming its variable.
func (c Config) Validate() error {
	var errs []error
	bad := func(env, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", env, fmt.Sprintf(format, args...)))
	}
	if c.Addr == "" {
		bad("UPSCALED_ADDR", "must be set (host:port, e.g. :8080)")
	}
	if c.DataDir == "" {
		bad("UPSCALED_DATA_DIR", "must be set")
	}
	if c.ModelsDir == "" {
		bad("UPSCALED_MODELS_DIR", "must be set")
	}
	switch c.Engine {
	case "auto", "vulkan", "cpu":
	default:
		bad("UPSCALED_ENGINE", "%q: must be auto, vulkan or cpu", c.Engine)
	}
	if c.Device < -1 {
		bad("UPSCALED_DEVICE", "%d: must be a device index (0, 1, …) or -1 for automatic", c.Device)
	}
	if c.InFlight < 1 || c.InFlight > sched.MaxInFlight {
		bad("UPSCALED_INFLIGHT", "%d: must be 1..%d passes per device", c.InFlight, sched.MaxInFlight)
	}
	if len(c.Devices) > 0 {
		switch {
		case c.Device >= 0:
			bad("UPSCALED_DEVICES", "%v and UPSCALED_DEVICE=%d both set: give one of them", c.Devices, c.Device)
		case c.Engine == "cpu":
			bad("UPSCALED_DEVICES", "%v name Vulkan devices, but UPSCALED_ENGINE is cpu", c.Devices)
		}
		if err := (sched.Config{Devices: c.Devices, InFlight: 1}).Validate(); err != nil {
			bad("UPSCALED_DEVICES", "%v", err)
		}
	}
	if err := c.Vulkan.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("UPSCALED_VK_*: %w", err))
	}
	if c.MemoryBudget < minMemoryBudget {
		bad("UPSCALED_MEMORY_BUDGET", "%d bytes: must be at least 16 MiB", c.MemoryBudget)
	}
	if c.QueueMax < 0 {
		bad("UPSCALED_QUEUE_MAX", "%d: must be 0 or more", c.QueueMax)
	}
	if c.QueueTimeout <= 0 {
		bad("UPSCALED_QUEUE_TIMEOUT", "%v: must be positive", c.QueueTimeout)
	}
	if c.MaxUploadBytes < 1 {
		bad("UPSCALED_MAX_UPLOAD_BYTES", "%d: must be positive", c.MaxUploadBytes)
	}
	if c.MaxInputPixels < 1 {
		bad("UPSCALED_MAX_INPUT_PIXELS", "%d: must be positive", c.MaxInputPixels)
	}
	if c.MaxOutputPixels < 1 {
		bad("UPSCALED_MAX_OUTPUT_PIXELS", "%d: must be positive", c.MaxOutputPixels)
	}
	if c.RequestTimeout <= 0 {
		bad("UPSCALED_REQUEST_TIMEOUT", "%v: must be positive", c.RequestTimeout)
	}
	if c.ShutdownGrace < 0 {
		bad("UPSCALED_SHUTDOWN_GRACE", "%v: must be 0 or more", c.ShutdownGrace)
	}
	if c.MaxHeaderBytes < 4<<10 {
		bad("UPSCALED_MAX_HEADER_BYTES", "%d: must be at least 4096", c.MaxHeaderBytes)
	}
	for _, o := range c.CORSOrigins {
		if o == "*" {
			continue
		}
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
			bad("UPSCALED_CORS_ORIGINS", "%q: an origin is scheme://host[:port] (or *)", o)
		}
	}
	if _, err := parseLevel(c.LogLevel); err != nil {
		bad("UPSCALED_LOG_LEVEL", "%v", err)
	}
	if c.LogFormat != "json" && c.LogFormat != "text" {
		bad("UPSCALED_LOG_FORMAT", "%q: must be json or text", c.LogFormat)
	}
	if c.BlobURL != "" {
		if _, _, _, err := blob.ParseURL(c.BlobURL); err != nil {
			bad("UPSCALED_BLOB_URL", "%v", err)
		}
	}
	if c.S3.PartSize < blob.MinPartSize {
		bad("UPSCALED_S3_PART_SIZE", "%d bytes: must be at least 5 MiB", c.S3.PartSize)
	}
	if c.S3.Retries < 1 || c.S3.Retries > 20 {
		bad("UPSCALED_S3_RETRIES", "%d: must be 1..20", c.S3.Retries)
	}
	if c.PresignTTL < 0 || c.PresignTTL > 7*24*time.Hour {
		bad("UPSCALED_PRESIGN_TTL", "%v: must be 0 (off) up to 7 days (S3's limit)", c.PresignTTL)
	}
	if c.CacheMaxBytes < 1<<20 {
		bad("UPSCALED_CACHE_MAX_BYTES", "%d bytes: must be at least 1 MiB (UPSCALED_CACHE=0 turns the cache off)", c.CacheMaxBytes)
	}
	switch c.Role {
	case RoleAll, RoleAPI, RoleWorker:
	default:
		bad("UPSCALED_ROLE", "%q: must be all, api or worker", c.Role)
	}
	if c.Role != RoleAll && c.Jobs.DatabaseURL == "" {
		bad("UPSCALED_ROLE", "%s: a node of one role needs the fleet's database (UPSCALED_DATABASE_URL=postgres://…); without it one process does everything (all)", c.Role)
	}
	if c.Jobs.DatabaseURL != "" && !c.Jobs.SingleNode {
		if _, _, isS3, err := blob.ParseURL(c.BlobURL); c.BlobURL == "" || err == nil && !isS3 {
			bad("UPSCALED_DATABASE_URL", "a fleet needs a shared object store for job files: set UPSCALED_BLOB_URL=s3://BUCKET/PREFIX (every node reaches it), or UPSCALED_SINGLE_NODE=1 when this is the only node")
		}
	}
	jc := c.Jobs
	jc.DataDir = c.DataDir
	jc.Work = c.Role != RoleAPI
	if jc.Workers == 0 {
		jc.Workers = 1 // auto: set by the engine when the server opens
	}
	if err := jc.Validate(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(strings.ToUpper(s))); err != nil {
		return 0, fmt.Errorf("%q: must be debug, info, warn or error", s)
	}
	return l, nil
}
