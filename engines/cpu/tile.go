package cpu

import (
	"fmt"
	"math"

	"github.com/upscaled/upscaled/engines"
	"github.com/upscaled/upscaled/internal/cpuwork"
)

// maxTileSide bounds tile sides so sizes cannot overflow.
const maxTileSide = 1 << 16

// tileToTensor converts an interleaved RGB tile to a 3×H×W blob scaled to
// 0..1 (÷255 or ÷65535).
func tileToTensor(t engines.Tile) (*Tensor, error) {
	if t.C != 3 {
		return nil, fmt.Errorf("%w: %d channels, want 3 (RGB)", ErrTile, t.C)
	}
	if t.W <= 0 || t.H <= 0 || t.W > maxTileSide || t.H > maxTileSide {
		return nil, fmt.Errorf("%w: size %d×%d, want each side 1..%d", ErrTile, t.W, t.H, maxTileSide)
	}
	n := t.W * t.H
	x := NewTensor(3, t.H, t.W)
	switch t.Depth {
	case 8:
		if len(t.Pix8) != n*3 {
			return nil, fmt.Errorf("%w: %d 8-bit samples for %d×%d×3", ErrTile, len(t.Pix8), t.W, t.H)
		}
		for c := range 3 {
			dst := x.Plane(c)
			for i := range dst {
				dst[i] = float32(t.Pix8[i*3+c]) / 255
			}
		}
	case 16:
		if len(t.Pix16) != n*3 {
			return nil, fmt.Errorf("%w: %d 16-bit samples for %d×%d×3", ErrTile, len(t.Pix16), t.W, t.H)
		}
		for c := range 3 {
			dst := x.Plane(c)
			for i := range dst {
				dst[i] = float32(t.Pix16[i*3+c]) / 65535
			}
		}
	default:
		return nil, fmt.Errorf("%w: depth %d, want 8 or 16", ErrTile, t.Depth)
	}
	return x, nil
}

// tensorToTile quantizes a 3×H×W blob in 0..1 to depth bits: floor(v·max +
// 0.5), clamped in float to 0..max. residual, when non-nil, is added first
// (in 0..1 units) as residual(c, y, x).
func tensorToTile(x *Tensor, depth int, residual func(c, y, xx int) float32) engines.Tile {
	scale := float32(255)
	if depth == 16 {
		scale = 65535
	}
	t := engines.Tile{W: x.W, H: x.H, C: 3, Depth: depth}
	n := x.W * x.H
	if depth == 16 {
		t.Pix16 = make([]uint16, n*3)
	} else {
		t.Pix8 = make([]uint8, n*3)
	}
	cpuwork.For(x.H, func(lo, hi int) {
		for c := range 3 {
			src := x.Plane(c)
			for y := lo; y < hi; y++ {
				for xx := range x.W {
					v := src[y*x.W+xx]
					if residual != nil {
						v += residual(c, y, xx)
					}
					q := float32(math.Floor(float64(v*scale + 0.5)))
					q = min(max(q, 0), scale)
					i := (y*x.W+xx)*3 + c
					if depth == 16 {
						t.Pix16[i] = uint16(q)
					} else {
						t.Pix8[i] = uint8(q)
					}
				}
			}
		}
	})
	return t
}
