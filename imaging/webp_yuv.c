// RGB(A) → YUV 4:2:0 conversion for the lossy WebP picture, two rows at a
// time, written straight into the picture's planes. It computes what
// libwebp's own importer (WebPPictureImportRGB/RGBA without sharp YUV or
// dithering) computes: BT.601 limited-range luma per pixel, chroma from
// each 2×2 block averaged in a gamma-compressed domain (gamma 0.8, the
// average weighted by alpha where the block is partly transparent).
// TestWebPConversionMatchesLibwebp checks equality on RGB, RGBA, gray and
// odd sizes.
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "webp_yuv.h"

// Fixed-point layout of libwebp's importer (picture_csp_enc.c, yuv.h).
enum {
	YUV_FIX = 16,           // luma/chroma coefficients are scaled by 2^16
	GAMMA_FIX = 12,         // linear values are 12-bit
	GAMMA_TAB_FIX = 7,      // fractional bits of the linear→gamma table
	GAMMA_TAB_SIZE = 1 << (GAMMA_FIX - GAMMA_TAB_FIX),
	ALPHA_FIX = 19,         // inv_alpha[a] = 2^19 / a
};

static uint16_t gamma_to_linear[256];
static int linear_to_gamma[GAMMA_TAB_SIZE + 1];
static uint32_t inv_alpha[4 * 255 + 1];
static uint16_t sum_to_gamma[4 * ((1 << GAMMA_FIX) - 1) + 1]; // to_gamma of every sum of four
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static inline int to_gamma(uint32_t v);

static void init_tables(void) {
	const double gamma = 0.80, scale = (double)(1 << GAMMA_TAB_FIX) / ((1 << GAMMA_FIX) - 1);
	for (int v = 0; v <= 255; v++) {
		gamma_to_linear[v] = (uint16_t)(pow(v / 255., gamma) * ((1 << GAMMA_FIX) - 1) + .5);
	}
	for (int v = 0; v <= GAMMA_TAB_SIZE; v++) {
		linear_to_gamma[v] = (int)(255. * pow(scale * v, 1. / gamma) + .5);
	}
	for (uint32_t v = 0; v < sizeof sum_to_gamma / sizeof sum_to_gamma[0]; v++) sum_to_gamma[v] = (uint16_t)to_gamma(v);
	inv_alpha[0] = 0;
	for (int a = 1; a <= 4 * 255; a++) inv_alpha[a] = (1u << ALPHA_FIX) / (uint32_t)a;
}

// to_gamma maps the sum of four linear values (or a weighted mean scaled
// by 4) to a gamma value at 2^2 times 8-bit precision.
static inline int to_gamma(uint32_t v) {
	const int pos = (int)(v >> (GAMMA_TAB_FIX + 2));
	const int x = (int)(v & ((1 << (GAMMA_TAB_FIX + 2)) - 1));
	const int y = linear_to_gamma[pos + 1] * x + linear_to_gamma[pos] * ((1 << (GAMMA_TAB_FIX + 2)) - x);
	return (y + (1 << GAMMA_TAB_FIX >> 1)) >> GAMMA_TAB_FIX;
}

static inline uint8_t luma(int r, int g, int b) {
	return (uint8_t)((16839 * r + 33059 * g + 6420 * b + (1 << (YUV_FIX - 1)) + (16 << YUV_FIX)) >> YUV_FIX);
}

static inline uint8_t clip_uv(int v) {
	v = (v + (1 << (YUV_FIX + 1)) + (128 << (YUV_FIX + 2))) >> (YUV_FIX + 2);
	return (v & ~0xff) == 0 ? (uint8_t)v : v < 0 ? 0 : 255;
}

// luma_row converts one row; built for AVX2 too (picked at load time),
// where the compiler vectorizes the interleaved loads.
#define LUMA_ROW(name, ch)                                                                    \
	__attribute__((target_clones("avx2", "default"), optimize("O3"))) static void name(      \
	    const uint8_t *p, uint8_t *y, int width) {                                           \
		const int g = ch >= 3 ? 1 : 0, b = ch >= 3 ? 2 : 0;                                  \
		for (int x = 0; x < width; x++) y[x] = luma(p[x * ch], p[x * ch + g], p[x * ch + b]); \
	}
LUMA_ROW(luma_row1, 1)
LUMA_ROW(luma_row2, 2)
LUMA_ROW(luma_row3, 3)
LUMA_ROW(luma_row4, 4)

static inline void luma_row(const uint8_t *p, uint8_t *y, int width, int ch) {
	switch (ch) {
	case 1: luma_row1(p, y, width); break;
	case 2: luma_row2(p, y, width); break;
	case 3: luma_row3(p, y, width); break;
	default: luma_row4(p, y, width); break;
	}
}

// sum4 is the gamma-domain mean (×4) of one channel over a 2×2 block:
// samples p[0], p[dx], q[0], q[dx].
static inline int sum4(const uint8_t *p, const uint8_t *q, int dx) {
	return sum_to_gamma[gamma_to_linear[p[0]] + gamma_to_linear[p[dx]] + gamma_to_linear[q[0]] + gamma_to_linear[q[dx]]];
}

// sum4a weights the block by alpha (pa, qa: the alpha samples), total ta.
static inline int sum4a(const uint8_t *p, const uint8_t *q, const uint8_t *pa, const uint8_t *qa, int dx, uint32_t ta) {
	const uint32_t s = pa[0] * (uint32_t)gamma_to_linear[p[0]] + pa[dx] * (uint32_t)gamma_to_linear[p[dx]] +
	                   qa[0] * (uint32_t)gamma_to_linear[q[0]] + qa[dx] * (uint32_t)gamma_to_linear[q[dx]];
	return to_gamma((s * inv_alpha[ta]) >> (ALPHA_FIX - 2));
}

// pair converts rows p and q (q == p for a lone last row) of width pixels
// with ch samples each (1 gray, 2 gray+alpha, 3 RGB, 4 RGBA) into luma rows
// y0, y1 (y1 NULL for a lone row), one chroma row u, v and, when a0 is
// set, alpha rows a0, a1. ch is a constant at each call site.
static inline __attribute__((always_inline)) void pair(const uint8_t *p, const uint8_t *q, int width, int ch,
                                                       uint8_t *y0, uint8_t *y1, uint8_t *u, uint8_t *v,
                                                       uint8_t *a0, uint8_t *a1) {
	const int g = ch >= 3 ? 1 : 0, b = ch >= 3 ? 2 : 0, al = ch == 4 ? 3 : ch == 2 ? 1 : -1;
	luma_row(p, y0, width, ch);
	if (y1) luma_row(q, y1, width, ch);
	if (al >= 0 && a0) {
		for (int x = 0; x < width; x++) a0[x] = p[x * ch + al];
		if (a1) {
			for (int x = 0; x < width; x++) a1[x] = q[x * ch + al];
		}
	}
	for (int x = 0; x < width; x += 2) {
		const uint8_t *s = p + x * ch, *t = q + x * ch;
		const int dx = x + 1 < width ? ch : 0;
		int r, gg, bb;
		uint32_t ta = 4 * 255;
		if (al >= 0) ta = (uint32_t)s[al] + s[al + dx] + t[al] + t[al + dx];
		if (ta == 4 * 255 || ta == 0) {
			r = sum4(s, t, dx);
			gg = g ? sum4(s + g, t + g, dx) : r;
			bb = b ? sum4(s + b, t + b, dx) : r;
		} else {
			r = sum4a(s, t, s + al, t + al, dx, ta);
			gg = g ? sum4a(s + g, t + g, s + al, t + al, dx, ta) : r;
			bb = b ? sum4a(s + b, t + b, s + al, t + al, dx, ta) : r;
		}
		u[x >> 1] = clip_uv(-9719 * r - 19081 * gg + 28800 * bb);
		v[x >> 1] = clip_uv(28800 * r - 24116 * gg - 4684 * bb);
	}
}

void uwe_yuv_init(void) { pthread_once(&tables_once, init_tables); }

void uwe_yuv_rows(const uint8_t *src, size_t stride, int ch, int width, int n, const uwe_planes *d) {
	for (int r = 0; r < n; r += 2) {
		const uint8_t *p = src + (size_t)r * stride;
		const uint8_t *q = r + 1 < n ? p + stride : p;
		uint8_t *y0 = d->y + (size_t)r * d->y_stride;
		uint8_t *y1 = r + 1 < n ? y0 + d->y_stride : NULL;
		uint8_t *u = d->u + (size_t)(r >> 1) * d->uv_stride, *v = d->v + (size_t)(r >> 1) * d->uv_stride;
		uint8_t *a0 = d->a ? d->a + (size_t)r * d->a_stride : NULL;
		uint8_t *a1 = a0 && y1 ? a0 + d->a_stride : NULL;
		switch (ch) {
		case 1: pair(p, q, width, 1, y0, y1, u, v, NULL, NULL); break;
		case 2: pair(p, q, width, 2, y0, y1, u, v, a0, a1); break;
		case 3: pair(p, q, width, 3, y0, y1, u, v, NULL, NULL); break;
		default: pair(p, q, width, 4, y0, y1, u, v, a0, a1); break;
		}
	}
}
