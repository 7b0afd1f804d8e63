package imaging

import (
	"fmt"
	"image"
	"math"
)

// PSNR is the peak signal-to-noise ratio of b against a over their 8-bit
// R, G and B channels, in dB (+Inf when equal); their sizes must match. It
// is the one fidelity figure of the project: the engine self-test, the
// soak's result checks and the tests all use it.
func PSNR(a, b image.Image) (float64, error) {
	ab, bb := a.Bounds(), b.Bounds()
	if ab.Dx() != bb.Dx() || ab.Dy() != bb.Dy() {
		return 0, fmt.Errorf("imaging: comparing a %dx%d image with a %dx%d one", bb.Dx(), bb.Dy(), ab.Dx(), ab.Dy())
	}
	var se float64
	for y := 0; y < ab.Dy(); y++ {
		for x := 0; x < ab.Dx(); x++ {
			r1, g1, b1, _ := a.At(ab.Min.X+x, ab.Min.Y+y).RGBA()
			r2, g2, b2, _ := b.At(bb.Min.X+x, bb.Min.Y+y).RGBA()
			for _, d := range [3]float64{float64(r1>>8) - float64(r2>>8), float64(g1>>8) - float64(g2>>8), float64(b1>>8) - float64(b2>>8)} {
				se += d * d
			}
		}
	}
	return fromSquaredError(se, 3*ab.Dx()*ab.Dy(), 255), nil
}

// SamplesPSNR is the PSNR of two sample slices of equal length against
// peak (255 for 8-bit samples, 65535 for 16-bit), in dB: +Inf when equal, 0
// when the lengths differ or are 0.
func SamplesPSNR[T uint8 | uint16](a, b []T, peak float64) float64 {
	if len(a) != len(b) || len(a) == 0 {
		return 0
	}
	var se float64
	for i := range a {
		d := float64(a[i]) - float64(b[i])
		se += d * d
	}
	return fromSquaredError(se, len(a), peak)
}

// PSNR compares two images of equal geometry over every sample (peak: the
// depth's maximum).
func (m *Image) PSNR(o *Image) (float64, error) {
	if m.W != o.W || m.H != o.H || m.C != o.C || m.Depth != o.Depth {
		return 0, fmt.Errorf("imaging: comparing a %dx%dx%d %d-bit image with a %dx%dx%d %d-bit one", o.W, o.H, o.C, o.Depth, m.W, m.H, m.C, m.Depth)
	}
	if m.Depth == 16 {
		return SamplesPSNR(m.Pix16, o.Pix16, 65535), nil
	}
	return SamplesPSNR(m.Pix8, o.Pix8, 255), nil
}

func fromSquaredError(se float64, n int, peak float64) float64 {
	if se == 0 {
		return math.Inf(1)
	}
	return 10 * math.Log10(peak*peak/(se/float64(n)))
}
