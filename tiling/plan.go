package tiling

import (
	"errors"
	"fmt"
	"math"
)

// ErrBudget: not even the smallest tile fits the memory budget.
var ErrBudget = errors.New("memory budget too small for one tile")

// Geometry is what tiling needs to know about a model.
type Geometry struct {
	// Scale is output pixels per input pixel.
	Scale int
	// Margin is the context, in input pixels, around each tile's core.
	Margin int
	// Align is the multiple the padded tile width and height must have; the
	// extra pixels go on the right and bottom.
	Align int
	// Quantum is the multiple that tile cores' sizes (hence their origins)
	// must have, so that every tile's activations lie on the untiled image's
	// grid (see Grid); 0 or 1 means any size.
	Quantum int
}

func (g Geometry) quantum() int { return lcm(max(g.Quantum, 1), max(g.Align, 1)) }

// PaddedSize is the padded extent, in input pixels, for a core of n pixels.
func (g Geometry) PaddedSize(n int) int { return roundUp(n+2*g.Margin, max(g.Align, 1)) }

// Tile is one piece of the image.
type Tile struct {
	// Index is the position in raster order; Row and Col its band and column.
	Index, Row, Col int
	// Core is the part of the image, in input pixels, that this tile's output
	// covers; the cores partition the image.
	Core Rect
	// Padded is Core grown by the margin (and the alignment extra on the right
	// and bottom); it may extend past the image (reflect-101 there).
	Padded Rect
}

// Plan is a partition of a W×H image into tiles, in raster order by bands
// (rows of tiles).
type Plan struct {
	W, H     int
	Geometry Geometry
	// TileW and TileH are the core size of every tile but the last column/band.
	TileW, TileH int
	Cols, Rows   int
	Tiles        []Tile
	// Xs and Ys are the core boundaries: column i spans [Xs[i], Xs[i+1]).
	Xs, Ys []int
}

// NewPlan cuts a w×h image into tiles of at most tileW×tileH core pixels
// (rounded up to the geometry's quantum), balanced so the last tile of a row
// or band is not a sliver. tileW or tileH ≤ 0 means the whole extent.
func NewPlan(w, h, tileW, tileH int, g Geometry) (Plan, error) {
	if w <= 0 || h <= 0 {
		return Plan{}, fmt.Errorf("tiling: image size %dx%d is empty", w, h)
	}
	if g.Scale <= 0 || g.Margin < 0 {
		return Plan{}, fmt.Errorf("tiling: bad geometry %+v", g)
	}
	q := g.quantum()
	xs := cuts(w, tileW, q)
	ys := cuts(h, tileH, q)
	p := Plan{W: w, H: h, Geometry: g, Xs: xs, Ys: ys, Cols: len(xs) - 1, Rows: len(ys) - 1}
	p.TileW, p.TileH = xs[1]-xs[0], ys[1]-ys[0]
	for r := 0; r < p.Rows; r++ {
		for c := 0; c < p.Cols; c++ {
			core := Rect{xs[c], ys[r], xs[c+1], ys[r+1]}
			pw, ph := g.PaddedSize(core.Dx()), g.PaddedSize(core.Dy())
			pad := Rect{core.X0 - g.Margin, core.Y0 - g.Margin, core.X0 - g.Margin + pw, core.Y0 - g.Margin + ph}
			p.Tiles = append(p.Tiles, Tile{Index: len(p.Tiles), Row: r, Col: c, Core: core, Padded: pad})
		}
	}
	return p, nil
}

// cuts splits [0,n) into pieces of at most size (a multiple of q), balanced.
func cuts(n, size, q int) []int {
	if size <= 0 || size >= n {
		return []int{0, n}
	}
	size = roundUp(size, q)
	if size >= n {
		return []int{0, n}
	}
	k := (n + size - 1) / size
	step := roundUp((n+k-1)/k, q)
	out := []int{0}
	for x := step; x < n; x += step {
		out = append(out, x)
	}
	return append(out, n)
}

// Band returns the tiles of band (row) r, left to right.
func (p Plan) Band(r int) []Tile { return p.Tiles[r*p.Cols : (r+1)*p.Cols] }

// Single reports whether the plan is one tile: the whole image.
func (p Plan) Single() bool { return len(p.Tiles) == 1 }

// Footprint is device (or host) bytes one pass over an h×w padded input
// needs; math.MaxInt64 when the device cannot run a pass that size at all
// (a buffer over one of its limits), which no budget fits.
type Footprint func(h, w int) int64

// Choose plans the fewest tiles whose padded passes fit budget bytes: the
// whole image when it fits, else the better of full-width bands and the
// largest square tiles (fewer tiles, then less padded area). budget ≤ 0
// means unbounded by memory, still bounded by the device's limits. minSide
// is the smallest core side tried (0: the quantum).
func Choose(w, h int, g Geometry, budget int64, fp Footprint, minSide int) (Plan, error) {
	if budget <= 0 || budget == math.MaxInt64 {
		budget = math.MaxInt64 - 1
	}
	fits := func(cw, ch int) bool { return fp(g.PaddedSize(ch), g.PaddedSize(cw)) <= budget }
	if fits(w, h) {
		return NewPlan(w, h, 0, 0, g)
	}
	q := g.quantum()
	lo := roundUp(max(minSide, 1), q)
	if !fits(lo, lo) {
		need := fp(g.PaddedSize(lo), g.PaddedSize(lo))
		if need == math.MaxInt64 {
			return Plan{}, fmt.Errorf("%w: a %dx%d tile exceeds a device limit", ErrBudget, lo, lo)
		}
		return Plan{}, fmt.Errorf("%w: a %dx%d tile needs %d bytes, budget %d", ErrBudget, lo, lo, need, budget)
	}
	side := largest(lo, roundUp(max(w, h), q), q, func(s int) bool { return fits(s, s) })
	best, err := NewPlan(w, h, side, side, g)
	if err != nil || !fits(w, lo) {
		return best, err
	}
	band := largest(lo, roundUp(h, q), q, func(s int) bool { return fits(w, s) })
	if bands, err := NewPlan(w, h, 0, band, g); err == nil && bands.better(best) {
		return bands, nil
	}
	return best, nil
}

// largest is the largest multiple of q in [lo, hi) for which ok holds,
// given ok(lo) and ok monotone (true up to some size, false beyond).
func largest(lo, hi, q int, ok func(int) bool) int {
	for hi-lo > q {
		mid := roundUp((lo+hi)/2, q)
		if mid >= hi {
			mid = hi - q
		}
		if ok(mid) {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo
}

// better reports whether p needs fewer tiles than o, or as many over less
// padded area.
func (p Plan) better(o Plan) bool {
	if len(p.Tiles) != len(o.Tiles) {
		return len(p.Tiles) < len(o.Tiles)
	}
	return p.paddedArea() < o.paddedArea()
}

func (p Plan) paddedArea() int64 {
	var a int64
	for _, t := range p.Tiles {
		a += int64(t.Padded.Dx()) * int64(t.Padded.Dy())
	}
	return a
}
