package imaging

import (
	"bytes"
	"image/jpeg"
	"testing"

	"github.com/chai2010/webp"
)

// TestOrientationPNG checks all eight EXIF orientations by pixel position,
// against where the EXIF specification puts the stored 0th row and column.
func TestOrientationPNG(t *testing.T) {
	const w, h = 3, 2 // stored size
	stored := make([]uint16, w*h)
	for i := range stored {
		stored[i] = uint16(10 * (i + 1)) // stored(x,y) = 10*(y*w+x+1)
	}
	at := func(x, y int) uint16 { return stored[y*w+x] }
	cases := []struct {
		o          int
		dw, dh     int
		tl, second [2]int // stored (x,y) shown at display (0,0) and (1,0)
	}{
		{1, 3, 2, [2]int{0, 0}, [2]int{1, 0}},         // row 0 top, col 0 left
		{2, 3, 2, [2]int{w - 1, 0}, [2]int{w - 2, 0}}, // row 0 top, col 0 right
		{3, 3, 2, [2]int{w - 1, h - 1}, [2]int{w - 2, h - 1}},
		{4, 3, 2, [2]int{0, h - 1}, [2]int{1, h - 1}},
		{5, 2, 3, [2]int{0, 0}, [2]int{0, 1}},         // row 0 left, col 0 top
		{6, 2, 3, [2]int{0, h - 1}, [2]int{0, h - 2}}, // row 0 right, col 0 top
		{7, 2, 3, [2]int{w - 1, h - 1}, [2]int{w - 1, h - 2}},
		{8, 2, 3, [2]int{w - 1, 0}, [2]int{w - 1, 1}}, // row 0 left, col 0 bottom
	}
	for _, tc := range cases {
		for _, big := range []bool{false, true} {
			t.Run(string(rune('0'+tc.o))+map[bool]string{false: "-II", true: "-MM"}[big], func(t *testing.T) {
				data := buildPNG(t, pngSpec{w: w, h: h, ct: 0, depth: 8, samples: stored,
					before: []chunk{{"eXIf", exifTIFF(tc.o, big)}}})
				img, hd, err := Decode(bytes.NewReader(data), Limits{})
				if err != nil {
					t.Fatal(err)
				}
				if hd.Orientation != tc.o || hd.Width != w {
					t.Fatalf("header %+v", hd)
				}
				if img.W != tc.dw || img.H != tc.dh {
					t.Fatalf("size %dx%d, want %dx%d", img.W, img.H, tc.dw, tc.dh)
				}
				if ow, oh := hd.OrientedSize(); ow != img.W || oh != img.H {
					t.Fatalf("OrientedSize %dx%d", ow, oh)
				}
				if got, want := uint16(img.Pix8[0]), at(tc.tl[0], tc.tl[1]); got != want {
					t.Errorf("display (0,0) = %d, want stored %v = %d", got, tc.tl, want)
				}
				if got, want := uint16(img.Pix8[1]), at(tc.second[0], tc.second[1]); got != want {
					t.Errorf("display (1,0) = %d, want stored %v = %d", got, tc.second, want)
				}
				// Every stored pixel appears exactly once.
				seen := map[uint8]int{}
				for _, v := range img.Pix8 {
					seen[v]++
				}
				if len(seen) != w*h {
					t.Errorf("pixels not a permutation: %v", img.Pix8)
				}
			})
		}
	}
}

// bright16 is a 64x32 RGB image, dark except a bright 16x16 block at the
// stored top-left corner.
func bright16() *Image {
	m, _ := NewImage(64, 32, 3, 8)
	for y := 0; y < 16; y++ {
		for x := 0; x < 16; x++ {
			copy(m.Pix8[(y*64+x)*3:], []uint8{250, 250, 250})
		}
	}
	return m
}

// TestOrientationJPEGWebP: orientation 6 puts the stored top-left corner at
// the displayed top-right.
func TestOrientationJPEGWebP(t *testing.T) {
	src := bright16()
	var jb bytes.Buffer
	if err := jpeg.Encode(&jb, stdImage(src), &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	jpg := jpegInsert(jb.Bytes(), jpegSegment(0xE1, append([]byte("Exif\x00\x00"), exifTIFF(6, true)...)))
	lossless, err := webp.EncodeLosslessRGB(stdImage(src))
	if err != nil {
		t.Fatal(err)
	}
	wp := webpContainer(t, []webpChunk{
		{"VP8X", []byte{webpFlagEXIF, 0, 0, 0, 63, 0, 0, 31, 0, 0}},
		{"VP8L", lossless[20:]},
		{"EXIF", append([]byte("Exif\x00\x00"), exifTIFF(6, false)...)},
	})
	for name, data := range map[string][]byte{"jpeg": jpg, "webp": wp} {
		t.Run(name, func(t *testing.T) {
			img, h, err := Decode(bytes.NewReader(data), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if h.Orientation != 6 || img.W != 32 || img.H != 64 {
				t.Fatalf("orientation %d, size %dx%d", h.Orientation, img.W, img.H)
			}
			tr := img.Pix8[(4*32+27)*3] // display top-right region
			tl := img.Pix8[(4*32+4)*3]
			if tr < 200 || tl > 50 {
				t.Fatalf("top-right %d, top-left %d: corner not rotated to the top-right", tr, tl)
			}
		})
	}
}

func TestOrientFunctionIdentity(t *testing.T) {
	m := pattern8(5, 3, 2)
	inv := map[int]int{1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 6: 8, 7: 7, 8: 6}
	for o := 1; o <= 8; o++ {
		back := Orient(Orient(m, o), inv[o])
		if back.W != m.W || !bytes.Equal(back.Pix8, m.Pix8) {
			t.Errorf("orientation %d then its inverse is not the identity", o)
		}
	}
}
