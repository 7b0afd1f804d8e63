package cpu

import (
	"testing"

	"github.com/upscaled/upscaled/models"
)

// TestEveryLayerType: the Go executor runs every layer type models knows
// (shapes, checks and weights come from models; a new type needs only its
// constructor here), and nothing models does not.
func TestEveryLayerType(t *testing.T) {
	known := map[string]bool{}
	for _, typ := range models.LayerTypes() {
		known[typ] = true
		if registry[typ] == nil {
			t.Errorf("layer type %s has no constructor", typ)
		}
	}
	for typ := range registry {
		if !known[typ] {
			t.Errorf("constructor for %s, a type models does not know", typ)
		}
	}
}
