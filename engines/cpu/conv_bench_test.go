package cpu

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkConv3x3 is one 64→64-channel 3×3 valid convolution (bias, leaky
// ReLU) over a 128×128 input, the bulk of Real-CUGAN's work.
func BenchmarkConv3x3(b *testing.B) {
	for _, c := range []struct{ in, out, size int }{{64, 64, 128}} {
		b.Run(fmt.Sprintf("%dto%d-%dpx", c.in, c.out, c.size), func(b *testing.B) {
			r := rand.New(rand.NewPCG(5, 6))
			w := randSlice(r, c.out*c.in*9)
			p := convParams(c.out, 3, len(w), map[int]int{5: 1, 9: 2})
			p.SetFloats(10, []float32{0.1})
			o, err := build(layerOf("Convolution", p, w, randSlice(r, c.out)))
			if err != nil {
				b.Fatal(err)
			}
			x := &Tensor{Dims: 3, C: c.in, H: c.size, W: c.size, Data: randSlice(r, c.in*c.size*c.size)}
			outPx := float64((c.size - 2) * (c.size - 2))
			b.ResetTimer()
			for b.Loop() {
				if _, err := o.forward([]*Tensor{x}); err != nil {
					b.Fatal(err)
				}
			}
			sec := b.Elapsed().Seconds()
			b.ReportMetric(outPx*float64(b.N)/sec, "pixels/s")
			b.ReportMetric(2*9*float64(c.in*c.out)*outPx*float64(b.N)/sec/1e9, "GFLOPS")
		})
	}
}
