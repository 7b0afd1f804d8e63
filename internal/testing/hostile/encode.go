package hostile

import (
	"bytes"
	"compress/zlib"
	"image"

	"github.com/chai2010/webp"
)

func zlibCompress(raw []byte) []byte {
	var b bytes.Buffer
	zw := zlib.NewWriter(&b)
	zw.Write(raw)
	zw.Close()
	return b.Bytes()
}

func webpLossless(img image.Image) []byte {
	data, err := webp.EncodeLosslessRGBA(img)
	if err != nil {
		panic(err) // in-memory encoding of a valid image cannot fail
	}
	return data
}

// webpLosslessChunk is the VP8L chunk of a lossless encoding of img.
func webpLosslessChunk(img image.Image) []byte {
	return webpLosslessChunkOf(webpLossless(img))
}

// webpLosslessChunkOf is the VP8L chunk of the lossless WebP file data.
func webpLosslessChunkOf(data []byte) []byte {
	i := bytes.Index(data, []byte("VP8L"))
	return data[i:]
}
