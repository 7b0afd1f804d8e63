// Flat C API over libwebp's advanced encoding API (WebPConfig,
// WebPPicture) for the Go WebP encoder: rows are imported band by band
// into the picture (YUV 4:2:0 + alpha for lossy, ARGB for lossless), so
// no RGB copy of the whole image is ever made.
#ifndef UPSCALED_WEBP_CGO_H
#define UPSCALED_WEBP_CGO_H

#include <stddef.h>
#include <stdint.h>

typedef struct uwe uwe;

// uwe_new allocates the picture: lossless keeps ARGB (4 bytes/pixel),
// lossy YUV 4:2:0 (1.5 bytes/pixel, +1 with alpha). NULL on failure.
uwe *uwe_new(int w, int h, int alpha, int lossless);
void uwe_free(uwe *e);
// uwe_rows imports n rows of 8-bit RGB (channels 3) or RGBA (4) starting
// at picture row y; for lossy, y and n must be even except for the last
// rows of the image. Returns 0 or -1.
int uwe_rows(uwe *e, const uint8_t *src, size_t stride, int channels, int y, int n);
// uwe_encode encodes with method (0..6), quality 0..100 (lossless:
// effort), thread_level and exact; on success *out (caller frees with
// uwe_free_out) holds the file. Returns 0, or a libwebp error code > 0.
int uwe_encode(uwe *e, int method, float quality, int lossless_level, int threads, int exact, uint8_t **out, size_t *n);
void uwe_free_out(uint8_t *p);
// uwe_version is libwebp's encoder version (major<<16 | minor<<8 | rev).
int uwe_version(void);

#endif
