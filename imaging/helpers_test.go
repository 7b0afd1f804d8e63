package imaging

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"testing"
)

// chunk is a PNG chunk for buildPNG.
type chunk struct {
	typ  string
	data []byte
}

func pngChunk(typ string, data []byte) []byte {
	var b bytes.Buffer
	binary.Write(&b, binary.BigEndian, uint32(len(data)))
	b.WriteString(typ)
	b.Write(data)
	crc := crc32.NewIEEE()
	crc.Write([]byte(typ))
	crc.Write(data)
	binary.Write(&b, binary.BigEndian, crc.Sum32())
	return b.Bytes()
}

// pngSpec describes a PNG built byte by byte (filter type 0 rows).
type pngSpec struct {
	w, h      int
	ct, depth byte
	interlace bool
	samples   []uint16 // per sample, row-major, unpacked (palette index for ct 3)
	before    []chunk  // ancillary chunks between IHDR and IDAT
}

var pngChannels = map[byte]int{0: 1, 2: 3, 3: 1, 4: 2, 6: 4}

func buildPNG(t testing.TB, s pngSpec) []byte {
	t.Helper()
	var out bytes.Buffer
	out.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], uint32(s.w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(s.h))
	ihdr[8], ihdr[9] = s.depth, s.ct
	if s.interlace {
		ihdr[12] = 1
	}
	out.Write(pngChunk("IHDR", ihdr))
	for _, c := range s.before {
		out.Write(pngChunk(c.typ, c.data))
	}
	c := pngChannels[s.ct]
	var raw bytes.Buffer
	pass := func(x0, y0, dx, dy int) {
		for y := y0; y < s.h; y += dy {
			var row []uint16
			for x := x0; x < s.w; x += dx {
				row = append(row, s.samples[(y*s.w+x)*c:(y*s.w+x+1)*c]...)
			}
			if len(row) == 0 {
				continue
			}
			raw.WriteByte(0)
			raw.Write(packSamples(row, s.depth))
		}
	}
	if s.interlace {
		for _, p := range [][4]int{{0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8}, {2, 0, 4, 4}, {0, 2, 2, 4}, {1, 0, 2, 2}, {0, 1, 1, 2}} {
			pass(p[0], p[1], p[2], p[3])
		}
	} else {
		pass(0, 0, 1, 1)
	}
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(raw.Bytes())
	zw.Close()
	out.Write(pngChunk("IDAT", z.Bytes()))
	out.Write(pngChunk("IEND", nil))
	return out.Bytes()
}

func packSamples(v []uint16, depth byte) []byte {
	switch depth {
	case 16:
		b := make([]byte, 2*len(v))
		for i, s := range v {
			binary.BigEndian.PutUint16(b[2*i:], s)
		}
		return b
	case 8:
		b := make([]byte, len(v))
		for i, s := range v {
			b[i] = byte(s)
		}
		return b
	}
	per := 8 / int(depth)
	b := make([]byte, (len(v)+per-1)/per)
	for i, s := range v {
		b[i/per] |= byte(s) << (8 - int(depth)*(i%per+1))
	}
	return b
}

// exifTIFF is a TIFF block holding only the orientation tag.
func exifTIFF(o int, big bool) []byte {
	var bo binary.AppendByteOrder = binary.LittleEndian
	b := []byte("II*\x00")
	if big {
		bo, b = binary.BigEndian, []byte("MM\x00*")
	}
	b = bo.AppendUint32(b, 8)
	b = bo.AppendUint16(b, 1)
	b = bo.AppendUint16(b, 0x0112)
	b = bo.AppendUint16(b, 3)
	b = bo.AppendUint32(b, 1)
	b = bo.AppendUint16(b, uint16(o))
	b = bo.AppendUint16(b, 0)
	return bo.AppendUint32(b, 0)
}

// jpegInsert puts segments right after SOI.
func jpegInsert(j []byte, segs ...[]byte) []byte {
	out := append([]byte(nil), j[:2]...)
	for _, s := range segs {
		out = append(out, s...)
	}
	return append(out, j[2:]...)
}

func jpegSegment(marker byte, data []byte) []byte {
	b := []byte{0xFF, marker, 0, 0}
	binary.BigEndian.PutUint16(b[2:], uint16(len(data)+2))
	return append(b, data...)
}

// fakeICC is a structurally valid ICC profile of n bytes for colour space cs.
func fakeICC(cs string, n int) []byte {
	p := make([]byte, n)
	binary.BigEndian.PutUint32(p, uint32(n))
	copy(p[12:], "mntr")
	copy(p[16:], cs)
	copy(p[20:], "XYZ ")
	copy(p[36:], "acsp")
	for i := 132; i < n; i++ {
		p[i] = byte(i * 7)
	}
	return p
}

// pattern8 fills an 8-bit image with a smooth, position-coded pattern.
func pattern8(w, h, c int) *Image {
	m, _ := NewImage(w, h, c, 8)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			for k := 0; k < c; k++ {
				v := min(x*150/max(w-1, 1)+y*70/max(h-1, 1)+k*30, 255)
				if c%2 == 0 && k == c-1 {
					v = 255 - (x * 200 / max(w-1, 1)) // alpha ramp
				}
				m.Pix8[(y*w+x)*c+k] = uint8(v)
			}
		}
	}
	return m
}

// pattern16 fills a 16-bit image with values using the full 16-bit range.
func pattern16(w, h, c int) *Image {
	m, _ := NewImage(w, h, c, 16)
	for i := range m.Pix16 {
		m.Pix16[i] = uint16((i*40503 + i/c*257) & 0xFFFF)
	}
	return m
}

// ptr returns a pointer to v (for optional options such as Effort).
func ptr[T any](v T) *T { return &v }
