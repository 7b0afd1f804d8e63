package enginetest

import (
	"testing"

	"github.com/upscaled/upscaled/engines"
)

// Run is the whole conformance suite: layers, the pass protocol and the
// catalog models.
func Run(t *testing.T, eng engines.Engine) {
	t.Run("layers", func(t *testing.T) { Layers(t, eng) })
	t.Run("pass", func(t *testing.T) { PassProtocol(t, eng) })
	t.Run("models", func(t *testing.T) { Models(t, eng) })
}
