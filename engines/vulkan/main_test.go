package vulkan

import (
	"fmt"
	"os"
	"testing"
)

const validationLayerJSON = "/usr/share/vulkan/explicit_layer.d/VkLayer_khronos_validation.json"

// TestMain runs the package's tests under the Khronos validation layer with
// synchronization validation when it is installed (scripts/deps.sh --test;
// UPSCALED_VK_VALIDATION=0 turns it off) and fails the run if the layer
// reported any error: API misuse or a missing barrier.
func TestMain(m *testing.M) {
	validate := false
	if _, err := os.Stat(validationLayerJSON); err == nil && os.Getenv("UPSCALED_VK_VALIDATION") != "0" {
		validate = true
		os.Setenv("VK_INSTANCE_LAYERS", "VK_LAYER_KHRONOS_validation")
		os.Setenv("VK_LAYER_ENABLES", "VK_VALIDATION_FEATURE_ENABLE_SYNCHRONIZATION_VALIDATION_EXT")
	}
	code := m.Run()
	if validate {
		if n := validationErrors(); n > 0 {
			fmt.Fprintf(os.Stderr, "vulkan: the validation layer reported %d errors (logged above)\n", n)
			code = 1
		}
	}
	os.Exit(code)
}
