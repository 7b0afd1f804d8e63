package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	"github.com/upscaled/upscaled/engines"
	"github.com/upscaled/upscaled/engines/sched"
	"github.com/upscaled/upscaled/engines/vulkan"
	"github.com/upscaled/upscaled/imaging"
	"github.com/upscaled/upscaled/models"
	"github.com/upscaled/upscaled/upscale"
)

func init() {
	register("upscale", "upscale images: upscale [flags] IN… -o DIR, or upscale [flags] IN OUT", runUpscale)
}

// hostTileBudget is the tile memory used when the engine works in host
// memory and reports no budget of its own (the CPU engine).
const hostTileBudget = 1 << 30

// engineChoice holds the --engine, --device and --vk-* flags.
type engineChoice struct {
	name   *string
	device *int
	vulkan *vulkan.Config
}

func engineFlags(f *flagSet) *engineChoice {
	webpEncoderFlag(f)
	return &engineChoice{
		name: f.String("engine", "", "NAME", "UPSCALED_ENGINE", "auto",
			"auto (best GPU, else the Go executor, else Mesa's CPU Vulkan device), vulkan or cpu"),
		device: f.Int("device", "N", "UPSCALED_DEVICE", -1, "automatic", "Vulkan device index (upscaled devices); -1: automatic"),
		vulkan: vulkanFlags(f),
	}
}

// open opens the engine as serve does (sched.Open): the --device, else
// every usable GPU, else the single best engine.
func (e *engineChoice) open(ctx context.Context) (engines.Engine, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	cfg := sched.DefaultConfig()
	cfg.Backends = backends(e.vulkan)
	name := strings.ToLower(*e.name)
	if *e.device >= 0 && name != "cpu" {
		cfg.Devices = []int{*e.device}
	}
	eng, err := sched.Open(name, cfg)
	if err != nil {
		return nil, err
	}
	return eng, nil
}

// page is one input of `upscaled upscale` and where its result goes.
type page struct {
	name    string // as given (path, or "-" for stdin)
	data    []byte // stdin's bytes; nil for a file
	plan    upscale.Plan
	planErr error  // the page fails with it when its turn comes
	out     string // result path, or "-" for stdout
	named   bool   // out was named here (-o DIR), not given
}

func (p *page) open() (io.ReadSeeker, func(), error) {
	if p.data != nil {
		return bytes.NewReader(p.data), func() {}, nil
	}
	f, err := os.Open(p.name)
	if err != nil {
		return nil, nil, err
	}
	return f, func() { f.Close() }, nil
}

func (p *page) label() string {
	if p.name == "-" {
		return "stdin"
	}
	return p.name
}

func (p *page) megapixels() float64 {
	return float64(p.plan.Input.Width) * float64(p.plan.Input.Height) / 1e6
}

func runUpscale(ctx context.Context, a *app, args []string) error {
	f := newFlagSet(a, "upscale", "Upscales images with a Real-CUGAN or Real-ESRGAN model.",
		"[flags] IN… -o DIR", "[flags] IN OUT")
	f.note("IN is an image file, a directory (its images, not recursive, in name order), a glob\n" +
		"such as 'pages/*.png', or - for standard input. With -o DIR each result is DIR/NAME.EXT:\n" +
		"the input's name with the output format's extension (the directory is created if\n" +
		"missing). With IN OUT, or -o - for standard output, one image is written. An image\n" +
		"that fails is reported and the others go on; the exit status is then 1.\n\n" +
		"Progress goes to stderr: one redrawn line on a terminal, else a line per page.\n" +
		"A line per written image goes to stdout (none when the image itself does).")
	output := f.String("output", "o", "DIR|FILE|-", "", "", "output directory (or file for one input, - for stdout)")
	model := f.String("model", "", "ID", "", models.DefaultModel, "model id (upscaled models list)")
	eng := engineFlags(f)
	modelsDir := f.String("models-dir", "", "DIR", "UPSCALED_MODELS_DIR", "models", "installed models (upscaled models fetch)")
	format := f.String("format", "", "FORMAT", "", "", "png, jpeg, webp or same (as the input; GIF and BMP give PNG)")
	f.shown("OUT's extension; same with -o DIR or -o -")
	quality := f.Int("quality", "N", "", imaging.DefaultQuality, "", "quality 1..100 for JPEG and lossy WebP")
	lossless := f.Bool("lossless", "", "lossless WebP")
	effort := f.Int("effort", "N", "", -1, "-1 (the format's default)", fmt.Sprintf("PNG/WebP encoder effort 0..%d, more is smaller and slower (default PNG %d, WebP %d)",
		imaging.MaxEffort, imaging.DefaultPNGEffort, imaging.DefaultWebPEffort))
	subsampling := f.String("subsampling", "", "420|422|444", "", "420", "JPEG chroma subsampling")
	tile := f.Int("tile", "N", "", 0, "0 (from the memory budget)", "tile side in input pixels")
	tta := f.Bool("tta", "", "average the 8 flips/transposes (8x slower)")
	memory := f.Size("memory", "", 0, "0 (the engine's budget; 1GiB for the CPU engine)", "memory tile passes may use on the device, e.g. 512MiB or 2GiB")
	quiet := f.Bool("quiet", "q", "no progress on stderr (errors are still reported)")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}

	in, err := expandInputs(f, pos, *output, format)
	if err != nil {
		return err
	}
	if _, err := models.Lookup(*model); err != nil {
		return err
	}
	opts := upscale.Options{Model: *model, Format: *format, Quality: *quality, Lossless: *lossless, Tile: *tile, TTA: *tta,
		Subsampling: strings.ReplaceAll(*subsampling, ":", "")}
	if *effort >= 0 {
		opts.Effort = effort
	} else if *effort != -1 {
		return f.usageErr("--effort %d is outside 0..%d (or -1 for the default)", *effort, imaging.MaxEffort)
	}
	if *memory < 0 {
		return f.usageErr("--memory must not be negative")
	}
	if in.toDir != "" {
		if err := os.MkdirAll(in.toDir, 0o755); err != nil {
			return err
		}
	}

	engine, err := eng.open(ctx)
	if err != nil {
		return err
	}
	defer engine.Close()
	cfg := upscale.Config{MemoryBudget: *memory}
	if cfg.MemoryBudget == 0 && engine.MemoryBudget() == 0 {
		cfg.MemoryBudget = hostTileBudget
	}
	pipe := upscale.New(cfg, engine, *modelsDir)
	defer pipe.Close()
	pages, err := planPages(f, in, pipe, opts)
	if err != nil {
		return err
	}
	toDir := in.toDir
	// One image at a time: keep the heap near its live bytes (GOGC 20
	// instead of twice them); each page sets the limit (heapLimit).
	debug.SetGCPercent(20)

	var total float64
	for _, p := range pages {
		total += p.megapixels()
	}
	prog := newProgress(a.stderr, a.stderrTTY, *quiet, len(pages), total)
	u := &upscaler{a: a, pipe: pipe, engine: engine, prog: prog, written: map[string]bool{}}
	start := time.Now()
	var failed []string
	for _, p := range pages {
		if err := ctx.Err(); err != nil {
			prog.finish()
			return err
		}
		prog.startPage(p.label(), p.megapixels())
		t0 := time.Now()
		err := u.one(ctx, p)
		prog.endPage(err == nil, time.Since(t0))
		if err == nil {
			continue
		}
		// a missing model fails every page alike: say it once
		if len(pages) == 1 || ctx.Err() != nil || errors.Is(err, models.ErrNotInstalled) {
			prog.finish()
			return fmt.Errorf("%s: %w", p.label(), err)
		}
		failed = append(failed, p.label())
		prog.above(func() { fmt.Fprintf(a.stderr, "upscaled: %s: %v\n", p.label(), err) })
	}
	prog.finish()
	if len(failed) > 0 {
		return fmt.Errorf("%d of %d images failed: %s", len(failed), len(pages), strings.Join(failed, ", "))
	}
	if len(pages) > 1 && !*quiet {
		fmt.Fprintf(a.stderr, "%d images written to %s in %s\n", len(pages), toDir, time.Since(start).Round(time.Millisecond))
	}
	return nil
}

// inputs are the expanded input names and where their results go.
type inputs struct {
	names  []string
	output string // OUT, "-" (stdout), or "" with toDir
	toDir  string // the output directory, if any
}

// expandInputs expands the arguments (files, directories, globs, -) and
// settles where results go; an empty format becomes OUT's (same with a
// directory or stdout).
func expandInputs(f *flagSet, pos []string, output string, format *string) (inputs, error) {
	if len(pos) == 0 {
		return inputs{}, f.usageErr("no input: want IN… -o DIR, or IN OUT")
	}
	var ins []string
	var toDir string
	single := false // one file (or -) and no directory or glob: OUT may be a file
	switch {
	case output != "":
		ins = pos
		single = len(pos) == 1 && !isDir(pos[0]) && !hasGlob(pos[0])
		switch {
		case output == "-":
		case single && !isDir(output) && !strings.HasSuffix(output, string(filepath.Separator)) && knownExt(output):
		default:
			toDir = output
		}
	case len(pos) == 2:
		ins, output = pos[:1], pos[1]
		single = !isDir(pos[0]) && !hasGlob(pos[0])
		if isDir(output) || strings.HasSuffix(output, "/") { // upscale a.png out/
			toDir = output
		} else if !single {
			return inputs{}, f.usageErr("%s is several images: write them with -o DIR", pos[0])
		}
	case len(pos) == 1:
		return inputs{}, f.usageErr("no output: give -o DIR (or -o - for stdout), or IN OUT")
	default:
		return inputs{}, f.usageErr("%d inputs and no -o DIR: give the output directory with -o DIR", len(pos))
	}
	var names []string
	for _, in := range ins {
		switch {
		case in == "-":
			if len(ins) > 1 {
				return inputs{}, f.usageErr("- (standard input) must be the only input")
			}
			names = append(names, in)
		case isDir(in):
			ents, err := os.ReadDir(in)
			if err != nil {
				return inputs{}, err
			}
			var found []string
			for _, e := range ents {
				if _, err := imaging.FormatOfPath(e.Name()); err == nil && !e.IsDir() {
					found = append(found, filepath.Join(in, e.Name()))
				}
			}
			if len(found) == 0 {
				return inputs{}, fmt.Errorf("%s: no images in the directory (.png, .jpg, .jpeg, .webp, .gif, .bmp)", in)
			}
			sort.Strings(found)
			names = append(names, found...)
		case hasGlob(in) && !exists(in):
			matches, err := filepath.Glob(in)
			if err != nil {
				return inputs{}, f.usageErr("bad pattern %q: %v", in, err)
			}
			var found []string
			for _, m := range matches {
				if !isDir(m) {
					found = append(found, m)
				}
			}
			if len(found) == 0 {
				return inputs{}, fmt.Errorf("%s: no file matches", in)
			}
			names = append(names, found...) // Glob sorts
		default:
			names = append(names, in)
		}
	}
	if output == "-" && len(names) != 1 {
		return inputs{}, f.usageErr("-o - writes one image to stdout; the inputs are %d images (use -o DIR)", len(names))
	}
	if *format == "" {
		if toDir != "" || output == "-" {
			*format = "same"
		} else {
			of, err := outputFormatOf(output)
			if err != nil {
				return inputs{}, f.usageErr("%v", err)
			}
			*format = string(of)
		}
	}
	if toDir != "" {
		output = ""
	}
	return inputs{names: names, output: output, toDir: toDir}, nil
}

// planPages plans every input (its header read once: size for the
// progress, format for its result's name) and names each one's output.
// A page that cannot be planned fails when its turn comes.
func planPages(f *flagSet, in inputs, pipe *upscale.Pipeline, opts upscale.Options) ([]*page, error) {
	var pages []*page
	seen := map[string]string{}
	for _, n := range in.names {
		p := &page{name: n}
		if n == "-" {
			b, err := io.ReadAll(f.a.stdin)
			if err != nil {
				return nil, fmt.Errorf("reading stdin: %w", err)
			}
			p.data = b
		}
		p.plan, p.planErr = planPage(pipe, p, opts)
		switch {
		case in.toDir == "":
			p.out = in.output
		default:
			base := strings.TrimSuffix(filepath.Base(n), filepath.Ext(n))
			if n == "-" {
				base = "stdin"
			}
			p.out, p.named = filepath.Join(in.toDir, base+outExt(opts.Format, p)), true
			if prev, dup := seen[p.out]; dup {
				return nil, f.usageErr("%s and %s would both be written to %s", prev, n, p.out)
			}
			seen[p.out] = n
		}
		if p.out != "-" && n != "-" && sameFile(n, p.out) {
			return nil, f.usageErr("%s would be overwritten by its own result: choose another output", n)
		}
		pages = append(pages, p)
	}
	return pages, nil
}

func planPage(pipe *upscale.Pipeline, p *page, opts upscale.Options) (upscale.Plan, error) {
	r, done, err := p.open()
	if err != nil {
		return upscale.Plan{}, err
	}
	defer done()
	return pipe.Plan(r, opts)
}

// outExt is the extension of p's result: its plan's output format, or
// when it has none (it will fail) the format asked for, else its name's.
func outExt(format string, p *page) string {
	if p.planErr == nil {
		return p.plan.Format.Extension()
	}
	if f, err := imaging.ParseFormat(format); err == nil && f.Encodable() {
		return f.Extension()
	}
	if f, err := imaging.FormatOfPath(p.name); err == nil && f.Encodable() {
		return f.Extension()
	}
	return imaging.PNG.Extension()
}

// heapLimit is the CLI's memory budget: one page at a time, the Go heap
// held to the page's estimate plus the model's weights (fp32, twice the
// fp16 file), stdin's bytes and the runtime.
func heapLimit(p *page) upscale.Reserver {
	return upscale.ReserverFunc(func(_ context.Context, bytes int64) (func(), error) {
		debug.SetMemoryLimit(bytes + 2*p.plan.Model.Bin.Size + int64(len(p.data)) + 64<<20)
		return func() {}, nil
	})
}

// upscaler runs pages one after the other through one pipeline.
type upscaler struct {
	a       *app
	pipe    *upscale.Pipeline
	engine  engines.Engine
	prog    *progress
	written map[string]bool
}

func (u *upscaler) one(ctx context.Context, p *page) error {
	if p.planErr != nil {
		return p.planErr
	}
	src, done, err := p.open()
	if err != nil {
		return err
	}
	defer done()
	progress := func(pr upscale.Progress) { u.prog.tiles(pr.TilesDone, pr.TilesTotal) }
	if p.out == "-" {
		w := bufio.NewWriterSize(u.a.stdout, 1<<20)
		if _, err := u.pipe.Run(ctx, p.plan, src, w, heapLimit(p), progress); err != nil {
			return err
		}
		return w.Flush()
	}
	// Write beside the result and rename when complete: no partial file.
	tmp, err := os.CreateTemp(filepath.Dir(p.out), "."+filepath.Base(p.out)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	w := bufio.NewWriterSize(tmp, 1<<20)
	res, err := u.pipe.Run(ctx, p.plan, src, w, heapLimit(p), progress)
	if err == nil {
		err = w.Flush()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	out := p.out
	if p.named && res.Format != p.plan.Format { // e.g. WebP too large: PNG written
		out = strings.TrimSuffix(out, filepath.Ext(out)) + res.Format.Extension()
	}
	if u.written[out] {
		return fmt.Errorf("%s was already written by another input of this run", out)
	}
	if err := os.Rename(tmp.Name(), out); err != nil {
		return err
	}
	u.written[out] = true
	u.prog.above(func() {
		fmt.Fprintf(u.a.stdout, "%s: %dx%d -> %s %dx%d %s, %s, %d tiles, %s, %.2fs, host estimate %d MiB\n", p.label(), res.InWidth, res.InHeight, out,
			res.OutWidth, res.OutHeight, res.Format, res.Model, res.Tiles, u.engine.Name(), res.Elapsed.Seconds(), p.plan.HostBytes>>20)
		for _, n := range res.Notes {
			fmt.Fprintln(u.a.stdout, "note:", n)
		}
	})
	return nil
}

// outputFormatOf is the output format OUT's extension names.
func outputFormatOf(path string) (imaging.Format, error) {
	if f, err := imaging.FormatOfPath(path); err == nil && f.Encodable() {
		return f, nil
	}
	return "", fmt.Errorf("cannot tell the output format from %q: use .png, .jpg or .webp, or --format", path)
}

func knownExt(path string) bool { _, err := outputFormatOf(path); return err == nil }

func hasGlob(s string) bool { return strings.ContainsAny(s, "*?[") }

func isDir(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func sameFile(a, b string) bool {
	sa, err := os.Stat(a)
	if err != nil {
		return false
	}
	sb, err := os.Stat(b)
	return err == nil && os.SameFile(sa, sb)
}
