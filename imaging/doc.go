// Package imaging owns image files: sniffing the format from content,
// reading headers without decoding pixels (DecodeConfig), decoding under a
// pixel limit (Decode: JPEG baseline/progressive/CMYK/YCCK, PNG 1..16-bit,
// palette, tRNS, interlaced, WebP, GIF first frame, BMP), EXIF orientation,
// ICC profiles, band-wise encoding to PNG (parallel deflate) and JPEG, WebP
// encoding, and the memory estimates the pipeline plans with
// (DecodeBytes, EncoderBytes).
//
// Channels are kept: gray stays 1 channel, gray+alpha 2, RGB 3, RGBA 4
// (non-premultiplied); 16-bit PNG stays 16-bit.
//
// It must not import net/http, engines, tiling or upscale.
package imaging
