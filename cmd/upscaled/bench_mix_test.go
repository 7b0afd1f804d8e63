package main

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/upscaled/upscaled/internal/testing/testenv"
	"github.com/upscaled/upscaled/upscale"
)

// TestRunMix: the mixed run measures every idle panel, every loaded panel
// and every page, on the shared engine over the Go executor.
func TestRunMix(t *testing.T) {
	ctx := context.Background()
	a, _, _ := testApp("")
	fs := newFlagSet(a, "bench", "")
	eng := engineFlags(fs)
	if _, err := fs.parse([]string{"--engine", "cpu"}); err != nil {
		t.Fatal(err)
	}
	engine, err := openShared(ctx, eng, "all", 2)
	if err != nil {
		t.Fatal(err)
	}
	defer engine.Close()
	dir := filepath.Dir(testenv.TestImage(t, "small-color-48x48.png"))
	pages, err := loadBenchInputs(filepath.Join(dir, "small-color-61x37.png"), 2)
	if err != nil {
		t.Fatal(err)
	}
	panels, err := loadBenchInputs(filepath.Join(dir, "small-color-48x48.png"), 0)
	if err != nil {
		t.Fatal(err)
	}
	pipe := upscale.New(upscale.Config{}, engine, testenv.ModelsDir(t))
	defer pipe.Close()
	opts := upscale.Options{Model: "realesrgan-animevideov3-x2", Format: "jpeg", Quality: 90}
	r, err := runMix(ctx, pipe, pages, panels, opts, 3, 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.idle) != 2 || len(r.loaded) != 4 || len(r.pages) != 2 || r.panels != 4 {
		t.Errorf("%d idle, %d loaded panel and %d page latencies, %d panels: want 2, 4, 2, 4", len(r.idle), len(r.loaded), len(r.pages), r.panels)
	}
	for _, l := range [][]time.Duration{r.idle, r.loaded, r.pages} {
		if !slices.IsSorted(l) {
			t.Errorf("latencies not sorted: %v", l)
		}
	}
}

func TestOpenSharedFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		devices string
		want    string // error text ("" = opens)
	}{
		{"cpu", []string{"--engine", "cpu"}, "all", ""},
		{"device and devices", []string{"--device", "0"}, "0,1", "give one of them"},
		{"bad list", nil, "0,x", "--devices"},
		{"cpu with devices", []string{"--engine", "cpu"}, "0", "engine is cpu"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, _, _ := testApp("")
			fs := newFlagSet(a, "bench", "")
			eng := engineFlags(fs)
			if _, err := fs.parse(tt.args); err != nil {
				t.Fatal(err)
			}
			e, err := openShared(context.Background(), eng, tt.devices, 2)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				e.Close()
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}
