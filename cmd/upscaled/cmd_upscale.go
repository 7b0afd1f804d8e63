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

// imageExts are the inputs a directory argument contributes.
var imageExts = map[string]bool{".png": true, ".jpg": true, ".jpeg": true, ".webp": true, ".gif": true, ".bmp": true}

// page is one input of `upscaled upscale` and where its result goes.
type page struct {
	name   string // as given (path, or "-" for stdin)
	data   []byte // stdin's bytes; nil for a file
	hdr    imaging.Header
	hdrErr error
	out    string // result path, or "-" for stdout
	named  bool   // out was named here (-o DIR), not given
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

func (p *page) megapixels() float64 { return float64(p.hdr.Width) * float64(p.hdr.Height) / 1e6 }

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
	quality := f.Int("quality", "N", "", upscale.DefaultQuality, "", "quality 1..100 for JPEG and lossy WebP")
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

	pages, toDir, err := planPages(f, pos, *output, format)
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
	if toDir != "" {
		if err := os.MkdirAll(toDir, 0o755); err != nil {
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
	// One image at a time: keep the heap near its live bytes (GOGC 20
	// instead of twice them); each page sets the limit below.
	debug.SetGCPercent(20)

	var total float64
	for _, p := range pages {
		total += p.megapixels()
	}
	prog := newProgress(a.stderr, a.stderrTTY, *quiet, len(pages), total)
	u := &upscaler{a: a, pipe: pipe, engine: engine, opts: opts, prog: prog, written: map[string]bool{}}
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

// planPages expands the inputs (files, directories, globs, -) and names
// each one's output. toDir is the output directory, if any.
func planPages(f *flagSet, pos []string, output string, format *string) (pages []*page, toDir string, err error) {
	if len(pos) == 0 {
		return nil, "", f.usageErr("no input: want IN… -o DIR, or IN OUT")
	}
	var ins []string
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
			return nil, "", f.usageErr("%s is several images: write them with -o DIR", pos[0])
		}
	case len(pos) == 1:
		return nil, "", f.usageErr("no output: give -o DIR (or -o - for stdout), or IN OUT")
	default:
		return nil, "", f.usageErr("%d inputs and no -o DIR: give the output directory with -o DIR", len(pos))
	}
	// expand the inputs
	var names []string
	for _, in := range ins {
		switch {
		case in == "-":
			if len(ins) > 1 {
				return nil, "", f.usageErr("- (standard input) must be the only input")
			}
			names = append(names, in)
		case isDir(in):
			ents, err := os.ReadDir(in)
			if err != nil {
				return nil, "", err
			}
			var found []string
			for _, e := range ents {
				if !e.IsDir() && imageExts[strings.ToLower(filepath.Ext(e.Name()))] {
					found = append(found, filepath.Join(in, e.Name()))
				}
			}
			if len(found) == 0 {
				return nil, "", fmt.Errorf("%s: no images in the directory (.png, .jpg, .jpeg, .webp, .gif, .bmp)", in)
			}
			sort.Strings(found)
			names = append(names, found...)
		case hasGlob(in) && !exists(in):
			matches, err := filepath.Glob(in)
			if err != nil {
				return nil, "", f.usageErr("bad pattern %q: %v", in, err)
			}
			var found []string
			for _, m := range matches {
				if !isDir(m) {
					found = append(found, m)
				}
			}
			if len(found) == 0 {
				return nil, "", fmt.Errorf("%s: no file matches", in)
			}
			names = append(names, found...) // Glob sorts
		default:
			names = append(names, in)
		}
	}
	if output == "-" && len(names) != 1 {
		return nil, "", f.usageErr("-o - writes one image to stdout; the inputs are %d images (use -o DIR)", len(names))
	}
	if *format == "" {
		if toDir != "" || output == "-" {
			*format = "same"
		} else if *format, err = formatFromExt(output); err != nil {
			return nil, "", f.usageErr("%v", err)
		}
	}
	seen := map[string]string{}
	for _, n := range names {
		p := &page{name: n}
		if n == "-" {
			b, err := io.ReadAll(f.a.stdin)
			if err != nil {
				return nil, "", fmt.Errorf("reading stdin: %w", err)
			}
			p.data = b
		}
		p.hdr, p.hdrErr = readHeader(p)
		switch {
		case toDir == "":
			p.out = output
		default:
			base := strings.TrimSuffix(filepath.Base(n), filepath.Ext(n))
			if n == "-" {
				base = "stdin"
			}
			p.out, p.named = filepath.Join(toDir, base+outExt(*format, p)), true
			if prev, dup := seen[p.out]; dup {
				return nil, "", f.usageErr("%s and %s would both be written to %s", prev, n, p.out)
			}
			seen[p.out] = n
		}
		if p.out != "-" && n != "-" && sameFile(n, p.out) {
			return nil, "", f.usageErr("%s would be overwritten by its own result: choose another output", n)
		}
		pages = append(pages, p)
	}
	return pages, toDir, nil
}

func readHeader(p *page) (imaging.Header, error) {
	r, done, err := p.open()
	if err != nil {
		return imaging.Header{}, err
	}
	defer done()
	return imaging.DecodeConfig(bufio.NewReader(r))
}

// outExt is the extension of format's output for p (same: its input's).
func outExt(format string, p *page) string {
	switch strings.ToLower(format) {
	case "png":
		return ".png"
	case "jpeg", "jpg":
		return ".jpg"
	case "webp":
		return ".webp"
	}
	in := p.hdr.Format
	if p.hdrErr != nil {
		f, err := formatFromExt(p.name)
		if err != nil {
			return ".png"
		}
		in = imaging.Format(f)
	}
	switch in {
	case imaging.JPEG, imaging.WebP:
		return imaging.Extension(in)
	}
	return ".png"
}

// upscaler runs pages one after the other through one pipeline.
type upscaler struct {
	a       *app
	pipe    *upscale.Pipeline
	engine  engines.Engine
	opts    upscale.Options
	prog    *progress
	written map[string]bool
}

func (u *upscaler) one(ctx context.Context, p *page) error {
	if p.hdrErr != nil {
		return p.hdrErr
	}
	plan, err := u.pipe.Prepare(p.hdr, u.opts)
	if err != nil {
		return err
	}
	// hold the heap to the estimate plus the weights (fp32, twice the fp16
	// file), stdin's bytes and the runtime
	debug.SetMemoryLimit(plan.HostBytes + 2*plan.Model.Bin.Size + int64(len(p.data)) + 64<<20)
	src, done, err := p.open()
	if err != nil {
		return err
	}
	defer done()
	progress := func(pr upscale.Progress) { u.prog.tiles(pr.TilesDone, pr.TilesTotal) }
	if p.out == "-" {
		w := bufio.NewWriterSize(u.a.stdout, 1<<20)
		if _, err := u.pipe.Process(ctx, bufio.NewReader(src), plan, w, progress); err != nil {
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
	res, err := u.pipe.Process(ctx, bufio.NewReader(src), plan, w, progress)
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
	if ext := imaging.Extension(res.Format); p.named && ext != "" {
		if want, _ := formatFromExt(out); imaging.Format(want) != res.Format { // e.g. WebP too large: PNG written
			out = strings.TrimSuffix(out, filepath.Ext(out)) + ext
		}
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
			res.OutWidth, res.OutHeight, res.Format, res.Model, res.Tiles, u.engine.Name(), res.Elapsed.Seconds(), plan.HostBytes>>20)
		for _, n := range res.Notes {
			fmt.Fprintln(u.a.stdout, "note:", n)
		}
	})
	return nil
}

// formatFromExt maps OUT's extension to an output format.
func formatFromExt(path string) (string, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".png":
		return "png", nil
	case ".jpg", ".jpeg":
		return "jpeg", nil
	case ".webp":
		return "webp", nil
	}
	return "", fmt.Errorf("cannot tell the output format from %q: use .png, .jpg or .webp, or --format", path)
}

func knownExt(path string) bool { _, err := formatFromExt(path); return err == nil }

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
