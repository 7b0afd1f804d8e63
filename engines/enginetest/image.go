package enginetest

import (
	"image/color"
	"image/png"
	"math"
	"os"
	"testing"
)

// rgbImage is interleaved 8-bit RGB.
type rgbImage struct {
	w, h int
	pix  []uint8
}

// readRGB decodes a PNG as RGB: gray replicated, alpha dropped (the
// reference tools run the network on RGB only).
func readRGB(t testing.TB, path string) rgbImage {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	b := img.Bounds()
	out := rgbImage{w: b.Dx(), h: b.Dy(), pix: make([]uint8, b.Dx()*b.Dy()*3)}
	for y := range out.h {
		for x := range out.w {
			c := color.NRGBAModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.NRGBA)
			i := (y*out.w + x) * 3
			out.pix[i], out.pix[i+1], out.pix[i+2] = c.R, c.G, c.B
		}
	}
	return out
}

// reflect101 maps x into [0, n) mirroring about the edge pixels.
func reflect101(x, n int) int {
	if n == 1 {
		return 0
	}
	for x < 0 || x >= n {
		if x < 0 {
			x = -x
		}
		if x >= n {
			x = 2*(n-1) - x
		}
	}
	return x
}

// padRGB pads img by p on each side plus extraR/extraB right and bottom,
// reflect-101, as the reference tools do.
func padRGB(img rgbImage, p, extraR, extraB int) rgbImage {
	out := rgbImage{w: img.w + 2*p + extraR, h: img.h + 2*p + extraB}
	out.pix = make([]uint8, out.w*out.h*3)
	for y := range out.h {
		sy := reflect101(y-p, img.h)
		for x := range out.w {
			sx := reflect101(x-p, img.w)
			copy(out.pix[(y*out.w+x)*3:][:3], img.pix[(sy*img.w+sx)*3:])
		}
	}
	return out
}

// cropRGB is the w×h window of img at (x0, y0).
func cropRGB(img rgbImage, x0, y0, w, h int) rgbImage {
	out := rgbImage{w: w, h: h, pix: make([]uint8, w*h*3)}
	for y := range h {
		copy(out.pix[y*w*3:][:w*3], img.pix[((y0+y)*img.w+x0)*3:])
	}
	return out
}

// diff16 returns the max and mean absolute difference of two 16-bit sample
// slices in 0..1 units.
func diff16(a, b []uint16) (maxAbs, mean float64) {
	var sum float64
	for i := range a {
		d := math.Abs(float64(a[i])-float64(b[i])) / 65535
		sum += d
		maxAbs = max(maxAbs, d)
	}
	return maxAbs, sum / float64(max(len(a), 1))
}
