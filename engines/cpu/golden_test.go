package cpu

import (
	"context"
	"image/color"
	"image/png"
	"math"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/upscaled/upscaled/engines"
	"github.com/upscaled/upscaled/internal/testenv"
	"github.com/upscaled/upscaled/models"
)

// rgbImage is interleaved 8-bit RGB.
type rgbImage struct {
	w, h int
	pix  []uint8
}

// readRGB decodes a PNG as RGB: gray is replicated, alpha dropped (the
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

// reflect101 maps x into [0, n) mirroring about the edge pixels, repeatedly
// for pads wider than the image.
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

// padRGB pads img by p on each side plus extraR/extraB on the right and
// bottom, reflect-101.
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

// cropRGB returns the w×h window of img at (x0, y0).
func cropRGB(img rgbImage, x0, y0, w, h int) rgbImage {
	out := rgbImage{w: w, h: h, pix: make([]uint8, w*h*3)}
	for y := range h {
		copy(out.pix[y*w*3:][:w*3], img.pix[((y0+y)*img.w+x0)*3:])
	}
	return out
}

// psnrRGB is the PSNR (dB) of a against b over RGB samples.
func psnrRGB(a, b rgbImage) float64 {
	var se float64
	for i := range a.pix {
		d := float64(a.pix[i]) - float64(b.pix[i])
		se += d * d
	}
	if se == 0 {
		return math.Inf(1)
	}
	return 10 * math.Log10(255*255/(se/float64(len(a.pix))))
}

// upscaleWhole runs info on img untiled, the way the reference tools do:
// reflect-101 pre-padding, right/bottom aligned, output cropped to
// (w·scale, h·scale). The output offset comes from shape inference: a
// network whose output is smaller than padded·scale consumed that margin.
func upscaleWhole(t testing.TB, prog engines.Program, net *models.Net, info models.Info, img rgbImage) rgbImage {
	t.Helper()
	align := max(info.Align, 1)
	extraR := (img.w+align-1)/align*align - img.w
	extraB := (img.h+align-1)/align*align - img.h
	padded := padRGB(img, info.PrePadding, extraR, extraB)
	out, err := engines.Run(context.Background(), prog, engines.Tile{W: padded.w, H: padded.h, C: 3, Depth: 8, Pix8: padded.pix})
	if err != nil {
		t.Fatal(err)
	}
	s, err := net.OutputShape(models.Shape3(3, padded.h, padded.w), info.OutputBlob)
	if err != nil {
		t.Fatal(err)
	}
	if s.W != out.W || s.H != out.H {
		t.Fatalf("output %d×%d, shape inference says %d×%d", out.W, out.H, s.W, s.H)
	}
	// margin (input px per side) the network consumed; the image starts
	// PrePadding px into the padded input
	cx := (padded.w*info.Scale - out.W) / (2 * info.Scale)
	cy := (padded.h*info.Scale - out.H) / (2 * info.Scale)
	x0, y0 := (info.PrePadding-cx)*info.Scale, (info.PrePadding-cy)*info.Scale
	return cropRGB(rgbImage{w: out.W, h: out.H, pix: out.Pix8}, x0, y0, img.w*info.Scale, img.h*info.Scale)
}

var (
	programsMu sync.Mutex
	programs   = map[string]*loaded{}
)

type loaded struct {
	prog engines.Program
	net  *models.Net
	info models.Info
}

// loadModel loads (once per test binary) the catalog model id.
func loadModel(t testing.TB, id string) *loaded {
	t.Helper()
	programsMu.Lock()
	defer programsMu.Unlock()
	if l, ok := programs[id]; ok {
		return l
	}
	info, err := models.Lookup(id)
	if err != nil {
		t.Fatal(err)
	}
	net, err := models.Load(testenv.ModelsDir(t), info)
	if err != nil {
		t.Fatal(err)
	}
	prog, err := New().Load(context.Background(), engines.Model{Info: info, Net: net})
	if err != nil {
		t.Fatal(err)
	}
	l := &loaded{prog: prog, net: net, info: info}
	programs[id] = l
	return l
}

// goldenModels are the catalog ids that have reference outputs.
var goldenModels = []string{
	"realcugan-up2x-conservative", "realcugan-up2x-no-denoise", "realcugan-up2x-denoise3x",
	"realcugan-up3x-conservative", "realcugan-up4x-no-denoise",
	"realesrgan-animevideov3-x2", "realesrgan-animevideov3-x3", "realesrgan-animevideov3-x4",
	"realesrgan-x4plus-anime",
}

// TestGolden compares whole-image CPU inference with the reference tools'
// outputs (made in fp16 on a GPU) by PSNR over RGB: every small input with
// every model, and each mid-size input with one fast model.
func TestGolden(t *testing.T) {
	inputs := []string{"small-color-48x48.png", "small-color-61x37.png", "small-gray-64x64.png", "small-rgba-40x56.png"}
	type job struct{ input, model string }
	var jobs []job
	for _, m := range goldenModels {
		for _, in := range inputs {
			jobs = append(jobs, job{in, m})
		}
	}
	// mid-size inputs: one fast model of each family, to keep the run short
	jobs = append(jobs, job{"mid-color-300x200.png", "realcugan-up2x-conservative"}, job{"mid-gray-256x256.png", "realesrgan-animevideov3-x2"})
	for _, j := range jobs {
		t.Run(j.model+"/"+j.input, func(t *testing.T) {
			l := loadModel(t, j.model)
			img := readRGB(t, testenv.TestImage(t, j.input))
			golden := readRGB(t, testenv.Golden(t, j.input, j.model))
			start := time.Now()
			got := upscaleWhole(t, l.prog, l.net, l.info, img)
			if got.w != golden.w || got.h != golden.h {
				t.Fatalf("output %d×%d, golden %d×%d", got.w, got.h, golden.w, golden.h)
			}
			p := psnrRGB(got, golden)
			t.Logf("%s %s: PSNR %.2f dB (%v)", j.model, j.input, p, time.Since(start).Round(time.Millisecond))
			if p < 40 {
				t.Errorf("PSNR %.2f dB < 40 dB", p)
			}
		})
	}
}
