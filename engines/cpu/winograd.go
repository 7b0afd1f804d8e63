package cpu

// Winograd F(2×2, 3×3) for 3×3 stride-1 undilated convolutions: each 2×2
// output tile is Aᵀ[Σ_ic U ⊙ V]A with U = G·g·Gᵀ (weights, transformed at
// Load) and V = Bᵀ·d·B (the 4×4 input patch): 16 multiplies per tile and
// channel pair instead of 36.

// useWinograd reports whether c takes the Winograd path: 3×3, stride 1,
// dilation 1, and enough channels for the transforms to pay off.
func useWinograd(k kernel) bool {
	return k.kw == 3 && k.kh == 3 && k.sw == 1 && k.sh == 1 && k.dw == 1 && k.dh == 1 &&
		k.inC >= 8 && k.outC >= 8
}

// winogradWeights transforms [outC][inC][3][3] weights to
// [16][outC/ocBlock][inC][ocBlock] (zero-filled tail block).
func winogradWeights(w []float32, outC, inC int) []float32 {
	nb := (outC + ocBlock - 1) / ocBlock
	u := make([]float32, 16*nb*inC*ocBlock)
	for oc := range outC {
		for ic := range inC {
			g := w[(oc*inC+ic)*9:][:9]
			// t = G·g (4×3), then U = t·Gᵀ (4×4); G rows: (1,0,0), (½,½,½), (½,−½,½), (0,0,1)
			var t [4][3]float32
			for j := range 3 {
				g0, g1, g2 := g[j], g[3+j], g[6+j]
				t[0][j] = g0
				t[1][j] = (g0 + g1 + g2) / 2
				t[2][j] = (g0 - g1 + g2) / 2
				t[3][j] = g2
			}
			for i := range 4 {
				r := [4]float32{t[i][0], (t[i][0] + t[i][1] + t[i][2]) / 2, (t[i][0] - t[i][1] + t[i][2]) / 2, t[i][2]}
				for j := range 4 {
					k := i*4 + j
					u[((k*nb+oc/ocBlock)*inC+ic)*ocBlock+oc%ocBlock] = r[j]
				}
			}
		}
	}
	return u
}

// winograd computes out (bias, sums, activation) from the already padded x.
func (c *conv) winograd(x, out *Tensor) {
	ow, oh := out.W, out.H
	tw, th := (ow+1)/2, (oh+1)/2
	nb := (c.outC + ocBlock - 1) / ocBlock
	inC := c.inC
	parallelFor(th, func(lo, hi int) {
		v := make([]float32, 16*tw*inC)        // [16][tile][ic]
		m := make([]float32, nb*ocBlock*tw*16) // [oc][tile][16]
		for ty := lo; ty < hi; ty++ {
			c.winogradInput(x, v, ty, tw)
			for k := range 16 {
				vk := v[k*tw*inC:][:tw*inC]
				for b := range nb {
					uk := c.wino[(k*nb+b)*inC*ocBlock:][:inC*ocBlock]
					winogradGemm(m[b*ocBlock*tw*16:], uk, vk, tw, inC, k)
				}
			}
			c.winogradOutput(m, out, ty, tw)
		}
	})
}

// winogradInput fills v[k][tile][ic] with Bᵀ·d·B of the 4×4 patches of tile
// row ty (rows 2ty..2ty+3; pixels past the input edge read as 0).
func (c *conv) winogradInput(x *Tensor, v []float32, ty, tw int) {
	inC := c.inC
	for ic := range inC {
		plane := x.Plane(ic)
		for tx := range tw {
			var d [4][4]float32
			for i := range 4 {
				y := 2*ty + i
				if y >= x.H {
					break
				}
				row := plane[y*x.W:][:x.W]
				x0 := 2 * tx
				if x0+4 <= x.W {
					r := row[x0 : x0+4 : x0+4]
					d[i] = [4]float32{r[0], r[1], r[2], r[3]}
					continue
				}
				for j := range 4 {
					if x0+j < x.W {
						d[i][j] = row[x0+j]
					}
				}
			}
			// Bᵀ rows: (1,0,−1,0), (0,1,1,0), (0,−1,1,0), (0,1,0,−1)
			var t [4][4]float32
			for j := range 4 {
				t[0][j] = d[0][j] - d[2][j]
				t[1][j] = d[1][j] + d[2][j]
				t[2][j] = d[2][j] - d[1][j]
				t[3][j] = d[1][j] - d[3][j]
			}
			base := tx*inC + ic
			stride := tw * inC
			for i := range 4 {
				r := t[i]
				v[(i*4+0)*stride+base] = r[0] - r[2]
				v[(i*4+1)*stride+base] = r[1] + r[2]
				v[(i*4+2)*stride+base] = r[2] - r[1]
				v[(i*4+3)*stride+base] = r[1] - r[3]
			}
		}
	}
}

// winogradGemm sets m[j][tile][k] = Σ_ic u[ic][j]·v[tile][ic] for the
// ocBlock channels j of one block, two tiles at a time in registers.
func winogradGemm(m, u, v []float32, tw, inC, k int) {
	m = m[:ocBlock*tw*16]
	u = u[:inC*ocBlock]
	t := 0
	for ; t+1 < tw; t += 2 {
		v0 := v[t*inC:][:inC]
		v1 := v[(t+1)*inC:][:inC]
		var a0, a1, a2, a3, b0, b1, b2, b3 float32
		for ic := range inC {
			w := u[ic*ocBlock : ic*ocBlock+ocBlock : ic*ocBlock+ocBlock]
			p, q := v0[ic], v1[ic]
			a0 += w[0] * p
			a1 += w[1] * p
			a2 += w[2] * p
			a3 += w[3] * p
			b0 += w[0] * q
			b1 += w[1] * q
			b2 += w[2] * q
			b3 += w[3] * q
		}
		i := t*16 + k
		m[i], m[tw*16+i], m[2*tw*16+i], m[3*tw*16+i] = a0, a1, a2, a3
		i += 16
		m[i], m[tw*16+i], m[2*tw*16+i], m[3*tw*16+i] = b0, b1, b2, b3
	}
	for ; t < tw; t++ {
		v0 := v[t*inC:][:inC]
		var a0, a1, a2, a3 float32
		for ic := range inC {
			w := u[ic*ocBlock : ic*ocBlock+ocBlock : ic*ocBlock+ocBlock]
			p := v0[ic]
			a0 += w[0] * p
			a1 += w[1] * p
			a2 += w[2] * p
			a3 += w[3] * p
		}
		i := t*16 + k
		m[i], m[tw*16+i], m[2*tw*16+i], m[3*tw*16+i] = a0, a1, a2, a3
	}
}

// winogradOutput writes Aᵀ·m·A + bias of tile row ty to out, then applies
// the activation to the rows written.
func (c *conv) winogradOutput(m []float32, out *Tensor, ty, tw int) {
	ow, oh := out.W, out.H
	y0 := 2 * ty
	rows := min(2, oh-y0)
	for oc := range c.outC {
		plane := out.Plane(oc)
		bias := c.bias[oc]
		for tx := range tw {
			s := m[(oc*tw+tx)*16:][:16]
			// Aᵀ rows: (1,1,1,0), (0,1,−1,−1)
			var t [2][4]float32
			for j := range 4 {
				t[0][j] = s[j] + s[4+j] + s[8+j]
				t[1][j] = s[4+j] - s[8+j] - s[12+j]
			}
			x0 := 2 * tx
			for i := range rows {
				r := t[i]
				row := plane[(y0+i)*ow:][:ow]
				row[x0] = r[0] + r[1] + r[2] + bias
				if x0+1 < ow {
					row[x0+1] = r[1] - r[2] - r[3] + bias
				}
			}
		}
		for i := range rows {
			c.act.apply(plane[(y0+i)*ow:][:ow])
		}
	}
}
