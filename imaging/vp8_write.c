// Bitstream writing: coefficient tokens (RFC 6386 section 13), the
// probability updates (13.4), the frame header and per-macroblock modes of
// the first partition (9, 11, 19.2), and the WebP file around them.
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "vp8_internal.h"

// Section 11.2, bmode_tree with B_DC..B_HU as 0..9.
const int8_t vp8_bmode_tree[18] = {0, 2, -1, 4, -2, 6, 8, 12, -3, 10, -5, -6, -4, 14, -7, 16, -8, -9};

int vp8_tree_path(const int8_t *tree, int n, int leaf, uint8_t *idx, uint8_t *bits) {
	int node = -1;
	for (int i = 0; i < n; i++)
		if ((leaf == 0 && i == 0 && tree[0] == 0) || (leaf > 0 && tree[i] == -leaf)) node = i;
	if (node < 0) return 0;
	uint8_t ri[16], rb[16];
	int len = 0;
	for (;;) {
		const int pair = node & ~1;
		ri[len] = (uint8_t)(pair >> 1), rb[len] = (uint8_t)(node & 1), len++;
		if (pair == 0) break;
		for (node = 1; node < n && tree[node] != pair; node++) {
		}
	}
	for (int i = 0; i < len; i++) idx[i] = ri[len - 1 - i], bits[i] = rb[len - 1 - i];
	return len;
}

// Token categories (13.2): base value, extra-bit probabilities and count.
static const struct {
	int base, n;
	const uint8_t *p;
} kCat[6] = {{5, 1, vp8_pcat1}, {7, 2, vp8_pcat2}, {11, 3, vp8_pcat3}, {19, 4, vp8_pcat4}, {35, 5, vp8_pcat5}, {67, 11, vp8_pcat6}};

static void extra(vp8_bw *w, int cat, int a) {
	if (!w) return;
	const int off = a - kCat[cat].base, n = kCat[cat].n;
	for (int k = 0; k < n; k++) vp8_bw_put(w, kCat[cat].p[k], (off >> (n - 1 - k)) & 1);
}

void vp8_walk_block(vp8_bw *w, uint32_t (*cnt)[3][11][2], const uint8_t (*pr)[3][11], int first, int ctx, const int16_t *zl, int last) {
	int i = first;
	const uint8_t *p = pr[vp8_coeff_bands[i]][ctx];
	uint32_t(*c)[2] = cnt ? cnt[vp8_coeff_bands[i]][ctx] : NULL;
#define BIT(n, b)                                 \
	do {                                          \
		if (w) vp8_bw_put(w, p[n], (b));          \
		else c[n][(b) ? 1 : 0]++;                 \
	} while (0)
	if (last < first) {
		BIT(0, 0);
		return;
	}
	int after_zero = 0;
	for (; i <= last; i++) {
		const int v = zl[i], a = v < 0 ? -v : v;
		if (!after_zero) BIT(0, 1);
		if (a == 0) {
			BIT(1, 0);
			after_zero = 1, ctx = 0;
		} else {
			BIT(1, 1);
			if (a == 1) {
				BIT(2, 0);
				ctx = 1;
			} else {
				BIT(2, 1);
				ctx = 2;
				if (a <= 4) {
					BIT(3, 0);
					BIT(4, a != 2);
					if (a != 2) BIT(5, a == 4);
				} else if (a <= 10) {
					BIT(3, 1); BIT(6, 0); BIT(7, a > 6);
					extra(w, a > 6, a);
				} else if (a <= 34) {
					BIT(3, 1); BIT(6, 1); BIT(8, 0); BIT(9, a > 18);
					extra(w, a > 18 ? 3 : 2, a);
				} else {
					BIT(3, 1); BIT(6, 1); BIT(8, 1); BIT(10, a > 66);
					extra(w, a > 66 ? 5 : 4, a);
				}
			}
			if (w) vp8_bw_put(w, 128, v < 0);
			after_zero = 0;
		}
		if (i < 15) {
			p = pr[vp8_coeff_bands[i + 1]][ctx];
			if (cnt) c = cnt[vp8_coeff_bands[i + 1]][ctx];
		}
	}
	if (i < 16) BIT(0, 0);
#undef BIT
}

// read_block reads one recorded block back (see vp8_bytes).
static const uint8_t *read_block(const uint8_t *s, int first, int *ctx, int16_t zl[16], int *last) {
	const int h = *s++;
	*ctx = h & 3;
	*last = (h >> 2) - 1;
	for (int i = first; i <= *last; i++) {
		unsigned u = 0;
		for (int sh = 0;; sh += 7) {
			const uint8_t b = *s++;
			u |= (unsigned)(b & 127) << sh;
			if (!(b & 128)) break;
		}
		zl[i] = (int16_t)(u & 1 ? -(int)((u + 1) >> 1) : (int)(u >> 1));
	}
	return s;
}

static void choose_probs(vp8e *e);

// probs_ready chooses the probabilities once, for the first caller.
static void probs_ready(vp8e *e) {
	pthread_mutex_lock(&e->mu);
	if (!e->probs_chosen) choose_probs(e);
	e->probs_chosen = 1;
	pthread_mutex_unlock(&e->mu);
}

static void first_partition(vp8e *e, vp8_bw *w);

void vp8e_write_part(vp8e *e, int part) {
	probs_ready(e);
	if (part == VP8_NPART) {
		vp8_bw_init(&e->p0, (size_t)e->mbw * e->mbh + 4096);
		first_partition(e, &e->p0);
		return;
	}
	vp8_bw *w = &e->parts[part];
	size_t est = 256;
	for (int r = part; r < e->mbh; r += VP8_NPART) est += e->tok[r].n / 2;
	vp8_bw_init(w, est);
	for (int r = part; r < e->mbh; r += VP8_NPART) {
		if (e->oom || e->tok[r].oom) { // tokens lost: vp8e_finish fails
			w->oom = 1;
			break;
		}
		const uint8_t *s = e->tok[r].p;
		for (int x = 0; x < e->mbw; x++) {
			const vp8_mbinfo *mi = &e->mb[(size_t)r * e->mbw + x];
			if (mi->skip) continue;
			int16_t zl[16];
			int ctx, last, first = 0, type = 3;
			if (mi->ymode != VP8_BPRED) {
				s = read_block(s, 0, &ctx, zl, &last);
				vp8_walk_block(w, NULL, e->probs[1], 0, ctx, zl, last);
				first = 1, type = 0;
			}
			for (int b = 0; b < 16; b++) {
				s = read_block(s, first, &ctx, zl, &last);
				vp8_walk_block(w, NULL, e->probs[type], first, ctx, zl, last);
			}
			for (int b = 0; b < 8; b++) {
				s = read_block(s, 0, &ctx, zl, &last);
				vp8_walk_block(w, NULL, e->probs[2], 0, ctx, zl, last);
			}
		}
		free(e->tok[r].p); // coded: the row's tokens are not needed again
		e->tok[r].p = NULL, e->tok[r].n = e->tok[r].cap = 0;
	}
	vp8_bw_flush(w);
}

// choose_probs sets e->probs and e->upd: the default, or the counts' own
// where that saves more than the update costs (13.4).
static void choose_probs(vp8e *e) {
	uint8_t(*upd)[8][3][11] = e->upd;
	for (int t = 0; t < 4; t++)
		for (int b = 0; b < 8; b++)
			for (int c = 0; c < 3; c++)
				for (int n = 0; n < 11; n++) {
					const uint64_t n0 = e->counts[t][b][c][n][0], n1 = e->counts[t][b][c][n][1];
					const int old = vp8_default_coeff_probs[t][b][c][n], up = vp8_coeff_update_probs[t][b][c][n];
					e->probs[t][b][c][n] = (uint8_t)old;
					upd[t][b][c][n] = 0;
					if (n0 + n1 == 0) continue;
					int np = (int)((n0 * 256 + (n0 + n1) / 2) / (n0 + n1));
					np = np < 1 ? 1 : np > 255 ? 255 : np;
					const uint64_t co = n0 * vp8_bit_cost[old][0] + n1 * vp8_bit_cost[old][1] + vp8_bit_cost[up][0];
					const uint64_t cn = n0 * vp8_bit_cost[np][0] + n1 * vp8_bit_cost[np][1] + vp8_bit_cost[up][1] + 8 * 256;
					if (cn < co) e->probs[t][b][c][n] = (uint8_t)np, upd[t][b][c][n] = 1;
				}
}

// A leaf's path through a tree: probability indexes and bits.
typedef struct {
	uint8_t n, idx[9], bits[9];
} code;

static void put_code(vp8_bw *w, const code *c, const uint8_t *probs) {
	for (int i = 0; i < c->n; i++) vp8_bw_put(w, probs[c->idx[i]], c->bits[i]);
}

// Section 11.2 and 11.4 trees with DC, V, H, TM, B_PRED as 1..5 (leaf 0
// is reserved for index 0).
static const int8_t kYTree[8] = {-5, 2, 4, 6, -1, -2, -3, -4};
static const int8_t kUVTree[6] = {-1, 2, -2, 4, -3, -4};

static code ycode[5], uvcode[4], bcode[10];

static void codes_fill(void) {
	for (int m = 0; m < 5; m++) ycode[m].n = (uint8_t)vp8_tree_path(kYTree, 8, m + 1, ycode[m].idx, ycode[m].bits);
	for (int m = 0; m < 4; m++) uvcode[m].n = (uint8_t)vp8_tree_path(kUVTree, 6, m + 1, uvcode[m].idx, uvcode[m].bits);
	for (int m = 0; m < 10; m++) bcode[m].n = (uint8_t)vp8_tree_path(vp8_bmode_tree, 18, m, bcode[m].idx, bcode[m].bits);
}

static void first_partition(vp8e *e, vp8_bw *w) {
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, codes_fill);
	probs_ready(e);
	uint8_t(*upd)[8][3][11] = e->upd;
	vp8_bw_literal(w, 0, 1); // color space
	vp8_bw_literal(w, 0, 1); // clamping required
	vp8_bw_literal(w, 0, 1); // no segmentation
	vp8_bw_literal(w, 0, 1); // normal loop filter
	vp8_bw_literal(w, (uint32_t)e->filter_level, 6);
	vp8_bw_literal(w, 0, 3); // sharpness
	vp8_bw_literal(w, 0, 1); // no loop filter adjustments
	vp8_bw_literal(w, 3, 2); // 8 token partitions
	vp8_bw_literal(w, (uint32_t)e->q, 7);
	for (int i = 0; i < 3; i++) vp8_bw_literal(w, 0, 1); // no Y DC, Y2 DC, Y2 AC deltas
	for (int i = 0; i < 2; i++) { // UV DC, UV AC: flag, magnitude, sign
		vp8_bw_literal(w, e->uvd != 0, 1);
		if (e->uvd) vp8_bw_literal(w, (uint32_t)(e->uvd < 0 ? -e->uvd : e->uvd), 4), vp8_bw_literal(w, e->uvd < 0, 1);
	}
	vp8_bw_literal(w, 0, 1);                             // refresh_entropy_probs
	for (int t = 0; t < 4; t++)
		for (int b = 0; b < 8; b++)
			for (int c = 0; c < 3; c++)
				for (int n = 0; n < 11; n++) {
					vp8_bw_put(w, vp8_coeff_update_probs[t][b][c][n], upd[t][b][c][n]);
					if (upd[t][b][c][n]) vp8_bw_literal(w, e->probs[t][b][c][n], 8);
				}
	const uint64_t total = (uint64_t)e->mbw * e->mbh;
	int ps = (int)(((total - e->nskip) * 256 + total / 2) / total);
	ps = ps < 1 ? 1 : ps > 255 ? 255 : ps;
	vp8_bw_literal(w, 1, 1); // mb_no_skip_coeff
	vp8_bw_literal(w, (uint32_t)ps, 8);
	for (int y = 0; y < e->mbh; y++)
		for (int x = 0; x < e->mbw; x++) {
			const vp8_mbinfo *mi = &e->mb[(size_t)y * e->mbw + x];
			vp8_bw_put(w, ps, mi->skip);
			put_code(w, &ycode[mi->ymode], vp8_kf_ymode_probs);
			if (mi->ymode == VP8_BPRED) {
				for (int b = 0; b < 16; b++) {
					const int i = b >> 2, j = b & 3;
					const int a = i ? mi->bmodes[b - 4] : y ? mi[-e->mbw].bmodes[12 + j] : 0;
					const int l = j ? mi->bmodes[b - 1] : x ? mi[-1].bmodes[4 * i + 3] : 0;
					put_code(w, &bcode[mi->bmodes[b]], vp8_kf_bmode_probs[a][l]);
				}
			}
			put_code(w, &uvcode[mi->uvmode], vp8_kf_uv_mode_probs);
		}
	vp8_bw_flush(w);
}

static void put_le(uint8_t *p, uint32_t v, int n) {
	for (int i = 0; i < n; i++) p[i] = (uint8_t)(v >> (8 * i));
}

int vp8e_finish(vp8e *e, uint8_t **out, size_t *n) {
	if (e->oom) return -1;
	for (int r = 0; r < e->mbh; r++)
		if (e->tok[r].oom) return -1;
	if (!e->p0.buf) vp8e_write_part(e, VP8_NPART);
	vp8_bw p0 = e->p0;
	e->p0.buf = NULL;
	int st = 0;
	if (p0.oom) st = -1;
	else if (p0.n >= (1u << 19)) st = -2;
	size_t vp8 = 10 + p0.n + 3 * (VP8_NPART - 1);
	for (int p = 0; p < VP8_NPART; p++) {
		if (e->parts[p].oom || !e->parts[p].buf) st = -1;
		vp8 += e->parts[p].n;
		if (p < VP8_NPART - 1 && e->parts[p].n >= (1u << 24)) st = -2;
	}
	if (st) {
		free(p0.buf);
		return st;
	}
	const size_t total = 20 + vp8 + (vp8 & 1);
	uint8_t *f = malloc(total), *d = f;
	if (!f) {
		free(p0.buf);
		return -1;
	}
	memcpy(d, "RIFF", 4), put_le(d + 4, (uint32_t)(total - 8), 4), memcpy(d + 8, "WEBPVP8 ", 8);
	put_le(d + 16, (uint32_t)vp8, 4);
	d += 20;
	// Frame tag (9.1): key frame, version 0, shown, first partition size.
	put_le(d, (uint32_t)(0 | 0 << 1 | 1 << 4 | p0.n << 5), 3);
	d[3] = 0x9d, d[4] = 0x01, d[5] = 0x2a;
	put_le(d + 6, (uint32_t)e->w, 2), put_le(d + 8, (uint32_t)e->h, 2);
	d += 10;
	memcpy(d, p0.buf, p0.n), d += p0.n;
	for (int p = 0; p < VP8_NPART - 1; p++, d += 3) put_le(d, (uint32_t)e->parts[p].n, 3);
	for (int p = 0; p < VP8_NPART; p++) memcpy(d, e->parts[p].buf, e->parts[p].n), d += e->parts[p].n;
	if (vp8 & 1) *d = 0;
	free(p0.buf);
	*out = f;
	*n = total;
	return 0;
}

static void *work_thread(void *arg) {
	vp8e_work(arg);
	return NULL;
}

typedef struct {
	vp8e *e;
	atomic_int next;
} part_job;

static void *part_thread(void *arg) {
	part_job *j = arg;
	for (int p; (p = atomic_fetch_add(&j->next, 1)) <= VP8_NPART;) vp8e_write_part(j->e, p);
	return NULL;
}

// run calls fn on threads threads (this one among them) and waits.
static void run(int threads, void *(*fn)(void *), void *arg) {
	pthread_t th[64];
	int n = 0;
	for (int i = 1; i < threads && i < 64; i++)
		if (pthread_create(&th[n], NULL, fn, arg) == 0) n++;
	fn(arg);
	for (int i = 0; i < n; i++) pthread_join(th[i], NULL);
}

int vp8e_encode(const uint8_t *y, const uint8_t *u, const uint8_t *v, int ys, int uvs, int w, int h, const vp8e_opts *o, int threads, uint8_t **out, size_t *n) {
	vp8e *e = vp8e_new(y, u, v, ys, uvs, w, h, o);
	if (!e) return -1;
	run(threads, work_thread, e);
	part_job j = {.e = e};
	atomic_init(&j.next, 0);
	run(threads < VP8_NPART + 1 ? threads : VP8_NPART + 1, part_thread, &j);
	int st = vp8e_finish(e, out, n);
	vp8e_free(e);
	return st;
}
