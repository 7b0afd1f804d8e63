package tiling

import (
	"errors"
	"math"
	"testing"
)

var cugan2x = Geometry{Scale: 2, Margin: 18, Align: 2, Quantum: 2}

func TestNewPlanPartitions(t *testing.T) {
	tests := []struct {
		name         string
		w, h, tw, th int
		g            Geometry
		cols, rows   int
	}{
		{"whole", 160, 120, 0, 0, cugan2x, 1, 1},
		{"tile 32", 160, 120, 32, 32, cugan2x, 5, 4},
		{"tile 64 balanced", 160, 120, 64, 64, cugan2x, 3, 2},
		{"odd image", 161, 37, 32, 32, cugan2x, 6, 2},
		{"quantum rounds tile up", 100, 100, 30, 30, Geometry{Scale: 3, Margin: 14, Align: 4}, 4, 4},
		{"tiny", 1, 1, 32, 32, cugan2x, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := NewPlan(tt.w, tt.h, tt.tw, tt.th, tt.g)
			if err != nil {
				t.Fatal(err)
			}
			if p.Cols != tt.cols || p.Rows != tt.rows {
				t.Fatalf("got %dx%d tiles, want %dx%d (xs %v ys %v)", p.Cols, p.Rows, tt.cols, tt.rows, p.Xs, p.Ys)
			}
			covered := make([]int, tt.w*tt.h)
			q := tt.g.quantum()
			for i, tl := range p.Tiles {
				if tl.Index != i || tl.Row*p.Cols+tl.Col != i {
					t.Fatalf("tile %d out of raster order: %+v", i, tl)
				}
				if tl.Core.X0%q != 0 || tl.Core.Y0%q != 0 {
					t.Errorf("tile %d core origin %+v not a multiple of %d", i, tl.Core, q)
				}
				if tl.Padded.Dx()%tt.g.Align != 0 || tl.Padded.Dy()%tt.g.Align != 0 {
					t.Errorf("tile %d padded %+v not aligned to %d", i, tl.Padded, tt.g.Align)
				}
				if tl.Padded.X0 != tl.Core.X0-tt.g.Margin || tl.Padded.X1 < tl.Core.X1+tt.g.Margin {
					t.Errorf("tile %d padded %+v does not hold margin around %+v", i, tl.Padded, tl.Core)
				}
				for y := tl.Core.Y0; y < tl.Core.Y1; y++ {
					for x := tl.Core.X0; x < tl.Core.X1; x++ {
						covered[y*tt.w+x]++
					}
				}
			}
			for i, n := range covered {
				if n != 1 {
					t.Fatalf("pixel %d covered %d times", i, n)
				}
			}
		})
	}
}

func TestChoose(t *testing.T) {
	fp := func(h, w int) int64 { return int64(h) * int64(w) * 1000 }
	tests := []struct {
		name    string
		w, h    int
		budget  int64
		wantErr error
		single  bool
		maxSide int
	}{
		{"unbounded", 500, 400, 0, nil, true, 500},
		{"fits whole", 100, 80, int64(136 * 116 * 1000), nil, true, 100},
		{"tiles", 500, 400, int64(136 * 136 * 1000), nil, false, 100},
		{"too small", 500, 400, 1000, ErrBudget, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Choose(tt.w, tt.h, cugan2x, tt.budget, fp, 32)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if p.Single() != tt.single {
				t.Fatalf("single %v, want %v", p.Single(), tt.single)
			}
			for _, tl := range p.Tiles {
				if tt.budget > 0 && fp(tl.Padded.Dy(), tl.Padded.Dx()) > tt.budget {
					t.Errorf("tile %+v exceeds budget", tl)
				}
				if tl.Core.Dx() > tt.maxSide || tl.Core.Dy() > tt.maxSide {
					t.Errorf("tile %+v larger than %d", tl.Core, tt.maxSide)
				}
			}
			if !tt.single && p.TileW != tt.maxSide && p.TileW < tt.maxSide-2 {
				t.Errorf("tile side %d, want about %d (the largest that fits)", p.TileW, tt.maxSide)
			}
		})
	}
}

// A pass over a whole 2550×3263 page exceeds a device limit (its largest
// blob cannot be bound) while any budget would hold it: Choose cuts the
// fewest tiles that the device can run, full-width bands here.
func TestChooseDeviceLimit(t *testing.T) {
	const limit = 2600 * 1700 // padded pixels whose largest blob still binds
	fp := func(h, w int) int64 {
		if int64(h)*int64(w) > limit {
			return math.MaxInt64
		}
		return int64(h) * int64(w) * 1000
	}
	for _, budget := range []int64{0, math.MaxInt64, 1 << 40} {
		p, err := Choose(2550, 3263, cugan2x, budget, fp, 32)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Tiles) != 2 || p.Cols != 1 {
			t.Fatalf("budget %d: %d tiles in %d columns, want 2 full-width bands", budget, len(p.Tiles), p.Cols)
		}
		for _, tl := range p.Tiles {
			if fp(tl.Padded.Dy(), tl.Padded.Dx()) == math.MaxInt64 {
				t.Errorf("tile %+v exceeds the device limit", tl.Padded)
			}
		}
	}
	if _, err := Choose(2550, 3263, cugan2x, 0, func(h, w int) int64 { return math.MaxInt64 }, 32); !errors.Is(err, ErrBudget) {
		t.Errorf("no tile runs: err %v, want ErrBudget", err)
	}
}
