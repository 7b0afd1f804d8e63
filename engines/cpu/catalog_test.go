package cpu

import (
	"context"
	"testing"

	"github.com/upscaled/upscaled/engines"
	"github.com/upscaled/upscaled/models"
)

// TestCatalogModelsRun loads every catalog model and runs it on a small tile:
// every layer type and parameter form the catalog uses is executable, and
// the output has the size shape inference predicts.
func TestCatalogModelsRun(t *testing.T) {
	for _, info := range models.All() {
		t.Run(info.ID, func(t *testing.T) {
			l := loadModel(t, info.ID)
			side := 2*info.PrePadding + 8
			tile := randomTile(side, side, 21)
			out, err := engines.Run(context.Background(), l.prog, tile)
			if err != nil {
				t.Fatal(err)
			}
			s, err := l.net.OutputShape(models.Shape3(3, side, side), info.OutputBlob)
			if err != nil {
				t.Fatal(err)
			}
			if out.W != s.W || out.H != s.H || len(out.Pix8) != s.W*s.H*3 {
				t.Fatalf("output %d×%d (%d samples), shape inference %s", out.W, out.H, len(out.Pix8), s)
			}
			if fp := l.prog.Footprint(side, side); fp <= 0 || fp == 1<<63-1 {
				t.Fatalf("footprint %d", fp)
			}
		})
	}
}
