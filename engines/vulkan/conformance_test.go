package vulkan

import (
	"testing"

	"github.com/upscaled/upscaled/engines/enginetest"
)

// openTestEngine opens the engine on the device the auto order prefers
// (lavapipe in CI, the GPU on the GPU machine).
func openTestEngine(t testing.TB) *Engine {
	t.Helper()
	ds, err := Devices()
	if err != nil {
		t.Fatal(err)
	}
	best := -1
	rank := map[DeviceType]int{TypeDiscrete: 0, TypeIntegrated: 1, TypeVirtual: 2, TypeCPU: 3, TypeOther: 4}
	for _, d := range ds {
		if d.Usable() == nil && (best < 0 || rank[d.Type] < rank[ds[best].Type]) {
			best = d.Index
		}
	}
	if best < 0 {
		t.Fatal("no usable Vulkan device: install mesa-vulkan-drivers (lavapipe)")
	}
	e, err := New(best)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	t.Logf("engine %s, fp16 storage %v, cooperative-matrix kernel %v", e.Name(), e.dev.Storage16, e.CoopMatrix())
	return e
}

func TestConformance(t *testing.T) {
	enginetest.Run(t, openTestEngine(t))
}
