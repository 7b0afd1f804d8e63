package enginetest

import (
	"context"
	"testing"
	"time"

	"github.com/upscaled/upscaled/engines"
	"github.com/upscaled/upscaled/imaging"
	"github.com/upscaled/upscaled/internal/testing/testenv"
	"github.com/upscaled/upscaled/models"
)

// GoldenCase is one test input with one model that has a reference output in
// testdata/golden.
type GoldenCase struct{ Input, Model string }

// Golden runs each case untiled on eng, the way the reference tools do, and
// compares the RGB result with the reference tool's output (≥ MinPSNRVsGolden).
func Golden(t *testing.T, eng engines.Engine, cases []GoldenCase) {
	dir := testenv.ModelsDir(t)
	progs := map[string]engines.Program{}
	nets := map[string]*models.Net{}
	defer func() {
		for _, p := range progs {
			p.Close()
		}
	}()
	for _, c := range cases {
		t.Run(c.Model+"/"+c.Input, func(t *testing.T) {
			info, err := models.Lookup(c.Model)
			if err != nil {
				t.Fatal(err)
			}
			if progs[c.Model] == nil {
				net, err := models.Load(dir, info)
				if err != nil {
					t.Fatal(err)
				}
				prog, err := eng.Load(context.Background(), engines.Model{Info: info, Net: net})
				if err != nil {
					t.Fatal(err)
				}
				progs[c.Model], nets[c.Model] = prog, net
			}
			img := readRGB(t, testenv.TestImage(t, c.Input))
			golden := readRGB(t, testenv.Golden(t, c.Input, c.Model))
			start := time.Now()
			got := upscaleWhole(t, progs[c.Model], nets[c.Model], info, img)
			if got.w != golden.w || got.h != golden.h {
				t.Fatalf("output %d×%d, golden %d×%d", got.w, got.h, golden.w, golden.h)
			}
			p := imaging.SamplesPSNR(got.pix, golden.pix, 255)
			t.Logf("%s %s: PSNR %.2f dB vs golden (%v)", c.Model, c.Input, p, time.Since(start).Round(time.Millisecond))
			if p < MinPSNRVsGolden {
				t.Errorf("PSNR %.2f dB < %.0f dB", p, MinPSNRVsGolden)
			}
		})
	}
}
