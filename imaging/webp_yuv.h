// RGB(A) → YUV 4:2:0 rows for the lossy WebP picture (webp_yuv.c).
#ifndef UPSCALED_WEBP_YUV_H
#define UPSCALED_WEBP_YUV_H

#include <stddef.h>
#include <stdint.h>

// uwe_planes points at the first row of a band in the picture's planes
// (a NULL when the picture has no alpha plane); strides in bytes.
typedef struct {
	uint8_t *y, *u, *v, *a;
	int y_stride, uv_stride, a_stride;
} uwe_planes;

// uwe_yuv_init builds the conversion tables (once per process).
void uwe_yuv_init(void);
// uwe_yuv_rows converts n rows of 8-bit samples (ch 1 gray, 2 gray+alpha,
// 3 RGB, 4 RGBA; stride bytes apart) starting at an even picture row: two
// rows per chroma row, an odd n only for the image's last row.
void uwe_yuv_rows(const uint8_t *src, size_t stride, int ch, int width, int n, const uwe_planes *d);

#endif
