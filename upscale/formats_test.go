package upscale

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"testing"
)

// testICC is a minimal ICC profile header for colour space cs ("RGB " or
// "GRAY"), padded with a marker so the copy can be recognised.
func testICC(cs string) []byte {
	p := make([]byte, 160)
	binary.BigEndian.PutUint32(p[0:], uint32(len(p)))
	copy(p[12:], "mntr")
	copy(p[16:], cs)
	copy(p[20:], "XYZ ")
	copy(p[36:], "acsp")
	copy(p[132:], "upscaled test profile")
	return p
}

// withICCP inserts an iCCP chunk after a PNG's IHDR.
func withICCP(t testing.TB, pngData, profile []byte) []byte {
	t.Helper()
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(profile)
	zw.Close()
	body := append([]byte("test\x00\x00"), z.Bytes()...)
	chunk := make([]byte, 8, 12+len(body))
	binary.BigEndian.PutUint32(chunk, uint32(len(body)))
	copy(chunk[4:], "iCCP")
	chunk = append(chunk, body...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(chunk[4:]))
	const ihdrEnd = 8 + 25
	out := append([]byte{}, pngData[:ihdrEnd]...)
	out = append(out, chunk...)
	return append(out, pngData[ihdrEnd:]...)
}

// withOrientation inserts an EXIF APP1 segment with orientation o after a
// JPEG's SOI.
func withOrientation(jpg []byte, o int) []byte {
	tiff := []byte{'I', 'I', 42, 0, 8, 0, 0, 0, 1, 0, // header, IFD at 8, 1 entry
		0x12, 0x01, 3, 0, 1, 0, 0, 0, byte(o), 0, 0, 0, // 0x0112 SHORT ×1 = o
		0, 0, 0, 0} // no next IFD
	body := append([]byte("Exif\x00\x00"), tiff...)
	seg := []byte{0xFF, 0xE1, byte((len(body) + 2) >> 8), byte(len(body) + 2)}
	out := append([]byte{}, jpg[:2]...)
	out = append(out, seg...)
	out = append(out, body...)
	return append(out, jpg[2:]...)
}

// pattern fills an image with smooth gradients and a few hard edges.
func pattern(w, h int, at func(x, y int, v float64)) {
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			v := float64(x*x+3*y*y) / float64(w*w+3*h*h)
			if (x/8+y/8)%3 == 0 {
				v = 1 - v
			}
			at(x, y, v)
		}
	}
}

func TestOutputKeepsInputTraits(t *testing.T) {
	const w, h = 36, 28
	gray16 := image.NewGray16(image.Rect(0, 0, w, h))
	pattern(w, h, func(x, y int, v float64) { gray16.SetGray16(x, y, color.Gray16{Y: uint16(v*65535 + 0.5)}) })
	rgba16 := image.NewNRGBA64(image.Rect(0, 0, w, h))
	pattern(w, h, func(x, y int, v float64) {
		rgba16.SetNRGBA64(x, y, color.NRGBA64{R: uint16(v * 65535), G: uint16((1 - v) * 60000), B: 12345, A: uint16(min(65535, float64(x)/float64(w)*3*65535))})
	})
	gray8 := image.NewGray(image.Rect(0, 0, w, h))
	pattern(w, h, func(x, y int, v float64) { gray8.SetGray(x, y, color.Gray{Y: uint8(v * 255)}) })
	rgb := image.NewNRGBA(image.Rect(0, 0, w, h))
	pattern(w, h, func(x, y int, v float64) {
		rgb.SetNRGBA(x, y, color.NRGBA{uint8(v * 255), uint8(x * 7), uint8(y * 9), 255})
	})
	var jb bytes.Buffer
	if err := jpeg.Encode(&jb, rgb, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name       string
		in         []byte
		format     string
		c, depth   int
		ow, oh     int
		icc        []byte
		wantICC    bool
		noteSubstr string
	}{
		{name: "gray in, gray out", in: encodePNG(t, gray8), format: "png", c: 1, depth: 8, ow: 2 * w, oh: 2 * h},
		{name: "gray 16-bit in, gray 16-bit out", in: encodePNG(t, gray16), format: "png", c: 1, depth: 16, ow: 2 * w, oh: 2 * h},
		{name: "RGBA in, RGBA out", in: cropPNG(t, "small-rgba-40x56.png", 0, 0, 40, 56), format: "png", c: 4, depth: 8, ow: 80, oh: 112},
		{name: "RGBA 16-bit in, RGBA 16-bit out", in: encodePNG(t, rgba16), format: "png", c: 4, depth: 16, ow: 2 * w, oh: 2 * h},
		{name: "16-bit to JPEG is 8-bit", in: encodePNG(t, rgba16), format: "jpeg", c: 3, depth: 8, ow: 2 * w, oh: 2 * h, noteSubstr: "8 bits"},
		{name: "orientation 6 rotates", in: withOrientation(jb.Bytes(), 6), format: "png", c: 3, depth: 8, ow: 2 * h, oh: 2 * w},
		{name: "ICC kept (PNG)", in: withICCP(t, encodePNG(t, rgb), testICC("RGB ")), format: "png", c: 3, depth: 8, ow: 2 * w, oh: 2 * h, icc: testICC("RGB "), wantICC: true},
		{name: "ICC kept (gray to JPEG)", in: withICCP(t, encodePNG(t, gray8), testICC("GRAY")), format: "jpeg", c: 1, depth: 8, ow: 2 * w, oh: 2 * h, icc: testICC("GRAY"), wantICC: true},
	}
	p := newTestPipeline(t, Config{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, res := upscaleBytes(t, p, tt.in, Options{Format: tt.format})
			m, hdr := decodeOut(t, out)
			if m.W != tt.ow || m.H != tt.oh || m.C != tt.c || m.Depth != tt.depth {
				t.Fatalf("output %dx%d, %d channels, %d-bit; want %dx%d, %d channels, %d-bit", m.W, m.H, m.C, m.Depth, tt.ow, tt.oh, tt.c, tt.depth)
			}
			if string(hdr.Format) != tt.format {
				t.Errorf("output format %s, want %s", hdr.Format, tt.format)
			}
			if tt.wantICC && !bytes.Equal(m.ICC, tt.icc) {
				t.Errorf("ICC profile not carried: got %d bytes", len(m.ICC))
			}
			if tt.noteSubstr != "" && !bytes.Contains([]byte(joinNotes(res.Notes)), []byte(tt.noteSubstr)) {
				t.Errorf("notes %q lack %q", res.Notes, tt.noteSubstr)
			}
			if m.Depth == 16 {
				// a 16-bit path through the engine leaves values off the ×257 grid of 8-bit data
				off := 0
				for _, v := range m.Pix16 {
					if v%257 != 0 {
						off++
					}
				}
				if off < len(m.Pix16)/4 {
					t.Errorf("only %d of %d samples off the 8-bit grid: an 8-bit step?", off, len(m.Pix16))
				}
			}
		})
	}
}

func joinNotes(n []string) string {
	var b bytes.Buffer
	for _, s := range n {
		b.WriteString(s)
		b.WriteByte('\n')
	}
	return b.String()
}

// TestOrientationMatchesUpright checks an EXIF-rotated input gives the same
// output as the same pixels stored upright.
func TestOrientationMatchesUpright(t *testing.T) {
	rgb := image.NewNRGBA(image.Rect(0, 0, 30, 20))
	pattern(30, 20, func(x, y int, v float64) {
		rgb.SetNRGBA(x, y, color.NRGBA{uint8(v * 255), uint8(x * 7), uint8(y * 9), 255})
	})
	var jb bytes.Buffer
	if err := jpeg.Encode(&jb, rgb, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	for _, o := range []int{3, 6, 8} {
		rotated := withOrientation(jb.Bytes(), o)
		upright, _, err := decodeFile(bytes.NewReader(rotated))
		if err != nil {
			t.Fatal(err)
		}
		ur := image.NewNRGBA(image.Rect(0, 0, upright.W, upright.H))
		for i := 0; i < upright.W*upright.H; i++ {
			copy(ur.Pix[4*i:], upright.Pix8[3*i:3*i+3])
			ur.Pix[4*i+3] = 255
		}
		p := newTestPipeline(t, Config{})
		a, _ := upscaleBytes(t, p, rotated, Options{Model: "realesrgan-animevideov3-x2", Format: "png"})
		b, _ := upscaleBytes(t, p, encodePNG(t, ur), Options{Model: "realesrgan-animevideov3-x2", Format: "png"})
		ma, _ := decodeOut(t, a)
		mb, _ := decodeOut(t, b)
		if db := psnr(t, ma, mb); db < 80 {
			t.Errorf("orientation %d: %.1f dB against the upright input", o, db)
		}
	}
}
