package vulkan

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/upscaled/upscaled/engines"
	"github.com/upscaled/upscaled/engines/enginetest"
	"github.com/upscaled/upscaled/models"
)

// convFLOPs counts 2·MACs of every Convolution, Deconvolution and
// InnerProduct of net for an h×w input.
func convFLOPs(t testing.TB, net *models.Net, h, w int) float64 {
	shapes, err := net.InferShapes(models.Shape3(3, h, w))
	if err != nil {
		t.Fatal(err)
	}
	var f float64
	for i := range net.Layers {
		l := &net.Layers[i]
		switch l.Type {
		case "Convolution":
			o := shapes[l.Outputs[0]]
			f += 2 * float64(len(l.Weight)) * float64(o.H*o.W)
		case "Deconvolution":
			in := shapes[l.Inputs[0]]
			f += 2 * float64(len(l.Weight)) * float64(in.H*in.W)
		case "InnerProduct":
			f += 2 * float64(len(l.Weight))
		}
	}
	return f
}

// benchPass times whole passes of m over an h×w tile and reports achieved
// GFLOPS (all convolutions) and input pixels per second.
func benchPass(b *testing.B, m engines.Model, h, w int) {
	e := openTestEngine(b)
	b.Logf("cooperative-matrix kernel: %v", e.CoopMatrix() && !forceTiledConv)
	ctx := context.Background()
	prog, err := e.Load(ctx, m)
	if err != nil {
		b.Fatal(err)
	}
	defer prog.Close()
	tile := grayTile(w, h)
	if _, err := engines.Run(ctx, prog, tile); err != nil { // plan, record, warm up
		b.Fatal(err)
	}
	flops := convFLOPs(b, m.Net, h, w)
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		if _, err := engines.Run(ctx, prog, tile); err != nil {
			b.Fatal(err)
		}
	}
	sec := time.Since(start).Seconds() / float64(b.N)
	b.ReportMetric(flops/sec/1e9, "GFLOPS")
	b.ReportMetric(float64(h*w)/sec, "pixels/s")
	if e.Config().Profile { // UPSCALED_VK_PROFILE=1: GPU time and GFLOPS per kernel (run one benchmark per process)
		var sb strings.Builder
		if err := WriteProfile(&sb, 12); err == nil {
			b.Log("\n" + sb.String())
		}
	}
}

// convNet is a single convolution (cin → cout, kernel k, extra params)
// between 1×1 head and tail convolutions.
func convNet(b *testing.B, name string, cin, cout, k int, extra string) engines.Model {
	body := []string{fmt.Sprintf("Convolution c 1 1 x0 y 0=%d 1=%d 5=1 6=%d %s", cout, k, cin*cout*k*k, extra)}
	net := enginetest.BuildNet(b, name, cin, cout, body)
	return engines.Model{Info: models.Info{ID: name, Scale: 1, InputBlob: "data", OutputBlob: "out"}, Net: net}
}

// benchSide is the tile side of the benchmarks: UPSCALED_BENCH_SIDE, else
// 64 (small enough for the CPU device of CI).
var benchSide = func() int {
	if v, err := strconv.Atoi(os.Getenv("UPSCALED_BENCH_SIDE")); err == nil && v > 0 {
		return v
	}
	return 64
}()

func BenchmarkConv3x3(b *testing.B) {
	benchPass(b, convNet(b, "bench-conv3x3", 64, 64, 3, "4=1 9=2 -23310=1,1.000000e-01"), benchSide, benchSide)
}

// BenchmarkConv3x3C128 is a wide 3×3 layer (128 → 128 channels, ReLU).
func BenchmarkConv3x3C128(b *testing.B) {
	benchPass(b, convNet(b, "bench-conv3x3-c128", 128, 128, 3, "4=1 9=1"), benchSide, benchSide)
}

// BenchmarkConv3x3Tiled is the shared-memory tiled kernel even where the
// cooperative-matrix kernel is available (BenchmarkConv3x3 takes the best).
func BenchmarkConv3x3Tiled(b *testing.B) {
	forceTiledConv = true
	defer func() { forceTiledConv = false }()
	benchPass(b, convNet(b, "bench-conv3x3-tiled", 64, 64, 3, "4=1 9=2 -23310=1,1.000000e-01"), benchSide, benchSide)
}

func BenchmarkConv3x3Plain(b *testing.B) {
	forcePlainConv = true
	defer func() { forcePlainConv = false }()
	benchPass(b, convNet(b, "bench-conv3x3-plain", 64, 64, 3, "4=1 9=2 -23310=1,1.000000e-01"), benchSide, benchSide)
}

func BenchmarkConv1x1(b *testing.B) {
	benchPass(b, convNet(b, "bench-conv1x1", 64, 64, 1, ""), benchSide, benchSide)
}

func BenchmarkConv2x2S2(b *testing.B) {
	benchPass(b, convNet(b, "bench-conv2x2s2", 64, 64, 2, "3=2"), benchSide, benchSide)
}

func BenchmarkDeconv2x2S2(b *testing.B) {
	body := []string{"Deconvolution d 1 1 x0 y 0=64 1=2 3=2 5=1 6=16384"}
	net := enginetest.BuildNet(b, "bench-deconv", 64, 64, body)
	benchPass(b, engines.Model{Info: models.Info{ID: "bench-deconv", Scale: 1, InputBlob: "data", OutputBlob: "out"}, Net: net}, benchSide/2, benchSide/2)
}

// BenchmarkDeconv2x2S2Gather is the gather kernel on the shape
// BenchmarkDeconv2x2S2 runs through the kernel-equals-stride one.
func BenchmarkDeconv2x2S2Gather(b *testing.B) {
	forceGatherDeconv = true
	defer func() { forceGatherDeconv = false }()
	body := []string{"Deconvolution d 1 1 x0 y 0=64 1=2 3=2 5=1 6=16384"}
	net := enginetest.BuildNet(b, "bench-deconv-gather", 64, 64, body)
	benchPass(b, engines.Model{Info: models.Info{ID: "bench-deconv-gather", Scale: 1, InputBlob: "data", OutputBlob: "out"}, Net: net}, benchSide/2, benchSide/2)
}

func BenchmarkRealCUGAN2x(b *testing.B) {
	benchPass(b, loadNet(b, "realcugan-up2x-conservative"), benchSide, benchSide)
}

func BenchmarkAnimeVideoV3x2(b *testing.B) {
	benchPass(b, loadNet(b, "realesrgan-animevideov3-x2"), benchSide, benchSide)
}

func BenchmarkConv3x3PReLU(b *testing.B) {
	body := []string{"Convolution c 1 1 x0 t 0=64 1=3 4=1 5=1 6=36864", "PReLU p 1 1 t y 0=64"}
	net := enginetest.BuildNet(b, "bench-conv-prelu", 64, 64, body)
	benchPass(b, engines.Model{Info: models.Info{ID: "bench-conv-prelu", Scale: 1, InputBlob: "data", OutputBlob: "out"}, Net: net}, benchSide, benchSide)
}
