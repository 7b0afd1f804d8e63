package enginetest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/upscaled/upscaled/models"
)

// BuildNet makes a network from param lines (without the magic and count
// lines) around a body: "Input in 0 1 data" → 1×1 Convolution to c0
// channels (blob x0) → body (ending in blob y with c1 channels) → 1×1
// Convolution to 3 channels with a sigmoid (blob out), so outputs stay in
// 0..1 without clamping. Weights are uniform random, seeded by name.
func BuildNet(t testing.TB, name string, c0, c1 int, body []string) *models.Net {
	t.Helper()
	lines := []string{
		"Input in 0 1 data",
		fmt.Sprintf("Convolution head 1 1 data x0 0=%d 1=1 5=1 6=%d", c0, 3*c0),
	}
	lines = append(lines, body...)
	lines = append(lines, fmt.Sprintf("Convolution tail 1 1 y out 0=3 1=1 5=1 6=%d 9=4", 3*c1))
	blobs := map[string]bool{}
	for _, l := range lines {
		f := strings.Fields(l)
		nin, _ := strconv.Atoi(f[2])
		nout, _ := strconv.Atoi(f[3])
		for _, b := range f[4 : 4+nin+nout] {
			blobs[b] = true
		}
	}
	text := fmt.Sprintf("7767517\n%d %d\n%s\n", len(lines), len(blobs), strings.Join(lines, "\n"))
	net, err := models.ParseParam(strings.NewReader(text), name+".param")
	if err != nil {
		t.Fatalf("%v\n%s", err, text)
	}
	seed := uint64(0)
	for _, c := range name {
		seed = seed*131 + uint64(c)
	}
	rng := rand.New(rand.NewPCG(seed, 7))
	uniform := func(n int, scale float64) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32((rng.Float64()*2 - 1) * scale)
		}
		return v
	}
	for i := range net.Layers {
		l := &net.Layers[i]
		w, err := models.WeightsOf(l)
		if err != nil {
			t.Fatalf("%s: %v", l.Name, err)
		}
		ws, bs := weightScales(l, w)
		if w.Weight > 0 {
			l.Weight = uniform(w.Weight, ws)
		}
		if w.Bias > 0 {
			l.Bias = uniform(w.Bias, bs)
		}
	}
	if err := net.Validate(); err != nil {
		t.Fatalf("%v\n%s", err, text)
	}
	return net
}

// weightScales are the ranges of a layer's random weights and biases: about
// unit output variance for the convolutions and inner products (1.7/√fan-in).
func weightScales(l *models.Layer, w models.WeightLayout) (weight, bias float64) {
	p := &l.Params
	switch l.Type {
	case "Convolution", "Deconvolution":
		out := p.Int(0, 0)
		fanIn := w.Weight / max(out, 1)
		if l.Type == "Deconvolution" {
			// each output sees about fanIn/stride² inputs
			s := p.Int(3, 1)
			fanIn = max(fanIn/(s*s), 1)
		}
		return 1.7 / math.Sqrt(float64(fanIn)), 0.2
	case "InnerProduct":
		return 1.7 / math.Sqrt(float64(w.Weight/max(p.Int(0, 0), 1))), 0.2
	case "PReLU":
		return 0.5, 0
	}
	return 1.5, 0.3 // Scale
}
