package vulkan

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/upscaled/upscaled/engines"
	"github.com/upscaled/upscaled/internal/testing/testenv"
	"github.com/upscaled/upscaled/models"
)

// loadModel loads a catalog model's network.
func loadNet(t testing.TB, id string) engines.Model {
	t.Helper()
	info, err := models.Lookup(id)
	if err != nil {
		t.Fatal(err)
	}
	net, err := models.Load(testenv.ModelsDir(t), info)
	if err != nil {
		t.Fatal(err)
	}
	return engines.Model{Info: info, Net: net}
}

func grayTile(w, h int) engines.Tile {
	px := make([]uint8, w*h*3)
	for i := range px {
		px[i] = uint8(i * 7 % 251)
	}
	return engines.Tile{W: w, H: h, C: 3, Depth: 8, Pix8: px}
}

func TestOutOfMemory(t *testing.T) {
	e := openTestEngine(t)
	ctx := context.Background()
	m := loadNet(t, "realesrgan-animevideov3-x2")
	t.Cleanup(func() { setFaults(0, 0, 0) })

	t.Run("weights", func(t *testing.T) {
		setFaults(1, vkErrorOutOfDeviceMem, 0)
		_, err := e.Load(ctx, m)
		setFaults(0, 0, 0)
		if !errors.Is(err, engines.ErrOutOfMemory) {
			t.Fatalf("Load with a failing allocator: %v, want ErrOutOfMemory", err)
		}
	})
	prog, err := e.Load(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	defer prog.Close()
	t.Run("arena", func(t *testing.T) {
		setFaults(1, vkErrorOutOfDeviceMem, 0)
		_, err := engines.Run(ctx, prog, grayTile(11, 7))
		setFaults(0, 0, 0)
		if !errors.Is(err, engines.ErrOutOfMemory) {
			t.Fatalf("pass with a failing allocator: %v, want ErrOutOfMemory", err)
		}
		out, err := engines.Run(ctx, prog, grayTile(11, 7))
		if err != nil {
			t.Fatalf("after the allocator recovers: %v", err)
		}
		if out.W != 22 || out.H != 14 {
			t.Fatalf("output %d×%d, want 22×14", out.W, out.H)
		}
	})
	t.Run("binding-range", func(t *testing.T) {
		// a blob larger than the device's storage buffer range cannot run
		side := 8
		for prog.Footprint(side, side) < 4*e.dev.MaxStorageRange && side < maxTileSide/2 {
			side *= 2
		}
		_, err := prog.Start(ctx, grayTile(side, side), engines.PassOptions{})
		if !errors.Is(err, engines.ErrOutOfMemory) {
			t.Fatalf("%d×%d tile: %v, want ErrOutOfMemory", side, side, err)
		}
	})
}

func TestDeviceLost(t *testing.T) {
	e := openTestEngine(t)
	ctx := context.Background()
	prog, err := e.Load(ctx, loadNet(t, "realcugan-up2x-conservative"))
	if err != nil {
		t.Fatal(err)
	}
	defer prog.Close()
	t.Cleanup(func() { setFaults(0, 0, 0) })
	tile := grayTile(40, 40)
	before, err := engines.Run(ctx, prog, tile)
	if err != nil {
		t.Fatal(err)
	}
	setFaults(0, 0, vkErrorDeviceLost)
	_, err = engines.Run(ctx, prog, tile)
	if !errors.Is(err, engines.ErrDeviceLost) {
		t.Fatalf("run on a lost device: %v, want ErrDeviceLost", err)
	}
	after, err := engines.Run(ctx, prog, tile)
	if err != nil {
		t.Fatalf("run after recovery: %v", err)
	}
	if !bytes.Equal(before.Pix8, after.Pix8) {
		t.Error("output after recovery differs from before the loss")
	}
	// a program loaded after the loss works too
	p2, err := e.Load(ctx, loadNet(t, "realesrgan-animevideov3-x2"))
	if err != nil {
		t.Fatal(err)
	}
	defer p2.Close()
	if _, err := engines.Run(ctx, p2, grayTile(9, 9)); err != nil {
		t.Fatal(err)
	}
}

func TestClosed(t *testing.T) {
	e := openTestEngine(t)
	ctx := context.Background()
	prog, err := e.Load(ctx, loadNet(t, "realesrgan-animevideov3-x2"))
	if err != nil {
		t.Fatal(err)
	}
	prog.Close()
	if _, err := prog.Start(ctx, grayTile(8, 8), engines.PassOptions{}); !errors.Is(err, engines.ErrClosed) {
		t.Errorf("Start on a closed program: %v", err)
	}
	e.Close()
	if _, err := e.Load(ctx, loadNet(t, "realesrgan-animevideov3-x2")); !errors.Is(err, engines.ErrClosed) {
		t.Errorf("Load on a closed engine: %v", err)
	}
}

func TestTileTooSmall(t *testing.T) {
	e := openTestEngine(t)
	ctx := context.Background()
	prog, err := e.Load(ctx, loadNet(t, "realcugan-up2x-conservative"))
	if err != nil {
		t.Fatal(err)
	}
	defer prog.Close()
	if f := prog.Footprint(8, 8); f != 0 {
		t.Errorf("Footprint(8, 8) = %d for a network that cannot run at 8×8, want 0", f)
	}
	_, err = prog.Start(ctx, grayTile(8, 8), engines.PassOptions{})
	if !errors.Is(err, models.ErrShape) {
		t.Fatalf("8×8 tile: %v, want models.ErrShape", err)
	}
	t.Log(err)
}

// TestCloseProgramMidPass closes a program while a pass is paused: the pass
// finishes on the weights it started with, which go when it closes.
func TestCloseProgramMidPass(t *testing.T) {
	e := openTestEngine(t)
	ctx := context.Background()
	prog, err := e.Load(ctx, loadNet(t, "realcugan-up2x-conservative"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := engines.Run(ctx, prog, grayTile(40, 40))
	if err != nil {
		t.Fatal(err)
	}
	pass, err := prog.Start(ctx, grayTile(40, 40), engines.PassOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer pass.Close()
	closed := false
	for {
		st, err := pass.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !closed {
			prog.Close()
			closed = true
		}
		if st.Layer < 0 {
			break
		}
		means := make([]float32, len(st.Sums))
		for i, s := range st.Sums {
			means[i] = float32(s / float64(st.Count))
		}
		if err := pass.Supply(means); err != nil {
			t.Fatal(err)
		}
	}
	if string(pass.Output().Pix8) != string(want.Pix8) {
		t.Error("output after the program closed mid-pass differs")
	}
}
