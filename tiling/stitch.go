package tiling

import "fmt"

// CoreInOutput locates tile t's core in the network output for its padded
// input, an outW×outH image: the network trims its output symmetrically
// (valid convolutions) or not at all (same padding), so the core starts at
// margin·scale minus half the trim.
func (p Plan) CoreInOutput(t Tile, outW, outH int) (Rect, error) {
	s, m := p.Geometry.Scale, p.Geometry.Margin
	x0, err := coreStart(t.Padded.Dx(), outW, s, m)
	if err != nil {
		return Rect{}, err
	}
	y0, err := coreStart(t.Padded.Dy(), outH, s, m)
	if err != nil {
		return Rect{}, err
	}
	r := Rect{x0, y0, x0 + t.Core.Dx()*s, y0 + t.Core.Dy()*s}
	if r.X1 > outW || r.Y1 > outH {
		return Rect{}, fmt.Errorf("tiling: %dx%d output of a %dx%d padded tile cannot hold its %dx%d core ×%d",
			outW, outH, t.Padded.Dx(), t.Padded.Dy(), t.Core.Dx(), t.Core.Dy(), s)
	}
	return r, nil
}

func coreStart(padded, out, s, m int) (int, error) {
	trim := padded*s - out
	if trim < 0 || trim%2 != 0 || trim/2 > m*s {
		return 0, fmt.Errorf("tiling: a %d px padded tile gave %d px of output at scale %d with margin %d", padded, out, s, m)
	}
	return m*s - trim/2, nil
}

// Band is one band of the output image: rows [Y0, Y0+H) (output pixels) of a
// W-pixel-wide interleaved image with C channels.
type Band[T Pixel] struct {
	W, H, C, Y0 int
	Pix         []T
}

// OutputBand is the output rectangle of plan band r, in output pixels.
func (p Plan) OutputBand(r int) Rect {
	s := p.Geometry.Scale
	return Rect{0, p.Ys[r] * s, p.W * s, p.Ys[r+1] * s}
}

// Stitch copies rectangle src of an srcW-wide interleaved image out (same
// channel count as the band) to output pixel (x, y) of the band.
func Stitch[T Pixel](b Band[T], x, y int, out []T, srcW int, src Rect) {
	c := b.C
	n := src.Dx() * c
	for row := 0; row < src.Dy(); row++ {
		so := ((src.Y0+row)*srcW + src.X0) * c
		do := ((y-b.Y0+row)*b.W + x) * c
		copy(b.Pix[do:do+n], out[so:so+n])
	}
}

// StitchTile places the core of tile t's network output (an outW×outH
// interleaved image with the band's channel count) into band b.
func (p Plan) StitchTile(b Band[uint8], t Tile, out []uint8, outW, outH int) error {
	return stitchTile(p, b, t, out, outW, outH)
}

// StitchTile16 is StitchTile for 16-bit samples.
func (p Plan) StitchTile16(b Band[uint16], t Tile, out []uint16, outW, outH int) error {
	return stitchTile(p, b, t, out, outW, outH)
}

func stitchTile[T Pixel](p Plan, b Band[T], t Tile, out []T, outW, outH int) error {
	r, err := p.CoreInOutput(t, outW, outH)
	if err != nil {
		return err
	}
	if len(out) < outW*outH*b.C {
		return fmt.Errorf("tiling: output tile holds %d samples, %dx%dx%d expected", len(out), outW, outH, b.C)
	}
	s := p.Geometry.Scale
	x, y := t.Core.X0*s, t.Core.Y0*s
	if x+r.Dx() > b.W || y < b.Y0 || y+r.Dy() > b.Y0+b.H {
		return fmt.Errorf("tiling: tile %d does not fall inside the band at output row %d", t.Index, b.Y0)
	}
	Stitch(b, x, y, out, outW, r)
	return nil
}
