package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"

	"github.com/upscaled/upscaled/engines"
	"github.com/upscaled/upscaled/imaging"
	"github.com/upscaled/upscaled/models"
	"github.com/upscaled/upscaled/upscale"
)

func init() {
	register("upscale", "upscale one image: upscale [flags] IN OUT", runUpscale)
}

// hostTileBudget is the tile memory used when the engine works in host
// memory and reports no budget of its own (the CPU engine).
const hostTileBudget = 1 << 30

// engineChoice holds the --engine and --device flags.
type engineChoice struct {
	name   *string
	device *int
}

func engineFlags(fs *flag.FlagSet) *engineChoice {
	return &engineChoice{
		name:   fs.String("engine", "auto", "engine: auto, vulkan or cpu"),
		device: fs.Int("device", -1, "Vulkan device index (-1 = best; see `upscaled devices`)"),
	}
}

func (e *engineChoice) open(ctx context.Context) (engines.Engine, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return engines.Select(*e.name, *e.device)
}

func runUpscale(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("upscale", flag.ContinueOnError)
	model := fs.String("model", models.DefaultModel, "model id (see `upscaled models list`)")
	eng := engineFlags(fs)
	tile := fs.Int("tile", 0, "tile side in input pixels (0 = from the memory budget)")
	format := fs.String("format", "", "output format: png, jpeg, webp or same (default: from OUT's extension)")
	quality := fs.Int("quality", upscale.DefaultQuality, "quality 1..100 for JPEG and lossy WebP")
	lossless := fs.Bool("lossless", false, "lossless WebP")
	effort := fs.Int("effort", -1, fmt.Sprintf("PNG/WebP encoder effort 0..%d, more is smaller and slower (-1 = the format's default: PNG %d, WebP %d)",
		imaging.MaxEffort, imaging.DefaultPNGEffort, imaging.DefaultWebPEffort))
	subsampling := fs.String("subsampling", "420", "JPEG chroma subsampling: 420, 422 or 444")
	tta := fs.Bool("tta", false, "average the 8 flips/transposes (8x slower)")
	memory := fs.Int64("memory", 0, "bytes tile passes may use (0 = the engine's budget; 1 GiB for the CPU engine)")
	quiet := fs.Bool("quiet", false, "no progress on stderr")
	modelsDir := fs.String("models-dir", envOr("UPSCALED_MODELS_DIR", "models"), "models directory")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: upscaled upscale [flags] IN OUT")
		fs.PrintDefaults()
	}
	pos, err := parseInterleaved(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		fs.Usage()
		return fmt.Errorf("upscale: want IN and OUT, got %d arguments", len(pos))
	}
	in, out := pos[0], pos[1]
	if *format == "" {
		if *format, err = formatFromExt(out); err != nil {
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

	src, err := os.Open(in)
	if err != nil {
		return err
	}
	defer src.Close()
	hdr, err := imaging.DecodeConfig(bufio.NewReader(src))
	if err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	opts := upscale.Options{Model: *model, Format: *format, Quality: *quality, Lossless: *lossless, Tile: *tile, TTA: *tta,
		Subsampling: strings.ReplaceAll(*subsampling, ":", "")}
	if *effort >= 0 {
		opts.Effort = effort
	} else if *effort != -1 {
		return fmt.Errorf("upscale: effort %d is outside 0..%d (or -1 for the default)", *effort, imaging.MaxEffort)
	}
	plan, err := pipe.Prepare(hdr, opts)
	if err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	// One image per process: keep the heap near its live bytes (GOGC 20
	// instead of twice them) and hold it to the estimate plus the weights
	// (fp32, twice the fp16 file) and the runtime.
	debug.SetGCPercent(20)
	debug.SetMemoryLimit(plan.HostBytes + 2*plan.Model.Bin.Size + 64<<20)
	if _, err := src.Seek(0, 0); err != nil {
		return err
	}
	// Write beside OUT and rename when complete: no partial output file.
	tmp, err := os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o644); err != nil {
		return err
	}
	w := bufio.NewWriterSize(tmp, 1<<20)
	progress := func(p upscale.Progress) {
		if !*quiet {
			fmt.Fprintf(os.Stderr, "\rtile passes %d/%d", p.TilesDone, p.TilesTotal)
		}
	}
	res, err := pipe.Process(ctx, bufio.NewReader(src), plan, w, progress)
	if !*quiet {
		fmt.Fprintln(os.Stderr)
	}
	if err == nil {
		err = w.Flush()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	if err := os.Rename(tmp.Name(), out); err != nil {
		return err
	}
	fmt.Printf("%s: %dx%d -> %s %dx%d %s, %s, %d tiles, %s, %.2fs, host estimate %d MiB\n", in, res.InWidth, res.InHeight, out,
		res.OutWidth, res.OutHeight, res.Format, res.Model, res.Tiles, engine.Name(), res.Elapsed.Seconds(), plan.HostBytes>>20)
	for _, n := range res.Notes {
		fmt.Println("note:", n)
	}
	return nil
}

// parseInterleaved parses flags that may come before, between or after the
// positional arguments.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
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
	return "", fmt.Errorf("upscale: cannot tell the output format from %q: use .png, .jpg or .webp, or --format", path)
}
