package enginetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/upscaled/upscaled/engines"
	"github.com/upscaled/upscaled/engines/cpu"
	"github.com/upscaled/upscaled/models"
)

// Tolerances of the layer tests, on 16-bit outputs in 0..1 units: fp16
// storage (2^-11 relative per stored value) through a few layers and a
// final sigmoid.
const (
	MaxAbsDiff  = 2e-3
	MaxMeanDiff = 2.5e-4
)

// layerCase is a small network around one layer type (see BuildNet).
type layerCase struct {
	name   string
	c0, c1 int
	body   []string
}

// caseSizes are the tile sizes of cases that need their own (else
// layerSizes). se-block-wide: 181×97 = 17,557 positions, more than one
// workgroup's share of a pooling sum on the Vulkan engine (16,384), whose
// partial sums the host adds.
var caseSizes = map[string][][2]int{"se-block-wide": {{181, 97}}}

func conv(name, in, out string, cin, cout, k int, extra string) string {
	return fmt.Sprintf("Convolution %s 1 1 %s %s 0=%d 1=%d 5=1 6=%d %s", name, in, out, cout, k, cout*cin*k*k, extra)
}

func deconv(name, in, out string, cin, cout, k int, extra string) string {
	return fmt.Sprintf("Deconvolution %s 1 1 %s %s 0=%d 1=%d 5=1 6=%d %s", name, in, out, cout, k, cout*cin*k*k, extra)
}

func layerCases() []layerCase {
	var cs []layerCase
	acts := []string{"", "9=1", "9=2 -23310=1,1.000000e-01", "9=3 -23310=2,-5.000000e-01,6.000000e-01", "9=4", "9=5", "9=6 -23310=2,2.000000e-01,5.000000e-01"}
	for a, act := range acts {
		cs = append(cs, layerCase{fmt.Sprintf("conv3x3-pad1-act%d", a), 5, 7, []string{conv("c", "x0", "y", 5, 7, 3, "4=1 "+act)}})
	}
	cs = append(cs,
		layerCase{"conv3x3-valid-6to10", 6, 10, []string{conv("c", "x0", "y", 6, 10, 3, "9=2 -23310=1,1.000000e-01")}},
		layerCase{"conv3x3-same-upper", 5, 6, []string{conv("c", "x0", "y", 5, 6, 3, "4=-233")}},
		layerCase{"conv3x3-nobias", 4, 5, []string{"Convolution c 1 1 x0 y 0=5 1=3 4=1 5=0 6=180"}},
		layerCase{"conv1x1-5to6", 5, 6, []string{conv("c", "x0", "y", 5, 6, 1, "9=1")}},
		layerCase{"conv2x2-s2", 6, 7, []string{conv("c", "x0", "y", 6, 7, 2, "3=2 9=2 -23310=1,1.000000e-01")}},
		layerCase{"conv3x3-s2-pad1", 5, 6, []string{conv("c", "x0", "y", 5, 6, 3, "3=2 4=1")}},
		layerCase{"conv3x3-dilation2", 5, 3, []string{conv("c", "x0", "y", 5, 3, 3, "2=2 4=2")}},
		layerCase{"conv5x3-pads", 3, 5, []string{"Convolution c 1 1 x0 y 0=5 1=5 11=3 4=2 15=1 14=1 16=0 5=1 6=225"}},
		layerCase{"deconv2x2-s2", 5, 6, []string{deconv("d", "x0", "y", 5, 6, 2, "3=2 9=2 -23310=1,1.000000e-01")}},
		layerCase{"deconv4x4-s2-pad3", 6, 3, []string{deconv("d", "x0", "y", 6, 3, 4, "3=2 4=3")}},
		layerCase{"deconv3x3-s3-cut1", 5, 7, []string{deconv("d", "x0", "y", 5, 7, 3, "3=3 4=1 9=1")}},
		layerCase{"deconv3x3-s1-pad1", 5, 5, []string{deconv("d", "x0", "y", 5, 5, 3, "4=1 9=1")}},
		layerCase{"concat-channels-odd", 5, 8, []string{
			"Split s 1 2 x0 a b", conv("c", "a", "ya", 5, 3, 1, ""), "Concat cat 2 1 ya b y 0=0"}},
		layerCase{"concat-three", 6, 17, []string{
			"Split s 1 3 x0 a b c", conv("c1", "a", "ya", 6, 5, 3, "4=1"), "Concat cat 3 1 b ya c y 0=0"}},
		layerCase{"crop-offsets", 7, 3, []string{"Crop cr 1 1 x0 y 0=1 1=2 2=1 3=5 4=4 5=3"}},
		layerCase{"crop-slice", 6, 6, []string{"Crop cr 1 1 x0 y -23309=2,2,2 -23310=2,-2,-2 -23311=2,-2,-1"}},
		layerCase{"crop-reference", 5, 5, []string{
			"Split s 1 2 x0 a b", conv("c", "a", "ya", 5, 5, 3, ""), "Crop cr 2 1 b ya y 0=1 1=1"}},
		layerCase{"se-block", 5, 5, []string{
			"Split s 1 2 x0 a b", "Pooling gap 1 1 a g 0=1 4=1",
			"InnerProduct fc1 1 1 g f1 0=3 1=1 2=15 9=1", "InnerProduct fc2 1 1 f1 f2 0=5 1=1 2=15 9=4",
			"BinaryOp mul 2 1 b f2 y 0=2"}},
		layerCase{"se-block-wide", 5, 5, []string{
			"Split s 1 2 x0 a b", "Pooling gap 1 1 a g 0=1 4=1",
			"InnerProduct fc1 1 1 g f1 0=3 1=1 2=15 9=1", "InnerProduct fc2 1 1 f1 f2 0=5 1=1 2=15 9=4",
			"BinaryOp mul 2 1 b f2 y 0=2"}},
		layerCase{"innerproduct-flatten", 3, 5, []string{
			"Split s 1 2 x0 a b", "Interp i 1 1 a pa 0=2 3=2 4=3", "InnerProduct fc 1 1 pa f 0=5 1=1 2=90 9=4",
			"Convolution c 1 1 b bc 0=5 1=1 5=1 6=15", "BinaryOp mul 2 1 bc f y 0=2"}},
		layerCase{"vector-binary", 6, 6, []string{
			"Split s 1 2 x0 a b", "Pooling gap 1 1 a g 0=1 4=1", "Split sg 1 2 g g1 g2",
			"BinaryOp vadd 2 1 g1 g2 h 0=0", "BinaryOp vmul 1 1 h h2 0=2 1=1 2=5.000000e-01",
			"InnerProduct fc 1 1 h2 f 0=6 1=1 2=36 9=4", "BinaryOp mul 2 1 f b y 0=2"}},
		layerCase{"binary-add", 5, 5, []string{"Split s 1 2 x0 a b", conv("c", "a", "ya", 5, 5, 3, "4=1"), "BinaryOp add 2 1 ya b y 0=0"}},
		layerCase{"binary-max", 6, 6, []string{"Split s 1 2 x0 a b", conv("c", "a", "ya", 6, 6, 1, ""), "BinaryOp m 2 1 ya b y 0=4"}},
		layerCase{"binary-scalar-rsub", 5, 5, []string{"BinaryOp r 1 1 x0 y 0=7 1=1 2=2.500000e-01"}},
		layerCase{"binary-scalar-mul", 5, 5, []string{"BinaryOp r 1 1 x0 y 0=2 1=1 2=-1.500000e+00"}},
		layerCase{"eltwise-sum-coeffs", 6, 6, []string{
			"Split s 1 3 x0 a b c", conv("cv", "a", "ya", 6, 6, 3, "4=1"), "Eltwise e 3 1 ya b c y 0=1 -23301=3,2.000000e-01,1.000000e+00,-5.000000e-01"}},
		layerCase{"eltwise-prod", 5, 5, []string{"Split s 1 2 x0 a b", conv("cv", "a", "ya", 5, 5, 1, ""), "Eltwise e 2 1 ya b y 0=0"}},
		layerCase{"eltwise-max", 5, 5, []string{"Split s 1 2 x0 a b", conv("cv", "a", "ya", 5, 5, 1, ""), "Eltwise e 2 1 ya b y 0=2"}},
		layerCase{"prelu-fused", 5, 6, []string{conv("c", "x0", "t", 5, 6, 3, "4=1"), "PReLU p 1 1 t y 0=6"}},
		layerCase{"prelu-standalone-shared", 5, 10, []string{"Split s 1 2 x0 a b", "PReLU p 1 1 a pa 0=1", "Concat cat 2 1 pa b y 0=0"}},
		layerCase{"prelu-standalone", 7, 7, []string{"Split s 1 2 x0 a b", "PReLU p 1 1 a pa 0=7", "BinaryOp add 2 1 pa b y 0=0"}},
		layerCase{"pixelshuffle-2", 12, 3, []string{"PixelShuffle ps 1 1 x0 y 0=2"}},
		layerCase{"pixelshuffle-4", 48, 3, []string{"PixelShuffle ps 1 1 x0 y 0=4"}},
		layerCase{"interp-nearest-x2", 5, 5, []string{"Interp i 1 1 x0 y 0=1 1=2.000000e+00 2=2.000000e+00"}},
		layerCase{"interp-nearest-x4", 3, 3, []string{"Interp i 1 1 x0 y 0=1 1=4.000000e+00 2=4.000000e+00"}},
		layerCase{"interp-bilinear-x2", 5, 5, []string{"Interp i 1 1 x0 y 0=2 1=2.000000e+00 2=2.000000e+00"}},
		layerCase{"interp-bicubic-half", 6, 6, []string{"Interp i 1 1 x0 y 0=3 1=5.000000e-01 2=5.000000e-01"}},
		layerCase{"interp-bicubic-0.75", 5, 5, []string{"Interp i 1 1 x0 y 0=3 1=7.500000e-01 2=7.500000e-01"}},
		layerCase{"interp-bicubic-size", 5, 5, []string{"Interp i 1 1 x0 y 0=3 3=7 4=11"}},
		layerCase{"interp-bilinear-align", 5, 5, []string{"Interp i 1 1 x0 y 0=2 1=2.000000e+00 2=2.000000e+00 6=1"}},
		layerCase{"pool-max-2x2-s2", 5, 5, []string{"Pooling p 1 1 x0 y 0=0 1=2 2=2"}},
		layerCase{"pool-avg-3x3-s2-pad1", 6, 6, []string{"Pooling p 1 1 x0 y 0=1 1=3 2=2 3=1"}},
		layerCase{"pool-avg-3x3-s1-countpad", 5, 5, []string{"Pooling p 1 1 x0 y 0=1 1=3 2=1 3=1 6=1"}},
		layerCase{"pool-max-same", 5, 5, []string{"Pooling p 1 1 x0 y 0=0 1=3 2=2 5=2"}},
		layerCase{"pool-global-max", 6, 6, []string{
			"Split s 1 2 x0 a b", "Pooling gm 1 1 a g 0=0 4=1", "InnerProduct fc 1 1 g f 0=6 1=1 2=36 9=4", "BinaryOp mul 2 1 b f y 0=2"}},
		layerCase{"scale-bias", 6, 6, []string{"Scale sc 1 1 x0 y 0=6 1=1"}},
		layerCase{"scale-nobias", 5, 5, []string{"Scale sc 1 1 x0 y 0=5 1=0"}},
	)
	return cs
}

// layerSizes are the input sizes each case runs at (odd and even).
var layerSizes = [][2]int{{13, 9}, {8, 16}}

// randomTile is a 16-bit RGB tile of noise, seeded.
func randomTile(w, h int, seed uint64) engines.Tile {
	rng := rand.New(rand.NewPCG(seed, 3))
	px := make([]uint16, w*h*3)
	for i := range px {
		px[i] = uint16(rng.IntN(65536))
	}
	return engines.Tile{W: w, H: h, C: 3, Depth: 16, Pix16: px}
}

// Layers runs every layer case at every size on eng and on the CPU
// executor and compares the 16-bit outputs within MaxAbsDiff/MaxMeanDiff.
func Layers(t *testing.T, eng engines.Engine) {
	ref := cpu.New()
	defer ref.Close()
	ctx := context.Background()
	for _, c := range layerCases() {
		t.Run(c.name, func(t *testing.T) {
			net := BuildNet(t, c.name, c.c0, c.c1, c.body)
			info := models.Info{ID: c.name, Scale: 1, InputBlob: "data", OutputBlob: "out"}
			m := engines.Model{Info: info, Net: net}
			prog, err := eng.Load(ctx, m)
			if err != nil {
				t.Fatal(err)
			}
			defer prog.Close()
			refProg, err := ref.Load(ctx, m)
			if err != nil {
				t.Fatal(err)
			}
			defer refProg.Close()
			sizes := caseSizes[c.name]
			if sizes == nil {
				sizes = layerSizes
			}
			for k, sz := range sizes {
				tile := randomTile(sz[0], sz[1], uint64(k+1))
				got, err := engines.Run(ctx, prog, tile)
				if err != nil {
					t.Fatalf("%d×%d: %v", sz[0], sz[1], err)
				}
				want, err := engines.Run(ctx, refProg, tile)
				if err != nil {
					t.Fatalf("%d×%d: cpu: %v", sz[0], sz[1], err)
				}
				if got.W != want.W || got.H != want.H || got.Depth != 16 || len(got.Pix16) != len(want.Pix16) {
					t.Fatalf("%d×%d: output %d×%d depth %d (%d samples), cpu %d×%d", sz[0], sz[1], got.W, got.H, got.Depth, len(got.Pix16), want.W, want.H)
				}
				maxAbs, mean := diff16(got.Pix16, want.Pix16)
				if maxAbs > MaxAbsDiff || mean > MaxMeanDiff {
					t.Errorf("%d×%d → %d×%d: max |Δ| %.2e (limit %.0e), mean %.2e (limit %.0e)", sz[0], sz[1], got.W, got.H, maxAbs, MaxAbsDiff, mean, MaxMeanDiff)
				} else {
					t.Logf("%d×%d → %d×%d: max |Δ| %.2e, mean %.2e", sz[0], sz[1], got.W, got.H, maxAbs, mean)
				}
			}
		})
	}
}
