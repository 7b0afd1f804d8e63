package soak

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
)

// Input is one test image with the result a direct CLI run gives.
type Input struct {
	Name string
	PNG  []byte
	Want image.Image
}

// MakeInputs crops the given page into the sizes and computes each reference
// output with `bin upscale` (same engine and model as the server; env gives
// UPSCALED_MODELS_DIR).
func MakeInputs(ctx context.Context, bin, page, dir string, sizes [][2]int, env []string, engine, model string) ([]Input, error) {
	f, err := os.Open(page)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	src, _, err := image.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w", page, err)
	}
	var out []Input
	for i, sz := range sizes {
		crop := image.NewNRGBA(image.Rect(0, 0, sz[0], sz[1]))
		off := image.Pt(100+37*i, 200+53*i)
		draw.Draw(crop, crop.Bounds(), src, off, draw.Src)
		var b bytes.Buffer
		if err := png.Encode(&b, crop); err != nil {
			return nil, err
		}
		name := fmt.Sprintf("crop-%dx%d.png", sz[0], sz[1])
		in := filepath.Join(dir, name)
		ref := filepath.Join(dir, "ref-"+name)
		if err := os.WriteFile(in, b.Bytes(), 0o644); err != nil {
			return nil, err
		}
		cmd := exec.CommandContext(ctx, bin, "upscale", "--quiet", "--engine", engine, "--model", model, "--format", "png", in, ref)
		cmd.Env = append(os.Environ(), env...)
		if msg, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("direct run of %s: %v: %s", name, err, msg)
		}
		want, err := decodeFile(ref)
		if err != nil {
			return nil, err
		}
		out = append(out, Input{Name: name, PNG: b.Bytes(), Want: want})
	}
	return out, nil
}

func decodeFile(path string) (image.Image, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	img, _, err := image.Decode(bytes.NewReader(b))
	return img, err
}
