package imaging

import (
	"bytes"
	"compress/zlib"
	"errors"
	"image/jpeg"
	"testing"

	"github.com/chai2010/webp"
)

func iccpChunk(p []byte) chunk {
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(p)
	zw.Close()
	return chunk{"iCCP", append([]byte("test profile\x00\x00"), z.Bytes()...)}
}

// jpegICC splits a profile into APP2 ICC_PROFILE segments of at most n bytes.
func jpegICC(p []byte, n int, order []int) [][]byte {
	var parts [][]byte
	for i := 0; i < len(p); i += n {
		parts = append(parts, p[i:min(i+n, len(p))])
	}
	if order == nil {
		for i := range parts {
			order = append(order, i)
		}
	}
	var segs [][]byte
	for _, i := range order {
		d := append([]byte("ICC_PROFILE\x00"), byte(i+1), byte(len(parts)))
		segs = append(segs, jpegSegment(0xE2, append(d, parts[i]...)))
	}
	return segs
}

func TestDecodeICC(t *testing.T) {
	rgbICC := fakeICC("RGB ", 150000)
	grayICC := fakeICC("GRAY", 500)
	rgb := pattern8(16, 8, 3)
	var jb bytes.Buffer
	jpeg.Encode(&jb, stdImage(rgb), nil)
	var gb bytes.Buffer
	jpeg.Encode(&gb, stdImage(pattern8(16, 8, 1)), nil)
	lossless, _ := webp.EncodeLosslessRGB(stdImage(rgb))
	graySamples := make([]uint16, 16*8)
	rgbSamples := make([]uint16, 16*8*3)
	cases := []struct {
		name string
		data []byte
		want []byte // nil: profile dropped (colour space mismatch)
		err  error
	}{
		{"png-rgb", buildPNG(t, pngSpec{w: 16, h: 8, ct: 2, depth: 8, samples: rgbSamples, before: []chunk{iccpChunk(rgbICC)}}), rgbICC, nil},
		{"png-gray", buildPNG(t, pngSpec{w: 16, h: 8, ct: 0, depth: 8, samples: graySamples, before: []chunk{iccpChunk(grayICC)}}), grayICC, nil},
		{"png-gray-with-rgb-profile", buildPNG(t, pngSpec{w: 16, h: 8, ct: 0, depth: 8, samples: graySamples, before: []chunk{iccpChunk(rgbICC)}}), nil, nil},
		{"jpeg-3-chunks", jpegInsert(jb.Bytes(), jpegICC(rgbICC, 65519, nil)...), rgbICC, nil},
		{"jpeg-chunks-out-of-order", jpegInsert(jb.Bytes(), jpegICC(rgbICC, 65519, []int{2, 0, 1})...), rgbICC, nil},
		{"jpeg-gray", jpegInsert(gb.Bytes(), jpegICC(grayICC, 65519, nil)...), grayICC, nil},
		{"webp", webpContainer(t, []webpChunk{{"VP8X", []byte{webpFlagICC, 0, 0, 0, 15, 0, 0, 7, 0, 0}}, {"ICCP", rgbICC}, {"VP8L", lossless[20:]}}), rgbICC, nil},
		{"png-bad-zlib", buildPNG(t, pngSpec{w: 16, h: 8, ct: 0, depth: 8, samples: graySamples, before: []chunk{{"iCCP", []byte("p\x00\x00garbage")}}}), nil, ErrCorrupt},
		{"png-no-acsp", buildPNG(t, pngSpec{w: 16, h: 8, ct: 0, depth: 8, samples: graySamples, before: []chunk{iccpChunk(make([]byte, 300))}}), nil, ErrCorrupt},
		{"jpeg-missing-chunk", jpegInsert(jb.Bytes(), jpegICC(rgbICC, 65519, []int{0, 2})...), nil, ErrCorrupt},
		{"jpeg-short-profile", jpegInsert(jb.Bytes(), jpegICC(rgbICC[:100], 65519, nil)...), nil, ErrCorrupt},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, err := DecodeConfig(bytes.NewReader(tc.data))
			if err != nil {
				t.Fatal(err)
			}
			if !h.HasICC {
				t.Fatal("HasICC false")
			}
			img, _, err := Decode(bytes.NewReader(tc.data), Limits{})
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("err %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(img.ICC, tc.want) {
				t.Fatalf("ICC %d bytes, want %d", len(img.ICC), len(tc.want))
			}
		})
	}
}
