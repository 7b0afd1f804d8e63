package server

import (
	"io"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"testing"

	_ "github.com/upscaled/upscaled/engines/vulkan" // the engine under test
	"github.com/upscaled/upscaled/internal/testing/testenv"
)

// On the Vulkan engine (lavapipe here) /metrics tells the device memory the
// engine holds: the weights of the loaded model at least, and its peak.
func TestMetricsDeviceMemory(t *testing.T) {
	cfg := testConfig(t)
	cfg.Engine = "vulkan"
	url, _ := startServer(t, cfg)
	img, err := os.ReadFile(testenv.TestImage(t, "small-color-48x48.png"))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := upload(t, url, img)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("upload: status %d", resp.StatusCode)
	}
	resp, err = http.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	gauge := func(name string) float64 {
		t.Helper()
		m := regexp.MustCompile(`(?m)^` + name + `\{engine="vulkan[^"]*"\} (\S+)$`).FindSubmatch(body)
		if m == nil {
			t.Fatalf("metrics lack %s for the vulkan engine:\n%s", name, body)
		}
		v, err := strconv.ParseFloat(string(m[1]), 64)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	inUse, peak := gauge("upscaled_device_memory_in_use_bytes"), gauge("upscaled_device_memory_peak_bytes")
	// The default model's weights: 1.3 M parameters, 2 bytes each at least.
	if inUse < 2.5e6 {
		t.Errorf("device memory in use %.0f bytes, want at least the default model's weights (2.5 MB)", inUse)
	}
	if peak < inUse {
		t.Errorf("device memory peak %.0f bytes, below the %.0f in use", peak, inUse)
	}
	t.Logf("device memory: %.0f bytes in use (weights and the workspaces kept for replay), peak %.0f", inUse, peak)
}
