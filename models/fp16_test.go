package models

import (
	"math"
	"testing"
)

// TestHalfToFloat32Exhaustive checks all 65536 half values against the
// definition of binary16 evaluated in float64.
func TestHalfToFloat32Exhaustive(t *testing.T) {
	for v := 0; v < 1<<16; v++ {
		h := uint16(v)
		sign := 1.0
		if h&0x8000 != 0 {
			sign = -1
		}
		exp := int(h>>10) & 0x1f
		mant := float64(h & 0x3ff)
		got := halfToFloat32(h)
		var want float64
		switch {
		case exp == 0x1f && mant == 0:
			want = math.Inf(int(sign))
		case exp == 0x1f:
			if !math.IsNaN(float64(got)) {
				t.Fatalf("%#04x: got %v, want NaN", h, got)
			}
			if payload := math.Float32bits(got) & 0x7fffff; payload != uint32(h&0x3ff)<<13 {
				t.Fatalf("%#04x: NaN payload %#x lost", h, payload)
			}
			continue
		case exp == 0:
			want = sign * mant / 1024 * math.Pow(2, -14)
		default:
			want = sign * (1 + mant/1024) * math.Pow(2, float64(exp-15))
		}
		if float64(got) != want || math.Signbit(float64(got)) != (sign < 0) {
			t.Fatalf("%#04x: got %v, want %v", h, got, want)
		}
	}
}

func TestHalfToFloat32Known(t *testing.T) {
	for _, c := range []struct {
		h    uint16
		want float32
	}{
		{0x3c00, 1}, {0xc000, -2}, {0x7bff, 65504}, {0x0001, 5.9604645e-08}, {0x0400, 6.1035156e-05}, {0x3555, 0.33325195},
	} {
		if got := halfToFloat32(c.h); got != c.want {
			t.Errorf("%#04x: got %v, want %v", c.h, got, c.want)
		}
	}
}
