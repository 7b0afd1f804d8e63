package vulkan

import (
	"context"
	"testing"

	"github.com/upscaled/upscaled/engines"
)

// The engine accounts for every buffer it holds (the /metrics gauge
// upscaled_device_memory_in_use_bytes), and gives all of it back.
func TestMemoryAccounting(t *testing.T) {
	e := openTestEngine(t)
	ctx := context.Background()
	base := e.MemoryInUse()
	prog, err := e.Load(ctx, loadNet(t, "realesrgan-animevideov3-x2"))
	if err != nil {
		t.Fatal(err)
	}
	loaded := e.MemoryInUse()
	// realesrgan-animevideov3-x2 has 0.62 M weights: at least 2 bytes each.
	if loaded-base < 1_200_000 {
		t.Errorf("after loading the weights %d bytes in use (%d before), want at least 1.2 MB more", loaded, base)
	}
	tile := grayTile(24, 20)
	if _, err := engines.Run(ctx, prog, tile); err != nil {
		t.Fatal(err)
	}
	if peak, need := e.PeakMemory(), loaded+prog.Footprint(tile.H, tile.W)/2; peak < need {
		t.Errorf("peak %d bytes after a 24×20 pass, want at least %d (weights + half the planned footprint)", peak, need)
	}
	t.Logf("in use: %d bytes at open, %d with the weights; peak %d after a pass", base, loaded, e.PeakMemory())
	if err := prog.Close(); err != nil {
		t.Fatal(err)
	}
	if got := e.MemoryInUse(); got != base {
		t.Errorf("after closing the program %d bytes in use, want %d as before loading it", got, base)
	}
	inUse, peak, ok := engines.DeviceMemory(e)
	if !ok || inUse != base || peak != e.PeakMemory() {
		t.Errorf("engines.DeviceMemory = %d, %d, %v; want %d, %d, true", inUse, peak, ok, base, e.PeakMemory())
	}
	e.Close()
	if got := e.MemoryInUse(); got != 0 {
		t.Errorf("after Close %d bytes in use, want 0", got)
	}
}
