package enginetest

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/upscaled/upscaled/engines"
	"github.com/upscaled/upscaled/engines/cpu"
	"github.com/upscaled/upscaled/imaging"
	"github.com/upscaled/upscaled/internal/testing/testenv"
	"github.com/upscaled/upscaled/models"
)

// Thresholds of the model tests (PSNR over 8-bit RGB).
const (
	// MinPSNRVsCPU: engine vs the fp32 Go executor on the same input.
	MinPSNRVsCPU = 50.0
	// MinPSNRVsGolden: engine vs the reference tool's output.
	MinPSNRVsGolden = 40.0
)

// heavy models run on a crop of the test image: RRDB networks cost ~50×
// the compact ones and the CPU device of CI is slow.
var heavy = map[string]int{"realesrgan-x4plus": 8, "realesrgan-x4plus-anime": 16}

// modelInputs is the input every catalog model runs on; extraInputs adds
// inputs for the default models (the CPU device of CI is slow).
var (
	modelInputs = []string{"small-color-61x37.png"}
	extraInputs = map[string][]string{
		"realcugan-up2x-conservative": {"small-gray-64x64.png", "small-rgba-40x56.png"},
		"realesrgan-animevideov3-x2":  {"small-gray-64x64.png", "small-color-48x48.png"},
	}
)

// upscaleWhole runs a model untiled the way the reference tools do:
// reflect-101 pre-padding, right/bottom aligned, the output cropped to
// (w·scale, h·scale).
func upscaleWhole(t testing.TB, prog engines.Program, net *models.Net, info models.Info, img rgbImage) rgbImage {
	t.Helper()
	align := max(info.Align, 1)
	extraR := (img.w+align-1)/align*align - img.w
	extraB := (img.h+align-1)/align*align - img.h
	padded := padRGB(img, info.PrePadding, extraR, extraB)
	out, err := engines.Run(context.Background(), prog, engines.Tile{W: padded.w, H: padded.h, C: 3, Depth: 8, Pix8: padded.pix})
	if err != nil {
		t.Fatal(err)
	}
	s, err := net.OutputShape(models.Shape3(3, padded.h, padded.w), info.OutputBlob)
	if err != nil {
		t.Fatal(err)
	}
	if s.W != out.W || s.H != out.H || len(out.Pix8) != out.W*out.H*3 {
		t.Fatalf("output %d×%d (%d samples), shape inference says %d×%d", out.W, out.H, len(out.Pix8), s.W, s.H)
	}
	cx := (padded.w*info.Scale - out.W) / (2 * info.Scale)
	cy := (padded.h*info.Scale - out.H) / (2 * info.Scale)
	x0, y0 := (info.PrePadding-cx)*info.Scale, (info.PrePadding-cy)*info.Scale
	return cropRGB(rgbImage{w: out.W, h: out.H, pix: out.Pix8}, x0, y0, img.w*info.Scale, img.h*info.Scale)
}

// Models runs every catalog model (or those listed, comma-separated, in
// UPSCALED_TEST_MODELS: machines that carry only some model files) on the
// small test images with eng and with the CPU executor (≥ MinPSNRVsCPU), and
// compares with the golden outputs where they exist (≥ MinPSNRVsGolden).
// Heavy models run on a crop (no golden comparison then).
func Models(t *testing.T, eng engines.Engine) {
	dir := testenv.ModelsDir(t)
	ref := cpu.New()
	defer ref.Close()
	all := models.All()
	if list := os.Getenv("UPSCALED_TEST_MODELS"); list != "" {
		all = nil
		for _, id := range strings.Split(list, ",") {
			info, err := models.Lookup(strings.TrimSpace(id))
			if err != nil {
				t.Fatalf("UPSCALED_TEST_MODELS: %v", err)
			}
			all = append(all, info)
		}
	}
	for _, info := range all {
		t.Run(info.ID, func(t *testing.T) {
			if !models.Installed(dir, info) {
				t.Fatalf("%s is not installed in %s: run `make models`", info.ID, dir)
			}
			net, err := models.Load(dir, info)
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			m := engines.Model{Info: info, Net: net}
			prog, err := eng.Load(ctx, m)
			if err != nil {
				t.Fatal(err)
			}
			defer prog.Close()
			refProg, err := ref.Load(ctx, m)
			if err != nil {
				t.Fatal(err)
			}
			defer refProg.Close()
			inputs := append(append([]string(nil), modelInputs...), extraInputs[info.ID]...)
			for _, name := range inputs {
				t.Run(name, func(t *testing.T) {
					img := readRGB(t, testenv.TestImage(t, name))
					side, crop := heavy[info.ID]
					if crop {
						img = cropRGB(img, 0, 0, min(side, img.w), min(side, img.h))
					}
					start := time.Now()
					got := upscaleWhole(t, prog, net, info, img)
					took := time.Since(start)
					want := upscaleWhole(t, refProg, net, info, img)
					p := imaging.SamplesPSNR(got.pix, want.pix, 255)
					msg := fmt.Sprintf("%s %s %d×%d: vs cpu %.2f dB (engine %v)", info.ID, name, img.w, img.h, p, took.Round(time.Millisecond))
					if p < MinPSNRVsCPU {
						t.Errorf("%s: below %.0f dB", msg, MinPSNRVsCPU)
					}
					if !crop {
						gpath := testenv.Golden(t, name, info.ID)
						if _, err := os.Stat(gpath); err == nil {
							golden := readRGB(t, gpath)
							g := imaging.SamplesPSNR(got.pix, golden.pix, 255)
							msg += fmt.Sprintf(", vs golden %.2f dB", g)
							if g < MinPSNRVsGolden {
								t.Errorf("%s: golden below %.0f dB", msg, MinPSNRVsGolden)
							}
						}
					}
					t.Log(msg)
				})
			}
		})
	}
}
