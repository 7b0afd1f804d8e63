package cpu

import (
	"slices"
	"testing"

	"github.com/upscaled/upscaled/models"
)

// FuzzLayer builds every registered layer type from arbitrary small
// parameters and runs it on arbitrary small blobs: either step may fail with
// an error, neither may panic. Values stay in −8..15 (plus −233/−234) so
// that no valid combination allocates more than a few MB.
func FuzzLayer(f *testing.F) {
	types := make([]string, 0, len(registry))
	for k := range registry {
		types = append(types, k)
	}
	slices.Sort(types)
	idx := func(name string) uint8 { return uint8(slices.Index(types, name)) }
	f.Add(idx("Convolution"), []byte{0, 4, 1, 3, 5, 1, 9, 2}, uint8(3), uint8(9), uint8(9), false)
	f.Add(idx("Convolution"), []byte("0919X\xff&9\xc69"), uint8('P'), uint8('U'), uint8('J'), false) // bottom pad -233 with counted pads
	f.Add(idx("Pooling"), []byte{0, 1, 4, 1}, uint8(4), uint8(8), uint8(8), false)
	f.Add(idx("Crop"), []byte{209, 12, 210, 4, 211, 7}, uint8(2), uint8(12), uint8(12), false)
	f.Add(idx("Interp"), []byte{0, 3, 1, 12, 2, 12}, uint8(2), uint8(5), uint8(7), false)
	f.Add(idx("Deconvolution"), []byte{0, 3, 1, 4, 3, 10, 4, 255, 20, 9}, uint8(2), uint8(4), uint8(5), false)
	f.Add(idx("BinaryOp"), []byte{0, 10}, uint8(3), uint8(2), uint8(2), true)
	f.Fuzz(func(t *testing.T, typ uint8, raw []byte, c, h, w uint8, vector bool) {
		if len(raw) > 64 {
			return
		}
		val := func(b byte) int {
			switch b {
			case 255:
				return padSameUpper
			case 254:
				return padSameLower
			}
			return int(b%24) - 8
		}
		l := &models.Layer{Type: types[int(typ)%len(types)], Name: "fuzz", Line: 1, Inputs: []int{0}, Outputs: []int{1, 2}}
		var p models.Params
		for i := 0; i+1 < len(raw); i += 2 {
			id := int(raw[i] % 24)
			switch {
			case raw[i] >= 200: // arrays for crop slices and eltwise coefficients
				p.SetInts(id%12, []int{val(raw[i+1]), val(raw[i+1] / 3)})
			case id == 1 || id == 2 || id == 18:
				if l.Type == "Interp" || id == 18 {
					p.SetFloat(id, float32(val(raw[i+1]))/4)
					continue
				}
				p.SetInt(id, val(raw[i+1]))
			default:
				p.SetInt(id, val(raw[i+1]))
			}
		}
		l.Params = p
		n := 0
		for _, id := range []int{6, 2, 0} {
			if v := p.Int(id, 0); v > 0 {
				n = v * max(p.Int(0, 1), 1)
				break
			}
		}
		l.Weight = make([]float32, max(p.Int(6, n), 0)%4096)
		for i := range l.Weight {
			l.Weight[i] = float32(i%7) - 3
		}
		l.Bias = make([]float32, max(p.Int(0, 0), 0))
		x := NewTensor(int(c%8)+1, int(h%16)+1, int(w%16)+1)
		if vector {
			x = NewVector(int(c%16) + 1)
		}
		for i := range x.Data {
			x.Data[i] = float32(i%5) - 2
		}
		o, err := build(l)
		if err != nil {
			return
		}
		for _, in := range [][]*Tensor{{x}, {x, x}, {x, NewVector(x.C)}} {
			_, _ = o.forward(in)
		}
	})
}
