package cpu

import (
	"testing"

	"github.com/upscaled/upscaled/models"
)

func TestCrop(t *testing.T) {
	// 2 channels of a 4×5 ramp: value = c·100 + y·10 + x.
	x := NewTensor(2, 4, 5)
	for c := range 2 {
		for y := range 4 {
			for xx := range 5 {
				x.Data[(c*4+y)*5+xx] = float32(c*100 + y*10 + xx)
			}
		}
	}
	cases := []struct {
		name    string
		set     func(p *models.Params)
		c, h, w int
		want    []float32
	}{
		{"offsets-rest", func(p *models.Params) { p.SetInt(0, 3); p.SetInt(1, 2); p.SetInt(3, -233) },
			2, 2, 2, []float32{23, 24, 33, 34, 123, 124, 133, 134}},
		{"offsets-sizes", func(p *models.Params) { p.SetInt(0, 1); p.SetInt(3, 2); p.SetInt(4, 1); p.SetInt(2, 1); p.SetInt(5, 1) },
			1, 1, 2, []float32{101, 102}},
		{"far-offsets", func(p *models.Params) { p.SetInt(6, 2); p.SetInt(7, 3); p.SetInt(8, 1) },
			1, 1, 3, []float32{0, 1, 2}},
		// Real-CUGAN form: starts (1,1) ends (-1,-1) on axes (-2,-1).
		{"slice-cugan", func(p *models.Params) {
			p.SetInts(9, []int{1, 1})
			p.SetInts(10, []int{-1, -1})
			p.SetInts(11, []int{-2, -1})
		}, 2, 2, 3, []float32{11, 12, 13, 21, 22, 23, 111, 112, 113, 121, 122, 123}},
		{"slice-channels-no-axes", func(p *models.Params) { p.SetInts(9, []int{1}); p.SetInts(10, []int{-233}) },
			1, 4, 5, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var p models.Params
			c.set(&p)
			out := run1(t, layerOf("Crop", p, nil, nil), x)
			assertShape(t, out, c.c, c.h, c.w)
			want := c.want
			if want == nil {
				want = x.Plane(1)
			}
			assertClose(t, out.Data, want, 0)
		})
	}
	t.Run("cugan-4px", func(t *testing.T) {
		var p models.Params
		p.SetInts(9, []int{4, 4})
		p.SetInts(10, []int{-4, -4})
		p.SetInts(11, []int{-2, -1})
		big := NewTensor(3, 20, 30)
		out := run1(t, layerOf("Crop", p, nil, nil), big)
		assertShape(t, out, 3, 12, 22)
	})
	t.Run("reference", func(t *testing.T) {
		var p models.Params
		p.SetInt(0, 1)
		p.SetInt(1, 1)
		out := run1(t, layerOf("Crop", p, nil, nil), x, NewTensor(1, 2, 2))
		assertShape(t, out, 1, 2, 2)
		assertClose(t, out.Data, []float32{11, 12, 21, 22}, 0)
	})
	t.Run("vector", func(t *testing.T) {
		var p models.Params
		p.SetInts(9, []int{1})
		p.SetInts(10, []int{-1})
		out := run1(t, layerOf("Crop", p, nil, nil), vectorOf(1, 2, 3, 4))
		assertClose(t, out.Data, []float32{2, 3}, 0)
	})
	t.Run("outside", func(t *testing.T) {
		var p models.Params
		p.SetInt(0, 4)
		p.SetInt(3, 3)
		o, _ := build(layerOf("Crop", p, nil, nil))
		if _, err := o.forward([]*Tensor{x}); err == nil {
			t.Fatal("window outside the blob accepted")
		}
	})
}
