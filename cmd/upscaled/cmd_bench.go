package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/upscaled/upscaled/engines"
	"github.com/upscaled/upscaled/engines/vulkan"
	"github.com/upscaled/upscaled/imaging"
	"github.com/upscaled/upscaled/internal/timeline"
	"github.com/upscaled/upscaled/models"
	"github.com/upscaled/upscaled/upscale"
)

func init() {
	register("bench", "measure throughput and latency on a set of pages (optionally against the reference tool)", runBench)
}

type benchInput struct {
	name string
	data []byte
	hdr  imaging.Header
}

func runBench(ctx context.Context, a *app, args []string) error {
	fs := newFlagSet(a, "bench", "Measures throughput and latency on a set of pages, optionally against the reference tool.")
	dir := fs.String("dir", "", "DIR", "", "testdata/testimages", "directory of input images")
	match := fs.String("match", "", "GLOB", "", "page-*", "inputs inside --dir")
	minPages := fs.Int("pages", "N", "", 16, "", "repeat the inputs until at least this many pages")
	streams := fs.Int("streams", "N", "", 4, "", "concurrent streams")
	model := fs.String("model", "", "ID", "", models.DefaultModel, "model id (upscaled models list)")
	format := fs.String("format", "", "FORMAT", "", "jpeg", "output format: jpeg, png or webp")
	quality := fs.Int("quality", "N", "", 90, "", "quality 1..100 for lossy output")
	tile := fs.Int("tile", "N", "", 0, "0 (from the memory budget)", "tile side in input pixels")
	effort := fs.Int("effort", "N", "", -1, "-1 (the format's default)", fmt.Sprintf("PNG/WebP encoder effort 0..%d", imaging.MaxEffort))
	eng := engineFlags(fs)
	modelsDir := fs.String("models-dir", "", "DIR", "UPSCALED_MODELS_DIR", "models", "installed models (upscaled models fetch)")
	reference := fs.String("compare-reference", "", "DIR", "", "", "folder of the reference tool (realcugan-ncnn-vulkan or realesrgan-ncnn-vulkan with its models) to run on the same inputs")
	shared := sharedEngineFlags(fs)
	cpuProfile := fs.String("cpuprofile", "", "FILE", "", "", "write a Go CPU profile of the measured pages to this file")
	traceFile := fs.String("trace", "", "FILE", "", "", "write a timeline of the measured pages (Chrome trace-event JSON, for Perfetto or chrome://tracing) and print what the streams did while the device idled")
	if err := fs.noArgs(args); err != nil {
		return err
	}
	inputs, err := loadBenchInputs(filepath.Join(*dir, *match), *minPages)
	if err != nil {
		return err
	}
	info, err := models.Lookup(*model)
	if err != nil {
		return err
	}
	engine, err := openShared(ctx, eng, *shared.devices, *shared.inFlight)
	if err != nil {
		return err
	}
	defer engine.Close()
	pipe := upscale.New(upscale.Config{}, engine, *modelsDir)
	opts := upscale.Options{Model: *model, Format: *format, Quality: *quality, Tile: *tile}
	if *effort >= 0 {
		opts.Effort = effort
	}

	// Warm up (not measured, not profiled): load the model, plan the page
	// size, and make the device memory for as many pages at once as the
	// streams will run, as a server has after its first busy moment.
	if err := benchWarmUp(ctx, pipe, inputs, opts, *streams); err != nil {
		return fmt.Errorf("warm-up: %w", err)
	}
	vulkan.ResetProfile()
	if *shared.mix {
		return benchMix(ctx, pipe, engine, *model, *dir, inputs, opts, *streams, shared)
	}
	work := make(chan benchInput)
	var mu sync.Mutex
	var lat []time.Duration
	var tally benchTally
	var firstErr error
	var wg sync.WaitGroup
	stopProfile, err := startCPUProfile(*cpuProfile)
	if err != nil {
		return err
	}
	var rec *timeline.Recorder
	if *traceFile != "" {
		rec = timeline.New()
	}
	before := readBenchCounters(engine)
	start := time.Now()
	for i := 0; i < *streams; i++ {
		wg.Add(1)
		sctx := ctx
		if rec != nil {
			sctx = timeline.WithTrack(timeline.With(ctx, rec), fmt.Sprintf("stream %d", i+1))
		}
		go func() {
			defer wg.Done()
			for in := range work {
				run, err := benchRun(sctx, pipe, in, opts)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = fmt.Errorf("%s: %w", in.name, err)
				}
				lat = append(lat, run.latency)
				tally.add(run)
				mu.Unlock()
			}
		}()
	}
	for _, in := range inputs {
		work <- in
	}
	close(work)
	wg.Wait()
	wall := time.Since(start)
	spent := readBenchCounters(engine).since(before)
	if err := stopProfile(); err != nil {
		return err
	}
	if firstErr != nil {
		return firstErr
	}
	var mp float64
	for _, in := range inputs {
		mp += float64(in.hdr.Width*in.hdr.Height) / 1e6
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "engine\t%s\n", engine.Name())
	fmt.Fprintf(tw, "model\t%s\n", *model)
	fmt.Fprintf(tw, "pages\t%d (%.2f input MP), %d streams, %s output\n", len(inputs), mp, *streams, *format)
	fmt.Fprintf(tw, "wall time\t%s\n", wall.Round(time.Millisecond))
	fmt.Fprintf(tw, "throughput\t%.3f input MP/s, %.2f pages/s\n", mp/wall.Seconds(), float64(len(inputs))/wall.Seconds())
	fmt.Fprintf(tw, "latency p50 / p99\t%s / %s\n", lat[len(lat)/2].Round(time.Millisecond), lat[len(lat)*99/100].Round(time.Millisecond))
	fmt.Fprintf(tw, "peak host RSS\t%d MiB\n", peakRSS()>>20)
	if _, peak, ok := engines.DeviceMemory(engine); ok {
		fmt.Fprintf(tw, "peak device memory\t%d MiB\n", peak>>20)
	}
	printWork(tw, tally, spent, wall, len(inputs))
	if rec != nil {
		if err := writeTrace(*traceFile, rec, tw); err != nil {
			return err
		}
	}
	if *reference != "" {
		refWall, err := benchReference(ctx, *reference, info, inputs, *format)
		if err != nil {
			return err
		}
		fmt.Fprintf(tw, "reference wall time\t%s\n", refWall.Round(time.Millisecond))
		fmt.Fprintf(tw, "reference throughput\t%.3f input MP/s\n", mp/refWall.Seconds())
		fmt.Fprintf(tw, "speed-up vs reference\t%.2f×\n", refWall.Seconds()/wall.Seconds())
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if eng.vulkan.Profile {
		fmt.Println("\nGPU time per kernel and per layer (--vk-profile=1 or UPSCALED_VK_PROFILE=1; --streams 1 gives a clean split):")
		return vulkan.WriteProfile(os.Stdout, 80)
	}
	return nil
}

// writeTrace writes the recorded timeline to path and its summary to w.
func writeTrace(path string, rec *timeline.Recorder, w io.Writer) error {
	spans := rec.Spans()
	timeline.Summarize(spans).Print(w)
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := timeline.WriteChrome(f, spans); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// benchWarmUp runs one page alone, then one page on each stream at once.
func benchWarmUp(ctx context.Context, pipe *upscale.Pipeline, inputs []benchInput, opts upscale.Options, streams int) error {
	if _, err := benchOne(ctx, pipe, inputs[0], opts); err != nil {
		return err
	}
	errs := make([]error, streams)
	var wg sync.WaitGroup
	for i := range streams {
		wg.Go(func() { _, errs[i] = benchOne(ctx, pipe, inputs[i%len(inputs)], opts) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

func benchOne(ctx context.Context, pipe *upscale.Pipeline, in benchInput, opts upscale.Options) (time.Duration, error) {
	run, err := benchRun(ctx, pipe, in, opts)
	return run.latency, err
}

// benchRun is one page through Prepare and Process, as a request.
func benchRun(ctx context.Context, pipe *upscale.Pipeline, in benchInput, opts upscale.Options) (pageRun, error) {
	ctx = benchRequest(ctx)
	start := time.Now()
	plan, err := pipe.Prepare(in.hdr, opts)
	if err != nil {
		return pageRun{}, err
	}
	res, err := pipe.Process(ctx, bytes.NewReader(in.data), plan, io.Discard, nil)
	if err != nil {
		return pageRun{}, err
	}
	return pageRun{latency: time.Since(start), plan: plan, res: res}, nil
}

func loadBenchInputs(glob string, minPages int) ([]benchInput, error) {
	paths, err := filepath.Glob(glob)
	if err != nil || len(paths) == 0 {
		return nil, fmt.Errorf("no inputs match %s", glob)
	}
	var base []benchInput
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		hdr, err := imaging.DecodeConfig(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		base = append(base, benchInput{name: filepath.Base(p), data: data, hdr: hdr})
	}
	var out []benchInput
	for i := 0; len(out) < max(minPages, len(base)); i++ {
		in := base[i%len(base)]
		in.name = fmt.Sprintf("%03d-%s", i, in.name)
		out = append(out, in)
	}
	return out, nil
}

// benchReference writes the same pages into a folder and times the
// reference tool on it.
func benchReference(ctx context.Context, toolDir string, info models.Info, inputs []benchInput, format string) (time.Duration, error) {
	tmp, err := os.MkdirTemp("", "upscaled-bench-ref-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(tmp)
	in := filepath.Join(tmp, "in")
	if err := os.MkdirAll(in, 0o755); err != nil {
		return 0, err
	}
	for _, b := range inputs {
		if err := os.WriteFile(filepath.Join(in, b.name), b.data, 0o644); err != nil {
			return 0, err
		}
	}
	f, err := imaging.ParseFormat(format)
	if err != nil || !f.Encodable() {
		return 0, fmt.Errorf("reference tool cannot write %q", format)
	}
	return referenceRun(ctx, toolDir, info, in, filepath.Join(tmp, "out"), strings.TrimPrefix(f.Extension(), "."))
}

// peakRSS is the process's peak resident set size (VmHWM), bytes.
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			f := strings.Fields(line)
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}
