// Package imaging owns image formats: sniffing from content, header reading
// (before any pixel is decoded), decoding (JPEG incl. CMYK, PNG 8/16-bit,
// WebP, GIF, BMP), EXIF orientation, ICC profiles, and band-wise encoding to
// PNG, JPEG and WebP.
//
// It must not import net/http, engines, tiling or upscale.
package imaging
