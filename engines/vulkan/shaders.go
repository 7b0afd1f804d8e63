package vulkan

import (
	"embed"
	"encoding/binary"
	"fmt"
	"sync"
)

// spv holds the compiled shaders: spv/NAME.fp16.spv (fp16 storage) and
// spv/NAME.fp32.spv, built by `make shaders` from shaders/NAME.comp.
//
//go:embed shaders/spv/*.spv
var spv embed.FS

var (
	spvMu    sync.Mutex
	spvWords = map[string][]uint32{}
)

// shaderCode returns the SPIR-V words of shader name in the storage variant.
func shaderCode(name string, fp16 bool) ([]uint32, error) {
	variant := "fp32"
	if fp16 {
		variant = "fp16"
	}
	file := "shaders/spv/" + name + "." + variant + ".spv"
	spvMu.Lock()
	defer spvMu.Unlock()
	if w, ok := spvWords[file]; ok {
		return w, nil
	}
	b, err := spv.ReadFile(file)
	if err != nil || len(b) == 0 || len(b)%4 != 0 {
		return nil, fmt.Errorf("%w: shader %s missing or malformed (run make shaders)", ErrVulkan, file)
	}
	w := make([]uint32, len(b)/4)
	for i := range w {
		w[i] = binary.LittleEndian.Uint32(b[i*4:])
	}
	spvWords[file] = w
	return w, nil
}
