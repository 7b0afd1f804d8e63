package vulkan

import (
	"os"
	"strconv"
	"testing"

	"github.com/upscaled/upscaled/engines/enginetest"
)

// openTestEngine opens the engine on the device the auto order prefers
// (lavapipe in CI, the GPU on the GPU machine).
func openTestEngine(t testing.TB) *Engine {
	t.Helper()
	return openTestEngineWith(t, testConfig(t))
}

// testDevice is the index of the best usable device (a GPU before the CPU
// device).
func testDevice(t testing.TB) int {
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
	return best
}

// openTestEngineWith opens the best usable device with cfg, closed when the
// test ends.
func openTestEngineWith(t testing.TB, cfg Config) *Engine {
	t.Helper()
	e, err := New(testDevice(t), cfg)
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

// testConfig is DefaultConfig with the UPSCALED_VK_* variables that
// scripts/gpu-kernel.sh sets for the package's benchmarks (read here, by
// the test binary; the engine reads none): QUEUES=N, COOPMAT=0,
// COOP_STRIDED=0|1, COOP_DECONV4=0|1, FUSE=0|1, TEST_CONV_ROWS=8|16, TEST_STRIDED_KC=1|2, COOP_RPS=2|4, COOP_KHR=1, PROFILE=1,
// PIPESTATS=1.
func testConfig(t testing.TB) Config {
	t.Helper()
	cfg := DefaultConfig()
	env := func(name string) string { return os.Getenv("UPSCALED_VK_" + name) }
	if v := env("QUEUES"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			t.Fatalf("UPSCALED_VK_QUEUES=%s: %v", v, err)
		}
		cfg.Queues = n
	}
	if v := env("COOP_RPS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			t.Fatalf("UPSCALED_VK_COOP_RPS=%s: %v", v, err)
		}
		cfg.CoopRPS = n
	}
	cfg.CoopMat = env("COOPMAT") != "0"
	cfg.CoopStrided = env("COOP_STRIDED") != "0"
	cfg.CoopDeconv4 = env("COOP_DECONV4") != "0"
	cfg.Fuse = env("FUSE") != "0"
	if v := env("TEST_CONV_ROWS"); v == "8" || v == "16" {
		coopConvRows, _ = strconv.Atoi(v)
	}
	if env("TEST_STRIDED_KC") == "2" {
		coopStridedKC = 2
	}
	cfg.CoopKHR = env("COOP_KHR") == "1"
	cfg.Profile = env("PROFILE") == "1"
	cfg.PipeStats = env("PIPESTATS") == "1"
	return cfg
}
