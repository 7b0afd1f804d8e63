// Command soak runs the soak test against a built upscaled binary and prints
// the summary table; it exits non-zero when a promise was broken.
//
//	go run ./internal/soak/cmd --duration 10m --bin bin/upscaled
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"

	"github.com/upscaled/upscaled/internal/testing/soak"
)

func main() {
	var cfg soak.Config
	flag.StringVar(&cfg.Binary, "bin", "bin/upscaled", "upscaled binary")
	flag.StringVar(&cfg.Page, "page", "testdata/testimages/page-gray-1000x1400.png", "page the inputs are cropped from")
	flag.DurationVar(&cfg.Duration, "duration", 10*time.Minute, "how long clients run")
	flag.IntVar(&cfg.Clients, "clients", 32, "concurrent clients")
	flag.StringVar(&cfg.Model, "model", "realesrgan-animevideov3-x2", "model id")
	flag.StringVar(&cfg.Engine, "engine", "cpu", "engine (cpu, vulkan, auto)")
	flag.StringVar(&cfg.ModelsDir, "models-dir", "models", "installed models (UPSCALED_MODELS_DIR of the server)")
	budget := flag.Int64("budget-mib", 512, "server memory budget, MiB")
	overhead := flag.Int64("overhead-mib", 200, "allowed resident memory above the budget, MiB")
	flag.Parse()
	cfg.Budget, cfg.Overhead = *budget<<20, *overhead<<20
	cfg.Sizes = [][2]int{{32, 32}, {48, 40}, {64, 64}, {96, 72}}
	dir, err := os.MkdirTemp("", "upscaled-soak-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer os.RemoveAll(dir)
	cfg.WorkDir = dir
	logf, _ := os.Create(dir + "/server.log")
	cfg.Log = logf
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	rep, err := soak.Run(ctx, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		os.Exit(1)
	}
	rep.Print(os.Stdout)
	if f := rep.Failures(); len(f) > 0 {
		fmt.Println("\nFAILED:")
		for _, s := range f {
			fmt.Println(" -", s)
		}
		os.Exit(1)
	}
	fmt.Println("\nsoak passed")
}
