package imaging

import (
	"math"
	"math/rand"
	"testing"
)

// naiveDCT is the DCT-II by definition: F(u,v) = C(u)C(v)/4 ΣΣ f cos cos.
func naiveDCT(f *[64]float32) [64]float64 {
	var out [64]float64
	for v := 0; v < 8; v++ {
		for u := 0; u < 8; u++ {
			var s float64
			for y := 0; y < 8; y++ {
				for x := 0; x < 8; x++ {
					s += float64(f[y*8+x]) * math.Cos(float64(2*x+1)*float64(u)*math.Pi/16) * math.Cos(float64(2*y+1)*float64(v)*math.Pi/16)
				}
			}
			cu, cv := 1.0, 1.0
			if u == 0 {
				cu = 1 / math.Sqrt2
			}
			if v == 0 {
				cv = 1 / math.Sqrt2
			}
			out[v*8+u] = cu * cv / 4 * s
		}
	}
	return out
}

// TestFDCTQuant: the AAN transform with folded scaling quantises like the
// textbook DCT (off by one at most, where a value sits on a rounding edge).
func TestFDCTQuant(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	for _, q := range []int{10, 50, 90, 100} {
		quant := scaledQuant(0, q)
		div := quantDivisors(quant)
		for i := 0; i < 200; i++ {
			var blk [64]float32
			for k := range blk {
				blk[k] = float32(r.Intn(256) - 128)
			}
			want := naiveDCT(&blk)
			var got [64]int32
			fdctQuant(&blk, &div, &got)
			for z, k := range jpegZigzag {
				w := math.Round(want[k] / float64(quant[k]))
				if d := math.Abs(float64(got[z]) - w); d > 1 {
					t.Fatalf("q%d coefficient %d: got %d, want %v", q, k, got[z], w)
				}
			}
		}
	}
}
