// The wavefront over MB rows (vp8e_work), quality to quantizer, setup
// and teardown of an encode (see vp8_enc.h).
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vp8_internal.h"

// wait_for returns once row r has finished n macroblocks.
static void wait_for(vp8e *e, int r, int n) {
	for (int spins = 0; atomic_load_explicit(&e->done[r], memory_order_acquire) < n; spins++) {
		if (spins < 64) continue;
		if (spins < 2000) {
			sched_yield();
		} else {
			struct timespec ts = {0, 20000};
			nanosleep(&ts, NULL);
		}
	}
}

void vp8e_work(vp8e *e) {
	vp8_worker *t = calloc(1, sizeof(vp8_worker));
	if (!t) {
		// Rows must still be finished for the others: none taken here.
		pthread_mutex_lock(&e->mu);
		e->oom = 1;
		pthread_mutex_unlock(&e->mu);
		return;
	}
	for (;;) {
		const int r = atomic_fetch_add(&e->next_row, 1);
		if (r >= e->mbh) break;
		memset(t->left_nz, 0, sizeof(t->left_nz));
		for (int x = 0; x < e->mbw; x++) {
			if (r > 0) wait_for(e, r - 1, x + 2 < e->mbw ? x + 2 : e->mbw);
			vp8_encode_mb(e, t, x, r);
			atomic_store_explicit(&e->done[r], x + 1, memory_order_release);
		}
	}
	pthread_mutex_lock(&e->mu);
	uint32_t *dst = &e->counts[0][0][0][0][0];
	const uint32_t *src = &t->cnt[0][0][0][0][0];
	for (size_t i = 0; i < sizeof(vp8_counts) / sizeof(uint32_t); i++) dst[i] += src[i];
	e->nskip += t->nskip;
	pthread_mutex_unlock(&e->mu);
	free(t);
}

// ---- setup ----

int vp8e_qindex(int quality) {
	if (quality < 0) quality = 0;
	if (quality > 100) quality = 100;
	// Knots (quality, index) fitted so that PSNR is at least libwebp
	// method 0's at the same quality on 2× upscaled pages
	// (go test -run '^$' -bench VP8Calibrate -benchtime 1x -v ./imaging);
	// linear in between.
	static const uint8_t kQ[][2] = {{0, 127}, {10, 100}, {25, 62}, {50, 30}, {75, 19}, {85, 11}, {90, 7}, {95, 3}, {100, 0}};
	int i = 0;
	while (kQ[i + 1][0] < quality) i++;
	const int q0 = kQ[i][0], q1 = kQ[i + 1][0], i0 = kQ[i][1], i1 = kQ[i + 1][1];
	return i0 + ((i1 - i0) * (quality - q0) + (q1 - q0) / 2 * (i1 > i0 ? 1 : -1)) / (q1 - q0);
}

static int clampq(int q) { return q < 0 ? 0 : q > 127 ? 127 : q; }

vp8e *vp8e_new(const uint8_t *y, const uint8_t *u, const uint8_t *v, int ys, int uvs, int w, int h, const vp8e_opts *o) {
	if (w < 1 || h < 1 || w > 16383 || h > 16383) return NULL;
	vp8_mode_costs_init();
	vp8e *e = calloc(1, sizeof(vp8e));
	if (!e) return NULL;
	e->y = y, e->u = u, e->v = v, e->ys = ys, e->uvs = uvs, e->w = w, e->h = h;
	e->o = *o;
	e->mbw = (w + 15) / 16, e->mbh = (h + 15) / 16;
	e->q = o->qindex >= 0 ? clampq(o->qindex) : vp8e_qindex(o->quality);
	const int q = e->q;
	e->dq[0] = vp8_dc_qlookup[q];
	e->dq[1] = vp8_ac_qlookup[q];
	e->dq[2] = vp8_dc_qlookup[q] * 2;
	e->dq[3] = vp8_ac_qlookup[q] * 155 / 100;
	if (e->dq[3] < 8) e->dq[3] = 8;
	e->uvd = o->uv_delta < -15 ? -15 : o->uv_delta > 15 ? 15 : o->uv_delta;
	const int qc = clampq(q + e->uvd);
	e->dq[4] = vp8_dc_qlookup[qc] > 132 ? 132 : vp8_dc_qlookup[qc];
	e->dq[5] = vp8_ac_qlookup[qc];
	for (int i = 0; i < 6; i++) e->iq[i] = ((1 << 17) + e->dq[i] / 2) / e->dq[i];
	e->lambda = e->dq[1] * e->dq[1] / 8 + 1;
	e->easy = 256 * e->dq[1] * e->dq[1] / EASY_DIV;
	// Loop filter level q_ac/8: PSNR on 2× pages fell fast above it (gray
	// screentone page, index 26: level 3 41.74 dB, 6 41.28, 9 40.41).
	e->filter_level = o->filter_level >= 0 ? (o->filter_level > 63 ? 63 : o->filter_level) : (e->dq[1] / 8 > 63 ? 63 : e->dq[1] / 8);
	e->linew = (size_t)e->mbw * 16 + 4;
	const size_t n = (size_t)e->mbw * e->mbh;
	e->mb = calloc(n, sizeof(vp8_mbinfo));
	e->tok = calloc((size_t)e->mbh, sizeof(vp8_bytes));
	e->lines = malloc((size_t)VP8_LINE_ROWS * 2 * e->linew);
	e->top_nz = calloc((size_t)e->mbw, 9);
	e->done = calloc((size_t)e->mbh, sizeof(atomic_int));
	if (!e->mb || !e->tok || !e->lines || !e->top_nz || !e->done || pthread_mutex_init(&e->mu, NULL)) {
		free(e->mb), free(e->tok), free(e->lines), free(e->top_nz), free(e->done), free(e);
		return NULL;
	}
	for (int r = 0; r < e->mbh; r++) atomic_init(&e->done[r], 0);
	atomic_init(&e->next_row, 0);
	return e;
}

void vp8e_free(vp8e *e) {
	if (!e) return;
	for (int r = 0; r < e->mbh; r++) free(e->tok[r].p);
	for (int p = 0; p < VP8_NPART; p++) free(e->parts[p].buf);
	free(e->p0.buf);
	free(e->mb), free(e->tok), free(e->lines), free(e->top_nz), free(e->done);
	pthread_mutex_destroy(&e->mu);
	free(e);
}
