package cpu

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkConv3x3 is one 64→64-channel 3×3 valid convolution (bias, leaky
// ReLU) over a 128×128 input, the bulk of Real-CUGAN's work, on the Winograd
// path the executor uses and on the direct kernel. GFLOPS counts the direct
// convolution's 2·9·in·out operations per output pixel for both.
func BenchmarkConv3x3(b *testing.B) {
	const in, out, size = 64, 64, 128
	for _, path := range []string{"winograd", "direct"} {
		b.Run(fmt.Sprintf("%dto%d-%dpx-%s", in, out, size, path), func(b *testing.B) {
			r := rand.New(rand.NewPCG(5, 6))
			w := randSlice(r, out*in*9)
			p := convParams(out, 3, len(w), map[int]int{5: 1, 9: 2})
			p.SetFloats(10, []float32{0.1})
			o, err := build(layerOf("Convolution", p, w, randSlice(r, out)))
			if err != nil {
				b.Fatal(err)
			}
			if path == "direct" {
				c := o.(*conv)
				c.wino, c.packed = nil, packWeights(w, out, in, 9)
			}
			x := &Tensor{Dims: 3, C: in, H: size, W: size, Data: randSlice(r, in*size*size)}
			outPx := float64((size - 2) * (size - 2))
			b.ResetTimer()
			for b.Loop() {
				if _, err := o.forward([]*Tensor{x}); err != nil {
					b.Fatal(err)
				}
			}
			sec := b.Elapsed().Seconds()
			b.ReportMetric(outPx*float64(b.N)/sec, "pixels/s")
			b.ReportMetric(2*9*float64(in*out)*outPx*float64(b.N)/sec/1e9, "GFLOPS")
		})
	}
}
