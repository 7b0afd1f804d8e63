package hostile

import (
	"bytes"
	"encoding/binary"
)

// Decompression bombs built from real small files whose headers are patched
// to claim enormous sizes: every structure a header reader checks is
// present, only the dimensions lie.

// jpegClaiming patches the SOF0 frame header of jpg to w×h.
func jpegClaiming(jpg []byte, w, h int) []byte {
	out := append([]byte(nil), jpg...)
	i := bytes.Index(out, []byte{0xFF, 0xC0})
	if i < 0 {
		panic("hostile: no SOF0 in the encoder's JPEG")
	}
	binary.BigEndian.PutUint16(out[i+5:], uint16(h))
	binary.BigEndian.PutUint16(out[i+7:], uint16(w))
	return out
}

// gifClaiming patches the logical screen and the first image descriptor of
// gf to w×h.
func gifClaiming(gf []byte, w, h int) []byte {
	out := append([]byte(nil), gf...)
	binary.LittleEndian.PutUint16(out[6:], uint16(w))
	binary.LittleEndian.PutUint16(out[8:], uint16(h))
	i := 13
	if out[10]&0x80 != 0 {
		i += 3 << ((out[10] & 7) + 1)
	}
	for out[i] == 0x21 { // extension blocks: label, then sub-blocks
		i += 2
		for out[i] != 0 {
			i += int(out[i]) + 1
		}
		i++
	}
	if out[i] != 0x2C {
		panic("hostile: no image descriptor in the encoder's GIF")
	}
	binary.LittleEndian.PutUint16(out[i+5:], uint16(w))
	binary.LittleEndian.PutUint16(out[i+7:], uint16(h))
	return out
}

// vp8lClaiming is the VP8L chunk of the lossless file wp with its bitstream
// header patched to w×h (14 bits each, minus one).
func vp8lClaiming(wp []byte, w, h int) []byte {
	c := append([]byte(nil), webpLosslessChunkOf(wp)...)
	// chunk: "VP8L", size (4), signature 0x2F, then 32 bits of header.
	bits := binary.LittleEndian.Uint32(c[9:])
	bits = bits&^(1<<28-1) | uint32(w-1)&0x3FFF | (uint32(h-1)&0x3FFF)<<14
	binary.LittleEndian.PutUint32(c[9:], bits)
	return c
}

// webpVP8LClaiming is a simple-format lossless WebP claiming w×h.
func webpVP8LClaiming(wp []byte, w, h int) []byte {
	return riff(append([]byte("WEBP"), vp8lClaiming(wp, w, h)...))
}

// webpVP8XClaiming is an extended-format WebP whose canvas and bitstream
// both claim w×h.
func webpVP8XClaiming(wp []byte, w, h int) []byte {
	vp8x := []byte{0, 0, 0, 0}
	vp8x = append(vp8x, le24(w-1)...)
	vp8x = append(vp8x, le24(h-1)...)
	body := append([]byte("WEBP"), riffChunk("VP8X", vp8x)...)
	return riff(append(body, vp8lClaiming(wp, w, h)...))
}
