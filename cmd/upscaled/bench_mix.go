package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/upscaled/upscaled/engines"
	"github.com/upscaled/upscaled/engines/sched"
	"github.com/upscaled/upscaled/upscale"
)

// openShared opens the shared engine (engines/sched) for bench: the
// --devices list (all usable GPUs by default), or the one --device, with
// inFlight passes per device.
func openShared(ctx context.Context, eng *engineChoice, devices string, inFlight int) (*sched.Engine, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	cfg := sched.DefaultConfig()
	cfg.InFlight = inFlight
	cfg.Backends = backends(eng.vulkan)
	list, err := sched.ParseDevices(devices)
	if err != nil {
		return nil, fmt.Errorf("--devices: %w", err)
	}
	cfg.Devices = list
	if *eng.device >= 0 {
		if len(list) > 0 {
			return nil, fmt.Errorf("--device %d and --devices %s: give one of them", *eng.device, devices)
		}
		cfg.Devices = []int{*eng.device}
	}
	return sched.Open(*eng.name, cfg)
}

// benchSeq numbers bench requests: each image is its own request to the
// shared engine's fair queues.
var benchSeq atomic.Int64

func benchRequest(ctx context.Context) context.Context {
	return engines.WithRequest(ctx, fmt.Sprintf("bench-%d", benchSeq.Add(1)))
}

// mixResult is the outcome of the mixed-load run.
type mixResult struct {
	idle, loaded, pages []time.Duration // sorted latencies
	// where loaded panels spent their time on the shared engine (sorted):
	// waiting for their turn, and holding an in-flight slot.
	queued, running []time.Duration
	wall            time.Duration
	pageMP, panelMP float64
	panels          int
}

// runMix measures panel latency on an idle engine (one panel at a time),
// then under load: streams work through the pages with panelsPerPage
// panels interleaved after each page, every image a separate request.
func runMix(ctx context.Context, pipe *upscale.Pipeline, pages, panels []benchInput, opts upscale.Options, streams, panelsPerPage, idleRuns int) (mixResult, error) {
	var res mixResult
	if _, err := benchOne(ctx, pipe, panels[0], opts); err != nil {
		return res, fmt.Errorf("panel warm-up: %w", err)
	}
	for i := range idleRuns {
		in := panels[i%len(panels)]
		d, err := benchOne(ctx, pipe, in, opts)
		if err != nil {
			return res, fmt.Errorf("idle %s: %w", in.name, err)
		}
		res.idle = append(res.idle, d)
	}
	type job struct {
		in    benchInput
		panel bool
	}
	var work []job
	k := 0
	for _, p := range pages {
		work = append(work, job{in: p})
		res.pageMP += float64(p.hdr.Width*p.hdr.Height) / 1e6
		for range panelsPerPage {
			in := panels[k%len(panels)]
			k++
			work = append(work, job{in: in, panel: true})
			res.panelMP += float64(in.hdr.Width*in.hdr.Height) / 1e6
		}
	}
	res.panels = k
	jobs := make(chan job)
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	start := time.Now()
	for range streams {
		wg.Go(func() {
			for j := range jobs {
				var tm sched.Timing
				d, err := benchOne(sched.WithTiming(ctx, &tm), pipe, j.in, opts)
				mu.Lock()
				switch {
				case err != nil && firstErr == nil:
					firstErr = fmt.Errorf("%s: %w", j.in.name, err)
				case j.panel:
					res.loaded = append(res.loaded, d)
					res.queued = append(res.queued, tm.Queued())
					res.running = append(res.running, tm.Running())
				default:
					res.pages = append(res.pages, d)
				}
				mu.Unlock()
			}
		})
	}
	for _, j := range work {
		jobs <- j
	}
	close(jobs)
	wg.Wait()
	res.wall = time.Since(start)
	if firstErr != nil {
		return res, firstErr
	}
	for _, l := range [][]time.Duration{res.idle, res.loaded, res.pages, res.queued, res.running} {
		sort.Slice(l, func(i, j int) bool { return l[i] < l[j] })
	}
	return res, nil
}

// pct is the q-th percentile (0..100) of sorted latencies.
func pct(l []time.Duration, q int) time.Duration {
	if len(l) == 0 {
		return 0
	}
	return l[min(len(l)*q/100, len(l)-1)]
}

func printMix(w io.Writer, r mixResult, streams, pages int) {
	ms := func(d time.Duration) string { return d.Round(time.Millisecond).String() }
	fmt.Fprintf(w, "mix\t%d pages + %d panels, %d streams\n", pages, r.panels, streams)
	fmt.Fprintf(w, "mix wall time\t%s\n", ms(r.wall))
	fmt.Fprintf(w, "mix throughput\t%.3f input MP/s\n", (r.pageMP+r.panelMP)/r.wall.Seconds())
	fmt.Fprintf(w, "page latency p50 / p99 (loaded)\t%s / %s\n", ms(pct(r.pages, 50)), ms(pct(r.pages, 99)))
	fmt.Fprintf(w, "panel latency p50 / p99 (idle, %d runs)\t%s / %s\n", len(r.idle), ms(pct(r.idle, 50)), ms(pct(r.idle, 99)))
	fmt.Fprintf(w, "panel latency p50 / p99 (loaded)\t%s / %s\n", ms(pct(r.loaded, 50)), ms(pct(r.loaded, 99)))
	fmt.Fprintf(w, "  of which queued for the device\t%s / %s\n", ms(pct(r.queued, 50)), ms(pct(r.queued, 99)))
	fmt.Fprintf(w, "  of which on the device\t%s / %s\n", ms(pct(r.running, 50)), ms(pct(r.running, 99)))
	fmt.Fprintf(w, "panel p99 loaded / idle\t%.2f× (target ≤ 3×)\n", pct(r.loaded, 99).Seconds()/pct(r.idle, 99).Seconds())
}

// sharedFlags are bench's flags for the shared engine and the mixed run.
type sharedFlags struct {
	devices       *string
	inFlight      *int
	mix           *bool
	panels        *string
	panelsPerPage *int
	idleRuns      *int
}

func sharedEngineFlags(fs *flagSet) *sharedFlags {
	return &sharedFlags{
		devices: fs.String("devices", "", "all|N,…", "UPSCALED_DEVICES", "all",
			"Vulkan devices of the shared engine: all (every usable GPU, else the best engine) or indexes such as 0,1"),
		inFlight:      fs.Int("inflight", "N", "UPSCALED_INFLIGHT", sched.DefaultConfig().InFlight, "", "tile passes in flight per device"),
		mix:           fs.Bool("mix", "", "mixed load: panels between the pages; reports panel p99 latency under load against an idle engine (use --streams 16)"),
		panels:        fs.String("panels", "", "GLOB", "", "mid-color-300x200.png", "the --mix panels inside --dir"),
		panelsPerPage: fs.Int("panels-per-page", "N", "", 4, "", "--mix: panels queued after each page"),
		idleRuns:      fs.Int("idle-runs", "N", "", 10, "", "--mix: panels run one at a time on the idle engine"),
	}
}

// benchMix runs --mix and prints its report.
func benchMix(ctx context.Context, pipe *upscale.Pipeline, engine engines.Engine, model, dir string, pages []benchInput, opts upscale.Options, streams int, f *sharedFlags) error {
	if *f.panelsPerPage < 1 || *f.idleRuns < 1 {
		return fmt.Errorf("--panels-per-page %d and --idle-runs %d must be at least 1", *f.panelsPerPage, *f.idleRuns)
	}
	panels, err := loadBenchInputs(filepath.Join(dir, *f.panels), 0)
	if err != nil {
		return fmt.Errorf("--panels: %w", err)
	}
	r, err := runMix(ctx, pipe, pages, panels, opts, streams, *f.panelsPerPage, *f.idleRuns)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "engine\t%s\n", engine.Name())
	fmt.Fprintf(tw, "model\t%s\n", model)
	printMix(tw, r, streams, len(pages))
	fmt.Fprintf(tw, "peak host RSS\t%d MiB\n", peakRSS()>>20)
	if _, peak, ok := engines.DeviceMemory(engine); ok {
		fmt.Fprintf(tw, "peak device memory\t%d MiB\n", peak>>20)
	}
	return tw.Flush()
}
