package enginetest

import (
	"testing"

	"github.com/upscaled/upscaled/engines"
)

// Run is the whole conformance suite: layers, the pass protocol, 16-bit
// pixels with the nearest residual, and the catalog models.
func Run(t *testing.T, eng engines.Engine) {
	t.Run("layers", func(t *testing.T) { Layers(t, eng) })
	t.Run("pass", func(t *testing.T) { PassProtocol(t, eng) })
	t.Run("depth16", func(t *testing.T) { Depth16(t, eng) })
	t.Run("models", func(t *testing.T) { Models(t, eng) })
}
