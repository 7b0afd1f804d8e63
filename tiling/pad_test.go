package tiling

import "testing"

func TestReflect101(t *testing.T) {
	tests := []struct {
		name string
		n    int
		in   []int
		want []int
	}{
		{"inside", 5, []int{0, 1, 4}, []int{0, 1, 4}},
		{"left", 5, []int{-1, -2, -4}, []int{1, 2, 4}},
		{"right", 5, []int{5, 6, 8}, []int{3, 2, 0}},
		{"beyond one width", 3, []int{-3, -4, 5, 6, 7}, []int{1, 0, 1, 2, 1}},
		{"single pixel", 1, []int{-18, 0, 1, 40}, []int{0, 0, 0, 0}},
		{"two pixels", 2, []int{-3, -2, -1, 2, 3}, []int{1, 0, 1, 0, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for i, x := range tt.in {
				if got := Reflect101(x, tt.n); got != tt.want[i] {
					t.Errorf("Reflect101(%d, %d) = %d, want %d", x, tt.n, got, tt.want[i])
				}
			}
		})
	}
}

// TestReflect101Range checks every coordinate far around tiny images lands
// inside the image (no out-of-range read) and that the first pixels out
// mirror without repeating the edge when the image is large enough.
func TestReflect101Range(t *testing.T) {
	for n := 1; n <= 7; n++ {
		for x := -60; x < n+60; x++ {
			got := Reflect101(x, n)
			if got < 0 || got >= n {
				t.Fatalf("Reflect101(%d, %d) = %d out of range", x, n, got)
			}
			if x >= -(n-1) && x < 0 && got != -x {
				t.Errorf("Reflect101(%d, %d) = %d, want %d", x, n, got, -x)
			}
			if x >= n && x <= 2*n-2 && got != 2*(n-1)-x {
				t.Errorf("Reflect101(%d, %d) = %d, want %d", x, n, got, 2*(n-1)-x)
			}
		}
	}
}

func TestExtract(t *testing.T) {
	tests := []struct {
		name    string
		w, h, c int
		r       Rect
	}{
		{"1x1 gray with margin 18", 1, 1, 1, Rect{-18, -18, 19, 19}},
		{"3x5 rgb with margin 18", 3, 5, 3, Rect{-18, -18, 21, 23}},
		{"3x5 rgba interior", 3, 5, 4, Rect{1, 1, 3, 4}},
		{"9x4 rgb interior", 9, 4, 3, Rect{2, 1, 7, 3}},
		{"9x4 rgb left margin only", 9, 4, 3, Rect{-5, 0, 4, 4}},
		{"9x4 rgb right margin only", 9, 4, 3, Rect{6, -1, 13, 3}},
		{"8x6 gray+alpha right edge", 8, 6, 2, Rect{4, -2, 12, 8}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := make([]uint16, tt.w*tt.h*tt.c)
			for i := range src {
				src[i] = uint16(i*37 + 1)
			}
			dst := make([]uint16, tt.r.Dx()*tt.r.Dy()*3)
			Extract(dst, src, tt.w, tt.h, tt.c, tt.r)
			for y := tt.r.Y0; y < tt.r.Y1; y++ {
				for x := tt.r.X0; x < tt.r.X1; x++ {
					sx, sy := Reflect101(x, tt.w), Reflect101(y, tt.h)
					o := ((y-tt.r.Y0)*tt.r.Dx() + x - tt.r.X0) * 3
					for ch := 0; ch < 3; ch++ {
						sc := ch
						if tt.c < 3 {
							sc = 0
						}
						if want := src[(sy*tt.w+sx)*tt.c+sc]; dst[o+ch] != want {
							t.Fatalf("(%d,%d) ch %d = %d, want %d", x, y, ch, dst[o+ch], want)
						}
					}
				}
			}
			if tt.c == 4 || tt.c == 2 {
				plane := make([]uint16, tt.r.Dx()*tt.r.Dy())
				ExtractPlane(plane, src, tt.w, tt.h, tt.c, tt.c-1, tt.r)
				if want := src[(Reflect101(tt.r.Y0, tt.h)*tt.w+Reflect101(tt.r.X0, tt.w))*tt.c+tt.c-1]; plane[0] != want {
					t.Errorf("alpha plane[0] = %d, want %d", plane[0], want)
				}
			}
		})
	}
}
