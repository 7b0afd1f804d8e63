package enginetest

import (
	"context"
	"testing"

	"github.com/upscaled/upscaled/engines"
	"github.com/upscaled/upscaled/engines/cpu"
	"github.com/upscaled/upscaled/imaging"
	"github.com/upscaled/upscaled/internal/testing/testenv"
	"github.com/upscaled/upscaled/models"
)

// Depth16 runs Real-CUGAN 4× (the model with the nearest residual added in
// post-processing) on a 16-bit tile with eng and with the CPU executor:
// ≥ MinPSNRVsCPU over 16-bit samples.
func Depth16(t *testing.T, eng engines.Engine) {
	const id = "realcugan-up4x-no-denoise"
	info, err := models.Lookup(id)
	if err != nil {
		t.Fatal(err)
	}
	net, err := models.Load(testenv.ModelsDir(t), info)
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
	ref := cpu.New()
	defer ref.Close()
	refProg, err := ref.Load(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	defer refProg.Close()
	img := readRGB(t, testenv.TestImage(t, "small-color-61x37.png"))
	img = padRGB(cropRGB(img, 0, 0, 20, 20), info.PrePadding, 0, 0)
	tile := engines.Tile{W: img.w, H: img.h, C: 3, Depth: 16, Pix16: make([]uint16, len(img.pix))}
	for i, v := range img.pix {
		tile.Pix16[i] = uint16(v)*257 + uint16(i*37%251) // use the low bits too
	}
	got, err := engines.Run(ctx, prog, tile)
	if err != nil {
		t.Fatal(err)
	}
	want, err := engines.Run(ctx, refProg, tile)
	if err != nil {
		t.Fatal(err)
	}
	if got.Depth != 16 || got.W != want.W || got.H != want.H || len(got.Pix16) != len(want.Pix16) {
		t.Fatalf("output %d×%d depth %d, cpu %d×%d", got.W, got.H, got.Depth, want.W, want.H)
	}
	p := imaging.SamplesPSNR(got.Pix16, want.Pix16, 65535)
	t.Logf("%s 16-bit %d×%d → %d×%d: vs cpu %.2f dB", id, tile.W, tile.H, got.W, got.H, p)
	if p < MinPSNRVsCPU {
		t.Errorf("16-bit output %.2f dB vs cpu, below %.0f dB", p, MinPSNRVsCPU)
	}
}
