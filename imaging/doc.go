// Package imaging owns image files: sniffing the format from content,
// reading headers without decoding pixels (DecodeConfig), decoding under a
// pixel limit (Decode: JPEG through libjpeg-turbo, baseline/progressive/
// CMYK/YCCK, pixels identical to djpeg's; PNG 1..16-bit,
// palette, tRNS, interlaced, WebP, GIF first frame, BMP), EXIF orientation,
// ICC profiles, band-wise encoding to PNG and JPEG, WebP encoding, and the
// memory figures the pipeline plans with (DecodeBytes, EncoderBytes).
//
// Channels are kept: gray stays 1 channel, gray+alpha 2, RGB 3, RGBA 4
// (non-premultiplied); 16-bit PNG stays 16-bit from file to file.
//
// Answers to awkward input: a limit is checked from the header before any
// pixel buffer exists (ErrTooLarge names size and limit); more than one
// frame (GIF, APNG, WebP animation) is ErrAnimated; a damaged ICC profile
// is ErrCorrupt, while a valid profile whose colour space does not match
// the decoded channels (the CMYK profile of a CMYK JPEG decoded to RGB) is
// dropped; metadata the pixel decoder does not need (text, EXIF, ICC) is
// skipped without being held, other header bytes are bounded (64 MiB).
//
// Output: PNG rows are filtered and deflated (klauspost/compress/flate,
// level from EncodeOptions.Effort) in independent row groups on the shared
// worker pool of internal/cpuwork and written as IDAT chunks while later
// bands are still coming; JPEG rows are cut into stripes of whole MCU
// rows (about 1 MiB), each compressed by its own libjpeg-turbo encoder on
// that pool (up to 8 at once) and joined by restart markers into one
// baseline file (quality, chroma subsampling; an image of one stripe is
// cjpeg's file byte for byte). Neither holds the whole image. WebP is
// encoded by libwebp's advanced API (method from Effort, lossless preset,
// thread_level, exact), rows converted as they arrive into its picture,
// which holds the whole image: YUV 4:2:0 for lossy (webp_yuv.c, libwebp's
// importer arithmetic, two rows at a time), ARGB for lossless; it is
// limited to WebPMaxDim pixels a side (ErrWebPTooLarge). Lossy pictures
// without alpha at effort 0 go instead, when the pool has 3+ workers, to
// the package's own VP8 encoder (vp8_*.c, written from RFC 6386; see
// EncodeOptions.WebPCodec): it encodes one picture on all the pool's
// workers in a wavefront over macroblock rows, at libwebp method 0's size
// and PSNR. WebP decoding goes through chai2010/webp.
//
// cgo: jpeg_turbo.c binds Debian's libjpeg62-turbo-dev (jpeglib.h,
// -ljpeg), webp_cgo.c the encoding API of Debian's libwebp-dev headers
// (vp8_*.c need only libc, libm and pthreads);
// chai2010/webp compiles its own libwebp (1.4.0) into the binary and the
// linker resolves both packages' libwebp calls to that one copy. Each C
// shim returns a status and a message; libjpeg's longjmp never crosses a
// Go frame.
//
// It must not import net/http, engines, tiling or upscale.
package imaging
