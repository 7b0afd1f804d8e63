package vulkan

import (
	"context"
	"testing"

	"github.com/upscaled/upscaled/engines"
)

// TestFootprint checks that Footprint is what a pass really allocates and
// logs bytes per input pixel of the default models at page size.
func TestFootprint(t *testing.T) {
	e := openTestEngine(t)
	ctx := context.Background()
	for _, id := range []string{"realcugan-up2x-conservative", "realesrgan-animevideov3-x2"} {
		t.Run(id, func(t *testing.T) {
			prog, err := e.Load(ctx, loadNet(t, id))
			if err != nil {
				t.Fatal(err)
			}
			defer prog.Close()
			small, page := prog.Footprint(40, 40), prog.Footprint(1436, 1036)
			if small <= 0 || page <= small {
				t.Fatalf("Footprint(40, 40) = %d, Footprint(1436, 1036) = %d", small, page)
			}
			if page == engines.TooLarge {
				t.Logf("%s: %.1f MiB for 40×40; a 1036×1436 pass exceeds this device's allocation or binding limits", id, float64(small)/(1<<20))
			} else {
				t.Logf("%s: %.1f MiB for 40×40, %.0f MiB for 1036×1436 (%.0f bytes per input pixel)", id,
					float64(small)/(1<<20), float64(page)/(1<<20), float64(page)/(1436*1036))
			}
			px := make([]uint16, 40*40*3)
			ps, err := prog.Start(ctx, engines.Tile{W: 40, H: 40, C: 3, Depth: 16, Pix16: px}, engines.PassOptions{})
			if err != nil {
				t.Fatal(err)
			}
			defer ps.Close()
			in := ps.(*pass).inst
			var got int64
			for _, b := range append([]*buffer{in.io, in.in, in.out}, in.arena...) {
				got += b.size
			}
			if got < small || got > small+4*256 {
				t.Errorf("a 40×40 pass allocated %d bytes, Footprint says %d", got, small)
			}
		})
	}
}

// TestArenaBlocks runs a model with the arena split into many small blocks
// and checks the output equals the single-block run.
func TestArenaBlocks(t *testing.T) {
	e := openTestEngine(t)
	ctx := context.Background()
	m := loadNet(t, "realcugan-up2x-conservative")
	tile := grayTile(44, 40)
	var biggest int64
	run := func() (engines.Tile, int) {
		prog, err := e.Load(ctx, m)
		if err != nil {
			t.Fatal(err)
		}
		defer prog.Close()
		out, err := engines.Run(ctx, prog, tile)
		if err != nil {
			t.Fatal(err)
		}
		l, err := prog.(*program).layout(tile.H, tile.W, 8, 2)
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range l.stors {
			biggest = max(biggest, st.size)
		}
		return out, len(l.blocks)
	}
	one, n1 := run()
	testBlockSize = biggest
	defer func() { testBlockSize = 0 }()
	many, n2 := run()
	if n1 != 1 || n2 < 2 {
		t.Fatalf("%d and %d arena blocks, want 1 and several", n1, n2)
	}
	if string(one.Pix8) != string(many.Pix8) {
		t.Error("output with a split arena differs")
	}
}
