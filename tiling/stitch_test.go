package tiling

import "testing"

// TestStitchReassembles runs a fake "network" that is the identity scaled by
// nearest ×s with a symmetric trim, and checks stitching the tiles of each
// plan rebuilds the nearest-upscaled image exactly.
func TestStitchReassembles(t *testing.T) {
	tests := []struct {
		name       string
		w, h, tile int
		g          Geometry
		trim       int // output pixels the network trims each side
	}{
		{"valid convs 2x", 61, 37, 16, cugan2x, 36},
		{"same padding 2x", 61, 37, 16, Geometry{Scale: 2, Margin: 24, Align: 1}, 0},
		{"3x trimmed", 50, 30, 12, Geometry{Scale: 3, Margin: 14, Align: 4}, 42},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := make([]uint8, tt.w*tt.h*3)
			for i := range src {
				src[i] = uint8(i * 31)
			}
			p, err := NewPlan(tt.w, tt.h, tt.tile, tt.tile, tt.g)
			if err != nil {
				t.Fatal(err)
			}
			s := tt.g.Scale
			for r := 0; r < p.Rows; r++ {
				ob := p.OutputBand(r)
				b := Band[uint8]{W: ob.Dx(), H: ob.Dy(), C: 3, Y0: ob.Y0, Pix: make([]uint8, ob.Dx()*ob.Dy()*3)}
				for _, tl := range p.Band(r) {
					in := make([]uint8, tl.Padded.Dx()*tl.Padded.Dy()*3)
					Extract(in, src, tt.w, tt.h, 3, tl.Padded)
					ow, oh := tl.Padded.Dx()*s-2*tt.trim, tl.Padded.Dy()*s-2*tt.trim
					out := make([]uint8, ow*oh*3)
					for y := 0; y < oh; y++ {
						for x := 0; x < ow; x++ {
							sx, sy := (x+tt.trim)/s, (y+tt.trim)/s
							copy(out[(y*ow+x)*3:][:3], in[(sy*tl.Padded.Dx()+sx)*3:][:3])
						}
					}
					if err := p.StitchTile(b, tl, out, ow, oh); err != nil {
						t.Fatal(err)
					}
				}
				for y := 0; y < b.H; y++ {
					for x := 0; x < b.W; x++ {
						sx, sy := x/s, (y+b.Y0)/s
						for c := 0; c < 3; c++ {
							if got, want := b.Pix[(y*b.W+x)*3+c], src[(sy*tt.w+sx)*3+c]; got != want {
								t.Fatalf("band %d (%d,%d) c%d = %d, want %d", r, x, y, c, got, want)
							}
						}
					}
				}
			}
		})
	}
}

func TestCoreInOutputRejectsWrongSize(t *testing.T) {
	p, _ := NewPlan(64, 64, 32, 32, cugan2x)
	tl := p.Tiles[0]
	if _, err := p.CoreInOutput(tl, tl.Padded.Dx()*2-1, tl.Padded.Dy()*2); err == nil {
		t.Fatal("odd trim accepted")
	}
	if _, err := p.CoreInOutput(tl, 10, 10); err == nil {
		t.Fatal("output smaller than the core accepted")
	}
}

func BenchmarkStitch(b *testing.B) {
	const w, tile = 1000, 200
	p, _ := NewPlan(w, tile, tile, tile, cugan2x)
	ob := p.OutputBand(0)
	band := Band[uint8]{W: ob.Dx(), H: ob.Dy(), C: 3, Y0: ob.Y0, Pix: make([]uint8, ob.Dx()*ob.Dy()*3)}
	tl := p.Tiles[0]
	ow, oh := (tl.Padded.Dx()-36)*2, (tl.Padded.Dy()-36)*2
	out := make([]uint8, ow*oh*3)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, tl := range p.Tiles {
			if err := p.StitchTile(band, tl, out, ow, oh); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(ob.Dx()*ob.Dy())*float64(b.N)/b.Elapsed().Seconds(), "outpixels/s")
}
