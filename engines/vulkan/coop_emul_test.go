package vulkan

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestCoopIndexing emulates conv3x3_coopmat.comp's index arithmetic in Go
// (register fetch and shared-memory staging of the input patch and of the
// weights arrangeCoop makes, the A/B fragment offsets and strides, the
// epilogue mapping) and compares with a direct convolution: the kernel
// itself needs a device with cooperative matrices, its layout contract does
// not. Shared arrays are emulated as halves (uvec2 = 4, uvec4 = 8).
func TestCoopIndexing(t *testing.T) {
	const (
		tw = coopTile
		ps = 6  // patch pixel stride, uvec2
		os = 20 // epilogue row stride, floats
	)
	cases := []struct{ inC, outC, w, h, pad, rps, th int }{
		{3, 24, 19, 11, 1, 2, 16}, {40, 70, 17, 9, 0, 4, 16}, {64, 64, 16, 16, 1, 2, 16}, {64, 64, 16, 16, 1, 4, 16},
		{20, 8, 21, 18, 1, 4, 16}, {24, 40, 33, 17, 0, 2, 16}, {40, 70, 17, 9, 0, 2, 8}, {64, 64, 16, 16, 1, 4, 8},
	}
	for _, c := range cases {
		th := c.th // coopConvRows
		pw, ph := tw+2, th+2
		rps, nsg := c.rps, th/c.rps // rows per subgroup, subgroups
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
		nb := coopNB(c.outC)
		bs := 2*nb + 1        // weight row stride, uvec4
		an := 4 * ph * pw     // staged 8-byte items per chunk
		bn := 9 * 16 * 2 * nb // staged 16-byte items per chunk
		wc := arrangeCoop(wts, c.outC, c.inC, 9, nb)
		inC4, outC4 := c4(c.inC), c4(c.outC)
		ic16 := (inC4 + 3) / 4
		// lane l of the pack-of-4 pixel the shader reads (0 beyond the image:
		// pad value 0 here)
		px := func(ch, y, x int) float32 {
			if ch >= c.inC || y < 0 || y >= c.h || x < 0 || x >= c.w {
				return 0
			}
			return in[(ch*c.h+y)*c.w+x]
		}
		got := make([]float32, c.outC*oh*ow)
		for wz := 0; wz < ((c.outC+15)/16+nb-1)/nb; wz++ {
			for gy := 0; gy < (oh+th-1)/th; gy++ {
				for gx := 0; gx < (ow+tw-1)/tw; gx++ {
					x0, y0 := gx*tw, gy*th
					acc := make([][256]float64, nsg*16) // [subgroup][row·4 + block][16 px × 16 oc]
					for q := range ic16 {
						ash := make([]float32, ph*pw*ps*4)
						for i := range an {
							pxx, py, ic := i%pw, (i/pw)%ph, q*4+i/(pw*ph)
							pix := i % (pw * ph)
							for l := range 4 {
								v := float32(0)
								if ic < inC4 {
									v = px(ic*4+l, y0-c.pad+py, x0-c.pad+pxx)
								}
								ash[(pix*ps+i/(pw*ph))*4+l] = v
							}
						}
						bsh := make([]float32, 9*16*bs*8)
						wb := (wz*ic16 + q) * bn
						for v := range bn {
							for l := range 8 {
								bsh[((v/(2*nb))*bs+v%(2*nb))*8+l] = wc[(wb+v)*8+l]
							}
						}
						for sg := range nsg {
							r0 := sg * rps
							for kx := range 3 {
								for ky := range 3 {
									for n := range nb {
										boff := (ky*3+kx)*16*bs + n*2
										for rr := range rps {
											aoff := ((r0+rr+ky)*pw + kx) * ps
											a := &acc[sg*16+rr*4+n]
											for i := range 16 {
												for j := range 16 {
													var s float64
													for k := range 16 {
														s += float64(ash[(aoff+i*ps)*4+k]) * float64(bsh[(boff+k*bs)*8+j])
													}
													a[i*16+j] += s
												}
											}
										}
									}
								}
							}
						}
					}
					for sg := range nsg {
						r0 := sg * rps
						for r := range rps {
							y := y0 + r0 + r
							for n := range nb {
								outs := make([]float32, 16*os)
								for i := range 16 {
									for j := range 16 {
										outs[i*os+j] = float32(acc[sg*16+r*4+n][i*16+j])
									}
								}
								for lane := range 32 {
									for e := range 2 {
										pxx, g := lane%16, lane/16+2*e
										x, oc := x0+pxx, (wz*nb+n)*4+g
										if x >= ow || y >= oh || oc >= outC4 {
											continue
										}
										for l := range 4 {
											if ch := oc*4 + l; ch < c.outC {
												got[(ch*oh+y)*ow+x] = outs[pxx*os+g*4+l]
											}
										}
									}
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
			t.Errorf("%d→%d channels (NB %d, RPS %d), %d×%d pad %d: emulated kernel differs from the direct convolution by %g", c.inC, c.outC, nb, rps, c.w, c.h, c.pad, worst)
		}
	}
}

// TestCoopDeconvIndexing emulates the kernel's DECONV mode (2×2 stride-2
// deconvolution: no halo, one tap per chunk, N = 4 taps × 16 channels, the
// epilogue's scatter with cuts) on arrangeCoopDeconv's weights against a
// direct deconvolution.
func TestCoopDeconvIndexing(t *testing.T) {
	const (
		tw = coopTile
		ps = 6
		os = 20
		nb = 4
		bs = 2*nb + 1
	)
	const (
		th     = 8 // coopTileH(coopDeconv2x2S2)
		pw, ph = tw, th
		kc     = 4 // chunks per stage (KC)
	)
	cases := []struct{ inC, outC, w, h, cutL, cutT, cutR, cutB, rps int }{
		{24, 40, 19, 11, 0, 0, 0, 0, 2}, {64, 64, 16, 16, 0, 0, 0, 0, 4}, {5, 6, 17, 18, 1, 1, 1, 1, 2},
		{80, 24, 19, 11, 0, 0, 0, 0, 2}, {130, 20, 9, 13, 1, 0, 0, 1, 2},
	}
	for _, c := range cases {
		rng := rand.New(rand.NewPCG(uint64(c.inC), uint64(c.outC)))
		wts := make([]float32, c.outC*c.inC*4) // NCNN [out][in][2][2]
		for i := range wts {
			wts[i] = float32(rng.Float64()*2 - 1)
		}
		in := make([]float32, c.inC*c.h*c.w)
		for i := range in {
			in[i] = float32(rng.Float64())
		}
		ow, oh := 2*c.w-c.cutL-c.cutR, 2*c.h-c.cutT-c.cutB
		rps, nsg := c.rps, th/c.rps
		cb := 16 * 2 * nb // weight items of a chunk (CB, TAPS = 1)
		ca := 4 * ph * pw // patch items of a chunk (CA)
		wc := arrangeCoopDeconv(wts, c.outC, c.inC)
		inC4, outC4 := c4(c.inC), c4(c.outC)
		ic16 := (inC4 + 3) / 4
		px := func(ch, y, x int) float32 {
			if ch >= c.inC || y < 0 || y >= c.h || x < 0 || x >= c.w {
				return 0
			}
			return in[(ch*c.h+y)*c.w+x]
		}
		got := make([]float32, c.outC*oh*ow)
		for i := range got {
			got[i] = float32(math.NaN())
		}
		for wz := 0; wz < (c.outC+15)/16; wz++ {
			for gy := 0; gy < (c.h+th-1)/th; gy++ {
				for gx := 0; gx < (c.w+tw-1)/tw; gx++ {
					x0, y0 := gx*tw, gy*th
					acc := make([][256]float64, nsg*16)
					for q := range (ic16 + kc - 1) / kc {
						ash := make([]float32, kc*ph*pw*ps*4)
						for i := range kc * ca {
							cc := i % ca
							pxx, py, ic := cc%pw, (cc/pw)%ph, (q*kc+i/ca)*4+cc/(pw*ph)
							for l := range 4 {
								v := float32(0)
								if ic < inC4 {
									v = px(ic*4+l, y0+py, x0+pxx)
								}
								ash[((i/ca)*ph*pw*ps+(cc%(pw*ph))*ps+cc/(pw*ph))*4+l] = v
							}
						}
						bsh := make([]float32, kc*16*bs*8)
						for v := range kc * cb {
							chunk, w := q*kc+v/cb, v%cb
							for l := range 8 {
								x := float32(0)
								if chunk < ic16 {
									x = wc[((wz*ic16+chunk)*cb+w)*8+l]
								}
								bsh[((v/cb)*16*bs+(w/(2*nb))*bs+w%(2*nb))*8+l] = x
							}
						}
						for k2 := range kc {
							for sg := range nsg {
								for n := range nb {
									boff := k2*16*bs + n*2
									for rr := range rps {
										aoff := k2*ph*pw*ps + (sg*rps+rr)*pw*ps
										a := &acc[sg*16+rr*4+n]
										for i := range 16 {
											for j := range 16 {
												var s float64
												for k := range 16 {
													s += float64(ash[(aoff+i*ps)*4+k]) * float64(bsh[(boff+k*bs)*8+j])
												}
												a[i*16+j] += s
											}
										}
									}
								}
							}
						}
					}
					for sg := range nsg {
						for r := range rps {
							for n := range nb {
								outs := make([]float32, 16*os)
								for i := range 16 {
									for j := range 16 {
										outs[i*os+j] = float32(acc[sg*16+r*4+n][i*16+j])
									}
								}
								for lane := range 32 {
									for e := range 2 {
										pxx := lane % 16
										x := 2*(x0+pxx) + n%2 - c.cutL
										y := 2*(y0+sg*rps+r) + n/2 - c.cutT
										g := wz*4 + lane/16 + 2*e
										if x < 0 || y < 0 || x >= ow || y >= oh || g >= outC4 {
											continue
										}
										for l := range 4 {
											if ch := g*4 + l; ch < c.outC {
												got[(ch*oh+y)*ow+x] = outs[pxx*os+(g%4)*4+l]
											}
										}
									}
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
					fy, fx := y+c.cutT, x+c.cutL
					var s float64
					for ic := range c.inC {
						s += float64(wts[((oc*c.inC+ic)*2+fy%2)*2+fx%2]) * float64(px(ic, fy/2, fx/2))
					}
					worst = max(worst, math.Abs(s-float64(got[(oc*oh+y)*ow+x])))
				}
			}
		}
		if !(worst <= 1e-3) {
			t.Errorf("deconv %d→%d channels (RPS %d), %d×%d cuts %d,%d,%d,%d: emulated kernel differs from the direct deconvolution by %g",
				c.inC, c.outC, rps, c.w, c.h, c.cutL, c.cutT, c.cutR, c.cutB, worst)
		}
	}
}

// TestCoopStridedIndexing emulates the kernel's mode 2 (2×2 stride-2
// convolution: a 16×8 output tile over a 32×16 input patch, one stride-2 A
// view per tap) on arrangeCoop's 4-tap weights against a direct
// convolution.
func TestCoopStridedIndexing(t *testing.T) {
	const (
		tw = coopTile
		ps = 6
		os = 20
	)
	cases := []struct{ inC, outC, w, h, pad, rps, kc int }{
		{64, 64, 40, 22, 0, 2, 1}, {24, 40, 35, 17, 1, 4, 1}, {64, 128, 32, 16, 0, 2, 1},
		{64, 64, 40, 22, 0, 2, 2}, {24, 40, 35, 17, 1, 2, 2}, {80, 24, 21, 13, 0, 2, 2},
	}
	for _, c := range cases {
		kc, th := c.kc, 8/c.kc // coopStridedKC, coopTileH(coopConv2x2S2)
		pw, ph := 2*tw, 2*th
		rng := rand.New(rand.NewPCG(uint64(c.inC), uint64(c.outC)))
		wts := make([]float32, c.outC*c.inC*4)
		for i := range wts {
			wts[i] = float32(rng.Float64()*2 - 1)
		}
		in := make([]float32, c.inC*c.h*c.w)
		for i := range in {
			in[i] = float32(rng.Float64())
		}
		ow, oh := (c.w+2*c.pad-2)/2+1, (c.h+2*c.pad-2)/2+1
		nb := coopNB(c.outC)
		bs := 2*nb + 1
		cb := 4 * 16 * 2 * nb // weight items of a chunk (CB)
		ca := 4 * ph * pw     // patch items of a chunk (CA)
		rps, nsg := c.rps, th/c.rps
		wc := arrangeCoop(wts, c.outC, c.inC, 4, nb)
		inC4, outC4 := c4(c.inC), c4(c.outC)
		ic16 := (inC4 + 3) / 4
		px := func(ch, y, x int) float32 {
			if ch >= c.inC || y < 0 || y >= c.h || x < 0 || x >= c.w {
				return 0
			}
			return in[(ch*c.h+y)*c.w+x]
		}
		got := make([]float32, c.outC*oh*ow)
		for i := range got {
			got[i] = float32(math.NaN())
		}
		for wz := 0; wz < ((c.outC+15)/16+nb-1)/nb; wz++ {
			for gy := 0; gy < (oh+th-1)/th; gy++ {
				for gx := 0; gx < (ow+tw-1)/tw; gx++ {
					x0, y0 := gx*tw, gy*th
					acc := make([][256]float64, nsg*16)
					for q := range (ic16 + kc - 1) / kc {
						ash := make([]float32, kc*ph*pw*ps*4)
						for i := range kc * ca {
							cc := i % ca
							pxx, py, ic := cc%pw, (cc/pw)%ph, (q*kc+i/ca)*4+cc/(pw*ph)
							for l := range 4 {
								v := float32(0)
								if ic < inC4 {
									v = px(ic*4+l, 2*y0-c.pad+py, 2*x0-c.pad+pxx)
								}
								ash[((i/ca)*ph*pw*ps+(cc%(pw*ph))*ps+cc/(pw*ph))*4+l] = v
							}
						}
						bsh := make([]float32, kc*4*16*bs*8)
						for v := range kc * cb {
							chunk, w := q*kc+v/cb, v%cb
							for l := range 8 {
								x := float32(0)
								if chunk < ic16 {
									x = wc[((wz*ic16+chunk)*cb+w)*8+l]
								}
								bsh[((v/cb)*4*16*bs+(w/(2*nb))*bs+w%(2*nb))*8+l] = x
							}
						}
						for k2 := range kc {
							for sg := range nsg {
								r0 := sg * rps
								for tp := range 4 {
									dy, dx := tp/2, tp%2
									for n := range nb {
										boff := k2*4*16*bs + tp*16*bs + n*2
										for rr := range rps {
											aoff := k2*ph*pw*ps + ((2*(r0+rr)+dy)*pw+dx)*ps
											a := &acc[sg*16+rr*4+n]
											for i := range 16 {
												for j := range 16 {
													var s float64
													for k := range 16 {
														s += float64(ash[(aoff+i*2*ps)*4+k]) * float64(bsh[(boff+k*bs)*8+j])
													}
													a[i*16+j] += s
												}
											}
										}
									}
								}
							}
						}
					}
					for sg := range nsg {
						for r := range rps {
							y := y0 + sg*rps + r
							for n := range nb {
								outs := make([]float32, 16*os)
								for i := range 16 {
									for j := range 16 {
										outs[i*os+j] = float32(acc[sg*16+r*4+n][i*16+j])
									}
								}
								for lane := range 32 {
									for e := range 2 {
										pxx := lane % 16
										x, g := x0+pxx, (wz*nb+n)*4+lane/16+2*e
										if x >= ow || y >= oh || g >= outC4 {
											continue
										}
										for l := range 4 {
											if ch := g*4 + l; ch < c.outC {
												got[(ch*oh+y)*ow+x] = outs[pxx*os+(g%4)*4+l]
											}
										}
									}
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
						for tp := range 4 {
							s += float64(wts[(oc*c.inC+ic)*4+tp]) * float64(px(ic, 2*y+tp/2-c.pad, 2*x+tp%2-c.pad))
						}
					}
					worst = max(worst, math.Abs(s-float64(got[(oc*oh+y)*ow+x])))
				}
			}
		}
		if !(worst <= 1e-3) {
			t.Errorf("2×2 stride-2 %d→%d channels (NB %d, RPS %d), %d×%d pad %d: emulated kernel differs from the direct convolution by %g",
				c.inC, c.outC, nb, rps, c.w, c.h, c.pad, worst)
		}
	}
}

// TestCoopDeconv4 checks mode 3's contract: arrangeCoopDeconv4's virtual
// 3×3 convolution (pad 1, over (W+1)×(H+1) pixels) with the epilogue's
// parity scatter and cuts equals the 4×4 stride-2 deconvolution (the 3×3
// index arithmetic itself is TestCoopIndexing's).
func TestCoopDeconv4(t *testing.T) {
	const inC, outC, w, h, cut = 5, 3, 9, 7, 3
	rng := rand.New(rand.NewPCG(4, 4))
	wts := make([]float32, outC*inC*16)
	for i := range wts {
		wts[i] = float32(rng.Float64()*2 - 1)
	}
	in := make([]float32, inC*h*w)
	for i := range in {
		in[i] = float32(rng.Float64())
	}
	px := func(ch, y, x int) float64 {
		if y < 0 || y >= h || x < 0 || x >= w {
			return 0
		}
		return float64(in[(ch*h+y)*w+x])
	}
	ow, oh := 2*w+2-2*cut, 2*h+2-2*cut
	vw := arrangeCoopDeconv4(wts, outC, inC)
	got := make([]float64, outC*oh*ow)
	for i := range got {
		got[i] = math.NaN()
	}
	for m := 0; m <= h; m++ {
		for n := 0; n <= w; n++ {
			for col := range 4 { // channel group = parity
				x, y := 2*n+col%2-cut, 2*m+col/2-cut
				if x < 0 || y < 0 || x >= ow || y >= oh {
					continue
				}
				for oc := range outC {
					var s float64
					for ic := range inC {
						for tp := range 9 {
							s += float64(vw[((col*4+oc)*inC+ic)*9+tp]) * px(ic, m-1+tp/3, n-1+tp%3)
						}
					}
					got[(oc*oh+y)*ow+x] = s
				}
			}
		}
	}
	var worst float64
	for oc := range outC {
		for y := range oh {
			for x := range ow {
				var s float64
				for ic := range inC {
					for iy := range h {
						for ix := range w {
							ky, kx := y+cut-2*iy, x+cut-2*ix
							if ky >= 0 && ky < 4 && kx >= 0 && kx < 4 {
								s += float64(wts[((oc*inC+ic)*4+ky)*4+kx]) * px(ic, iy, ix)
							}
						}
					}
				}
				worst = max(worst, math.Abs(s-got[(oc*oh+y)*ow+x]))
			}
		}
	}
	if !(worst <= 1e-4) {
		t.Errorf("mode 3 differs from the 4×4 stride-2 deconvolution by %g", worst)
	}
}
