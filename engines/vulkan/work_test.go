package vulkan

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"os"
	"testing"

	"github.com/upscaled/upscaled/imaging"
	"github.com/upscaled/upscaled/internal/testing/testenv"
	"github.com/upscaled/upscaled/internal/testing/testpipe"
	"github.com/upscaled/upscaled/tiling"
	"github.com/upscaled/upscaled/upscale"
)

// A page whose whole-image pass exceeds the device's largest allocation is
// a planning fact: the pipeline tiles it and keeps every tile's pass paused
// across Real-CUGAN's SE pooling points, so the convolution arithmetic the
// device executes is each tile's once (before, the failed whole-image pass
// made every tile recompute its prefix per SE point: 2–3× the arithmetic).
// The output matches the untiled run's.
func TestTiledPageExecutesEachTileOnce(t *testing.T) {
	e := openTestEngine(t)
	data, err := os.ReadFile(testenv.TestImage(t, "small-color-61x37.png"))
	if err != nil {
		t.Fatal(err)
	}
	hdr, err := imaging.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	opts := upscale.Options{Model: "realcugan-up2x-conservative", Format: "png"}
	run := func() (upscale.Plan, upscale.Result, float64, []byte) {
		t.Helper()
		pipe := upscale.New(upscale.Config{}, e, testenv.ModelsDir(t)) // plans layouts afresh
		defer pipe.Close()
		plan, err := pipe.Prepare(hdr, opts)
		if err != nil {
			t.Fatal(err)
		}
		before := e.Work()
		var out bytes.Buffer
		res, err := pipe.Process(context.Background(), bytes.NewReader(data), plan, &out, nil)
		if err != nil {
			t.Fatal(err)
		}
		return plan, res, e.Work().Sub(before).ConvFLOPs, out.Bytes()
	}
	plan, res, executed, whole := run()
	if res.Tiles != 1 || executed != plan.ModelFLOPs {
		t.Fatalf("untiled: %d tiles, executed %.4g FLOPs, the model %.4g", res.Tiles, executed, plan.ModelFLOPs)
	}
	// The largest blob of the whole image no longer fits one allocation.
	testBlockSize = largestBlob(t, e, opts.Model, hdr.Width, hdr.Height) * 2 / 3
	defer func() { testBlockSize = 0 }()
	plan, res, executed, tiled := run()
	if res.Tiles < 2 {
		t.Fatalf("%d tiles with a %d-byte allocation limit, want several", res.Tiles, testBlockSize)
	}
	if ratio := executed / plan.TileFLOPs; ratio > 1.05 || ratio < 0.999 {
		t.Errorf("%d tiles: executed %.4g FLOPs, %.2f× the tiles' one pass each (%.4g)", res.Tiles, executed, ratio, plan.TileFLOPs)
	}
	t.Logf("%d tiles: executed / model FLOPs %.2f (tile overlap on a tiny image)", res.Tiles, executed/plan.ModelFLOPs)
	if psnr := testpipe.PSNR(t, decodePNG(t, whole), decodePNG(t, tiled)); psnr < 50 {
		t.Errorf("tiled output differs from the untiled one: %.1f dB", psnr)
	}
}

// largestBlob is the size in bytes of the largest blob of model id's
// untiled pass over a w×h image.
func largestBlob(t *testing.T, e *Engine, id string, w, h int) int64 {
	t.Helper()
	m := loadNet(t, id)
	prog, err := e.Load(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	defer prog.Close()
	g := tiling.Geometry{Scale: m.Info.Scale, Margin: m.Info.TileMargin, Align: max(m.Info.Align, 1)}
	esize := int64(4)
	if e.dev.Storage16 {
		esize = 2
	}
	l, err := prog.(*program).layout(g.PaddedSize(h), g.PaddedSize(w), 8, esize)
	if err != nil {
		t.Fatal(err)
	}
	var biggest int64
	for _, st := range l.stors {
		biggest = max(biggest, st.size)
	}
	return biggest
}

func decodePNG(t *testing.T, b []byte) image.Image {
	t.Helper()
	m, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return m
}
