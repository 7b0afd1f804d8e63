package cpu

import "github.com/upscaled/upscaled/internal/cpuwork"

// Winograd F(4×4, 3×3) for 3×3 stride-1 undilated convolutions: each 4×4
// output tile is Aᵀ[Σ_ic U ⊙ V]A with U = G·g·Gᵀ (weights, transformed at
// Load) and V = Bᵀ·d·B (the 6×6 input patch): 36 multiplies per tile and
// channel pair instead of 144. Matrices are Lavin & Gray's (points 0, ±1, ±2).

const (
	winoM     = 4         // output tile side
	winoAlpha = winoM + 2 // input tile side
	winoK     = winoAlpha * winoAlpha
)

// useWinograd reports whether a convolution takes the Winograd path: 3×3,
// stride 1, dilation 1, and enough channels for the transforms to pay off.
func useWinograd(k kernel) bool {
	return k.kw == 3 && k.kh == 3 && k.sw == 1 && k.sh == 1 && k.dw == 1 && k.dh == 1 &&
		k.inC >= 8 && k.outC >= 8
}

// winogradG applies G (6×3) to a column (g0, g1, g2).
func winogradG(g0, g1, g2 float32) [winoAlpha]float32 {
	return [winoAlpha]float32{
		g0 / 4,
		-(g0 + g1 + g2) / 6,
		-(g0 - g1 + g2) / 6,
		g0/24 + g1/12 + g2/6,
		g0/24 - g1/12 + g2/6,
		g2,
	}
}

// winogradAT applies Aᵀ (4×6) to m.
func winogradAT(m [winoAlpha]float32) [winoM]float32 {
	a, b := m[1]+m[2], m[1]-m[2]
	c, d := m[3]+m[4], m[3]-m[4]
	return [winoM]float32{
		m[0] + a + c,
		b + 2*d,
		a + 4*c,
		b + 8*d + m[5],
	}
}

// winogradWeights transforms [outC][inC][3][3] weights to
// [36][outC/ocBlock][inC][ocBlock] (zero-filled tail block).
func winogradWeights(w []float32, outC, inC int) []float32 {
	nb := (outC + ocBlock - 1) / ocBlock
	u := make([]float32, winoK*nb*inC*ocBlock)
	for oc := range outC {
		for ic := range inC {
			g := w[(oc*inC+ic)*9:][:9]
			var cols [3][winoAlpha]float32 // G·g, by column of g
			for j := range 3 {
				cols[j] = winogradG(g[j], g[3+j], g[6+j])
			}
			for i := range winoAlpha {
				row := winogradG(cols[0][i], cols[1][i], cols[2][i]) // (G·g)·Gᵀ, row i
				for j := range winoAlpha {
					k := i*winoAlpha + j
					u[((k*nb+oc/ocBlock)*inC+ic)*ocBlock+oc%ocBlock] = row[j]
				}
			}
		}
	}
	return u
}

// winograd computes out (bias, sums, activation) from the already padded x,
// one row of output tiles per job.
func (c *conv) winograd(x, out *Tensor) {
	ow, oh := out.W, out.H
	tw, th := (ow+winoM-1)/winoM, (oh+winoM-1)/winoM
	nb := (c.outC + ocBlock - 1) / ocBlock
	inC := c.inC
	cpuwork.For(th, func(lo, hi int) {
		v := make([]float32, winoK*tw*inC)        // [36][tile][ic]
		m := make([]float32, nb*ocBlock*tw*winoK) // [oc][tile][36]
		for ty := lo; ty < hi; ty++ {
			c.winogradInput(x, v, ty, tw)
			for k := range winoK {
				vk := v[k*tw*inC:][:tw*inC]
				for b := range nb {
					uk := c.wino[(k*nb+b)*inC*ocBlock:][:inC*ocBlock]
					gemm4(m[b*ocBlock*tw*winoK+k:], tw*winoK, winoK, uk, vk, tw, inC)
				}
			}
			c.winogradOutput(m, out, ty, tw)
		}
	})
}

// winogradInput fills v[k][tile][ic] with Bᵀ·d·B of the 6×6 patches of tile
// row ty (pixels past the input edge read as 0): Bᵀ along each patch row,
// then along each column.
func (c *conv) winogradInput(x *Tensor, v []float32, ty, tw int) {
	inC := c.inC
	stride := tw * inC
	y0 := winoM * ty
	rows := min(winoAlpha, x.H-y0)
	// tiles outer, channels inner: the writes for one tile and transform
	// index k are contiguous in ic
	for tx := range tw {
		x0 := winoM * tx
		full := x0+winoAlpha <= x.W
		for ic := range inC {
			plane := x.Plane(ic)
			var h [winoK]float32 // h[r·6 + j]: row r of the patch times B
			for r := range rows {
				row := plane[(y0+r)*x.W:][:x.W]
				var d0, d1, d2, d3, d4, d5 float32
				if full {
					p := row[x0 : x0+winoAlpha : x0+winoAlpha]
					d0, d1, d2, d3, d4, d5 = p[0], p[1], p[2], p[3], p[4], p[5]
				} else {
					var p [winoAlpha]float32
					copy(p[:], row[x0:])
					d0, d1, d2, d3, d4, d5 = p[0], p[1], p[2], p[3], p[4], p[5]
				}
				o := h[r*winoAlpha : r*winoAlpha+winoAlpha : r*winoAlpha+winoAlpha]
				o[0] = 4*d0 - 5*d2 + d4
				o[1] = -4*(d1+d2) + d3 + d4
				o[2] = 4*(d1-d2) - d3 + d4
				o[3] = 2*(d3-d1) - d2 + d4
				o[4] = 2*(d1-d3) - d2 + d4
				o[5] = 4*d1 - 5*d3 + d5
			}
			base := tx*inC + ic
			for j := range winoAlpha {
				d0, d1, d2, d3, d4, d5 := h[j], h[winoAlpha+j], h[2*winoAlpha+j], h[3*winoAlpha+j], h[4*winoAlpha+j], h[5*winoAlpha+j]
				i := j*stride + base
				v[i] = 4*d0 - 5*d2 + d4
				i += winoAlpha * stride
				v[i] = -4*(d1+d2) + d3 + d4
				i += winoAlpha * stride
				v[i] = 4*(d1-d2) - d3 + d4
				i += winoAlpha * stride
				v[i] = 2*(d3-d1) - d2 + d4
				i += winoAlpha * stride
				v[i] = 2*(d1-d3) - d2 + d4
				i += winoAlpha * stride
				v[i] = 4*d1 - 5*d3 + d5
			}
		}
	}
}

// winogradOutput writes Aᵀ·m·A + bias of tile row ty to out, then applies
// the activation to the rows written.
func (c *conv) winogradOutput(m []float32, out *Tensor, ty, tw int) {
	ow, oh := out.W, out.H
	y0 := winoM * ty
	rows := min(winoM, oh-y0)
	for oc := range c.outC {
		plane := out.Plane(oc)
		bias := c.bias[oc]
		for tx := range tw {
			s := m[(oc*tw+tx)*winoK:][:winoK]
			var t [winoAlpha][winoM]float32 // t[column][row] = Aᵀ·m
			for j := range winoAlpha {
				t[j] = winogradAT([winoAlpha]float32{s[j], s[winoAlpha+j], s[2*winoAlpha+j], s[3*winoAlpha+j], s[4*winoAlpha+j], s[5*winoAlpha+j]})
			}
			x0 := winoM * tx
			cols := min(winoM, ow-x0)
			for i := range rows {
				r := winogradAT([winoAlpha]float32{t[0][i], t[1][i], t[2][i], t[3][i], t[4][i], t[5][i]})
				row := plane[(y0+i)*ow+x0:][:cols]
				for j := range row {
					row[j] = r[j] + bias
				}
			}
		}
		for i := range rows {
			c.act.apply(plane[(y0+i)*ow:][:ow])
		}
	}
}
