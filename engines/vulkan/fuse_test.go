package vulkan

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/upscaled/upscaled/engines"
	"github.com/upscaled/upscaled/engines/cpu"
	"github.com/upscaled/upscaled/engines/enginetest"
	"github.com/upscaled/upscaled/imaging"
)

// TestFusions runs the start-up check network (an SE block whose product a
// convolution and a crop read, the crop added to a deconvolution's output)
// with and without the fusions: the fused plan has no dispatch for the
// multiply, the crop and the add, and gives the same picture.
func TestFusions(t *testing.T) {
	m, tile, err := coopCheckModel()
	if err != nil {
		t.Fatal(err)
	}
	run := func(fuse bool) (engines.Tile, []string) { return runFused(t, m, tile, fuse) }
	fused, fl := run(true)
	plain, pl := run(false)
	for _, name := range []string{"m", "cr", "ad"} {
		if slices.Contains(fl, name) {
			t.Errorf("fused plan still dispatches layer %s: %v", name, fl)
		}
		if !slices.Contains(pl, name) {
			t.Errorf("unfused plan has no dispatch for layer %s: %v", name, pl)
		}
	}
	if d := maxDiff16(fused.Pix16, plain.Pix16); d > 2e-3 {
		t.Errorf("fused output differs from the unfused one by up to %.2e of full scale", d)
	}
}

// TestTailFusion: Real-ESRGAN x2's last layers (the add of the
// nearest-upsampled input, the bicubic ×½ Interp) run inside postproc, in
// fp32 from the stored network output and the input pixels: no dispatch
// for them, and the pixels stay as close to the CPU executor's as the
// conformance suite requires, with fewer samples off by one than the
// unfused plan on a noise tile.
func TestTailFusion(t *testing.T) {
	m := loadNet(t, "realesrgan-animevideov3-x2")
	rng := rand.New(rand.NewPCG(1, 2))
	px := make([]uint8, 40*36*3)
	for i := range px {
		px[i] = uint8(rng.IntN(256))
	}
	tile := engines.Tile{W: 40, H: 36, C: 3, Depth: 8, Pix8: px}
	ctx := context.Background()
	ref := cpu.New()
	defer ref.Close()
	rp, err := ref.Load(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	want, err := engines.Run(ctx, rp, tile)
	if err != nil {
		t.Fatal(err)
	}
	off := map[bool]int{}
	for _, fuse := range []bool{false, true} {
		got, layers := runFused(t, m, tile, fuse)
		for _, name := range []string{"Resize_37", "Add_38", "Resize_40"} {
			if fuse && slices.Contains(layers, name) {
				t.Errorf("fused plan dispatches layer %s", name)
			}
		}
		if psnr := imaging.SamplesPSNR(got.Pix8, want.Pix8, 255); psnr < enginetest.MinPSNRVsCPU {
			t.Errorf("fuse=%v: %.2f dB against the CPU executor", fuse, psnr)
		}
		for i := range got.Pix8 {
			if got.Pix8[i] != want.Pix8[i] {
				off[fuse]++
			}
		}
	}
	t.Logf("samples off the CPU executor's: %d unfused, %d fused, of %d", off[false], off[true], len(px)*4)
	if off[true] > off[false] {
		t.Errorf("the fused tail is further from the CPU executor: %d samples off, unfused %d", off[true], off[false])
	}
}

// runFused runs m on tile with the fusions on or off and lists the layers
// the plan dispatched for.
func runFused(t *testing.T, m engines.Model, tile engines.Tile, fuse bool) (engines.Tile, []string) {
	t.Helper()
	cfg := testConfig(t)
	cfg.Fuse = fuse
	e := openTestEngineWith(t, cfg)
	p, err := newProgram(e, m, e.CoopMatrix())
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	out, err := engines.Run(context.Background(), p, tile)
	if err != nil {
		t.Fatal(err)
	}
	var layers []string
	for _, l := range p.layouts { // the one layout the pass used
		for _, s := range l.steps {
			if s.layer >= 0 {
				layers = append(layers, m.Net.Layers[s.layer].Name)
			}
		}
	}
	return out, layers
}
