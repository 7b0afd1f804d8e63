package cpu

import (
	"math/rand/v2"
	"testing"
)

// naiveDeconv scatters without flipping and returns the full-size output.
func naiveDeconv(x *Tensor, w, bias []float32, outC, k, s, d int) (out []float32, fw, fh int) {
	fw, fh = (x.W-1)*s+d*(k-1)+1, (x.H-1)*s+d*(k-1)+1
	out = make([]float32, outC*fw*fh)
	for o := range outC {
		for i := range fw * fh {
			out[o*fw*fh+i] = bias[o]
		}
		for c := range x.C {
			for iy := range x.H {
				for ix := range x.W {
					for ky := range k {
						for kx := range k {
							out[(o*fh+iy*s+ky*d)*fw+ix*s+kx*d] += w[((o*x.C+c)*k+ky)*k+kx] * x.Data[(c*x.H+iy)*x.W+ix]
						}
					}
				}
			}
		}
	}
	return out, fw, fh
}

func TestDeconvHandChecked(t *testing.T) {
	// 1→1 channel, 2×2 kernel [[1,2],[3,4]], stride 2: each input pixel
	// becomes a non-overlapping 2×2 block v·kernel.
	x := tensorOf(1, 2, 2, 1, 10, 100, 1000)
	w := []float32{1, 2, 3, 4}
	t.Run("k2s2", func(t *testing.T) {
		out := run1(t, layerOf("Deconvolution", convParams(1, 2, 4, map[int]int{3: 2}), w, nil), x)
		assertShape(t, out, 1, 4, 4)
		assertClose(t, out.Data, []float32{
			1, 2, 10, 20,
			3, 4, 30, 40,
			100, 200, 1000, 2000,
			300, 400, 3000, 4000}, 0)
	})
	t.Run("k2s1-overlap-bias-relu", func(t *testing.T) {
		p := convParams(1, 2, 4, map[int]int{5: 1, 9: 1})
		out := run1(t, layerOf("Deconvolution", p, w, []float32{-20}), x)
		assertShape(t, out, 1, 3, 3)
		assertClose(t, out.Data, []float32{
			0, 0, 20 - 20, // 2+10-20 < 0
			3 + 100 - 20, 4 + 30 + 200 + 1000 - 20, 40 + 2000 - 20,
			300 - 20, 400 + 3000 - 20, 4000 - 20}, 0)
	})
	t.Run("pad-cut", func(t *testing.T) {
		out := run1(t, layerOf("Deconvolution", convParams(1, 2, 4, map[int]int{3: 2, 4: 1}), w, nil), x)
		assertShape(t, out, 1, 2, 2)
		assertClose(t, out.Data, []float32{4, 30, 200, 1000}, 0)
	})
	t.Run("output-pad", func(t *testing.T) {
		out := run1(t, layerOf("Deconvolution", convParams(1, 2, 4, map[int]int{3: 2, 18: 1}), w, nil), x)
		assertShape(t, out, 1, 5, 5)
		if out.Data[4] != 0 || out.Data[24] != 0 || out.Data[0] != 1 {
			t.Fatalf("output pad row/column not zero: %v", out.Data)
		}
	})
	t.Run("same-upper-output-size", func(t *testing.T) {
		// full 4×4, output 3×3: cut 0 left/top, 1 right/bottom.
		out := run1(t, layerOf("Deconvolution", convParams(1, 2, 4, map[int]int{3: 2, 4: -233, 20: 3}), w, nil), x)
		assertShape(t, out, 1, 3, 3)
		assertClose(t, out.Data, []float32{1, 2, 10, 3, 4, 30, 100, 200, 1000}, 0)
	})
}

func TestDeconvMatchesNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	cases := []struct {
		name               string
		inC, outC, k, s, d int
		pad                int
	}{
		{"k4s2p3-cugan", 5, 3, 4, 2, 1, 3},
		{"k2s2", 4, 6, 2, 2, 1, 0},
		{"k3s2-dil2", 3, 2, 3, 2, 2, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			x := &Tensor{Dims: 3, C: c.inC, H: 6, W: 7, Data: randSlice(r, c.inC*42)}
			w := randSlice(r, c.outC*c.inC*c.k*c.k)
			bias := randSlice(r, c.outC)
			p := convParams(c.outC, c.k, len(w), map[int]int{3: c.s, 2: c.d, 4: c.pad, 5: 1})
			out := run1(t, layerOf("Deconvolution", p, w, bias), x)
			full, fw, fh := naiveDeconv(x, w, bias, c.outC, c.k, c.s, c.d)
			ow, oh := fw-2*c.pad, fh-2*c.pad
			assertShape(t, out, c.outC, oh, ow)
			var want []float32
			for o := range c.outC {
				for y := range oh {
					want = append(want, full[(o*fh+y+c.pad)*fw+c.pad:][:ow]...)
				}
			}
			assertClose(t, out.Data, want, 1e-5)
		})
	}
}
