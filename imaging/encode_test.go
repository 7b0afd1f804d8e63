package imaging

import (
	"bytes"
	"errors"
	"image"
	"image/jpeg"
	"image/png"
	"slices"
	"testing"
)

// encodeBands writes img through NewEncoder in bands of the given heights (cycled).
func encodeBands(t testing.TB, img *Image, opt EncodeOptions, bands []int) []byte {
	t.Helper()
	var b bytes.Buffer
	e, err := NewEncoder(&b, img.W, img.H, img.C, img.Depth, opt)
	if err != nil {
		t.Fatal(err)
	}
	for y, i := 0, 0; y < img.H; i++ {
		n := min(bands[i%len(bands)], img.H-y)
		if err := e.WriteRows(img.Rows(y, y+n)); err != nil {
			t.Fatal(err)
		}
		y += n
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// smallGroups makes encoders cut tiny row groups so that small test images
// span many groups (restored at cleanup).
func smallGroups(t *testing.T) {
	p := pngGroupBytes
	pngGroupBytes = 700
	t.Cleanup(func() { pngGroupBytes = p })
}

func TestPNGEncodeRoundTrip(t *testing.T) {
	smallGroups(t)
	for _, c := range []int{1, 2, 3, 4} {
		for _, d := range []int{8, 16} {
			var img *Image
			if d == 8 {
				img = pattern8(67, 45, c)
			} else {
				img = pattern16(67, 45, c)
			}
			t.Run(string(rune('0'+c))+"ch-"+map[int]string{8: "8", 16: "16"}[d], func(t *testing.T) {
				one := encodeBands(t, img, EncodeOptions{Format: PNG, Workers: 1}, []int{img.H})
				par := encodeBands(t, img, EncodeOptions{Format: PNG, Workers: 4}, []int{1, 7, 3, 20})
				if !bytes.Equal(one, par) {
					t.Fatal("band-wise parallel output differs from one-shot single-worker output")
				}
				std, err := png.Decode(bytes.NewReader(par))
				if err != nil {
					t.Fatalf("stdlib png rejects the parallel output: %v", err)
				}
				if n, ok := std.(*image.NRGBA); ok && d == 8 && c == 4 && !bytes.Equal(n.Pix, img.Pix8) {
					t.Fatal("stdlib png decodes different RGBA pixels")
				}
				if g, ok := std.(*image.Gray); ok && d == 8 && c == 1 && !bytes.Equal(g.Pix, img.Pix8) {
					t.Fatal("stdlib png decodes different gray pixels")
				}
				if std.Bounds().Dx() != 67 || std.Bounds().Dy() != 45 {
					t.Fatal("stdlib size")
				}
				got, h, err := Decode(bytes.NewReader(par), Limits{})
				if err != nil {
					t.Fatal(err)
				}
				if h.Channels != c || h.Depth != d {
					t.Fatalf("header %+v", h)
				}
				if !slices.Equal(samplesOf(got), samplesOf(img)) {
					t.Fatal("round trip not exact")
				}
			})
		}
	}
}

func TestJPEGEncode(t *testing.T) {
	smallGroups(t)
	cases := []struct {
		name    string
		img     *Image
		q       int
		outC    int
		minPSNR float64
	}{
		{"gray-q90", pattern8(61, 37, 1), 90, 1, 40},
		{"rgb-444-q95", pattern8(61, 37, 3), 95, 3, 38},
		{"rgb-420-q75", pattern8(61, 37, 3), 75, 3, 30},
		{"rgb-420-q20", pattern8(61, 37, 3), 20, 3, 25},
		{"rgb-q100", pattern8(61, 37, 3), 100, 3, 45},
		{"gray16", pattern8(61, 37, 1), 90, 1, 40},
		{"rgba-flattened", pattern8(61, 37, 4), 90, 3, 0},
		{"gray-alpha", pattern8(61, 37, 2), 90, 1, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := tc.img
			if tc.name == "gray16" {
				src = to16(tc.img)
			}
			one := encodeBands(t, src, EncodeOptions{Format: JPEG, Quality: tc.q, Workers: 1}, []int{src.H})
			par := encodeBands(t, src, EncodeOptions{Format: JPEG, Quality: tc.q, Workers: 3}, []int{5, 16, 1})
			if !bytes.Equal(one, par) {
				t.Fatal("band-wise parallel output differs from one-shot")
			}
			std, err := jpeg.Decode(bytes.NewReader(par))
			if err != nil {
				t.Fatalf("stdlib jpeg rejects our output: %v", err)
			}
			if _, gray := std.(*image.Gray); gray != (tc.outC == 1) {
				t.Fatalf("stdlib decoded %T", std)
			}
			got, h, err := Decode(bytes.NewReader(par), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if h.Channels != tc.outC || got.W != 61 || got.H != 37 {
				t.Fatalf("header %+v", h)
			}
			want := tc.img.Pix8
			if tc.img.C == 2 || tc.img.C == 4 {
				want = flatten(tc.img)
			}
			p := SamplesPSNR(got.Pix8, want, 255)
			t.Logf("PSNR %.1f dB, %d bytes", p, len(par))
			if p < max(tc.minPSNR, 30) {
				t.Fatalf("PSNR %.1f dB", p)
			}
		})
	}
}

func to16(m *Image) *Image {
	o, _ := NewImage(m.W, m.H, m.C, 16)
	for i, v := range m.Pix8 {
		o.Pix16[i] = uint16(v) * 257
	}
	return o
}

// flatten composites over white, dropping alpha.
func flatten(m *Image) []uint8 {
	c := m.C - 1
	out := make([]uint8, 0, m.W*m.H*c)
	for i := 0; i < m.W*m.H; i++ {
		p := m.Pix8[i*m.C : (i+1)*m.C]
		a := uint32(p[c])
		for k := 0; k < c; k++ {
			out = append(out, uint8((uint32(p[k])*a+255*(255-a)+127)/255))
		}
	}
	return out
}

func TestWebPEncode(t *testing.T) {
	cases := []struct {
		name     string
		img      *Image
		lossless bool
		outC     int
		minPSNR  float64 // 0: exact
	}{
		{"rgb-lossless", pattern8(50, 30, 3), true, 3, 0},
		{"rgba-lossless", pattern8(50, 30, 4), true, 4, 0},
		{"rgb-lossy", pattern8(50, 30, 3), false, 3, 30},
		{"gray-lossless-as-rgb", pattern8(50, 30, 1), true, 3, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := Encode(&b, tc.img, EncodeOptions{Format: WebP, Lossless: tc.lossless, Quality: 92}); err != nil {
				t.Fatal(err)
			}
			got, h, err := Decode(bytes.NewReader(b.Bytes()), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if h.Channels != tc.outC {
				t.Fatalf("channels %d", h.Channels)
			}
			want := tc.img.Pix8
			if tc.img.C == 1 {
				want = nil
				for _, v := range tc.img.Pix8 {
					want = append(want, v, v, v)
				}
			}
			if tc.minPSNR == 0 {
				if !bytes.Equal(got.Pix8, want) {
					t.Fatal("lossless WebP not exact")
				}
			} else if p := SamplesPSNR(got.Pix8, want, 255); p < tc.minPSNR {
				t.Fatalf("PSNR %.1f", p)
			}
		})
	}
	var b bytes.Buffer
	if _, err := NewEncoder(&b, WebPMaxDim+1, 10, 3, 8, EncodeOptions{Format: WebP}); !errors.Is(err, ErrWebPTooLarge) {
		t.Fatalf("err %v, want ErrWebPTooLarge", err)
	}
}

// TestICCRoundTrip: the profile written by each encoder decodes to the same bytes.
func TestICCRoundTrip(t *testing.T) {
	rgbICC := fakeICC("RGB ", 140000)
	grayICC := fakeICC("GRAY", 3000)
	cases := []struct {
		name string
		img  *Image
		opt  EncodeOptions
		want []byte
	}{
		{"png-rgb", pattern8(20, 10, 3), EncodeOptions{Format: PNG, ICC: rgbICC}, rgbICC},
		{"png-gray", pattern8(20, 10, 1), EncodeOptions{Format: PNG, ICC: grayICC}, grayICC},
		{"png-gray-rgb-profile-dropped", pattern8(20, 10, 1), EncodeOptions{Format: PNG, ICC: rgbICC}, nil},
		{"jpeg-rgb-3-chunks", pattern8(20, 10, 3), EncodeOptions{Format: JPEG, ICC: rgbICC}, rgbICC},
		{"jpeg-gray", pattern8(20, 10, 1), EncodeOptions{Format: JPEG, ICC: grayICC}, grayICC},
		{"webp-lossy", pattern8(20, 10, 3), EncodeOptions{Format: WebP, ICC: rgbICC}, rgbICC},
		{"webp-lossless-alpha", pattern8(20, 10, 4), EncodeOptions{Format: WebP, Lossless: true, ICC: rgbICC}, rgbICC},
		{"webp-lossy-alpha", pattern8(20, 10, 4), EncodeOptions{Format: WebP, ICC: rgbICC}, rgbICC},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := Encode(&b, tc.img, tc.opt); err != nil {
				t.Fatal(err)
			}
			got, h, err := Decode(bytes.NewReader(b.Bytes()), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.ICC, tc.want) || h.HasICC != (tc.want != nil) {
				t.Fatalf("ICC %d bytes (HasICC %v), want %d", len(got.ICC), h.HasICC, len(tc.want))
			}
			if tc.img.C == 4 && h.Channels != 4 {
				t.Fatalf("alpha lost: %d channels", h.Channels)
			}
		})
	}
}

func TestEncoderMisuse(t *testing.T) {
	for _, f := range []Format{PNG, JPEG, WebP} {
		t.Run(string(f), func(t *testing.T) {
			var b bytes.Buffer
			e, err := NewEncoder(&b, 10, 4, 3, 8, EncodeOptions{Format: f})
			if err != nil {
				t.Fatal(err)
			}
			if err := e.WriteRows(pattern8(11, 1, 3)); err == nil {
				t.Fatal("wrong width accepted")
			}
			if err := e.WriteRows(pattern8(10, 5, 3)); !errors.Is(err, ErrTooLarge) {
				t.Fatalf("too many rows: %v", err)
			}
			if err := e.WriteRows(pattern8(10, 2, 3)); err != nil {
				t.Fatal(err)
			}
			if err := e.Close(); err == nil {
				t.Fatal("Close after 2 of 4 rows succeeded")
			}
		})
	}
	if _, err := NewEncoder(&bytes.Buffer{}, 10, 10, 3, 8, EncodeOptions{Format: GIF}); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("GIF output: %v", err)
	}
	if _, err := NewEncoder(&bytes.Buffer{}, 10, 10, 3, 8, EncodeOptions{Format: JPEG, Quality: 101}); err == nil {
		t.Fatal("quality 101 accepted")
	}
}
