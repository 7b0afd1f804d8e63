package tiling

import (
	"errors"
	"testing"
)

func TestFitAxisMap(t *testing.T) {
	tests := []struct {
		name           string
		size           func(p int) int
		want           AxisMap
		p1, p2         int
		wantErr        bool
		shift, shifted int
	}{
		{"valid convs then stride 2", func(p int) int { return (p-4)/2 - 4 }, AxisMap{1, 2, 12}, 100, 164, false, 10, 5},
		{"upsampled 2x, trimmed", func(p int) int { return 2*p - 8 }, AxisMap{2, 1, 8}, 100, 164, false, 3, 6},
		{"upsampled 3x, cut not a multiple of 3", func(p int) int { return 3*p - 44 }, AxisMap{3, 1, 44}, 92, 188, false, 2, 6},
		{"up 3x then down 2", func(p int) int { return (3*p - 44) / 2 }, AxisMap{3, 2, 44}, 92, 188, false, 4, 6},
		{"same padding", func(p int) int { return p }, AxisMap{1, 1, 0}, 100, 164, false, 7, 7},
		{"constant", func(p int) int { return 64 }, AxisMap{}, 100, 164, true, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := FitAxisMap(tt.p1, tt.size(tt.p1), tt.p2, tt.size(tt.p2))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err %v", err)
			}
			if err != nil {
				return
			}
			if m != tt.want {
				t.Fatalf("got %+v, want %+v", m, tt.want)
			}
			for p := 40; p < 90; p += 2 {
				if s, ok := m.Size(p); !ok || s != tt.size(p) {
					t.Errorf("Size(%d) = %d,%v, want %d", p, s, ok, tt.size(p))
				}
			}
			if s, ok := m.Shift(tt.shift); !ok || s != tt.shifted {
				t.Errorf("Shift(%d) = %d,%v", tt.shift, s, ok)
			}
		})
	}
}

// TestGridWholeImageMean checks that summing each tile's owned region of a
// blob, where each tile's blob is the untiled blob seen through the tile's
// window, gives exactly the untiled sum and count: the SE mean from tiles is
// the untiled mean.
func TestGridWholeImageMean(t *testing.T) {
	maps := []AxisMap{
		{Num: 1, Den: 2, Cut: 12}, // gap0-like: two valid 3x3 convs, a stride-2 conv, two more
		{Num: 1, Den: 1, Cut: 30}, // gap3-like: back at input resolution, deeply trimmed
		{Num: 1, Den: 2, Cut: 28}, // gap2-like
		{Num: 2, Den: 1, Cut: 12}, // upsampled
		{Num: 3, Den: 2, Cut: 44}, // up 3x, then down 2
	}
	sizes := []struct{ w, h, tile int }{{160, 120, 32}, {160, 120, 64}, {161, 37, 32}, {97, 203, 128}, {40, 40, 0}}
	for _, m := range maps {
		for _, s := range sizes {
			p, err := NewPlan(s.w, s.h, s.tile, s.tile, cugan2x)
			if err != nil {
				t.Fatal(err)
			}
			g, err := NewGrid(p, m, m)
			if err != nil {
				t.Fatalf("%+v %+v: %v", m, s, err)
			}
			field := func(jx, jy int) int64 { return int64((jx*7919+jy*104729)%1000 - 300) }
			var want int64
			for jy := 0; jy < g.Y.Total; jy++ {
				for jx := 0; jx < g.X.Total; jx++ {
					want += field(jx, jy)
				}
			}
			var got int64
			count := 0
			for _, tl := range p.Tiles {
				bw, _ := m.Size(tl.Padded.Dx())
				bh, _ := m.Size(tl.Padded.Dy())
				sx, _ := m.Shift(tl.Core.X0)
				sy, _ := m.Shift(tl.Core.Y0)
				r := g.Region(tl)
				if r.X0 < 0 || r.Y0 < 0 || r.X1 > bw || r.Y1 > bh {
					t.Fatalf("%+v %+v: tile %d region %+v outside its %dx%d blob", m, s, tl.Index, r, bw, bh)
				}
				for y := r.Y0; y < r.Y1; y++ {
					for x := r.X0; x < r.X1; x++ {
						got += field(x+sx, y+sy)
						count++
					}
				}
			}
			if count != g.Count() || got != want {
				t.Errorf("%+v %+v: tiles sum %d over %d px, untiled %d over %d", m, s, got, count, want, g.Count())
			}
		}
	}
}

func TestGridRejectsMisalignedTiles(t *testing.T) {
	p, err := NewPlan(100, 100, 33, 33, Geometry{Scale: 2, Margin: 18, Align: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewGrid(p, AxisMap{Num: 1, Den: 2, Cut: 12}, AxisMap{Num: 1, Den: 2, Cut: 12}); !errors.Is(err, ErrInexact) {
		t.Fatalf("err %v, want ErrInexact", err)
	}
}

func TestGridRejectsBlobSmallerThanCore(t *testing.T) {
	p, err := NewPlan(160, 120, 32, 32, cugan2x)
	if err != nil {
		t.Fatal(err)
	}
	// trimmed by more than both margins: the tile's blob misses part of its core
	if _, err := NewGrid(p, AxisMap{Num: 1, Den: 1, Cut: 44}, AxisMap{Num: 1, Den: 1, Cut: 44}); !errors.Is(err, ErrInexact) {
		t.Fatalf("err %v, want ErrInexact", err)
	}
}
