package cpu

import (
	"math/rand/v2"
	"testing"

	"github.com/upscaled/upscaled/models"
)

// convParams builds Convolution/Deconvolution params.
func convParams(outC, k, weights int, extra map[int]int) models.Params {
	var p models.Params
	p.SetInt(0, outC)
	p.SetInt(1, k)
	p.SetInt(6, weights)
	for id, v := range extra {
		p.SetInt(id, v)
	}
	return p
}

func TestConvHandChecked(t *testing.T) {
	x := tensorOf(1, 4, 4, seq(16, 0)...)
	ones := []float32{1, 1, 1, 1, 1, 1, 1, 1, 1}
	cases := []struct {
		name    string
		extra   map[int]int
		pv      float32
		bias    []float32
		act     []float32
		c, h, w int
		want    []float32
	}{
		// 3×3 sums of the 4×4 ramp 0..15.
		{"valid", nil, 0, nil, nil, 1, 2, 2, []float32{45, 54, 81, 90}},
		{"bias", map[int]int{5: 1}, 0, []float32{-50}, nil, 1, 2, 2, []float32{-5, 4, 31, 40}},
		{"bias-leaky", map[int]int{5: 1, 9: 2}, 0, []float32{-50}, []float32{0.1}, 1, 2, 2, []float32{-0.5, 4, 31, 40}},
		// stride 2 over pad 1: windows centred on (0,0),(0,2),(2,0),(2,2).
		{"pad1-stride2", map[int]int{4: 1, 3: 2}, 0, nil, nil, 1, 2, 2, []float32{0 + 1 + 4 + 5, 1 + 2 + 3 + 5 + 6 + 7, 4 + 5 + 8 + 9 + 12 + 13, 45 + 45}},
		// pad value 1 counted for the 5 border taps of the corner window.
		{"pad-value", map[int]int{4: 1, 3: 3}, 1, nil, nil, 1, 2, 2, []float32{10 + 5, 2 + 3 + 6 + 7 + 5, 8 + 9 + 12 + 13 + 5, 10 + 11 + 14 + 15 + 5}},
		// only left pad 2 (right/top/bottom explicitly 0): width 4+2-2 = 4, height 2.
		{"left-only", map[int]int{4: 2, 15: 0, 14: 0, 16: 0, 3: 2}, 0, nil, nil, 1, 1, 2, []float32{0 + 4 + 8, 45}},
		// top pad defaults to left, bottom to top, right to left: all 1.
		{"pad-defaults", map[int]int{4: 1}, 0, nil, nil, 1, 4, 4, nil},
		// dilation 2 on 5×5-extent needs pad: -233 gives out = in.
		{"same-upper-dilated", map[int]int{4: -233, 2: 2}, 0, nil, nil, 1, 4, 4, nil},
		// stride 2 SAME_UPPER on w=4: total pad 3+2-4 = 1 → (0 left, 1 right).
		{"same-upper-stride", map[int]int{4: -233, 3: 2}, 0, nil, nil, 1, 2, 2, []float32{45, 2 + 3 + 6 + 7 + 10 + 11, 8 + 9 + 10 + 12 + 13 + 14, 10 + 11 + 14 + 15}},
		// SAME_LOWER: (1 left, 0 right).
		{"same-lower-stride", map[int]int{4: -234, 3: 2}, 0, nil, nil, 1, 2, 2, []float32{0 + 1 + 4 + 5, 1 + 2 + 3 + 5 + 6 + 7, 4 + 5 + 8 + 9 + 12 + 13, 45 + 45}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := convParams(1, 3, 9, c.extra)
			if c.pv != 0 {
				p.SetFloat(18, c.pv)
			}
			if c.act != nil {
				p.SetFloats(10, c.act)
			}
			out := run1(t, layerOf("Convolution", p, ones, c.bias), x)
			assertShape(t, out, c.c, c.h, c.w)
			want := c.want
			if want == nil {
				want = naiveConv(x, ones, nil, 1, 3, 3, dilOf(c.extra), 1, padsFor(c.extra, x), 0)
			}
			assertClose(t, out.Data, want, 1e-6)
		})
	}
}

func dilOf(extra map[int]int) int {
	if d, ok := extra[2]; ok {
		return d
	}
	return 1
}

func padsFor(extra map[int]int, x *Tensor) [4]int {
	if extra[4] == -233 {
		// stride 1: total = extent - 1.
		e := dilOf(extra)*2 + 1
		return [4]int{(e - 1) / 2, e - 1 - (e-1)/2, (e - 1) / 2, e - 1 - (e-1)/2}
	}
	p := extra[4]
	return [4]int{p, p, p, p}
}

// naiveConv is the textbook definition (pads left,right,top,bottom).
func naiveConv(x *Tensor, w, bias []float32, outC, kw, kh, d, s int, pads [4]int, pv float32) []float32 {
	inC := x.C
	pw, ph := x.W+pads[0]+pads[1], x.H+pads[2]+pads[3]
	ow, oh := (pw-d*(kw-1)-1)/s+1, (ph-d*(kh-1)-1)/s+1
	out := make([]float32, outC*oh*ow)
	at := func(c, y, xx int) float32 {
		y -= pads[2]
		xx -= pads[0]
		if y < 0 || xx < 0 || y >= x.H || xx >= x.W {
			return pv
		}
		return x.Data[(c*x.H+y)*x.W+xx]
	}
	for o := range outC {
		for oy := range oh {
			for ox := range ow {
				var sum float64
				if bias != nil {
					sum = float64(bias[o])
				}
				for c := range inC {
					for ky := range kh {
						for kx := range kw {
							sum += float64(w[((o*inC+c)*kh+ky)*kw+kx]) * float64(at(c, oy*s+ky*d, ox*s+kx*d))
						}
					}
				}
				out[(o*oh+oy)*ow+ox] = float32(sum)
			}
		}
	}
	return out
}

func randSlice(r *rand.Rand, n int) []float32 {
	out := make([]float32, n)
	for i := range out {
		out[i] = r.Float32()*2 - 1
	}
	return out
}

// TestConvMatchesNaive covers the packed kernels (3-tap rows, generic taps,
// strides, tail channel blocks) against the textbook definition.
func TestConvMatchesNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	cases := []struct {
		name                   string
		inC, outC, k, d, s, pd int
		h, w                   int
	}{
		{"3x3-tail-block", 3, 5, 3, 1, 1, 0, 9, 11},
		{"3x3-pad1", 8, 8, 3, 1, 1, 1, 7, 13},
		{"2x2-stride2", 6, 4, 2, 1, 2, 0, 8, 10},
		{"3x3-dil2", 4, 3, 3, 2, 1, 2, 9, 9},
		{"1x1", 7, 9, 1, 1, 1, 0, 5, 6},
		{"3x3-stride2", 4, 4, 3, 1, 2, 1, 9, 8},
		{"5x5", 2, 6, 5, 1, 1, 0, 8, 9},
		// Winograd path (3×3, stride 1, ≥ 8 channels): odd and even sizes, tail block
		{"winograd-even", 16, 8, 3, 1, 1, 0, 10, 12},
		{"winograd-odd-tail", 9, 10, 3, 1, 1, 0, 7, 9},
		{"winograd-pad1", 12, 16, 3, 1, 1, 1, 5, 6},
		{"winograd-1-tile", 8, 8, 3, 1, 1, 0, 3, 3},
		{"winograd-partial-tiles", 8, 9, 3, 1, 1, 0, 11, 7},
		{"winograd-64ch", 64, 64, 3, 1, 1, 1, 9, 17},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			x := &Tensor{Dims: 3, C: c.inC, H: c.h, W: c.w, Data: randSlice(r, c.inC*c.h*c.w)}
			wino := c.k == 3 && c.s == 1 && c.d == 1 && c.inC >= 8 && c.outC >= 8
			w := randSlice(r, c.outC*c.inC*c.k*c.k)
			bias := randSlice(r, c.outC)
			p := convParams(c.outC, c.k, len(w), map[int]int{2: c.d, 3: c.s, 4: c.pd, 5: 1})
			out := run1(t, layerOf("Convolution", p, w, bias), x)
			o, _ := build(layerOf("Convolution", p, w, bias))
			if got := o.(*conv).wino != nil; got != wino {
				t.Fatalf("winograd path %v, want %v", got, wino)
			}
			want := naiveConv(x, w, bias, c.outC, c.k, c.k, c.d, c.s, [4]int{c.pd, c.pd, c.pd, c.pd}, 0)
			// error relative to the outputs' RMS: F(4×4, 3×3) transforms scale
			// values by up to 8 and 1/24, costing a few fp32 ulps of the sums
			tol := 2e-6
			if wino {
				tol = 3e-5
			}
			assertCloseRMS(t, out.Data, want, tol)
		})
	}
}

func TestConvErrors(t *testing.T) {
	ones := make([]float32, 18)
	cases := []struct {
		name   string
		p      models.Params
		weight []float32
		bias   []float32
		in     *Tensor
	}{
		{"weights-not-multiple", convParams(4, 3, 18, nil), ones, nil, NewTensor(2, 4, 4)},
		{"weights-missing", convParams(2, 3, 18, nil), ones[:9], nil, NewTensor(1, 4, 4)},
		{"bias-missing", convParams(2, 3, 18, map[int]int{5: 1}), ones, nil, NewTensor(1, 4, 4)},
		{"bad-pad", convParams(2, 3, 18, map[int]int{4: -5}), ones, nil, NewTensor(1, 4, 4)},
		{"bad-activation", convParams(2, 3, 18, map[int]int{9: 12}), ones, nil, NewTensor(1, 4, 4)},
		{"wrong-channels", convParams(2, 3, 18, nil), ones, nil, NewTensor(3, 4, 4)},
		{"too-small", convParams(2, 3, 18, nil), ones, nil, NewTensor(1, 2, 4)},
		{"1-D-input", convParams(2, 3, 18, nil), ones, nil, NewVector(1)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o, err := build(layerOf("Convolution", c.p, c.weight, c.bias))
			if err == nil {
				_, err = o.forward([]*Tensor{c.in})
			}
			if err == nil {
				t.Fatal("no error")
			}
			t.Log(err)
		})
	}
}
