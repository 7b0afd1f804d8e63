package hostile

import (
	"bytes"
	"embed"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/color/palette"
	"image/gif"
	"image/jpeg"
	"image/png"
	"strings"
	"sync"

	"golang.org/x/image/bmp"
)

//go:embed fixtures/*.jpg
var fixtures embed.FS

// Outcome is the documented answer to a case.
type Outcome int

const (
	// OK: upscaled normally (200).
	OK Outcome = iota
	// Unsupported: not an image we read (415).
	Unsupported
	// Corrupt: claims a known format but cannot be decoded (422).
	Corrupt
	// TooLarge: pixels over the limit, rejected from the header (413).
	TooLarge
	// Animated: more than one frame (415).
	Animated
)

// Status is the HTTP status the API answers with.
func (o Outcome) Status() int {
	return [...]int{200, 415, 422, 413, 415}[o]
}

// Case is one hostile input.
type Case struct {
	Name        string // short id
	FileName    string // upload file name
	ContentType string // multipart part / raw body content type
	Data        []byte
	Want        Outcome
	// WantW, WantH are the input dimensions after EXIF orientation, for OK
	// cases (the output is these × the model scale).
	WantW, WantH int
	// StdDecodes marks Corrupt cases whose defect (in metadata) the Go
	// standard decoders ignore.
	StdDecodes bool
}

var (
	casesOnce sync.Once
	cases     []Case
)

// Cases returns the corpus (built once; the caller may modify the slice).
// Sizes stay small (≤ 64×64 decoded) except the bombs, which the server must
// refuse from their headers.
func Cases() []Case {
	casesOnce.Do(func() { cases = build() })
	return append([]Case(nil), cases...)
}

func build() []Case {
	var cs []Case
	add := func(c Case) { cs = append(cs, c) }
	good := pngOf(gradient(24, 16))
	jpg := jpegOf(gradient(24, 16))
	gf := gifOf(gradient(24, 16))
	wp := webpLossless(gradient(24, 16))

	// Non-images and empty input.
	add(Case{Name: "empty", FileName: "empty.png", ContentType: "image/png", Data: nil, Want: Unsupported})
	add(Case{Name: "text", FileName: "notes.png", ContentType: "image/png", Data: []byte("hello, this is not an image\n"), Want: Unsupported})
	add(Case{Name: "html", FileName: "page.jpg", ContentType: "image/jpeg", Data: []byte("<!doctype html><html><script>alert(1)</script></html>"), Want: Unsupported})
	add(Case{Name: "pdf", FileName: "doc.png", ContentType: "application/pdf", Data: []byte("%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF"), Want: Unsupported})
	add(Case{Name: "zip", FileName: "pages.zip", ContentType: "application/zip", Data: []byte("PK\x03\x04\x14\x00\x00\x00\x00\x00"), Want: Unsupported})
	add(Case{Name: "elf", FileName: "a.out.png", ContentType: "image/png", Data: []byte("\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00"), Want: Unsupported})
	add(Case{Name: "svg", FileName: "vector.svg", ContentType: "image/svg+xml", Data: []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>`), Want: Unsupported})

	// Truncated and corrupt files of every format.
	add(Case{Name: "png-signature-only", FileName: "sig.png", ContentType: "image/png", Data: good[:8], Want: Corrupt})
	add(Case{Name: "png-truncated-header", FileName: "t1.png", ContentType: "image/png", Data: good[:20], Want: Corrupt})
	add(Case{Name: "png-truncated-data", FileName: "t2.png", ContentType: "image/png", Data: good[:len(good)/2], Want: Corrupt})
	add(Case{Name: "png-bad-crc", FileName: "crc.png", ContentType: "image/png", Data: flip(good, 30), Want: Corrupt})
	add(Case{Name: "png-garbage-idat", FileName: "idat.png", ContentType: "image/png", Data: corruptIDAT(good), Want: Corrupt})
	add(Case{Name: "jpeg-truncated", FileName: "t.jpg", ContentType: "image/jpeg", Data: jpg[:len(jpg)/2], Want: Corrupt})
	add(Case{Name: "jpeg-soi-only", FileName: "soi.jpg", ContentType: "image/jpeg", Data: []byte{0xFF, 0xD8, 0xFF}, Want: Corrupt})
	add(Case{Name: "jpeg-garbage", FileName: "g.jpg", ContentType: "image/jpeg", Data: append([]byte{0xFF, 0xD8, 0xFF, 0xE0}, bytes.Repeat([]byte{0x5A}, 200)...), Want: Corrupt})
	add(Case{Name: "gif-truncated", FileName: "t.gif", ContentType: "image/gif", Data: gf[:len(gf)/2], Want: Corrupt})
	add(Case{Name: "webp-truncated", FileName: "t.webp", ContentType: "image/webp", Data: wp[:len(wp)/2], Want: Corrupt})
	add(Case{Name: "webp-riff-only", FileName: "riff.webp", ContentType: "image/webp", Data: []byte("RIFF\x04\x00\x00\x00WEBP"), Want: Corrupt})
	add(Case{Name: "bmp-truncated", FileName: "t.bmp", ContentType: "image/bmp", Data: bmpOf(gradient(24, 16))[:40], Want: Corrupt})

	// Decompression bombs: headers claiming enormous sizes, and a real,
	// highly compressible image over the pixel limit.
	add(Case{Name: "png-header-100000x100000", FileName: "bomb.png", ContentType: "image/png", Data: pngHeaderOnly(100000, 100000), Want: TooLarge})
	add(Case{Name: "jpeg-header-65535x65535", FileName: "bomb.jpg", ContentType: "image/jpeg", Data: jpegClaiming(jpg, 65535, 65535), Want: TooLarge})
	// A frame header claiming 65535×65535, then the end of the image: no
	// scan at all, so the header itself is incomplete (422, not 413).
	add(Case{Name: "jpeg-sof-then-eoi-65535x65535", FileName: "bomb2.jpg", ContentType: "image/jpeg", Data: jpegHeaderOnly(65535, 65535), Want: Corrupt})
	add(Case{Name: "gif-header-65535x65535", FileName: "bomb.gif", ContentType: "image/gif", Data: gifClaiming(gf, 65535, 65535), Want: TooLarge})
	add(Case{Name: "webp-vp8x-16383x16383", FileName: "bomb.webp", ContentType: "image/webp", Data: webpVP8XClaiming(wp, 16383, 16383), Want: TooLarge})
	add(Case{Name: "webp-vp8l-16384x16384", FileName: "bomb2.webp", ContentType: "image/webp", Data: webpVP8LClaiming(wp, 16384, 16384), Want: TooLarge})
	add(Case{Name: "png-uniform-9000x9000", FileName: "uniform.png", ContentType: "image/png", Data: uniformPNG(9000, 9000), Want: TooLarge})

	// Giant metadata around a valid small image.
	add(Case{Name: "png-8MiB-text-chunk", FileName: "meta.png", ContentType: "image/png", Data: insertChunk(good, "tEXt", append([]byte("Comment\x00"), bytes.Repeat([]byte("x"), 8<<20)...)), Want: OK, WantW: 24, WantH: 16})
	add(Case{Name: "jpeg-100-comment-segments", FileName: "meta.jpg", ContentType: "image/jpeg", Data: jpegWithComments(jpg, 100), Want: OK, WantW: 24, WantH: 16})

	// Animations.
	add(Case{Name: "gif-animated", FileName: "anim.gif", ContentType: "image/gif", Data: animatedGIF(), Want: Animated})
	add(Case{Name: "webp-animated", FileName: "anim.webp", ContentType: "image/webp", Data: animatedWebP(), Want: Animated})

	// Valid but unusual encodings.
	prog, _ := fixtures.ReadFile("fixtures/progressive.jpg")
	cmyk, _ := fixtures.ReadFile("fixtures/cmyk.jpg")
	add(Case{Name: "jpeg-progressive", FileName: "prog.jpg", ContentType: "image/jpeg", Data: prog, Want: OK, WantW: 64, WantH: 48})
	add(Case{Name: "jpeg-cmyk", FileName: "cmyk.jpg", ContentType: "image/jpeg", Data: cmyk, Want: OK, WantW: 64, WantH: 48})
	add(Case{Name: "png-16bit", FileName: "deep.png", ContentType: "image/png", Data: pngOf(gradient16(20, 12)), Want: OK, WantW: 20, WantH: 12})
	add(Case{Name: "png-palette", FileName: "pal.png", ContentType: "image/png", Data: pngOf(paletted(20, 12, false)), Want: OK, WantW: 20, WantH: 12})
	add(Case{Name: "png-palette-trns", FileName: "paltrns.png", ContentType: "image/png", Data: pngOf(paletted(20, 12, true)), Want: OK, WantW: 20, WantH: 12})
	add(Case{Name: "png-interlaced", FileName: "adam7.png", ContentType: "image/png", Data: interlacedPNG(gradient(17, 13)), Want: OK, WantW: 17, WantH: 13})
	add(Case{Name: "png-gray-alpha", FileName: "ga.png", ContentType: "image/png", Data: pngOf(grayAlpha(16, 16)), Want: OK, WantW: 16, WantH: 16})
	add(Case{Name: "png-1x1", FileName: "dot.png", ContentType: "image/png", Data: pngOf(gradient(1, 1)), Want: OK, WantW: 1, WantH: 1})
	add(Case{Name: "gif-still", FileName: "still.gif", ContentType: "image/gif", Data: gf, Want: OK, WantW: 24, WantH: 16})
	add(Case{Name: "bmp", FileName: "bitmap.bmp", ContentType: "image/bmp", Data: bmpOf(gradient(24, 16)), Want: OK, WantW: 24, WantH: 16})
	add(Case{Name: "webp-lossless", FileName: "ll.webp", ContentType: "image/webp", Data: wp, Want: OK, WantW: 24, WantH: 16})
	add(Case{Name: "png-named-jpg", FileName: "really-a-png.jpg", ContentType: "image/jpeg", Data: good, Want: OK, WantW: 24, WantH: 16})
	add(Case{Name: "jpeg-as-octet-stream", FileName: "blob.bin", ContentType: "application/octet-stream", Data: jpg, Want: OK, WantW: 24, WantH: 16})

	// Every EXIF orientation (a 24×16 JPEG: 5..8 swap width and height).
	for o := 1; o <= 8; o++ {
		w, h := 24, 16
		if o >= 5 {
			w, h = 16, 24
		}
		add(Case{Name: "jpeg-exif-orientation-" + string(rune('0'+o)), FileName: "orient.jpg", ContentType: "image/jpeg", Data: jpegWithOrientation(jpg, o), Want: OK, WantW: w, WantH: h})
	}

	// Broken ICC profiles: refused as corrupt (imaging never guesses colours
	// from a damaged profile); the standard decoders, which ignore ICC, read
	// the pixels.
	add(Case{Name: "png-broken-iccp", FileName: "icc.png", ContentType: "image/png", Data: insertChunk(good, "iCCP", []byte("junk\x00\x00not-zlib-data")), Want: Corrupt, StdDecodes: true})
	add(Case{Name: "jpeg-broken-icc-app2", FileName: "icc.jpg", ContentType: "image/jpeg", Data: jpegWithSegment(jpg, 0xE2, append([]byte("ICC_PROFILE\x00\x02\x01"), bytes.Repeat([]byte{0xAB}, 64)...)), Want: Corrupt, StdDecodes: true})
	return cs
}

// Names are dangerous upload file names for job submissions; each must be
// stored and served sanitised (no path, no control bytes, valid UTF-8, bounded).
func Names() []string {
	return []string{
		"../../etc/passwd.png",
		`..\..\windows\system32\evil.png`,
		"/absolute/path/page.png",
		"nul\x00byte.png",
		"new\nline\r.png",
		strings.Repeat("long", 300) + ".png",
		"non-utf8-\xff\xfe.png",
		"ünïcödé ページ.png",
		".hidden.png",
		"",
	}
}

func gradient(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.SetNRGBA(x, y, color.NRGBA{uint8(x * 255 / max(w-1, 1)), uint8(y * 255 / max(h-1, 1)), uint8((x + y) * 7), 255})
		}
	}
	return img
}

func gradient16(w, h int) *image.NRGBA64 {
	img := image.NewNRGBA64(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.SetNRGBA64(x, y, color.NRGBA64{uint16(x * 3000), uint16(y * 5000), 40000, 0xFFFF})
		}
	}
	return img
}

func grayAlpha(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			v := uint8(x * 16)
			img.SetNRGBA(x, y, color.NRGBA{v, v, v, uint8(y * 16)})
		}
	}
	return img
}

func paletted(w, h int, transparent bool) *image.Paletted {
	pal := append(color.Palette{}, palette.Plan9[:16]...)
	if transparent {
		pal[0] = color.NRGBA{0, 0, 0, 0}
	}
	img := image.NewPaletted(image.Rect(0, 0, w, h), pal)
	for i := range img.Pix {
		img.Pix[i] = uint8(i % 16)
	}
	return img
}

func pngOf(img image.Image) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		panic(err) // in-memory encoding of a valid image cannot fail
	}
	return b.Bytes()
}

func jpegOf(img image.Image) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 90}); err != nil {
		panic(err)
	}
	return b.Bytes()
}

func gifOf(img image.Image) []byte {
	var b bytes.Buffer
	if err := gif.Encode(&b, img, nil); err != nil {
		panic(err)
	}
	return b.Bytes()
}

func bmpOf(img image.Image) []byte {
	var b bytes.Buffer
	if err := bmp.Encode(&b, img); err != nil {
		panic(err)
	}
	return b.Bytes()
}

func flip(data []byte, at int) []byte {
	out := append([]byte(nil), data...)
	out[at] ^= 0xFF
	return out
}

func be32(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }

func chunk(typ string, data []byte) []byte {
	out := append(be32(uint32(len(data))), typ...)
	out = append(out, data...)
	crc := crc32.ChecksumIEEE(append([]byte(typ), data...))
	return append(out, be32(crc)...)
}

// insertChunk puts a chunk right after IHDR (signature 8 + IHDR 25 bytes).
func insertChunk(png []byte, typ string, data []byte) []byte {
	out := append([]byte(nil), png[:33]...)
	out = append(out, chunk(typ, data)...)
	return append(out, png[33:]...)
}

func corruptIDAT(png []byte) []byte {
	i := bytes.Index(png, []byte("IDAT"))
	n := int(binary.BigEndian.Uint32(png[i-4:]))
	data := bytes.Repeat([]byte{0xEE}, n)
	out := append([]byte(nil), png[:i-4]...)
	out = append(out, chunk("IDAT", data)...)
	return append(out, png[i+4+n+4:]...)
}

func ihdr(w, h int, depth, colorType byte, interlace byte) []byte {
	d := append(be32(uint32(w)), be32(uint32(h))...)
	d = append(d, depth, colorType, 0, 0, interlace)
	return chunk("IHDR", d)
}

func pngHeaderOnly(w, h int) []byte {
	out := []byte("\x89PNG\r\n\x1a\n")
	out = append(out, ihdr(w, h, 8, 2, 0)...)
	out = append(out, chunk("IDAT", []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01})...)
	return append(out, chunk("IEND", nil)...)
}

func jpegHeaderOnly(w, h int) []byte {
	sof := []byte{0xFF, 0xC0, 0, 17, 8, byte(h >> 8), byte(h), byte(w >> 8), byte(w), 3,
		1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1}
	out := []byte{0xFF, 0xD8}
	out = append(out, sof...)
	return append(out, 0xFF, 0xD9)
}

func le24(v int) []byte { return []byte{byte(v), byte(v >> 8), byte(v >> 16)} }

func riffChunk(typ string, data []byte) []byte {
	out := append([]byte(typ), binary.LittleEndian.AppendUint32(nil, uint32(len(data)))...)
	out = append(out, data...)
	if len(data)%2 == 1 {
		out = append(out, 0)
	}
	return out
}

func riff(body []byte) []byte {
	out := append([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(len(body)))...)
	return append(out, body...)
}

func uniformPNG(w, h int) []byte {
	img := image.NewGray(image.Rect(0, 0, w, h))
	var b bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&b, img); err != nil {
		panic(err)
	}
	return b.Bytes()
}

func jpegWithSegment(jpg []byte, marker byte, payload []byte) []byte {
	seg := []byte{0xFF, marker, byte((len(payload) + 2) >> 8), byte(len(payload) + 2)}
	out := append([]byte(nil), jpg[:2]...)
	out = append(out, seg...)
	out = append(out, payload...)
	return append(out, jpg[2:]...)
}

func jpegWithComments(jpg []byte, n int) []byte {
	out := jpg
	for i := 0; i < n; i++ {
		out = jpegWithSegment(out, 0xFE, bytes.Repeat([]byte("c"), 60000))
	}
	return out
}

// jpegWithOrientation inserts an APP1 Exif segment with one IFD0 entry.
func jpegWithOrientation(jpg []byte, o int) []byte {
	tiff := []byte("MM\x00\x2A\x00\x00\x00\x08")
	tiff = append(tiff, 0, 1)                         // one entry
	tiff = append(tiff, 0x01, 0x12, 0, 3, 0, 0, 0, 1) // Orientation, SHORT, count 1
	tiff = append(tiff, 0, byte(o), 0, 0)
	tiff = append(tiff, 0, 0, 0, 0) // no next IFD
	return jpegWithSegment(jpg, 0xE1, append([]byte("Exif\x00\x00"), tiff...))
}

func interlacedPNG(img *image.NRGBA) []byte {
	// Encode non-interlaced with the standard library, then re-encode the raw
	// scanlines in Adam7 order by hand.
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	var raw bytes.Buffer
	passes := [7][4]int{{0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8}, {2, 0, 4, 4}, {0, 2, 2, 4}, {1, 0, 2, 2}, {0, 1, 1, 2}}
	for _, p := range passes {
		for y := p[1]; y < h; y += p[3] {
			if p[0] >= w {
				break
			}
			raw.WriteByte(0)
			for x := p[0]; x < w; x += p[2] {
				c := img.NRGBAAt(x, y)
				raw.Write([]byte{c.R, c.G, c.B, c.A})
			}
		}
	}
	out := []byte("\x89PNG\r\n\x1a\n")
	out = append(out, ihdr(w, h, 8, 6, 1)...)
	out = append(out, chunk("IDAT", zlibCompress(raw.Bytes()))...)
	return append(out, chunk("IEND", nil)...)
}

func animatedGIF() []byte {
	a := &gif.GIF{}
	for i := 0; i < 2; i++ {
		p := image.NewPaletted(image.Rect(0, 0, 8, 8), palette.Plan9)
		for j := range p.Pix {
			p.Pix[j] = uint8(i * 40)
		}
		a.Image = append(a.Image, p)
		a.Delay = append(a.Delay, 10)
	}
	var b bytes.Buffer
	if err := gif.EncodeAll(&b, a); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// animatedWebP is a VP8X container with the animation flag, ANIM and two
// ANMF frames holding a lossless 1×1 bitstream each.
func animatedWebP() []byte {
	vp8x := []byte{0x02, 0, 0, 0}
	vp8x = append(vp8x, le24(0)...)
	vp8x = append(vp8x, le24(0)...)
	body := append([]byte("WEBP"), riffChunk("VP8X", vp8x)...)
	body = append(body, riffChunk("ANIM", []byte{0, 0, 0, 0, 0, 0})...)
	frame := webpLosslessChunk(gradient(1, 1))
	for i := 0; i < 2; i++ {
		anmf := append(le24(0), le24(0)...)
		anmf = append(anmf, le24(0)...)
		anmf = append(anmf, le24(0)...)
		anmf = append(anmf, le24(100)...)
		anmf = append(anmf, 0)
		anmf = append(anmf, frame...)
		body = append(body, riffChunk("ANMF", anmf)...)
	}
	return riff(body)
}
