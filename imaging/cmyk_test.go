package imaging

import (
	"bytes"
	"testing"
)

// writeAdobeJPEG writes a 4-component JPEG with an Adobe APP14 marker from
// ink values (C,M,Y,K interleaved; 0 no ink), stored inverted as Photoshop
// does: transform 0 (CMYK) or 2 (YCCK, libjpeg's conversion).
func writeAdobeJPEG(t *testing.T, ink *Image, transform int, icc []byte) []byte {
	t.Helper()
	inv := &Image{W: ink.W, H: ink.H, C: 4, Depth: 8, Pix8: make([]byte, len(ink.Pix8))}
	for i, v := range ink.Pix8 {
		inv.Pix8[i] = 255 - v
	}
	data, err := encodeCMYKJPEG(inv, transform == 2, 95, icc)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestDecodeCMYK(t *testing.T) {
	ink := pattern8(40, 24, 4)
	want := make([]uint8, 0, 40*24*3)
	for i := 0; i < 40*24; i++ {
		p := ink.Pix8[4*i:]
		k := 255 - uint32(p[3])
		for c := 0; c < 3; c++ {
			want = append(want, uint8((255-uint32(p[c]))*k/255))
		}
	}
	cmykICC := fakeICC("CMYK", 600)
	for _, tc := range []struct {
		name      string
		transform int
	}{{"adobe-cmyk-inverted", 0}, {"adobe-ycck", 2}} {
		t.Run(tc.name, func(t *testing.T) {
			data := writeAdobeJPEG(t, ink, tc.transform, cmykICC)
			h, err := DecodeConfig(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			if h.Channels != 3 || !h.HasICC {
				t.Fatalf("header %+v", h)
			}
			img, _, err := Decode(bytes.NewReader(data), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if p := SamplesPSNR(img.Pix8, want, 255); p < 35 {
				t.Fatalf("PSNR %.1f dB against the naive CMYK->RGB conversion", p)
			}
			if img.ICC != nil {
				t.Fatal("CMYK profile carried onto RGB pixels")
			}
		})
	}
}
