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

// webpEncodeBytesPerPixel is the peak resident memory of a WebP encode per
// pixel by effort, picture included (lossy: YUV 4:2:0 1.5 B/px, +1 with
// alpha; lossless: ARGB 4 B/px), with libwebp's working memory (from
// effort 3 on, lossy coding buffers its tokens; alpha is coded losslessly
// beside the YUV picture) and the file (up to ~2.5 B/px at quality 100 on
// noise, held by the bit writer and again by the memory writer). Measured
// in a fresh process per case on 2000×2800 noise and page images, rounded
// up (TestCodecRSSBound checks some): lossy RGB q90 1.8–4.7 at effort 0–2,
// q100 noise 6.9 at 0–2, 27.5 at 3–6; lossy RGBA q100 noise 16.9 at 0–2,
// 28.3 at 3–5, 39.4 at 6; lossless 13–14.5 at 0, 19.6–22.7 at 1, ≤ 26.5
// at 2–5, 46–51 at 6. Lossless also has fixed costs (histograms, hash
// tables; with thread_level two trials run at once): a 1000×1200 RGBA
// noise image at effort 6 peaked at 57–81 B/px, hence webpLosslessFixedBytes.
var webpEncodeBytesPerPixel = struct{ lossy, lossyAlpha, lossless [MaxEffort + 1]int64 }{
	lossy:      [MaxEffort + 1]int64{10, 10, 10, 30, 30, 30, 30},
	lossyAlpha: [MaxEffort + 1]int64{19, 19, 19, 31, 31, 31, 43},
	lossless:   [MaxEffort + 1]int64{16, 25, 29, 29, 29, 29, 64},
}

// webpLosslessFixedBytes is added to every lossless WebP encode (bytes).
const webpLosslessFixedBytes = 32 << 20

// EncoderBytes is the host memory (bytes) an encoder for a width×height
// image with options opt (format, effort, lossless) holds at most,
// independent of height for PNG and JPEG: for PNG the row-group buffers of
// GOMAXPROCS workers, recycled between groups, and the compressed groups
// awaiting output; for JPEG the stripes in flight and their compressed
// bytes; for WebP
// libwebp's picture of the whole image, its working memory and the file
// (webpEncodeBytesPerPixel), and two rows or a band of 16-bit rows.
func EncoderBytes(opt EncodeOptions, width, height, channels, depth int) int64 {
	f := opt.Format
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
		rows, _ := jpegStripe(width, height, 3, 1, 1)
		stripe := int64(rows) * w * 3
		return (jw+2)*stripe + (jw+1)*(stripe*9/2+64*w*3) + 1<<20
	case WebP:
		effort := min(max(effortOr(opt, DefaultWebPEffort), 0), MaxEffort)
		n := webpEncodeBytesPerPixel.lossy[effort] * w * h
		switch {
		case opt.Lossless:
			n = webpEncodeBytesPerPixel.lossless[effort]*w*h + webpLosslessFixedBytes
		case channels == 2 || channels == 4:
			n = webpEncodeBytesPerPixel.lossyAlpha[effort] * w * h
		}
		return n + int64(webpBandRows)*w*int64(channels*depth/8) + 1<<20
	}
	return 0
}
