package upscale

import (
	"bytes"
	"context"
	"errors"
	"testing"
)

// TestCancelStopsBetweenTiles cancels after the first tile pass and checks
// that no further pass runs and Run reports the cancellation.
func TestCancelStopsBetweenTiles(t *testing.T) {
	for _, model := range []string{"realcugan-up2x-conservative", "realesrgan-animevideov3-x2"} {
		t.Run(model, func(t *testing.T) {
			p := newTestPipeline(t, Config{})
			in := cropPNG(t, "page-color-1000x1400.jpg", 100, 100, 96, 64)
			plan, err := p.Plan(bytes.NewReader(in), Options{Model: model, Format: "png", Tile: 32})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var calls []Progress
			_, err = p.Run(ctx, plan, bytes.NewReader(in), &bytes.Buffer{}, nil, func(pr Progress) {
				calls = append(calls, pr)
				cancel()
			})
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("err %v, want context.Canceled", err)
			}
			if len(calls) != 1 || calls[0].TilesTotal < 6 {
				t.Fatalf("progress calls %+v: want exactly one of at least 6 passes", calls)
			}
		})
	}
}
