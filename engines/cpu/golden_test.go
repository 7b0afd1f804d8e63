package cpu_test

import (
	"testing"

	"github.com/upscaled/upscaled/engines/cpu"
	"github.com/upscaled/upscaled/engines/enginetest"
)

// goldenModels are the catalog ids that have reference outputs.
var goldenModels = []string{
	"realcugan-up2x-conservative", "realcugan-up2x-no-denoise", "realcugan-up2x-denoise3x",
	"realcugan-up3x-conservative", "realcugan-up4x-no-denoise",
	"realesrgan-animevideov3-x2", "realesrgan-animevideov3-x3", "realesrgan-animevideov3-x4",
	"realesrgan-x4plus-anime",
}

// TestGolden compares whole-image CPU inference with the reference tools'
// outputs (made in fp16 on a GPU) by PSNR over RGB: every small input with
// every model, and each mid-size input with one fast model.
func TestGolden(t *testing.T) {
	inputs := []string{"small-color-48x48.png", "small-color-61x37.png", "small-gray-64x64.png", "small-rgba-40x56.png"}
	var cases []enginetest.GoldenCase
	for _, m := range goldenModels {
		for _, in := range inputs {
			cases = append(cases, enginetest.GoldenCase{Input: in, Model: m})
		}
	}
	// mid-size inputs: one fast model of each family, to keep the run short
	cases = append(cases,
		enginetest.GoldenCase{Input: "mid-color-300x200.png", Model: "realcugan-up2x-conservative"},
		enginetest.GoldenCase{Input: "mid-gray-256x256.png", Model: "realesrgan-animevideov3-x2"})
	enginetest.Golden(t, cpu.New(), cases)
}
