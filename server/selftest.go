package server

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"image"
	"image/png"
	"path"
	"sync"
	"time"

	"github.com/upscaled/upscaled/imaging"
	"github.com/upscaled/upscaled/models"
	"github.com/upscaled/upscaled/upscale"
)

//go:embed selftest/*.png
var selfTestFS embed.FS

// selfTestMinPSNR is the least PSNR, in dB, the engine's output must reach
// against the reference tool's output.
const selfTestMinPSNR = 40

// selfTestInput is upscaled with the first installed model of selfTestModels.
const selfTestInput = "small-color-48x48.png"

// selfTestModels have an embedded reference output, preferred first.
var selfTestModels = []string{models.DefaultModel, "realesrgan-animevideov3-x2"}

// SelfTestResult says what the self-test ran and measured.
type SelfTestResult struct {
	Model    string
	Engine   string
	PSNR     float64 // dB
	Duration time.Duration
}

// SelfTest upscales a known 48×48 image through the whole pipeline (decode,
// tiles, engine, encode) and compares the result with the reference tool's
// output: it proves the engine computes the model correctly on this device.
func SelfTest(ctx context.Context, p *upscale.Pipeline, modelsDir string) (SelfTestResult, error) {
	var info models.Info
	for _, id := range selfTestModels {
		m, err := models.Lookup(id)
		if err == nil && models.Installed(modelsDir, m) {
			info = m
			break
		}
	}
	if info.ID == "" {
		return SelfTestResult{}, fmt.Errorf("self-test: none of %v is installed in %s: run `make models`", selfTestModels, modelsDir)
	}
	res := SelfTestResult{Model: info.ID, Engine: p.Engine().Name()}
	in, err := selfTestFS.ReadFile(path.Join("selftest", selfTestInput))
	if err != nil {
		return res, err
	}
	ref, err := readPNG(path.Join("selftest", selfTestInput[:len(selfTestInput)-4]+"__"+info.ID+".png"))
	if err != nil {
		return res, err
	}
	plan, err := p.Plan(bytes.NewReader(in), upscale.Options{Model: info.ID, Format: "png"})
	if err != nil {
		return res, fmt.Errorf("self-test: %w", err)
	}
	start := time.Now()
	var out bytes.Buffer
	if _, err := p.Run(ctx, plan, bytes.NewReader(in), &out, nil, nil); err != nil {
		return res, fmt.Errorf("self-test: %s on %s: %w", info.ID, res.Engine, err)
	}
	res.Duration = time.Since(start)
	got, err := png.Decode(&out)
	if err != nil {
		return res, fmt.Errorf("self-test: the engine's PNG output does not decode: %w", err)
	}
	res.PSNR, err = imaging.PSNR(got, ref)
	if err != nil {
		return res, fmt.Errorf("self-test: %w", err)
	}
	if res.PSNR < selfTestMinPSNR {
		return res, fmt.Errorf("self-test: %s on %s: output differs from the reference (PSNR %.1f dB < %d dB): the engine computes wrong results on this device",
			info.ID, res.Engine, res.PSNR, selfTestMinPSNR)
	}
	return res, nil
}

func readPNG(name string) (image.Image, error) {
	b, err := selfTestFS.ReadFile(name)
	if err != nil {
		return nil, err
	}
	return png.Decode(bytes.NewReader(b))
}

// readiness is the state /readyz reports.
type readiness struct {
	mu      sync.Mutex
	ready   bool
	detail  string
	running bool // a self-test is in progress
	closing bool // shutting down: never ready again
}

func newReadiness() *readiness {
	return &readiness{detail: "starting: the engine self-test has not finished"}
}

func (r *readiness) get() (bool, string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.ready && !r.closing, r.detail
}

func (r *readiness) set(ready bool, detail string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closing {
		return
	}
	r.ready, r.detail = ready, detail
}

func (r *readiness) shutdown() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closing, r.ready, r.detail = true, false, "shutting down"
}

// begin marks a self-test as started; false when one already runs.
func (r *readiness) begin() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.running {
		return false
	}
	r.running = true
	return true
}

func (r *readiness) end() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.running = false
}
