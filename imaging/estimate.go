package imaging

import "runtime"

// Fixed allocations of a decode beside the pixel buffers (bytes): sniff
// and scratch buffers, the stdlib decoders' bufio, zlib/LZW state,
// Huffman tables.
const decodeFixedBytes = 192 << 10

// DecodeBytes is the host memory (bytes) Decode allocates for an image with
// header h, summed over its lifetime (so at least its peak): the header
// bytes kept for replay, the decoder's own buffers (libjpeg's row buffers
// and progressive coefficients, PNG interlace passes, palette indices),
// the converted Image, the orientation copy, and for WebP the whole file
// plus libwebp's C buffers. The encoded input held by the caller is not
// included. A Header not made by DecodeConfig gets a worst-case figure.
func DecodeBytes(h Header) int64 {
	px := int64(h.Width) * int64(h.Height)
	bps := int64(1)
	if h.Depth == 16 {
		bps = 2
	}
	c := int64(max(h.Channels, 1))
	out := px * c * bps
	e := h.est
	if !e.known {
		// Worst case over formats: a progressive 4:4:4 JPEG-like decoder
		// (planes + coefficients) or an interlaced 16-bit RGBA PNG.
		return decodeFixedBytes + px*(3+12+4) + 3*out + px*4*bps*2
	}
	n := int64(decodeFixedBytes) + 3*e.headBytes
	switch h.Format {
	case PNG:
		dec := px * int64(max(e.decodedSamples, 1)) * bps
		if e.interlaced {
			dec *= 2 // seven pass images, then the merged image
		}
		n += dec + 2*(int64(h.Width)*8*bps+1) // two filter rows
		if e.paletted || h.Depth == 16 {
			n += out // expanded or converted to uint16
		}
	case JPEG:
		// libjpeg decodes into the Image; beside it: the input buffer,
		// its MCU-row buffers (and the upsampling context rows), for a
		// progressive file every DCT coefficient (2 bytes each), for
		// CMYK a band of 4-sample rows.
		n += out + int64(jpegFeedBytes)*2 + e.planeBytes
		if e.progressive {
			n += e.coefBytes
		}
		if e.comps == 4 {
			n += int64(jpegBandRows) * int64(h.Width) * 4
		}
	case GIF:
		n += px + 2*out // frame indices, expanded frame, screen canvas
	case BMP:
		n += px * int64(max(e.decodedSamples, 1))
		if e.paletted {
			n += out
		}
	case WebP:
		// The whole file is the recorded header; then the Go copy of the
		// pixels and libwebp's output plus work buffers (C heap).
		n += out + webpDecodeCBytes(h)
	default:
		n += 4 * out
	}
	if h.Orientation >= 2 && h.Orientation <= 8 {
		n += out
	}
	return n
}

// webpDecodeCBytes estimates libwebp's C heap while decoding: the output
// buffer, plus for lossless the ARGB image and its transform buffers, for
// lossy the alpha plane and row caches.
func webpDecodeCBytes(h Header) int64 {
	px := int64(h.Width) * int64(h.Height)
	n := px*int64(h.Channels) + 1<<20
	if h.est.lossless {
		return n + 8*px
	}
	return n + px + 64*int64(h.Width)
}

// flateWriterBytes is the size of one klauspost/compress/flate writer at
// its largest level (measured 0.8–1.4 MB over the levels effort selects).
const flateWriterBytes = 1440 << 10

// webpEncodeCBytesPerPixel is libwebp's peak C heap per pixel while
// encoding, beside the picture, over lossy/lossless and RGB/RGBA (bounded
// by the ≤ 28 B/px peak RSS growth measured on 2000×2000 noise and page
// images when the whole RGB(A) image was also held).
const webpEncodeCBytesPerPixel = 28

// EncoderBytes is the host memory (bytes) an encoder for a width×height
// image holds at most, independent of height for PNG and JPEG: for PNG
// the row-group buffers of GOMAXPROCS workers, recycled between groups,
// and the compressed groups awaiting output; for JPEG a band of rows and
// libjpeg's buffers; for WebP libwebp's picture of the whole image (ARGB
// at most: 4 bytes per pixel), a band of converted rows, the encoded file
// and libwebp's working memory.
func EncoderBytes(f Format, width, height, channels, depth int) int64 {
	workers := int64(runtime.GOMAXPROCS(0))
	w, h := int64(width), int64(height)
	switch f {
	case PNG:
		rb := w * int64(channels*depth/8)
		gr := max(1, int64(pngGroupBytes)/rb)
		group, filtered := gr*rb, gr*(rb+1)
		return (workers+2)*group + // rows: one group filling, the pending ones
			workers*(filtered+5*rb) + // filtering in running jobs
			(workers+1)*int64(deflateBound(int(filtered))) + // compressed, awaiting output
			workers*flateWriterBytes + (workers+3)*rb + 64<<10
	case JPEG:
		// Stripes: the rows of those filling, running and queued, and
		// for every running or pending one its compressed bytes (at most
		// 1.5 bytes per sample, doubled while libjpeg's buffer grows, then
		// copied) and libjpeg's MCU-row buffers and tables.
		jw := min(workers, jpegMaxWorkers)
		rows, _ := jpegStripe(width, 3, 1, 1)
		stripe := int64(rows) * w * 3
		return (jw+2)*stripe + (jw+1)*(stripe*9/2+64*w*3) + 1<<20
	case WebP:
		outC := int64(3)
		if channels == 2 || channels == 4 {
			outC = 4
		}
		px := w * h
		return 4*px + int64(webpBandRows)*w*outC + webpEncodeCBytesPerPixel*px + 1<<20
	}
	return 0
}
