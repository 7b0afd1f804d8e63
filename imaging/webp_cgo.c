// libwebp encoder shim: see webp_cgo.h.
#include <stdlib.h>
#include <string.h>

#include <webp/encode.h>

#include "webp_cgo.h"

struct uwe {
	WebPPicture pic;
	int alpha;
	int lossless;
};

uwe *uwe_new(int w, int h, int alpha, int lossless) {
	uwe *e = calloc(1, sizeof(uwe));
	if (!e) return NULL;
	if (!WebPPictureInit(&e->pic)) {
		free(e);
		return NULL;
	}
	e->alpha = alpha;
	e->lossless = lossless;
	e->pic.width = w;
	e->pic.height = h;
	e->pic.use_argb = lossless;
	e->pic.colorspace = alpha ? WEBP_YUV420A : WEBP_YUV420;
	if (!WebPPictureAlloc(&e->pic)) {
		free(e);
		return NULL;
	}
	return e;
}

void uwe_free(uwe *e) {
	if (!e) return;
	WebPPictureFree(&e->pic);
	free(e);
}

static int rows_argb(uwe *e, const uint8_t *src, size_t stride, int ch, int y, int n) {
	for (int r = 0; r < n; r++) {
		const uint8_t *s = src + (size_t)r * stride;
		uint32_t *d = e->pic.argb + (size_t)(y + r) * e->pic.argb_stride;
		for (int x = 0; x < e->pic.width; x++, s += ch) {
			uint32_t a = ch == 4 ? s[3] : 0xff;
			d[x] = a << 24 | (uint32_t)s[0] << 16 | (uint32_t)s[1] << 8 | s[2];
		}
	}
	return 0;
}

// rows_yuv converts the band with libwebp's own importer (in a band-sized
// picture) and copies its planes in: the importer works on 2×2 blocks, so
// even-aligned bands give what importing the whole image would.
static int rows_yuv(uwe *e, const uint8_t *src, size_t stride, int ch, int y, int n) {
	WebPPicture b;
	if (!WebPPictureInit(&b)) return -1;
	b.width = e->pic.width;
	b.height = n;
	int ok = ch == 4 ? WebPPictureImportRGBA(&b, src, (int)stride) : WebPPictureImportRGB(&b, src, (int)stride);
	if (!ok) {
		WebPPictureFree(&b);
		return -1;
	}
	WebPPicture *p = &e->pic;
	for (int r = 0; r < n; r++) {
		memcpy(p->y + (size_t)(y + r) * p->y_stride, b.y + (size_t)r * b.y_stride, (size_t)p->width);
		if (e->alpha) {
			if (b.a) {
				memcpy(p->a + (size_t)(y + r) * p->a_stride, b.a + (size_t)r * b.a_stride, (size_t)p->width);
			} else {
				memset(p->a + (size_t)(y + r) * p->a_stride, 0xff, (size_t)p->width);
			}
		}
	}
	int uvw = (p->width + 1) / 2;
	for (int r = 0; r < (n + 1) / 2; r++) {
		memcpy(p->u + (size_t)(y / 2 + r) * p->uv_stride, b.u + (size_t)r * b.uv_stride, (size_t)uvw);
		memcpy(p->v + (size_t)(y / 2 + r) * p->uv_stride, b.v + (size_t)r * b.uv_stride, (size_t)uvw);
	}
	WebPPictureFree(&b);
	return 0;
}

int uwe_rows(uwe *e, const uint8_t *src, size_t stride, int ch, int y, int n) {
	if (n <= 0 || y < 0 || y + n > e->pic.height || (ch != 3 && ch != 4)) return -1;
	if (e->lossless) return rows_argb(e, src, stride, ch, y, n);
	if ((y & 1) || ((n & 1) && y + n != e->pic.height)) return -1;
	return rows_yuv(e, src, stride, ch, y, n);
}

int uwe_encode(uwe *e, int method, float quality, int lossless_level, int threads, int exact, uint8_t **out, size_t *n) {
	WebPConfig cfg;
	if (!WebPConfigInit(&cfg)) return VP8_ENC_ERROR_INVALID_CONFIGURATION;
	if (e->lossless) {
		if (!WebPConfigLosslessPreset(&cfg, lossless_level)) return VP8_ENC_ERROR_INVALID_CONFIGURATION;
		cfg.lossless = 1;
	} else {
		cfg.quality = quality;
		cfg.method = method;
	}
	cfg.thread_level = threads;
	cfg.exact = exact;
	if (!WebPValidateConfig(&cfg)) return VP8_ENC_ERROR_INVALID_CONFIGURATION;
	WebPMemoryWriter w;
	WebPMemoryWriterInit(&w);
	e->pic.writer = WebPMemoryWrite;
	e->pic.custom_ptr = &w;
	if (!WebPEncode(&cfg, &e->pic)) {
		WebPMemoryWriterClear(&w);
		return e->pic.error_code ? (int)e->pic.error_code : VP8_ENC_ERROR_BAD_WRITE;
	}
	*out = w.mem;
	*n = w.size;
	return 0;
}

void uwe_free_out(uint8_t *p) { WebPFree(p); }

int uwe_version(void) { return WebPGetEncoderVersion(); }
