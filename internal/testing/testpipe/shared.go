package testpipe

import (
	"sync"
	"testing"

	"github.com/upscaled/upscaled/engines/cpu"
	"github.com/upscaled/upscaled/internal/testing/testenv"
	"github.com/upscaled/upscaled/upscale"
)

// FastModel is a quick model on the Go executor.
const FastModel = "realesrgan-animevideov3-x2"

var (
	sharedOnce sync.Once
	shared     *upscale.Pipeline
)

// Shared is one real pipeline on the Go executor for the whole test binary
// (models load once): inputs up to 50 MP, outputs up to 400 MP.
func Shared(t testing.TB) *upscale.Pipeline {
	t.Helper()
	dir := testenv.ModelsDir(t)
	sharedOnce.Do(func() {
		shared = upscale.New(upscale.Config{MaxInputPixels: 50_000_000, MaxOutputPixels: 400_000_000}, cpu.New(), dir)
	})
	return shared
}
