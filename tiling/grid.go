package tiling

import (
	"errors"
	"fmt"
)

// ErrInexact: the tiles cannot share the untiled image's activation grid.
var ErrInexact = errors.New("tiles do not align with the untiled activation grid")

// AxisMap maps the positions of one blob along one axis to positions of the
// padded network input: for a padded input of p pixels the blob holds
// (p·Num − Cut)/Den positions, and position j covers padded-input pixels
// from Cut/(2·Num) + j·Den/Num on. Valid convolutions and crops cut;
// strided layers shrink (Den > Num); upsampling grows (Num > Den).
type AxisMap struct {
	Num, Den int
	Cut      int
}

// FitAxisMap derives the map from the blob's size at two padded input sizes
// (shape inference at p1 and p2 ≠ p1).
func FitAxisMap(p1, b1, p2, b2 int) (AxisMap, error) {
	if p1 == p2 || b1 == b2 || (b2-b1)*(p2-p1) < 0 {
		return AxisMap{}, fmt.Errorf("tiling: blob sizes %d@%d and %d@%d do not scale with the input", b1, p1, b2, p2)
	}
	num, den := b2-b1, p2-p1
	if num < 0 {
		num, den = -num, -den
	}
	g := gcd(num, den)
	m := AxisMap{Num: num / g, Den: den / g}
	m.Cut = p1*m.Num - b1*m.Den
	if s, ok := m.Size(p2); !ok || s != b2 {
		return AxisMap{}, fmt.Errorf("tiling: blob sizes %d@%d and %d@%d are not affine", b1, p1, b2, p2)
	}
	return m, nil
}

// Size is the blob size for a padded input of p pixels; ok is false when p
// does not give a whole number of positions.
func (m AxisMap) Size(p int) (int, bool) {
	n := p*m.Num - m.Cut
	return n / m.Den, n%m.Den == 0 && n >= 0
}

// Shift is how many blob positions a shift of the input by d pixels moves
// the blob; ok is false when d is not a multiple of the blob's stride.
func (m AxisMap) Shift(d int) (int, bool) { return d * m.Num / m.Den, (d*m.Num)%m.Den == 0 }

// center2Num is the padded-input coordinate of the centre of position j,
// times 2·Num (kept integral).
func (m AxisMap) center2Num(j int) int { return m.Cut + (2*j+1)*m.Den }

// Owned is, along one axis, the range [J0,J1) of each tile column (or band)
// in that tile's own blob coordinates, such that the ranges, shifted back to
// the untiled blob, partition the untiled blob exactly once.
type Owned struct {
	J0, J1 []int
	// Total is the untiled blob size along the axis.
	Total int
}

// Partition assigns every position of the untiled blob along one axis to the
// tile column (or band) whose core holds the position's centre (positions
// over the margins go to the first or last tile). cuts are the core
// boundaries (Plan.Xs or Plan.Ys) and g the plan's geometry.
func (m AxisMap) Partition(cuts []int, g Geometry) (Owned, error) {
	n := cuts[len(cuts)-1]
	total, ok := m.Size(g.PaddedSize(n))
	if !ok {
		return Owned{}, fmt.Errorf("%w: untiled padded size %d is off the %d/%d grid", ErrInexact, g.PaddedSize(n), m.Num, m.Den)
	}
	k := len(cuts) - 1
	o := Owned{J0: make([]int, k), J1: make([]int, k), Total: total}
	col := 0
	start := 0
	for j := 0; j <= total; j++ {
		owner := k - 1
		if j < total {
			// image x = centre − margin; owner: the column whose core holds x
			x2n := m.center2Num(j) - 2*m.Num*g.Margin
			for owner = col; owner < k-1 && x2n >= 2*m.Num*cuts[owner+1]; owner++ {
			}
		}
		for ; col < owner || (j == total && col < k); col++ {
			if err := o.set(m, cuts, g, col, start, j); err != nil {
				return Owned{}, err
			}
			start = j
		}
	}
	return o, nil
}

func (o *Owned) set(m AxisMap, cuts []int, g Geometry, col, j0, j1 int) error {
	shift, ok := m.Shift(cuts[col])
	if !ok {
		return fmt.Errorf("%w: tile origin %d is not a multiple of the %d/%d stride", ErrInexact, cuts[col], m.Den, m.Num)
	}
	size, ok := m.Size(g.PaddedSize(cuts[col+1] - cuts[col]))
	if !ok {
		return fmt.Errorf("%w: tile padded size is off the %d/%d grid", ErrInexact, m.Num, m.Den)
	}
	o.J0[col], o.J1[col] = j0-shift, j1-shift
	if j1 > j0 && (o.J0[col] < 0 || o.J1[col] > size) {
		return fmt.Errorf("%w: tile %d owns blob positions [%d,%d) outside its %d", ErrInexact, col, o.J0[col], o.J1[col], size)
	}
	return nil
}

// Grid is the 2-D ownership of one blob: tile t owns the rectangle
// Region(t) of its own blob.
type Grid struct {
	X, Y Owned
	cols int
}

// NewGrid partitions a blob (its maps along x and y) among the plan's tiles.
func NewGrid(p Plan, mx, my AxisMap) (Grid, error) {
	x, err := mx.Partition(p.Xs, p.Geometry)
	if err != nil {
		return Grid{}, err
	}
	y, err := my.Partition(p.Ys, p.Geometry)
	if err != nil {
		return Grid{}, err
	}
	return Grid{X: x, Y: y, cols: p.Cols}, nil
}

// Region is the part of tile t's blob that the tile owns.
func (g Grid) Region(t Tile) Rect {
	return Rect{g.X.J0[t.Col], g.Y.J0[t.Row], g.X.J1[t.Col], g.Y.J1[t.Row]}
}

// Count is the untiled blob's number of positions.
func (g Grid) Count() int { return g.X.Total * g.Y.Total }
