package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/upscaled/upscaled/imaging"
	"github.com/upscaled/upscaled/internal/testing/testenv"
)

func TestUpscaleCommand(t *testing.T) {
	models := testenv.ModelsDir(t)
	in := testenv.TestImage(t, "small-rgba-40x56.png")
	dir := t.TempDir()
	tests := []struct {
		name    string
		args    []string
		out     string
		format  imaging.Format
		w, h, c int
		wantErr string
	}{
		{name: "png by extension, flags after args", out: "a.png", args: []string{in, "OUT", "--engine", "cpu", "--tile", "32"}, format: imaging.PNG, w: 80, h: 112, c: 4},
		{name: "jpeg by extension", out: "b.jpg", args: []string{"--engine", "cpu", "--model", "realesrgan-animevideov3-x2", in, "OUT"}, format: imaging.JPEG, w: 80, h: 112, c: 3},
		{name: "unknown extension", out: "c.bmp", args: []string{"--engine", "cpu", in, "OUT"}, wantErr: "cannot tell the output format"},
		{name: "unknown model", out: "d.png", args: []string{"--engine", "cpu", "--model", "nope", in, "OUT"}, wantErr: "unknown model"},
		{name: "missing input", out: "e.png", args: []string{"--engine", "cpu", filepath.Join(dir, "missing.png"), "OUT"}, wantErr: "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(dir, tt.out)
			args := []string{"--models-dir", models, "--quiet"}
			for _, a := range tt.args {
				if a == "OUT" {
					a = out
				}
				args = append(args, a)
			}
			a, _, _ := testApp("")
			err := runUpscale(context.Background(), a, args)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err %v, want one mentioning %q", err, tt.wantErr)
				}
				if _, serr := os.Stat(out); serr == nil {
					t.Fatalf("%s written despite the error", out)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			f, err := os.Open(out)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			m, h, err := imaging.Decode(f, imaging.Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if h.Format != tt.format || m.W != tt.w || m.H != tt.h || m.C != tt.c {
				t.Fatalf("wrote %s %dx%d with %d channels, want %s %dx%d with %d", h.Format, m.W, m.H, m.C, tt.format, tt.w, tt.h, tt.c)
			}
		})
	}
}
