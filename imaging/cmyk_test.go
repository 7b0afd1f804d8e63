package imaging

import (
	"bytes"
	"testing"
)

// writeAdobeJPEG writes a 4-component JPEG with an Adobe APP14 marker from
// ink values (C,M,Y,K interleaved; 0 no ink): transform 0 stores inverted
// CMYK, transform 2 stores YCC of the ink CMY plus inverted K (as libjpeg).
func writeAdobeJPEG(ink *Image, transform int, icc []byte) []byte {
	comps := []jpegOutComp{{1, 1, 1, 0}, {2, 1, 1, 0}, {3, 1, 1, 0}, {4, 1, 1, 0}}
	l := newJPEGLayout(ink.W, ink.H, comps, 95)
	fw, fh := l.mcusX*8, l.mcusY*8
	full := make([][]float32, 4)
	for i := range full {
		full[i] = make([]float32, fw*fh)
	}
	for y := 0; y < fh; y++ {
		for x := 0; x < fw; x++ {
			p := ink.Pix8[(min(y, ink.H-1)*ink.W+min(x, ink.W-1))*4:]
			c, m, yy, k := float32(p[0]), float32(p[1]), float32(p[2]), float32(p[3])
			i := y*fw + x
			if transform == 0 {
				full[0][i], full[1][i], full[2][i] = 255-c-128, 255-m-128, 255-yy-128
			} else {
				full[0][i] = 0.299*c + 0.587*m + 0.114*yy - 128
				full[1][i] = -0.168735892*c - 0.331264108*m + 0.5*yy
				full[2][i] = 0.5*c - 0.418687589*m - 0.081312411*yy
			}
			full[3][i] = 255 - k - 128
		}
	}
	out := jpegHeader(l, icc, transform)
	out = append(out, jpegScan(nil, l, subsample(l, full, fw, fh, func(n int) []float32 { return make([]float32, n) }, func([]float32) {}), l.mcusY, 0)...)
	return append(out, 0xFF, 0xD9)
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
			data := writeAdobeJPEG(ink, tc.transform, cmykICC)
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
			if p := psnr8(img.Pix8, want); p < 35 {
				t.Fatalf("PSNR %.1f dB against the naive CMYK->RGB conversion", p)
			}
			if img.ICC != nil {
				t.Fatal("CMYK profile carried onto RGB pixels")
			}
		})
	}
}
