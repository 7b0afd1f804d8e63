// libwebp encoder shim: see webp_cgo.h.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <webp/encode.h>

#include "vp8_enc.h"
#include "webp_cgo.h"
#include "webp_yuv.h"

struct uwe {
	WebPPicture pic;
	int alpha;
	int lossless;
};

// hugepages lets the 2 MiB-aligned part of [p, p+n) take transparent huge
// pages (THP mode "madvise"): a page's picture is tens of MiB of fresh
// memory, and populating it 4 KiB at a time cost most of the conversion's
// page-fault time on these virtual machines. Kernels without it ignore it.
static void hugepages(const void *p, size_t n) {
#ifdef MADV_HUGEPAGE
	const uintptr_t huge = (uintptr_t)2 << 20;
	uintptr_t lo = ((uintptr_t)p + huge - 1) & ~(huge - 1);
	uintptr_t hi = ((uintptr_t)p + n) & ~(huge - 1);
	if (hi > lo) madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
#else
	(void)p, (void)n;
#endif
}

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
	if (!lossless) uwe_yuv_init();
	if (!WebPPictureAlloc(&e->pic)) {
		free(e);
		return NULL;
	}
	if (lossless) {
		hugepages(e->pic.argb, (size_t)e->pic.argb_stride * 4 * (size_t)h);
	} else {
		// WebPPictureAlloc places the planes in one block: advise from the
		// lowest plane to the end of the highest.
		const WebPPicture *p = &e->pic;
		const size_t uvh = (size_t)(h + 1) / 2;
		uint8_t *lo = p->y, *hi = p->y + (size_t)p->y_stride * h;
		const uint8_t *ends[3][2] = {{p->u, p->u + (size_t)p->uv_stride * uvh},
		                             {p->v, p->v + (size_t)p->uv_stride * uvh},
		                             {p->a, p->a ? p->a + (size_t)p->a_stride * h : NULL}};
		for (int i = 0; i < 3; i++) {
			if (!ends[i][0]) continue;
			if (ends[i][0] < lo) lo = (uint8_t *)ends[i][0];
			if (ends[i][1] > hi) hi = (uint8_t *)ends[i][1];
		}
		hugepages(lo, (size_t)(hi - lo));
	}
	return e;
}

void uwe_free(uwe *e) {
	if (!e) return;
	WebPPictureFree(&e->pic);
	free(e);
}

// populate maps n rows of a plane (stride bytes apart, width bytes used)
// in one system call before they are written: a picture over glibc's
// mmap threshold is fresh memory for every image, else taking a page
// fault per 4 KiB (a third of the conversion time of a 33 MP page here).
// Whole pages around the rows are part of the same mapping; populating
// changes no byte. Kernels before 5.14 refuse it; the faults then happen.
static void populate(const void *p, size_t stride, int n, size_t width) {
#ifdef MADV_POPULATE_WRITE
	const uintptr_t page = 4096;
	uintptr_t lo = (uintptr_t)p & ~(page - 1);
	uintptr_t hi = ((uintptr_t)p + stride * (size_t)(n - 1) + width + page - 1) & ~(page - 1);
	madvise((void *)lo, hi - lo, MADV_POPULATE_WRITE);
#else
	(void)p, (void)stride, (void)n, (void)width;
#endif
}

// rows_argb packs n rows of ch samples (1..4, see uwe_rows) as ARGB.
static int rows_argb(uwe *e, const uint8_t *src, size_t stride, int ch, int y, int n) {
	const int g = ch >= 3 ? 1 : 0, b = ch >= 3 ? 2 : 0, al = ch == 4 ? 3 : ch == 2 ? 1 : -1;
	populate(e->pic.argb + (size_t)y * e->pic.argb_stride, (size_t)e->pic.argb_stride * 4, n, (size_t)e->pic.width * 4);
	for (int r = 0; r < n; r++) {
		const uint8_t *s = src + (size_t)r * stride;
		uint32_t *d = e->pic.argb + (size_t)(y + r) * e->pic.argb_stride;
		for (int x = 0; x < e->pic.width; x++, s += ch) {
			uint32_t a = al >= 0 ? s[al] : 0xff;
			d[x] = a << 24 | (uint32_t)s[0] << 16 | (uint32_t)s[g] << 8 | s[b];
		}
	}
	return 0;
}

int uwe_rows(uwe *e, const uint8_t *src, size_t stride, int ch, int y, int n) {
	if (n <= 0 || y < 0 || y + n > e->pic.height || ch < 1 || ch > 4) return -1;
	if (e->lossless) return rows_argb(e, src, stride, ch, y, n);
	if ((y & 1) || ((n & 1) && y + n != e->pic.height)) return -1;
	WebPPicture *p = &e->pic;
	uwe_planes d = {
		.y = p->y + (size_t)y * p->y_stride,
		.u = p->u + (size_t)(y / 2) * p->uv_stride,
		.v = p->v + (size_t)(y / 2) * p->uv_stride,
		.a = e->alpha ? p->a + (size_t)y * p->a_stride : NULL,
		.y_stride = p->y_stride,
		.uv_stride = p->uv_stride,
		.a_stride = p->a_stride,
	};
	const int uvw = (p->width + 1) / 2, uvn = (n + 1) / 2;
	populate(d.y, (size_t)d.y_stride, n, (size_t)p->width);
	populate(d.u, (size_t)d.uv_stride, uvn, (size_t)uvw);
	populate(d.v, (size_t)d.uv_stride, uvn, (size_t)uvw);
	if (d.a) populate(d.a, (size_t)d.a_stride, n, (size_t)p->width);
	uwe_yuv_rows(src, stride, ch, p->width, n, &d);
	if (d.a && (ch == 1 || ch == 3)) {
		for (int r = 0; r < n; r++) memset(d.a + (size_t)r * d.a_stride, 0xff, (size_t)p->width);
	}
	return 0;
}

uwe *uwe_new_imported(const uint8_t *src, int w, int h, size_t stride, int ch) {
	if (ch != 3 && ch != 4) return NULL;
	uwe *e = calloc(1, sizeof(uwe));
	if (!e) return NULL;
	if (!WebPPictureInit(&e->pic)) {
		free(e);
		return NULL;
	}
	e->alpha = ch == 4;
	e->pic.width = w;
	e->pic.height = h;
	int ok = ch == 4 ? WebPPictureImportRGBA(&e->pic, src, (int)stride) : WebPPictureImportRGB(&e->pic, src, (int)stride);
	if (!ok) {
		uwe_free(e);
		return NULL;
	}
	return e;
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

struct vp8e *uwe_vp8_new(uwe *e, int quality) {
	if (e->lossless || e->alpha) return NULL;
	vp8e_opts o = {.quality = quality, .force_ymode = -1, .force_uvmode = -1, .filter_level = -1, .qindex = -1, .uv_delta = VP8E_UV_DELTA};
	const WebPPicture *p = &e->pic;
	return vp8e_new(p->y, p->u, p->v, p->y_stride, p->uv_stride, p->width, p->height, &o);
}

void uwe_get_planes(uwe *e, uint8_t **y, uint8_t **u, uint8_t **v, int *y_stride, int *uv_stride) {
	*y = e->pic.y, *u = e->pic.u, *v = e->pic.v, *y_stride = e->pic.y_stride, *uv_stride = e->pic.uv_stride;
}

int uwe_width(uwe *e) { return e->pic.width; }
int uwe_height(uwe *e) { return e->pic.height; }
