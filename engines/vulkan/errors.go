package vulkan

import (
	"errors"
	"fmt"

	"github.com/upscaled/upscaled/engines"
)

// ErrVulkan wraps every failed Vulkan call; the message names the VkResult.
var ErrVulkan = errors.New("vulkan")

// VkResult codes this package tells apart.
const (
	vkSuccess               = 0
	vkTimeout               = 2
	vkErrorOutOfHostMemory  = -1
	vkErrorOutOfDeviceMem   = -2
	vkErrorInitFailed       = -3
	vkErrorDeviceLost       = -4
	vkErrorFeatureNotPresnt = -8
)

var resultNames = map[int]string{
	0:           "VK_SUCCESS",
	1:           "VK_NOT_READY",
	2:           "VK_TIMEOUT",
	3:           "VK_EVENT_SET",
	4:           "VK_EVENT_RESET",
	5:           "VK_INCOMPLETE",
	-1:          "VK_ERROR_OUT_OF_HOST_MEMORY",
	-2:          "VK_ERROR_OUT_OF_DEVICE_MEMORY",
	-3:          "VK_ERROR_INITIALIZATION_FAILED",
	-4:          "VK_ERROR_DEVICE_LOST",
	-5:          "VK_ERROR_MEMORY_MAP_FAILED",
	-6:          "VK_ERROR_LAYER_NOT_PRESENT",
	-7:          "VK_ERROR_EXTENSION_NOT_PRESENT",
	-8:          "VK_ERROR_FEATURE_NOT_PRESENT",
	-9:          "VK_ERROR_INCOMPATIBLE_DRIVER",
	-10:         "VK_ERROR_TOO_MANY_OBJECTS",
	-11:         "VK_ERROR_FORMAT_NOT_SUPPORTED",
	-12:         "VK_ERROR_FRAGMENTED_POOL",
	-13:         "VK_ERROR_UNKNOWN",
	-1000069000: "VK_ERROR_OUT_OF_POOL_MEMORY",
	-1000072003: "VK_ERROR_INVALID_EXTERNAL_HANDLE",
	-1000161000: "VK_ERROR_FRAGMENTATION",
	-1000257000: "VK_ERROR_INVALID_OPAQUE_CAPTURE_ADDRESS",
}

// ResultName is the VkResult's enum name.
func ResultName(r int) string {
	if n, ok := resultNames[r]; ok {
		return n
	}
	return fmt.Sprintf("VkResult(%d)", r)
}

// resultError turns a failed call's VkResult and message into an error:
// out-of-memory results wrap engines.ErrOutOfMemory, device loss wraps
// engines.ErrDeviceLost, everything wraps ErrVulkan.
func resultError(r int, msg string) error {
	if r == vkSuccess {
		return nil
	}
	name := ResultName(r)
	switch r {
	case vkErrorOutOfDeviceMem, vkErrorOutOfHostMemory:
		return fmt.Errorf("%w: %w: %s: %s", engines.ErrOutOfMemory, ErrVulkan, name, msg)
	case vkErrorDeviceLost:
		return fmt.Errorf("%w: %w: %s: %s", engines.ErrDeviceLost, ErrVulkan, name, msg)
	}
	return fmt.Errorf("%w: %s: %s", ErrVulkan, name, msg)
}
