package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/dustin/go-humanize"

	_ "github.com/upscaled/upscaled/engines/cpu"
	"github.com/upscaled/upscaled/engines/sched"
	_ "github.com/upscaled/upscaled/engines/vulkan"
	"github.com/upscaled/upscaled/imaging"
	"github.com/upscaled/upscaled/server"
)

func init() {
	register("serve", "run the HTTP service", runServe)
}

// serveOption is one setting of `upscaled serve`: a flag and an UPSCALED_*
// variable (the flag wins), with its default shown in --help and the README.
type serveOption struct {
	flag, env, arg, help string
	set                  func(c *server.Config, v string) error
	show                 func(c server.Config) string
}

func serveOptions() []serveOption {
	opts := []serveOption{
		{"addr", "UPSCALED_ADDR", "HOST:PORT", "listen address",
			func(c *server.Config, v string) error { c.Addr = v; return nil },
			func(c server.Config) string { return c.Addr }},
		{"data-dir", "UPSCALED_DATA_DIR", "DIR", "job data and temporary files",
			func(c *server.Config, v string) error { c.DataDir = v; return nil },
			func(c server.Config) string { return c.DataDir }},
		{"models-dir", "UPSCALED_MODELS_DIR", "DIR", "installed models (make models)",
			func(c *server.Config, v string) error { c.ModelsDir = v; return nil },
			func(c server.Config) string { return c.ModelsDir }},
		{"engine", "UPSCALED_ENGINE", "NAME", "auto (best GPU, else the Go executor, else Mesa's CPU Vulkan device), vulkan or cpu; not opened with --role api",
			func(c *server.Config, v string) error { c.Engine = strings.ToLower(v); return nil },
			func(c server.Config) string { return c.Engine }},
		{"device", "UPSCALED_DEVICE", "N", "Vulkan device index (upscaled devices); empty or -1: automatic",
			func(c *server.Config, v string) error { return setInt(&c.Device, v, -1) },
			func(c server.Config) string { return showInt(c.Device, -1, "automatic") }},
		{"devices", "UPSCALED_DEVICES", "all|N,…", "Vulkan devices the shared engine schedules over: all (every usable GPU, else the best engine) or indexes such as 0,1",
			func(c *server.Config, v string) error {
				d, err := sched.ParseDevices(v)
				c.Devices = d
				return err
			},
			func(c server.Config) string { return "all" }},
		{"inflight", "UPSCALED_INFLIGHT", "N", "tile passes each device runs at once (overlaps transfers with compute)",
			func(c *server.Config, v string) error { return setInt(&c.InFlight, v, 1) },
			func(c server.Config) string { return strconv.Itoa(c.InFlight) }},
		{"memory-budget", "UPSCALED_MEMORY_BUDGET", "SIZE", "host memory all images in work may hold together (e.g. 2GiB)",
			func(c *server.Config, v string) error { return setSize(&c.MemoryBudget, v) },
			func(c server.Config) string {
				return humanize.IBytes(uint64(c.MemoryBudget)) + " (¼ of memory, at most 8 GiB)"
			}},
		{"queue-max", "UPSCALED_QUEUE_MAX", "N", "requests that may wait for memory; beyond: 503 + Retry-After",
			func(c *server.Config, v string) error { return setInt(&c.QueueMax, v, 0) },
			func(c server.Config) string { return strconv.Itoa(c.QueueMax) }},
		{"queue-timeout", "UPSCALED_QUEUE_TIMEOUT", "DURATION", "longest wait for memory before 503",
			func(c *server.Config, v string) error { return setDuration(&c.QueueTimeout, v) },
			func(c server.Config) string { return c.QueueTimeout.String() }},
		{"max-upload-bytes", "UPSCALED_MAX_UPLOAD_BYTES", "SIZE", "largest upload of POST /v1/upscale (413 beyond)",
			func(c *server.Config, v string) error { return setSize(&c.MaxUploadBytes, v) },
			func(c server.Config) string { return humanize.IBytes(uint64(c.MaxUploadBytes)) }},
		{"max-input-pixels", "UPSCALED_MAX_INPUT_PIXELS", "N", "largest input width×height (413 beyond, checked before decoding)",
			func(c *server.Config, v string) error { return setPixels(&c.MaxInputPixels, v) },
			func(c server.Config) string { return showPixels(c.MaxInputPixels) }},
		{"max-output-pixels", "UPSCALED_MAX_OUTPUT_PIXELS", "N", "largest output width×height (413 beyond)",
			func(c *server.Config, v string) error { return setPixels(&c.MaxOutputPixels, v) },
			func(c server.Config) string { return showPixels(c.MaxOutputPixels) }},
		{"request-timeout", "UPSCALED_REQUEST_TIMEOUT", "DURATION", "deadline of one synchronous request, upload included",
			func(c *server.Config, v string) error { return setDuration(&c.RequestTimeout, v) },
			func(c server.Config) string { return c.RequestTimeout.String() }},
		{"api-keys", "UPSCALED_API_KEYS", "KEY,…", "API keys; when set every /v1 route needs Authorization: Bearer KEY",
			func(c *server.Config, v string) error { c.APIKeys = splitList(v); return nil },
			func(c server.Config) string { return "none (open)" }},
		{"api-keys-file", "UPSCALED_API_KEYS_FILE", "FILE", "file of API keys, one per line (# comments)",
			func(c *server.Config, v string) error { c.APIKeysFile = v; return nil },
			func(c server.Config) string { return "none" }},
		{"cors-origins", "UPSCALED_CORS_ORIGINS", "ORIGIN,…", "browser origins allowed to call the API (* for any)",
			func(c *server.Config, v string) error { c.CORSOrigins = splitList(v); return nil },
			func(c server.Config) string { return "none (CORS off)" }},
		{"shutdown-grace", "UPSCALED_SHUTDOWN_GRACE", "DURATION", "on SIGTERM/SIGINT, time in-flight requests get to finish",
			func(c *server.Config, v string) error { return setDuration(&c.ShutdownGrace, v) },
			func(c server.Config) string { return c.ShutdownGrace.String() }},
		{"max-header-bytes", "UPSCALED_MAX_HEADER_BYTES", "SIZE", "largest request header block",
			func(c *server.Config, v string) error {
				var n int64
				if err := setSize(&n, v); err != nil {
					return err
				}
				c.MaxHeaderBytes = int(n)
				return nil
			},
			func(c server.Config) string { return humanize.IBytes(uint64(c.MaxHeaderBytes)) }},
		{"log-level", "UPSCALED_LOG_LEVEL", "LEVEL", "debug, info, warn or error",
			func(c *server.Config, v string) error { c.LogLevel = strings.ToLower(v); return nil },
			func(c server.Config) string { return c.LogLevel }},
		{"log-format", "UPSCALED_LOG_FORMAT", "FORMAT", "json or text",
			func(c *server.Config, v string) error { c.LogFormat = strings.ToLower(v); return nil },
			func(c server.Config) string { return c.LogFormat }},
		{"job-workers", "UPSCALED_JOB_WORKERS", "N", "job pages processed at once (0: 4 per GPU, 1 on the Go executor)",
			func(c *server.Config, v string) error { return setInt(&c.Jobs.Workers, v, 0) },
			func(c server.Config) string { return strconv.Itoa(c.Jobs.Workers) }},
		{"job-max-items", "UPSCALED_JOB_MAX_ITEMS", "N", "most images in one job",
			func(c *server.Config, v string) error { return setInt(&c.Jobs.MaxItems, v, 1) },
			func(c server.Config) string { return strconv.Itoa(c.Jobs.MaxItems) }},
		{"job-max-bytes", "UPSCALED_JOB_MAX_BYTES", "SIZE", "most bytes uploaded in one job",
			func(c *server.Config, v string) error { return setSize(&c.Jobs.MaxBytes, v) },
			func(c server.Config) string { return humanize.IBytes(uint64(c.Jobs.MaxBytes)) }},
		{"job-upload-timeout", "UPSCALED_JOB_UPLOAD_TIMEOUT", "DURATION", "longest job upload, first byte to last (408 beyond; a stalled one is cut after 1m)",
			func(c *server.Config, v string) error { return setDuration(&c.Jobs.UploadTimeout, v) },
			func(c server.Config) string { return c.Jobs.UploadTimeout.String() }},
		{"job-max-uploads", "UPSCALED_JOB_MAX_UPLOADS", "N", "job uploads received at once (503 + Retry-After beyond)",
			func(c *server.Config, v string) error { return setInt(&c.Jobs.MaxUploads, v, 1) },
			func(c server.Config) string { return strconv.Itoa(c.Jobs.MaxUploads) }},
		{"job-disk-retry", "UPSCALED_JOB_DISK_RETRY", "DURATION", "how long a job page that met a full disk is tried again (waits growing to 1m) before it fails",
			func(c *server.Config, v string) error { return setDuration(&c.Jobs.DiskRetry, v) },
			func(c server.Config) string { return c.Jobs.DiskRetry.String() }},
		{"job-ttl", "UPSCALED_JOB_TTL", "DURATION", "how long finished jobs' results are kept",
			func(c *server.Config, v string) error { return setDuration(&c.Jobs.TTL, v) },
			func(c server.Config) string { return c.Jobs.TTL.String() }},
		{"min-free-disk", "UPSCALED_MIN_FREE_DISK", "SIZE", "free space in the data directory under which new jobs get 507",
			func(c *server.Config, v string) error {
				var n int64
				if err := setSize(&n, v); err != nil {
					return err
				}
				c.Jobs.MinFreeDisk = uint64(n)
				return nil
			},
			func(c server.Config) string { return humanize.IBytes(c.Jobs.MinFreeDisk) }},
		{"job-budget-share", "UPSCALED_JOB_BUDGET_SHARE", "FRACTION", "share (0,1] of the memory budget job workers may hold together",
			func(c *server.Config, v string) error {
				f, err := strconv.ParseFloat(v, 64)
				if err != nil {
					return fmt.Errorf("%q is not a number", v)
				}
				c.Jobs.BudgetShare = f
				return nil
			},
			func(c server.Config) string { return strconv.FormatFloat(c.Jobs.BudgetShare, 'g', -1, 64) }},
	}
	opts = append(opts, storageOptions()...)
	opts = append(opts, fleetOptions()...)
	opts = append(opts, serveOption{"webp-encoder", webpEncoderEnv, "auto|libwebp|parallel", webpEncoderHelp,
		func(c *server.Config, v string) (err error) {
			c.WebPEncoder, err = imaging.ParseWebPCodec(v)
			return err
		},
		func(c server.Config) string { return c.WebPEncoder.String() }})
	return insertAfter(opts, "inflight", vulkanServeOptions()...)
}

// loadServeConfig applies, over the defaults, the UPSCALED_* variables of
// getenv and then the flags in args.
func loadServeConfig(args []string, getenv func(string) string, usageOut io.Writer) (server.Config, error) {
	cfg := server.DefaultConfig()
	opts := serveOptions()
	for _, o := range opts {
		if v := getenv(o.env); v != "" {
			if err := o.set(&cfg, v); err != nil {
				return cfg, fmt.Errorf("%s=%s: %w", o.env, v, err)
			}
		}
	}
	s3FromEnv(&cfg.S3, getenv)
	defaults := server.DefaultConfig()
	f := newFlagSet(&app{stdout: usageOut, stderr: usageOut, getenv: getenv}, "serve", "Runs the HTTP API and the upload page.")
	f.note("Every flag has an UPSCALED_* variable; a flag overrides its variable.\n" +
		"Sizes take units (64MiB, 2GiB); durations take units (30s, 2m) or plain seconds.")
	f.note(fmt.Sprintf("Each request chooses its output with form fields or query parameters (GET /openapi.json):\n"+
		"format webp (default), png, jpeg or same; quality 1..100 (default %d) for JPEG and lossy\n"+
		"WebP; lossless (WebP); subsampling 420 (default), 422 or 444 (JPEG); effort 0..%d, more\n"+
		"is smaller and slower: PNG deflate level 1, 2, 3, 4, 5, 6, 9 (default %d), WebP libwebp\n"+
		"method 0..6 (default %d, the fastest) or lossless preset 0, 1, 2, 3, 5, 7, 9.",
		imaging.DefaultQuality, imaging.MaxEffort, imaging.DefaultPNGEffort, imaging.DefaultWebPEffort))
	for _, o := range opts {
		f.Func(o.flag, o.arg, o.env, o.show(defaults), o.help, func(v string) error {
			if err := o.set(&cfg, v); err != nil {
				return fmt.Errorf("--%s=%s: %w", o.flag, v, err)
			}
			return nil
		})
	}
	return cfg, f.noArgs(args)
}

func runServe(ctx context.Context, a *app, args []string) error {
	cfg, err := loadServeConfig(args, a.getenv, a.stdout)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	log, err := server.NewLogger(a.stderr, cfg.LogLevel, cfg.LogFormat)
	if err != nil {
		return fmt.Errorf("UPSCALED_LOG_LEVEL: %w", err)
	}
	// bind first: a second server on the same address stops here, before
	// it touches the data directory
	ln, err := server.Listen(cfg.Addr)
	if err != nil {
		return err
	}
	srv, err := server.New(cfg, log.With("version", version))
	if err != nil {
		ln.Close()
		return err
	}
	return srv.Serve(ctx, ln)
}

func setInt(dst *int, v string, min int) error {
	if v == "" {
		*dst = min
		return nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return fmt.Errorf("%q is not an integer", v)
	}
	*dst = n
	return nil
}

func showInt(n, unset int, word string) string {
	if n == unset {
		return word
	}
	return strconv.Itoa(n)
}

// setSize reads a byte size: a plain number of bytes or a number with a
// unit (KiB, MiB, GiB, KB, MB, GB …).
func setSize(dst *int64, v string) error {
	n, err := humanize.ParseBytes(strings.TrimSpace(v))
	if err != nil || n > 1<<62 {
		return fmt.Errorf("%q is not a size (e.g. 64MiB, 2GiB, 1048576)", v)
	}
	*dst = int64(n)
	return nil
}

// setPixels reads a pixel count: a number, or with an M or MP suffix
// (megapixels, 10^6).
func setPixels(dst *int64, v string) error {
	s := strings.ToUpper(strings.TrimSpace(v))
	mult := 1.0
	for _, suf := range []string{"MP", "M"} {
		if strings.HasSuffix(s, suf) {
			s, mult = strings.TrimSpace(strings.TrimSuffix(s, suf)), 1e6
			break
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || f*mult > 1<<62 {
		return fmt.Errorf("%q is not a pixel count (e.g. 50000000 or 50MP)", v)
	}
	*dst = int64(f * mult)
	return nil
}

func showPixels(n int64) string {
	if n%1_000_000 == 0 {
		return fmt.Sprintf("%d (%d MP)", n, n/1_000_000)
	}
	return strconv.FormatInt(n, 10)
}

// setDuration reads a Go duration (30s, 2m) or plain seconds.
func setDuration(dst *time.Duration, v string) error {
	v = strings.TrimSpace(v)
	if n, err := strconv.ParseFloat(v, 64); err == nil {
		*dst = time.Duration(n * float64(time.Second))
		return nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return fmt.Errorf("%q is not a duration (e.g. 30s, 2m, or seconds)", v)
	}
	*dst = d
	return nil
}

func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
