package upscale

import "testing"

// TestTTATiledEqualsUntiled runs TTA (8 transforms, each with its own
// whole-image SE means) tiled and whole: they must agree, and stay close
// to the plain output.
func TestTTATiledEqualsUntiled(t *testing.T) {
	p := newTestPipeline(t, Config{})
	in := cropPNG(t, "page-gray-1000x1400.png", 420, 640, 64, 48)
	o := Options{Model: "realcugan-up2x-conservative", Format: "png", TTA: true}
	whole, _ := upscaleBytes(t, p, in, o)
	o.Tile = 32
	tiled, res := upscaleBytes(t, p, in, o)
	plain, _ := upscaleBytes(t, p, in, Options{Model: o.Model, Format: "png"})
	w, _ := decodeOut(t, whole)
	tl, _ := decodeOut(t, tiled)
	pl, _ := decodeOut(t, plain)
	if db := psnr(t, tl, w); db < 55 {
		t.Errorf("TTA tiled (%d tiles) vs whole: %.2f dB, want ≥ 55", res.Tiles, db)
	} else {
		t.Logf("TTA tiled (%d tiles) vs whole: %.2f dB", res.Tiles, db)
	}
	// Flips move 2-px screentone against the network's stride-2 grid, so
	// some transforms render tone differently: the average stays close to
	// the plain output but is not equal to it.
	if db := psnr(t, w, pl); db < 25 || db > 80 {
		t.Errorf("TTA vs plain: %.2f dB: want a close but different result", db)
	} else {
		t.Logf("TTA vs plain: %.2f dB", db)
	}
}
