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
// uwe_rows imports n rows of 8-bit samples starting at picture row y:
// channels 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA (gray is spread over R, G,
// B; alpha is dropped unless the picture has it, and 255 when the picture
// has it but the rows do not). For lossy, y and n must be even except for
// the last rows of the image (webp_yuv.h). Returns 0 or -1.
int uwe_rows(uwe *e, const uint8_t *src, size_t stride, int channels, int y, int n);
// uwe_encode encodes with method (0..6), quality 0..100 (lossless:
// effort), thread_level and exact; on success *out (caller frees with
// uwe_free_out) holds the file. Returns 0, or a libwebp error code > 0.
int uwe_encode(uwe *e, int method, float quality, int lossless_level, int threads, int exact, uint8_t **out, size_t *n);
void uwe_free_out(uint8_t *p);
// uwe_new_imported is the reference for tests: a lossy picture imported
// whole by libwebp's own WebPPictureImportRGB (ch 3) or RGBA (ch 4).
uwe *uwe_new_imported(const uint8_t *src, int w, int h, size_t stride, int ch);
// uwe_vp8_new starts our own parallel VP8 encoder (vp8_enc.h) on the
// lossy picture without alpha; NULL when it has alpha, is lossless, or on
// failure.
struct vp8e;
struct vp8e *uwe_vp8_new(uwe *e, int quality);
// uwe_planes gives the lossy picture's planes (tests).
void uwe_get_planes(uwe *e, uint8_t **y, uint8_t **u, uint8_t **v, int *y_stride, int *uv_stride);
int uwe_width(uwe *e);
int uwe_height(uwe *e);
// uwe_version is libwebp's encoder version (major<<16 | minor<<8 | rev).
int uwe_version(void);

#endif
