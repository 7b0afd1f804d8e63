package vulkan

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestCoopIndexing emulates conv3x3_coopmat.comp's index arithmetic in Go
// (patch staging, the A/B/C matrix offsets, the output mapping) on the
// weights arrangeCoop makes, and compares with a direct convolution: the
// kernel itself needs a device with cooperative matrices, its layout
// contract does not.
func TestCoopIndexing(t *testing.T) {
	const rows, nb, pw = coopRows, coopNB, 18
	cases := []struct{ inC, outC, w, h, pad int }{{3, 24, 19, 11, 1}, {40, 70, 17, 9, 0}, {64, 64, 16, 8, 1}}
	for _, c := range cases {
		rng := rand.New(rand.NewPCG(uint64(c.inC), uint64(c.outC)))
		wts := make([]float32, c.outC*c.inC*9)
		for i := range wts {
			wts[i] = float32(rng.Float64()*2 - 1)
		}
		in := make([]float32, c.inC*c.h*c.w) // planar C×H×W
		for i := range in {
			in[i] = float32(rng.Float64())
		}
		oh, ow := c.h+2*c.pad-2, c.w+2*c.pad-2
		wc := arrangeCoop(wts, c.outC, c.inC)
		inC4, outC4 := c4(c.inC), c4(c.outC)
		ic16, oc16 := (inC4+3)/4, (outC4+3)/4
		// pack4 input as the shader sees it
		px := func(ch, y, x int) float32 {
			if ch >= c.inC || y < 0 || y >= c.h || x < 0 || x >= c.w {
				return 0
			}
			return in[(ch*c.h+y)*c.w+x]
		}
		got := make([]float32, c.outC*oh*ow)
		for gz := 0; gz < (oc16+nb-1)/nb; gz++ {
			for gy := 0; gy < (oh+rows-1)/rows; gy++ {
				for gx := 0; gx < (ow+15)/16; gx++ {
					x0, y0, nb0 := gx*16, gy*rows, gz*nb
					acc := make([][256]float64, nb*rows) // [n·rows+sg][16 px × 16 oc]
					for q := range ic16 {
						patch := make([]float32, (rows+2)*pw*16)
						for i := 0; i < (rows+2)*pw*4; i++ {
							g, pxx, py := i%4, (i/4)%pw, i/(4*pw)
							for l := range 4 {
								patch[(py*pw+pxx)*16+g*4+l] = px((q*4+g)*4+l, y0-c.pad+py, x0-c.pad+pxx)
							}
						}
						for sg := range rows {
							for tp := range 9 {
								aoff := ((sg+tp/3)*pw + tp%3) * 16
								for n := range nb {
									nbk := nb0 + n
									if nbk >= oc16 {
										break
									}
									boff := ((nbk*ic16+q)*9 + tp) * 256
									for i := range 16 {
										for j := range 16 {
											var s float64
											for k := range 16 {
												s += float64(patch[aoff+i*16+k]) * float64(wc[boff+k*16+j])
											}
											acc[n*rows+sg][i*16+j] += s
										}
									}
								}
							}
						}
					}
					for n := range nb {
						nbk := nb0 + n
						if nbk >= oc16 {
							break
						}
						for i := 0; i < rows*64; i++ {
							g, pxx, r := i%4, (i/4)%16, i/64
							x, y, oc := x0+pxx, y0+r, nbk*4+g
							if x >= ow || y >= oh || oc >= outC4 {
								continue
							}
							for l := range 4 {
								if ch := oc*4 + l; ch < c.outC {
									got[(ch*oh+y)*ow+x] = float32(acc[n*rows+r][pxx*16+g*4+l])
								}
							}
						}
					}
				}
			}
		}
		var worst float64
		for oc := range c.outC {
			for y := range oh {
				for x := range ow {
					var s float64
					for ic := range c.inC {
						for t := range 9 {
							s += float64(wts[(oc*c.inC+ic)*9+t]) * float64(px(ic, y+t/3-c.pad, x+t%3-c.pad))
						}
					}
					worst = max(worst, math.Abs(s-float64(got[(oc*oh+y)*ow+x])))
				}
			}
		}
		if worst > 1e-3 {
			t.Errorf("%d→%d channels, %d×%d pad %d: emulated kernel differs from the direct convolution by %g", c.inC, c.outC, c.w, c.h, c.pad, worst)
		}
	}
}
