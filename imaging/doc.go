// Package imaging owns image files: sniffing the format from content,
// reading headers without decoding pixels (DecodeConfig), decoding under a
// pixel limit (Decode: JPEG baseline/progressive/CMYK/YCCK, PNG 1..16-bit,
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
// Output: PNG rows are filtered and deflated in independent row groups on
// the shared worker pool of internal/cpuwork and written as IDAT chunks while later bands are still coming;
// JPEG puts a restart marker after every MCU row so that groups of rows are
// coded in parallel and written in order. Neither holds the whole image.
// WebP (libwebp through chai2010/webp) needs the whole image in one buffer
// and is limited to WebPMaxDim pixels a side (ErrWebPTooLarge).
//
// It must not import net/http, engines, tiling or upscale.
package imaging
