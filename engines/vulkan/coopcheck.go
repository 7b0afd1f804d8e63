package vulkan

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/upscaled/upscaled/engines"
	"github.com/upscaled/upscaled/models"
)

// coopCheckNet exercises the cooperative-matrix kernel: channel counts not
// multiples of 16 (1 to 4 output blocks per workgroup, two workgroups along
// the channels), an odd tile, padded and valid convolutions, fused
// activations, a 2×2 stride-2 convolution and deconvolution (modes 2, 1),
// a 4×4 stride-2 deconvolution to 3 channels (mode 3), and the fusions
// (fuse.go): an SE scale read by a convolution (IN_SCALE) and by a crop
// added in a deconvolution's epilogue (RES 2).
const coopCheckNet = `7767517
15 17
Input in 0 1 data
Convolution a 1 1 data b 0=40 1=3 4=1 5=1 6=1080 9=1
Convolution c 1 1 b d 0=24 1=3 4=1 5=1 6=8640 9=2 -23310=1,1.000000e-01
Split sp 1 2 d d1 d2
Pooling gp 1 1 d2 gap 0=1 4=1
InnerProduct fc 1 1 gap sv 0=24 1=1 2=576 9=4
BinaryOp m 2 1 d1 sv ds 0=2
Split sp2 1 2 ds ds1 ds2
Convolution f 1 1 ds1 g 0=70 1=3 4=1 5=1 6=15120 9=1
Convolution s 1 1 g t 0=24 1=2 3=2 5=1 6=6720 9=1
Convolution h 1 1 t i 0=8 1=3 5=1 6=1728
Crop cr 1 1 ds2 rc -23309=2,3,2 -23310=2,-2,-3 -23311=2,-2,-1
Deconvolution k 1 1 i j 0=24 1=2 3=2 5=1 6=768 9=2 -23310=1,1.000000e-01
BinaryOp ad 2 1 rc j j2 0=0
Deconvolution e 1 1 j2 out 0=3 1=4 3=2 4=3 5=1 6=1152
`

// checkCoop runs a small network with the cooperative-matrix kernel and
// with the tiled kernel on the device and fails when they disagree, so a
// driver or shader problem disables the fast path instead of corrupting
// output.
func (e *Engine) checkCoop() error {
	m, tile, err := coopCheckModel()
	if err != nil {
		return err
	}
	ctx := context.Background()
	var outs [2]engines.Tile
	for k, coop := range []bool{true, false} {
		p, err := newProgram(e, m, coop)
		if err != nil {
			return err
		}
		outs[k], err = engines.Run(ctx, p, tile)
		p.Close()
		if err != nil {
			return fmt.Errorf("coop=%v: %w", coop, err)
		}
	}
	if worst := maxDiff16(outs[0].Pix16, outs[1].Pix16); worst > 4e-3 {
		return fmt.Errorf("cooperative-matrix output differs from the tiled kernel by up to %.2e", worst)
	}
	return nil
}

// maxDiff16 is the largest difference of two 16-bit sample lists, as a
// fraction of full scale.
func maxDiff16(a, b []uint16) float64 {
	var worst float64
	for k := range a {
		worst = max(worst, math.Abs(float64(a[k])-float64(b[k]))/65535)
	}
	return worst
}

// coopCheckModel is coopCheckNet with deterministic pseudo-random weights
// and a 37×21 16-bit input tile.
func coopCheckModel() (engines.Model, engines.Tile, error) {
	net, err := models.ParseParam(strings.NewReader(coopCheckNet), "coopcheck.param")
	if err != nil {
		return engines.Model{}, engines.Tile{}, err
	}
	seed := uint32(12345)
	rnd := func() float32 {
		seed = seed*1664525 + 1013904223
		return float32(seed>>8)/float32(1<<24)*2 - 1
	}
	for i := range net.Layers {
		l := &net.Layers[i]
		n, out := l.Params.Int(6, 0), l.Params.Int(0, 0)
		switch l.Type {
		case "Convolution", "Deconvolution":
		case "InnerProduct":
			n = l.Params.Int(2, 0)
		default:
			continue
		}
		scale := float32(1.7 / math.Sqrt(float64(n/out)))
		l.Weight = make([]float32, n)
		for k := range l.Weight {
			l.Weight[k] = rnd() * scale
		}
		l.Bias = make([]float32, out)
		for k := range l.Bias {
			l.Bias[k] = rnd() * 0.2
		}
	}
	m := engines.Model{Info: models.Info{ID: "coopcheck", Scale: 1, InputBlob: "data", OutputBlob: "out"}, Net: net}
	px := make([]uint16, 37*21*3)
	for k := range px {
		px[k] = uint16(rnd()*32767 + 32768)
	}
	return m, engines.Tile{W: 37, H: 21, C: 3, Depth: 16, Pix16: px}, nil
}
