package imaging

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"os"
	"slices"
	"testing"

	"github.com/chai2010/webp"
	"golang.org/x/image/bmp"
)

// samples16 makes n deterministic samples below 1<<depth.
func samples16(n int, depth byte) []uint16 {
	v := make([]uint16, n)
	for i := range v {
		v[i] = uint16((i*2654435761)>>7) & uint16(1<<depth-1)
	}
	return v
}

func TestDecodePNG(t *testing.T) {
	const w, h = 13, 9
	plte := []byte{255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30}
	grayPlte := []byte{0, 0, 0, 85, 85, 85, 170, 170, 170, 255, 255, 255}
	idx := make([]uint16, w*h)
	for i := range idx {
		idx[i] = uint16(i % 4)
	}
	lut := func(p []byte, trns []byte, c int) []uint16 {
		var out []uint16
		for _, i := range idx {
			e := []uint16{uint16(p[3*i]), uint16(p[3*i+1]), uint16(p[3*i+2]), 255}
			if int(i) < len(trns) {
				e[3] = uint16(trns[i])
			}
			switch c {
			case 1:
				out = append(out, e[0])
			case 2:
				out = append(out, e[0], e[3])
			case 3:
				out = append(out, e[:3]...)
			default:
				out = append(out, e...)
			}
		}
		return out
	}
	gray8 := samples16(w*h, 8)
	grayKey := append([]uint16(nil), gray8...)
	keyed := func() []uint16 { // gray with tRNS key 0x30 → gray+alpha
		var out []uint16
		for i := range grayKey {
			if i%5 == 0 {
				grayKey[i] = 0x30
			} else if grayKey[i] == 0x30 {
				grayKey[i] = 0x31
			}
		}
		for _, v := range grayKey {
			a := uint16(255)
			if v == 0x30 {
				a = 0
			}
			out = append(out, v, a)
		}
		return out
	}()
	rgb8 := samples16(w*h*3, 8)
	rgbKeyed := func() []uint16 {
		var out []uint16
		for i := 0; i < w*h; i++ {
			p := rgb8[3*i : 3*i+3]
			if i%4 == 0 {
				p[0], p[1], p[2] = 1, 2, 3
			}
			a := uint16(255)
			if p[0] == 1 && p[1] == 2 && p[2] == 3 {
				a = 0
			}
			out = append(out, p[0], p[1], p[2], a)
		}
		return out
	}()
	one := samples16(w*h, 1)
	one255 := make([]uint16, len(one))
	for i, v := range one {
		one255[i] = v * 255
	}
	cases := []struct {
		name  string
		spec  pngSpec
		c, d  int
		want  []uint16
		inter bool
	}{
		{"gray8", pngSpec{ct: 0, depth: 8, samples: gray8}, 1, 8, gray8, false},
		{"gray1", pngSpec{ct: 0, depth: 1, samples: one}, 1, 8, one255, false},
		{"gray16", pngSpec{ct: 0, depth: 16, samples: samples16(w*h, 16)}, 1, 16, samples16(w*h, 16), false},
		{"gray-alpha8", pngSpec{ct: 4, depth: 8, samples: samples16(w*h*2, 8)}, 2, 8, samples16(w*h*2, 8), false},
		{"gray-alpha16", pngSpec{ct: 4, depth: 16, samples: samples16(w*h*2, 16)}, 2, 16, samples16(w*h*2, 16), false},
		{"gray-trns", pngSpec{ct: 0, depth: 8, samples: grayKey, before: []chunk{{"tRNS", []byte{0, 0x30}}}}, 2, 8, keyed, false},
		{"rgb8", pngSpec{ct: 2, depth: 8, samples: rgb8}, 3, 8, rgb8, false},
		{"rgb16", pngSpec{ct: 2, depth: 16, samples: samples16(w*h*3, 16)}, 3, 16, samples16(w*h*3, 16), false},
		{"rgb-trns", pngSpec{ct: 2, depth: 8, samples: func() []uint16 {
			var o []uint16
			for i := 0; i < w*h; i++ {
				o = append(o, rgbKeyed[4*i:4*i+3]...)
			}
			return o
		}(), before: []chunk{{"tRNS", []byte{0, 1, 0, 2, 0, 3}}}}, 4, 8, rgbKeyed, false},
		{"rgba8", pngSpec{ct: 6, depth: 8, samples: samples16(w*h*4, 8)}, 4, 8, samples16(w*h*4, 8), false},
		{"rgba16", pngSpec{ct: 6, depth: 16, samples: samples16(w*h*4, 16)}, 4, 16, samples16(w*h*4, 16), false},
		{"palette", pngSpec{ct: 3, depth: 8, samples: idx, before: []chunk{{"PLTE", plte}}}, 3, 8, lut(plte, nil, 3), false},
		{"palette2bit", pngSpec{ct: 3, depth: 2, samples: idx, before: []chunk{{"PLTE", plte}}}, 3, 8, lut(plte, nil, 3), false},
		{"palette-trns", pngSpec{ct: 3, depth: 8, samples: idx, before: []chunk{{"PLTE", plte}, {"tRNS", []byte{255, 128, 0}}}}, 4, 8, lut(plte, []byte{255, 128, 0}, 4), false},
		{"palette-gray", pngSpec{ct: 3, depth: 8, samples: idx, before: []chunk{{"PLTE", grayPlte}}}, 1, 8, lut(grayPlte, nil, 1), false},
		{"palette-gray-trns", pngSpec{ct: 3, depth: 8, samples: idx, before: []chunk{{"PLTE", grayPlte}, {"tRNS", []byte{0, 255}}}}, 2, 8, lut(grayPlte, []byte{0, 255}, 2), false},
		{"interlaced-rgb8", pngSpec{ct: 2, depth: 8, samples: rgb8, interlace: true}, 3, 8, rgb8, true},
		{"interlaced-ga16", pngSpec{ct: 4, depth: 16, samples: samples16(w*h*2, 16), interlace: true}, 2, 16, samples16(w*h*2, 16), true},
		{"text-chunks", pngSpec{ct: 0, depth: 8, samples: gray8, before: []chunk{{"tEXt", []byte("Comment\x00hello")}, {"zzZz", bytes.Repeat([]byte{1}, 5000)}}}, 1, 8, gray8, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.spec.w, tc.spec.h = w, h
			data := buildPNG(t, tc.spec)
			hd, err := DecodeConfig(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			if hd.Format != PNG || hd.Width != w || hd.Height != h || hd.Channels != tc.c || hd.Depth != tc.d || hd.Frames != 1 || hd.Orientation != 1 {
				t.Fatalf("header %+v, want %dx%d c%d d%d", hd, w, h, tc.c, tc.d)
			}
			img, _, err := Decode(bytes.NewReader(data), Limits{MaxPixels: w * h})
			if err != nil {
				t.Fatal(err)
			}
			if got := samplesOf(img); !slices.Equal(got, tc.want) {
				t.Fatalf("pixels differ:\n got %v\nwant %v", got[:16], tc.want[:16])
			}
		})
	}
}

// samplesOf returns an image's samples as uint16 for comparison.
func samplesOf(m *Image) []uint16 {
	if m.Depth == 16 {
		return m.Pix16
	}
	out := make([]uint16, len(m.Pix8))
	for i, v := range m.Pix8 {
		out[i] = uint16(v)
	}
	return out
}

// stdImage converts an Image into a stdlib image for the stdlib encoders.
func stdImage(m *Image) image.Image {
	r := image.Rect(0, 0, m.W, m.H)
	switch {
	case m.Depth == 8 && m.C == 1:
		return &image.Gray{Pix: m.Pix8, Stride: m.W, Rect: r}
	case m.Depth == 8 && m.C == 3:
		o := image.NewRGBA(r)
		for i := 0; i < m.W*m.H; i++ {
			copy(o.Pix[4*i:], m.Pix8[3*i:3*i+3])
			o.Pix[4*i+3] = 255
		}
		return o
	case m.Depth == 8 && m.C == 4:
		return &image.NRGBA{Pix: m.Pix8, Stride: 4 * m.W, Rect: r}
	case m.Depth == 16 && m.C == 1:
		o := image.NewGray16(r)
		for i, v := range m.Pix16 {
			o.Pix[2*i], o.Pix[2*i+1] = byte(v>>8), byte(v)
		}
		return o
	}
	panic("stdImage: unsupported layout")
}

func TestDecodeReferenceFiles(t *testing.T) {
	ref, err := os.ReadFile("testdata/gradient-48x32.png")
	if err != nil {
		t.Fatal(err)
	}
	refImg, _, err := Decode(bytes.NewReader(ref), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	ref8 := to8(refImg)
	cases := []struct {
		file    string
		c, d    int
		minPSNR float64
	}{
		{"interlaced-48x32.png", 3, 16, 999},
		{"progressive-48x32.jpg", 3, 8, 35},
		{"ycck-48x32.jpg", 3, 8, 30},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile("testdata/" + tc.file)
			if err != nil {
				t.Fatal(err)
			}
			img, h, err := Decode(bytes.NewReader(data), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if h.Channels != tc.c || h.Depth != tc.d || img.C != tc.c || img.Depth != tc.d {
				t.Fatalf("header %+v image c%d d%d", h, img.C, img.Depth)
			}
			if tc.minPSNR == 999 {
				if !slices.Equal(img.Pix16, refImg.Pix16) {
					t.Fatal("interlaced decode differs from the non-interlaced reference")
				}
				return
			}
			if p := SamplesPSNR(img.Pix8, ref8, 255); p < tc.minPSNR {
				t.Fatalf("PSNR %.1f dB < %.1f", p, tc.minPSNR)
			}
		})
	}
}

// to8 reduces an image to 8 bits by rounding.
func to8(m *Image) []uint8 {
	if m.Depth == 8 {
		return m.Pix8
	}
	o := make([]uint8, len(m.Pix16))
	for i, v := range m.Pix16 {
		o[i] = uint8((uint32(v)*255 + 32767) / 65535)
	}
	return o
}

func TestDecodeOtherFormats(t *testing.T) {
	rgb := pattern8(37, 21, 3)
	gray := pattern8(37, 21, 1)
	rgba := pattern8(37, 21, 4)
	enc := func(f func(*bytes.Buffer) error) []byte {
		var b bytes.Buffer
		if err := f(&b); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	pal := color.Palette{color.RGBA{255, 0, 0, 255}, color.RGBA{0, 0, 255, 255}, color.RGBA{0, 0, 0, 0}}
	grayPal := color.Palette{color.Gray{0}, color.Gray{128}, color.Gray{255}}
	paletted := func(p color.Palette, r image.Rectangle) *image.Paletted {
		m := image.NewPaletted(r, p)
		for i := range m.Pix {
			m.Pix[i] = uint8(i % len(p))
		}
		return m
	}
	cases := []struct {
		name    string
		data    []byte
		f       Format
		c       int
		want    *Image
		minPSNR float64
	}{
		{"jpeg-color", enc(func(b *bytes.Buffer) error { return jpeg.Encode(b, stdImage(rgb), &jpeg.Options{Quality: 95}) }), JPEG, 3, rgb, 30},
		{"jpeg-gray", enc(func(b *bytes.Buffer) error { return jpeg.Encode(b, stdImage(gray), &jpeg.Options{Quality: 95}) }), JPEG, 1, gray, 35},
		{"bmp-24", enc(func(b *bytes.Buffer) error { return bmp.Encode(b, stdImage(rgb)) }), BMP, 3, rgb, 0},
		// x/image/bmp writes 32-bit pixels with a 40-byte info header,
		// where alpha is undefined: it reads back as RGB.
		{"bmp-32", enc(func(b *bytes.Buffer) error { return bmp.Encode(b, stdImage(rgba)) }), BMP, 3, dropAlpha(rgba), 0},
		{"gif", enc(func(b *bytes.Buffer) error {
			return gif.Encode(b, paletted(pal[:2], image.Rect(0, 0, 37, 21)), nil)
		}), GIF, 3, nil, 0},
		{"gif-transparent", enc(func(b *bytes.Buffer) error {
			return gif.Encode(b, paletted(pal, image.Rect(0, 0, 37, 21)), nil)
		}), GIF, 4, nil, 0},
		{"gif-gray", enc(func(b *bytes.Buffer) error {
			return gif.Encode(b, paletted(grayPal, image.Rect(0, 0, 37, 21)), nil)
		}), GIF, 1, nil, 0},
		{"gif-partial-frame", enc(func(b *bytes.Buffer) error {
			return gif.EncodeAll(b, &gif.GIF{Image: []*image.Paletted{paletted(pal[:2], image.Rect(3, 4, 20, 15))}, Delay: []int{0},
				Config: image.Config{ColorModel: pal[:2], Width: 37, Height: 21}})
		}), GIF, 4, nil, 0},
		{"webp-lossless-rgb", enc(func(b *bytes.Buffer) error {
			return webp.Encode(b, stdImage(rgb), &webp.Options{Lossless: true})
		}), WebP, 3, rgb, 0},
		{"webp-lossless-rgba", enc(func(b *bytes.Buffer) error {
			// chai2010/webp takes *image.RGBA bytes as they are (libwebp: non-premultiplied).
			raw := &image.RGBA{Pix: rgba.Pix8, Stride: 4 * rgba.W, Rect: image.Rect(0, 0, rgba.W, rgba.H)}
			return webp.Encode(b, raw, &webp.Options{Lossless: true, Exact: true})
		}), WebP, 4, rgba, 0},
		{"webp-lossy", enc(func(b *bytes.Buffer) error {
			return webp.Encode(b, stdImage(rgb), &webp.Options{Quality: 95})
		}), WebP, 3, rgb, 28},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, err := DecodeConfig(bytes.NewReader(tc.data))
			if err != nil {
				t.Fatal(err)
			}
			if h.Format != tc.f || h.Channels != tc.c || h.Width != 37 || h.Height != 21 {
				t.Fatalf("header %+v", h)
			}
			img, _, err := Decode(bytes.NewReader(tc.data), Limits{MaxPixels: 37 * 21})
			if err != nil {
				t.Fatal(err)
			}
			if img.C != tc.c || img.W != 37 || img.H != 21 {
				t.Fatalf("image %dx%dx%d", img.W, img.H, img.C)
			}
			switch {
			case tc.want == nil: // GIF: compare with the stdlib's own decode
				ref, err := gif.Decode(bytes.NewReader(tc.data))
				if err != nil {
					t.Fatal(err)
				}
				for y := 0; y < 21; y++ {
					for x := 0; x < 37; x++ {
						var c color.NRGBA
						if (image.Point{x, y}).In(ref.Bounds()) {
							c = color.NRGBAModel.Convert(ref.At(x, y)).(color.NRGBA)
						}
						full := [4]uint8{c.R, c.G, c.B, c.A}
						p := img.Pix8[(y*37+x)*img.C : (y*37+x+1)*img.C]
						want := map[int][]uint8{1: {full[0]}, 2: {full[0], full[3]}, 3: full[:3], 4: full[:]}[img.C]
						if !slices.Equal(p, want) {
							t.Fatalf("(%d,%d) = %v, want %v", x, y, p, want)
						}
					}
				}
			case tc.minPSNR == 0:
				if !slices.Equal(img.Pix8, tc.want.Pix8) {
					t.Fatal("lossless decode differs")
				}
			default:
				if p := SamplesPSNR(img.Pix8, tc.want.Pix8, 255); p < tc.minPSNR {
					t.Fatalf("PSNR %.1f < %.1f", p, tc.minPSNR)
				}
			}
		})
	}
}

func TestDecodeAnimated(t *testing.T) {
	p := color.Palette{color.Black, color.White}
	fr := func() *image.Paletted { return image.NewPaletted(image.Rect(0, 0, 8, 8), p) }
	var g bytes.Buffer
	if err := gif.EncodeAll(&g, &gif.GIF{Image: []*image.Paletted{fr(), fr(), fr()}, Delay: []int{1, 1, 1}}); err != nil {
		t.Fatal(err)
	}
	h, err := DecodeConfig(bytes.NewReader(g.Bytes()))
	if err != nil || h.Frames != 3 {
		t.Fatalf("frames %d err %v, want 3", h.Frames, err)
	}
	if _, _, err := Decode(bytes.NewReader(g.Bytes()), Limits{}); !errors.Is(err, ErrAnimated) {
		t.Fatalf("animated gif: %v, want ErrAnimated", err)
	}
	apng := buildPNG(t, pngSpec{w: 4, h: 4, ct: 0, depth: 8, samples: make([]uint16, 16), before: []chunk{{"acTL", []byte{0, 0, 0, 2, 0, 0, 0, 0}}}})
	if _, _, err := Decode(bytes.NewReader(apng), Limits{}); !errors.Is(err, ErrAnimated) {
		t.Fatalf("APNG: %v, want ErrAnimated", err)
	}
	var pb bytes.Buffer
	png.Encode(&pb, image.NewGray(image.Rect(0, 0, 2, 2)))
	awebp := webpContainer(t, []webpChunk{{"VP8X", []byte{webpFlagAnim, 0, 0, 0, 7, 0, 0, 7, 0, 0}}, {"ANIM", make([]byte, 6)}, {"ANMF", make([]byte, 20)}, {"ANMF", make([]byte, 20)}})
	h, err = DecodeConfig(bytes.NewReader(awebp))
	if err != nil || h.Frames != 2 || h.Width != 8 {
		t.Fatalf("animated webp header %+v err %v", h, err)
	}
	if _, _, err := Decode(bytes.NewReader(awebp), Limits{}); !errors.Is(err, ErrAnimated) {
		t.Fatalf("animated webp: %v, want ErrAnimated", err)
	}
}

type webpChunk struct {
	typ  string
	data []byte
}

func webpContainer(t testing.TB, chunks []webpChunk) []byte {
	var body []byte
	for _, c := range chunks {
		body = append(body, c.typ...)
		body = append(body, byte(len(c.data)), byte(len(c.data)>>8), byte(len(c.data)>>16), byte(len(c.data)>>24))
		body = append(body, c.data...)
		if len(c.data)%2 == 1 {
			body = append(body, 0)
		}
	}
	n := len(body) + 4
	out := []byte("RIFF")
	out = append(out, byte(n), byte(n>>8), byte(n>>16), byte(n>>24))
	out = append(out, "WEBP"...)
	return append(out, body...)
}

// dropAlpha is an 8-bit gray+alpha or RGBA image without its alpha.
func dropAlpha(m *Image) *Image {
	c := m.C - 1
	o, _ := NewImage(m.W, m.H, c, 8)
	for i := 0; i < m.W*m.H; i++ {
		copy(o.Pix8[c*i:c*i+c], m.Pix8[m.C*i:m.C*i+c])
	}
	return o
}
