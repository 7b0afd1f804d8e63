// One macroblock's coding: mode decision (16×16 against sub-blocks by
// error + λ·rate, chroma by error), transform, quantization and the
// decoder's reconstruction; its tokens kept in its row's buffer and
// counted for the probabilities.
#include <stdlib.h>
#include <string.h>

#include "vp8_internal.h"

#define YP(t, r, c) (&(t)->y[((r) + 1) * VP8_BPS + 4 + (c)])
#define UP(t, r, c) (&(t)->u[((r) + 1) * VP8_BPS + 4 + (c)])
#define VP(t, r, c) (&(t)->v[((r) + 1) * VP8_BPS + 4 + (c)])

// ---- costs ----

// Mode costs in 1/256 bits: key-frame y modes (11.2), sub-block modes by
// above and left context (11.3).
static uint16_t ymode_cost[5], bmode_cost[10][10][10];

static int tree_cost(const uint8_t *probs, int leaf) {
	uint8_t idx[9], bits[9];
	int n = vp8_tree_path(vp8_bmode_tree, 18, leaf, idx, bits), c = 0;
	for (int i = 0; i < n; i++) c += vp8_bit_cost[probs[idx[i]]][bits[i]];
	return c;
}

static void mode_costs_fill(void) {
	vp8_costs_init();
	const uint8_t *p = vp8_kf_ymode_probs;
	// kf_ymode_tree (11.2): B_PRED "0", DC "100", V "101", H "110", TM "111".
	ymode_cost[VP8_BPRED] = vp8_bit_cost[p[0]][0];
	ymode_cost[VP8_DC] = vp8_bit_cost[p[0]][1] + vp8_bit_cost[p[1]][0] + vp8_bit_cost[p[2]][0];
	ymode_cost[VP8_V] = vp8_bit_cost[p[0]][1] + vp8_bit_cost[p[1]][0] + vp8_bit_cost[p[2]][1];
	ymode_cost[VP8_H] = vp8_bit_cost[p[0]][1] + vp8_bit_cost[p[1]][1] + vp8_bit_cost[p[3]][0];
	ymode_cost[VP8_TM] = vp8_bit_cost[p[0]][1] + vp8_bit_cost[p[1]][1] + vp8_bit_cost[p[3]][1];
	for (int a = 0; a < 10; a++)
		for (int l = 0; l < 10; l++)
			for (int m = 0; m < 10; m++) bmode_cost[a][l][m] = (uint16_t)tree_cost(vp8_kf_bmode_probs[a][l], m);
}

void vp8_mode_costs_init(void) {
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, mode_costs_fill);
}

// ---- quantization ----

static inline int quant1(int c, int iq, int bias) {
	int a = c < 0 ? -c : c;
	int l = (a * iq + bias) >> 17;
	if (l > 2048) l = 2048;
	return c < 0 ? -l : l;
}

// Dead-zone rounding in 1/(1 << 17) of a step: DC and AC.
enum { BIAS_DC = 58982 /* 0.45 */, BIAS_AC = 44564 /* 0.34 */ };

// quant_block quantizes coefficients first..15 (raster) with DC and AC
// factors dqi (index into e->dq); returns non-zero when any level is.
static int quant_block(const vp8e *e, const int16_t *c, int16_t *lv, int dqi, int first) {
	int nz = 0;
	if (first == 0) {
		lv[0] = (int16_t)quant1(c[0], e->iq[dqi], BIAS_DC);
		nz |= lv[0];
	} else {
		lv[0] = 0;
	}
	for (int k = 1; k < 16; k++) {
		lv[k] = (int16_t)quant1(c[k], e->iq[dqi + 1], BIAS_AC);
		nz |= lv[k];
	}
	return nz != 0;
}

static void dequant(const vp8e *e, const int16_t *lv, int16_t *c, int dqi) {
	c[0] = (int16_t)(lv[0] * e->dq[dqi]);
	for (int k = 1; k < 16; k++) c[k] = (int16_t)(lv[k] * e->dq[dqi + 1]);
}

// block_rate estimates a block's token bits (1/256 bits).
static int block_rate(const int16_t *lv, int first) {
	int last = -1;
	for (int i = 15; i >= first; i--)
		if (lv[vp8_zigzag[i]]) {
			last = i;
			break;
		}
	if (last < 0) return 128;
	int r = 256;
	for (int i = first; i <= last; i++) {
		int a = lv[vp8_zigzag[i]];
		a = a < 0 ? -a : a;
		r += a == 0 ? 320 : a == 1 ? 900 : a <= 4 ? 1500 : 2200 + 32 * (31 - __builtin_clz((unsigned)a)) * 16;
	}
	return r;
}

static inline int sse(const uint8_t *a, int as, const uint8_t *b, int bs, int n, int m) {
	int s = 0;
	for (int r = 0; r < m; r++)
		for (int c = 0; c < n; c++) {
			int d = a[r * as + c] - b[r * bs + c];
			s += d * d;
		}
	return s;
}

// sse4 is the squared error of a packed 4×4 block against src (stride 16).
static inline int sse4(const uint8_t *p, const uint8_t *src) {
	int s = 0;
	for (int r = 0; r < 4; r++)
		for (int c = 0; c < 4; c++) {
			int d = p[4 * r + c] - src[16 * r + c];
			s += d * d;
		}
	return s;
}

static void residual(const uint8_t *s, int ss, const uint8_t *p, int ps, int16_t out[16]) {
	for (int r = 0; r < 4; r++)
		for (int c = 0; c < 4; c++) out[4 * r + c] = (int16_t)(s[r * ss + c] - p[r * ps + c]);
}

// ---- token recording ----

static void bytes_put(vp8_bytes *b, uint8_t v) {
	if (b->n == b->cap) {
		if (b->oom) return;
		size_t cap = b->cap ? b->cap * 2 : 4096;
		uint8_t *p = realloc(b->p, cap);
		if (!p) {
			b->oom = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	b->p[b->n++] = v;
}

// record stores one block (levels raster order) and counts its tokens;
// returns its non-zero flag.
static int record(vp8_worker *t, vp8_bytes *b, int type, int ctx, const int16_t *lv, int first) {
	int16_t zl[16];
	int last = -1;
	for (int i = 0; i < 16; i++) {
		zl[i] = lv[vp8_zigzag[i]];
		if (i >= first && zl[i]) last = i;
	}
	bytes_put(b, (uint8_t)(ctx | (last + 1) << 2));
	for (int i = first; i <= last; i++) {
		int v = zl[i];
		unsigned u = v >= 0 ? (unsigned)v << 1 : ((unsigned)(-v) << 1) - 1;
		while (u >= 128) {
			bytes_put(b, (uint8_t)(u | 128));
			u >>= 7;
		}
		bytes_put(b, (uint8_t)u);
	}
	vp8_walk_block(NULL, t->cnt[type], (const uint8_t(*)[3][11])vp8_default_coeff_probs[type], first, ctx, zl, last);
	return last >= first;
}

// ---- macroblock ----

typedef struct {
	int16_t lv[25][16]; // levels, raster: Y 0..15, U 16..19, V 20..23, Y2 24
	int ymode, uvmode;
	uint8_t bmodes[16];
} mbcode;

// load copies the macroblock's source, replicating the last row and
// column of the picture into the part past its edges.
static void load(const vp8e *e, vp8_worker *t, int mx, int my) {
	if ((mx + 1) * 16 <= e->w && (my + 1) * 16 <= e->h) {
		const uint8_t *y = e->y + (size_t)my * 16 * e->ys + mx * 16;
		const uint8_t *u = e->u + (size_t)my * 8 * e->uvs + mx * 8, *v = e->v + (size_t)my * 8 * e->uvs + mx * 8;
		for (int r = 0; r < 16; r++) memcpy(t->sy + 16 * r, y + (size_t)r * e->ys, 16);
		for (int r = 0; r < 8; r++) memcpy(t->su + 8 * r, u + (size_t)r * e->uvs, 8), memcpy(t->sv + 8 * r, v + (size_t)r * e->uvs, 8);
		return;
	}
	for (int r = 0; r < 16; r++) {
		int y = my * 16 + r;
		if (y >= e->h) y = e->h - 1;
		const uint8_t *s = e->y + (size_t)y * e->ys;
		for (int c = 0; c < 16; c++) {
			int x = mx * 16 + c;
			t->sy[r * 16 + c] = s[x < e->w ? x : e->w - 1];
		}
	}
	const int cw = (e->w + 1) / 2, ch = (e->h + 1) / 2;
	for (int r = 0; r < 8; r++) {
		int y = my * 8 + r;
		if (y >= ch) y = ch - 1;
		const uint8_t *su = e->u + (size_t)y * e->uvs, *sv = e->v + (size_t)y * e->uvs;
		for (int c = 0; c < 8; c++) {
			int x = mx * 8 + c;
			if (x >= cw) x = cw - 1;
			t->su[r * 8 + c] = su[x];
			t->sv[r * 8 + c] = sv[x];
		}
	}
}

// edges fills row -1 (with above-right) and the corner from the row above,
// or 127 in the top MB row; the left column is the previous MB's, or 129.
static void edges(const vp8e *e, vp8_worker *t, int mx, int my) {
	const size_t cl = e->linew / 2;
	if (my == 0) {
		memset(YP(t, -1, -1), 127, 21);
		memset(UP(t, -1, -1), 127, 9);
		memset(VP(t, -1, -1), 127, 9);
	} else {
		const uint8_t *ly = e->lines + (size_t)((my - 1) % VP8_LINE_ROWS) * 2 * e->linew;
		const uint8_t *lu = ly + e->linew, *lv = lu + cl;
		memcpy(YP(t, -1, 0), ly + mx * 16, 20);
		memcpy(UP(t, -1, 0), lu + mx * 8, 8);
		memcpy(VP(t, -1, 0), lv + mx * 8, 8);
		*YP(t, -1, -1) = mx ? ly[mx * 16 - 1] : 129;
		*UP(t, -1, -1) = mx ? lu[mx * 8 - 1] : 129;
		*VP(t, -1, -1) = mx ? lv[mx * 8 - 1] : 129;
	}
	if (mx == 0) {
		for (int r = 0; r < 16; r++) *YP(t, r, -1) = 129;
		for (int r = 0; r < 8; r++) *UP(t, r, -1) = *VP(t, r, -1) = 129;
	}
	// Sub-blocks of the right column below the top use the MB's above-right.
	for (int i = 1; i < 4; i++) memcpy(YP(t, 4 * i - 1, 16), YP(t, -1, 16), 4);
}

static int score(const vp8e *e, int d, int rate) { return d + (int)(((int64_t)e->lambda * rate) >> 8); }

// luma16 encodes the luma with 16×16 mode m into rec (stride 16); returns
// its score.
static int luma16(const vp8e *e, vp8_worker *t, int m, mbcode *mc, uint8_t *rec, int mx, int my) {
	uint8_t pred[256];
	vp8_pred_mb(m, 16, YP(t, -1, 0), YP(t, 0, -1), VP8_BPS, my > 0, mx > 0, pred, 16);
	if (sse(pred, 16, t->sy, 16, 16, 16) == 0) { // exact: nothing to code (flat areas)
		memset(mc->lv, 0, sizeof(mc->lv[0]) * 16);
		memset(mc->lv[24], 0, sizeof(mc->lv[24]));
		memcpy(rec, pred, 256);
		return score(e, 0, ymode_cost[m] + 17 * block_rate(mc->lv[24], 0));
	}
	int16_t res[16], co[16][16], dc[16], y2[16];
	for (int b = 0; b < 16; b++) {
		const int o = (b >> 2) * 64 + (b & 3) * 4;
		residual(t->sy + o, 16, pred + o, 16, res);
		vp8_fdct(res, co[b]);
		dc[b] = co[b][0];
	}
	vp8_fwht(dc, y2);
	quant_block(e, y2, mc->lv[24], 2, 0);
	int rate = ymode_cost[m] + block_rate(mc->lv[24], 0);
	int16_t dq2[16], dcs[16], c[16];
	dequant(e, mc->lv[24], dq2, 2);
	vp8_iwht(dq2, dcs);
	for (int b = 0; b < 16; b++) {
		const int o = (b >> 2) * 64 + (b & 3) * 4;
		quant_block(e, co[b], mc->lv[b], 0, 1);
		rate += block_rate(mc->lv[b], 1);
		dequant(e, mc->lv[b], c, 0);
		c[0] = dcs[b];
		vp8_idct_add(c, pred + o, 16, rec + o, 16);
	}
	return score(e, sse(rec, 16, t->sy, 16, 16, 16), rate);
}

// luma4 encodes the luma as 16 sub-blocks straight into the work buffer;
// stops once its score passes limit. Modes forced when force >= 0.
static int luma4(const vp8e *e, vp8_worker *t, mbcode *mc, const uint8_t *above, const uint8_t *leftm, int force, int limit) {
	int total = score(e, 0, ymode_cost[VP8_BPRED]);
	uint8_t pred[16];
	for (int b = 0; b < 16; b++) {
		const int i = b >> 2, j = b & 3;
		const int ctxa = i ? mc->bmodes[b - 4] : above[j];
		const int ctxl = j ? mc->bmodes[b - 1] : leftm[i];
		const uint8_t *top = YP(t, 4 * i - 1, 4 * j), *left = YP(t, 4 * i, 4 * j - 1);
		const uint8_t *src = t->sy + i * 64 + j * 4;
		int best = force, bs = 0;
		if (force < 0) {
			uint8_t all[10][16];
			vp8_pred_b_all(top, left, VP8_BPS, all);
			for (int m = 0; m < 10; m++) {
				int s = score(e, sse4(all[m], src), bmode_cost[ctxa][ctxl][m]);
				if (best < 0 || s < bs) best = m, bs = s;
			}
			memcpy(pred, all[best], 16);
		} else {
			vp8_pred_b(best, top, left, VP8_BPS, pred, 4);
		}
		mc->bmodes[b] = (uint8_t)best;
		int16_t res[16], co[16], c[16];
		residual(src, 16, pred, 4, res);
		vp8_fdct(res, co);
		quant_block(e, co, mc->lv[b], 0, 0);
		dequant(e, mc->lv[b], c, 0);
		uint8_t *dst = YP(t, 4 * i, 4 * j);
		vp8_idct_add(c, pred, 4, dst, VP8_BPS);
		total += score(e, sse(dst, VP8_BPS, src, 16, 4, 4), bmode_cost[ctxa][ctxl][best] + block_rate(mc->lv[b], 0));
		if (total > limit) return total;
	}
	return total;
}

static void chroma(const vp8e *e, vp8_worker *t, mbcode *mc, int mx, int my, int force) {
	uint8_t pu[64], pv[64];
	int best = force, bs = 0;
	if (force < 0) {
		for (int m = 0; m < 4; m++) {
			uint8_t a[64], b[64];
			vp8_pred_mb(m, 8, UP(t, -1, 0), UP(t, 0, -1), VP8_BPS, my > 0, mx > 0, a, 8);
			vp8_pred_mb(m, 8, VP(t, -1, 0), VP(t, 0, -1), VP8_BPS, my > 0, mx > 0, b, 8);
			int s = sse(a, 8, t->su, 8, 8, 8) + sse(b, 8, t->sv, 8, 8, 8);
			if (best < 0 || s < bs) best = m, bs = s, memcpy(pu, a, 64), memcpy(pv, b, 64);
		}
	} else {
		vp8_pred_mb(best, 8, UP(t, -1, 0), UP(t, 0, -1), VP8_BPS, my > 0, mx > 0, pu, 8);
		vp8_pred_mb(best, 8, VP(t, -1, 0), VP(t, 0, -1), VP8_BPS, my > 0, mx > 0, pv, 8);
	}
	mc->uvmode = best;
	if (force < 0 && bs == 0) { // exact: nothing to code
		memset(mc->lv[16], 0, sizeof(mc->lv[0]) * 8);
		for (int r = 0; r < 8; r++) memcpy(UP(t, r, 0), pu + 8 * r, 8), memcpy(VP(t, r, 0), pv + 8 * r, 8);
		return;
	}
	for (int p = 0; p < 2; p++) {
		const uint8_t *src = p ? t->sv : t->su, *pred = p ? pv : pu;
		for (int b = 0; b < 4; b++) {
			const int o = (b >> 1) * 32 + (b & 1) * 4;
			int16_t res[16], co[16], c[16];
			residual(src + o, 8, pred + o, 8, res);
			vp8_fdct(res, co);
			int16_t *lv = mc->lv[16 + 4 * p + b];
			quant_block(e, co, lv, 4, 0);
			dequant(e, lv, c, 4);
			uint8_t *dst = p ? VP(t, (b >> 1) * 4, (b & 1) * 4) : UP(t, (b >> 1) * 4, (b & 1) * 4);
			vp8_idct_add(c, pred + o, 8, dst, VP8_BPS);
		}
	}
}

static const uint8_t kImpliedB[4] = {0 /* B_DC */, 2 /* B_VE */, 3 /* B_HE */, 1 /* B_TM */};

void vp8_encode_mb(vp8e *e, vp8_worker *t, int mx, int my) {
	mbcode mc;
	vp8_mbinfo *mi = &e->mb[(size_t)my * e->mbw + mx];
	load(e, t, mx, my);
	edges(e, t, mx, my);
	uint8_t above[4], leftm[4];
	for (int i = 0; i < 4; i++) {
		above[i] = my ? e->mb[(size_t)(my - 1) * e->mbw + mx].bmodes[12 + i] : 0;
		leftm[i] = mx ? mi[-1].bmodes[4 * i + 3] : 0;
	}
	const int fy = e->o.force_ymode;
	// 16×16: the best prediction by its error, then coded.
	int m16 = fy >= 0 && fy < 4 ? fy : -1;
	if (fy < 0) {
		int bs = 0;
		for (int m = 0; m < 4; m++) {
			uint8_t p[256];
			vp8_pred_mb(m, 16, YP(t, -1, 0), YP(t, 0, -1), VP8_BPS, my > 0, mx > 0, p, 16);
			int s = score(e, sse(p, 16, t->sy, 16, 16, 16), ymode_cost[m]);
			if (m16 < 0 || s < bs) m16 = m, bs = s;
		}
	}
	uint8_t rec16[256];
	mbcode m4;
	int s16 = 1 << 30, s4 = 1 << 30;
	if (m16 >= 0) s16 = luma16(e, t, m16, &mc, rec16, mx, my);
	// A 16×16 coding already this close (flat areas: most of a page) is
	// kept without trying sub-blocks.
	const int easy = fy < 0 && s16 <= e->easy;
	if ((fy < 0 && !easy) || fy >= 4) s4 = luma4(e, t, &m4, above, leftm, fy >= 4 ? fy - 4 : -1, s16);
	if (s4 < s16) {
		memcpy(mc.lv, m4.lv, sizeof(m4.lv[0]) * 16);
		memcpy(mc.bmodes, m4.bmodes, 16);
		mc.ymode = VP8_BPRED;
	} else {
		mc.ymode = m16;
		memset(mc.bmodes, kImpliedB[m16], 16);
		for (int r = 0; r < 16; r++) memcpy(YP(t, r, 0), rec16 + 16 * r, 16);
	}
	chroma(e, t, &mc, mx, my, e->o.force_uvmode);

	// Tokens (13): skip when nothing is non-zero.
	const int has_y2 = mc.ymode != VP8_BPRED;
	int any = 0;
	for (int b = 0; b < 25 && !any; b++) {
		if (b == 24 && !has_y2) break;
		for (int k = 0; k < 16; k++) any |= mc.lv[b][k];
	}
	uint8_t *tn = e->top_nz + (size_t)mx * 9, *ln = t->left_nz;
	if (!any) {
		memset(tn, 0, 8);
		memset(ln, 0, 8);
		if (has_y2) tn[8] = ln[8] = 0;
		t->nskip++;
	} else {
		vp8_bytes *tb = &e->tok[my];
		int first = 0, type = 3;
		if (has_y2) {
			int nz = record(t, tb, 1, tn[8] + ln[8], mc.lv[24], 0);
			tn[8] = ln[8] = (uint8_t)nz;
			first = 1, type = 0;
		}
		for (int b = 0; b < 16; b++) {
			const int i = b >> 2, j = b & 3;
			int nz = record(t, tb, type, tn[j] + ln[i], mc.lv[b], first);
			tn[j] = ln[i] = (uint8_t)nz;
		}
		for (int p = 0; p < 2; p++)
			for (int b = 0; b < 4; b++) {
				const int i = b >> 1, j = b & 1;
				uint8_t *a = &tn[4 + 2 * p + j], *l = &ln[4 + 2 * p + i];
				int nz = record(t, tb, 2, *a + *l, mc.lv[16 + 4 * p + b], 0);
				*a = *l = (uint8_t)nz;
			}
	}
	mi->ymode = (uint8_t)mc.ymode;
	mi->uvmode = (uint8_t)mc.uvmode;
	mi->skip = !any;
	memcpy(mi->bmodes, mc.bmodes, 16);

	// Bottom rows for the row below; the reconstruction for tests.
	uint8_t *ly = e->lines + (size_t)(my % VP8_LINE_ROWS) * 2 * e->linew, *lu = ly + e->linew, *lv = lu + e->linew / 2;
	memcpy(ly + mx * 16, YP(t, 15, 0), 16);
	memcpy(lu + mx * 8, UP(t, 7, 0), 8);
	memcpy(lv + mx * 8, VP(t, 7, 0), 8);
	if (mx == e->mbw - 1) memset(ly + e->mbw * 16, ly[e->mbw * 16 - 1], 4);
	if (e->o.recon_y) {
		const int cw = (e->w + 1) / 2, ch = (e->h + 1) / 2;
		for (int r = 0; r < 16 && my * 16 + r < e->h; r++)
			for (int c = 0; c < 16 && mx * 16 + c < e->w; c++) e->o.recon_y[(size_t)(my * 16 + r) * e->w + mx * 16 + c] = *YP(t, r, c);
		for (int r = 0; r < 8 && my * 8 + r < ch; r++)
			for (int c = 0; c < 8 && mx * 8 + c < cw; c++) {
				e->o.recon_u[(size_t)(my * 8 + r) * cw + mx * 8 + c] = *UP(t, r, c);
				e->o.recon_v[(size_t)(my * 8 + r) * cw + mx * 8 + c] = *VP(t, r, c);
			}
	}
	// This MB's right column is the next one's left.
	for (int r = 0; r < 16; r++) *YP(t, r, -1) = *YP(t, r, 15);
	for (int r = 0; r < 8; r++) *UP(t, r, -1) = *UP(t, r, 7), *VP(t, r, -1) = *VP(t, r, 7);
}
