package models

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/upscaled/upscaled/internal/testing/testenv"
)

// TestCatalogModelsLoad parses, loads, validates every catalog model and checks
// the output size each family's pre-processing relies on.
func TestCatalogModelsLoad(t *testing.T) {
	dir := testenv.ModelsDir(t)
	for _, info := range All() {
		t.Run(info.ID, func(t *testing.T) {
			if !Installed(dir, info) {
				t.Fatalf("%s not installed in %s: run `make models`", info.ID, dir)
			}
			n, err := Load(dir, info)
			if err != nil {
				t.Fatal(err)
			}
			for _, hw := range [][2]int{{32, 32}, {40, 56}, {64, 36}} {
				h, w := hw[0], hw[1]
				var in Shape
				if info.Family == RealCUGAN {
					// Tile plus pre-padding each side; the tile is a multiple of Align.
					h, w = h/info.Align*info.Align, w/info.Align*info.Align
					in = Shape3(3, h+2*info.PrePadding, w+2*info.PrePadding)
				} else {
					in = Shape3(3, h, w)
				}
				got, err := n.OutputShape(in, info.OutputBlob)
				if err != nil {
					t.Fatalf("input %s: %v", in, err)
				}
				if want := Shape3(3, info.Scale*h, info.Scale*w); got != want {
					t.Errorf("input %s: output %s, want %s", in, got, want)
				}
			}
		})
	}
}

func TestInferShapesInputTooSmall(t *testing.T) {
	dir := testenv.ModelsDir(t)
	info, err := Lookup("realcugan-up2x-conservative")
	if err != nil {
		t.Fatal(err)
	}
	n, err := Load(dir, info)
	if err != nil {
		t.Fatal(err)
	}
	_, err = n.InferShapes(Shape3(3, 20, 20))
	if !errors.Is(err, ErrShape) || !strings.Contains(err.Error(), "3×20×20") || !strings.Contains(err.Error(), "layer ") {
		t.Fatalf("got %v, want ErrShape naming the layer and input 3×20×20", err)
	}
	t.Log(err)
}

func TestLoadNotInstalled(t *testing.T) {
	info, _ := Lookup("realesrgan-animevideov3-x2")
	dir := t.TempDir()
	_, err := Load(dir, info)
	want := filepath.Join(dir, "real-esrgan", "realesr-animevideov3-x2.param")
	if !errors.Is(err, ErrNotInstalled) || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "upscaled models fetch realesrgan-animevideov3-x2") {
		t.Fatalf("got %v, want ErrNotInstalled naming %s and the fetch command", err, want)
	}
	if Installed(dir, info) {
		t.Error("Installed reports true for an empty directory")
	}
	if err := Verify(dir, info); !errors.Is(err, ErrNotInstalled) {
		t.Errorf("Verify: got %v, want ErrNotInstalled", err)
	}
}

func TestVerify(t *testing.T) {
	src := testenv.ModelsDir(t)
	info, _ := Lookup("realesrgan-animevideov3-x4")
	dir := t.TempDir()
	for _, f := range info.Files() {
		b, err := os.ReadFile(FilePath(src, f))
		if err != nil {
			t.Fatal(err)
		}
		os.MkdirAll(filepath.Dir(FilePath(dir, f)), 0o755)
		if err := os.WriteFile(FilePath(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := Verify(dir, info); err != nil {
		t.Fatalf("intact copy: %v", err)
	}
	// Same size, one byte changed: Installed still true, Verify fails.
	p := FilePath(dir, info.Param)
	b, _ := os.ReadFile(p)
	b[len(b)-2] ^= 1
	os.WriteFile(p, b, 0o644)
	if !Installed(dir, info) {
		t.Error("Installed false for a same-size file")
	}
	err := Verify(dir, info)
	if !errors.Is(err, ErrChecksum) || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), info.Param.SHA256) {
		t.Fatalf("got %v, want ErrChecksum naming %s and the expected digest", err, p)
	}
	os.WriteFile(p, b[:10], 0o644)
	if Installed(dir, info) {
		t.Error("Installed true for a truncated file")
	}
}
