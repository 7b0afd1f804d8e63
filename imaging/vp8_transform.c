// 4×4 transforms. The inverses are the decoder's (RFC 6386 sections 14.3
// and 14.4) and must match it bit for bit; the forwards only approximate
// their inverses: the DCT is 2× the orthonormal 2-D DCT (DC = sum / 2), the
// WHT the 2-D Hadamard transform / 2.
#include "vp8_enc.h"

// √2·cos(π/8) and √2·sin(π/8) in 1/8192.
enum { F_C = 10703, F_S = 4433 };

void vp8_fdct(const int16_t in[16], int16_t out[16]) {
	int t[16];
	for (int r = 0; r < 4; r++) { // horizontal, kept ×8
		const int16_t *x = in + 4 * r;
		int a = x[0] + x[3], b = x[1] + x[2], c = x[1] - x[2], d = x[0] - x[3];
		t[4 * r + 0] = (a + b) * 8;
		t[4 * r + 2] = (a - b) * 8;
		t[4 * r + 1] = (d * F_C + c * F_S + 512) >> 10;
		t[4 * r + 3] = (d * F_S - c * F_C + 512) >> 10;
	}
	for (int u = 0; u < 4; u++) { // vertical, then /16 (×8 and the 2-D ×2)
		int a = t[u] + t[12 + u], b = t[4 + u] + t[8 + u], c = t[4 + u] - t[8 + u], d = t[u] - t[12 + u];
		out[u] = (int16_t)((a + b + 8) >> 4);
		out[8 + u] = (int16_t)((a - b + 8) >> 4);
		out[4 + u] = (int16_t)((d * F_C + c * F_S + (1 << 16)) >> 17);
		out[12 + u] = (int16_t)((d * F_S - c * F_C + (1 << 16)) >> 17);
	}
}

// Decoder constants (section 14.4): √2·cos(π/8) − 1 and √2·sin(π/8) in 1/65536.
enum { I_C1 = 20091, I_S = 35468 };

static inline uint8_t clamp255(int v) { return v < 0 ? 0 : v > 255 ? 255 : (uint8_t)v; }

void vp8_idct_add(const int16_t in[16], const uint8_t *pred, int ps, uint8_t *dst, int ds) {
	int ac = 0;
	for (int i = 1; i < 16; i++) ac |= in[i];
	if (!ac) { // DC only: both passes reduce to (DC + 4) >> 3 everywhere
		const int v = (int16_t)((in[0] + 4) >> 3);
		for (int r = 0; r < 4; r++)
			for (int c = 0; c < 4; c++) dst[r * ds + c] = clamp255(pred[r * ps + c] + v);
		return;
	}
	int t[16];
	for (int i = 0; i < 4; i++) { // vertical pass over columns
		int a = in[i] + in[8 + i], b = in[i] - in[8 + i];
		int c = ((in[4 + i] * I_S) >> 16) - (in[12 + i] + ((in[12 + i] * I_C1) >> 16));
		int d = (in[4 + i] + ((in[4 + i] * I_C1) >> 16)) + ((in[12 + i] * I_S) >> 16);
		t[i] = (int16_t)(a + d);
		t[12 + i] = (int16_t)(a - d);
		t[4 + i] = (int16_t)(b + c);
		t[8 + i] = (int16_t)(b - c);
	}
	for (int r = 0; r < 4; r++) { // horizontal pass over rows, (x + 4) >> 3
		const int *x = t + 4 * r;
		int a = x[0] + x[2], b = x[0] - x[2];
		int c = ((x[1] * I_S) >> 16) - (x[3] + ((x[3] * I_C1) >> 16));
		int d = (x[1] + ((x[1] * I_C1) >> 16)) + ((x[3] * I_S) >> 16);
		const uint8_t *p = pred + r * ps;
		uint8_t *o = dst + r * ds;
		o[0] = clamp255(p[0] + (int16_t)((a + d + 4) >> 3));
		o[3] = clamp255(p[3] + (int16_t)((a - d + 4) >> 3));
		o[1] = clamp255(p[1] + (int16_t)((b + c + 4) >> 3));
		o[2] = clamp255(p[2] + (int16_t)((b - c + 4) >> 3));
	}
}

void vp8_fwht(const int16_t in[16], int16_t out[16]) {
	int t[16];
	for (int r = 0; r < 4; r++) {
		const int16_t *x = in + 4 * r;
		int a = x[0] + x[3], b = x[1] + x[2], c = x[1] - x[2], d = x[0] - x[3];
		t[4 * r + 0] = a + b;
		t[4 * r + 1] = c + d;
		t[4 * r + 2] = a - b;
		t[4 * r + 3] = d - c;
	}
	for (int u = 0; u < 4; u++) {
		int a = t[u] + t[12 + u], b = t[4 + u] + t[8 + u], c = t[4 + u] - t[8 + u], d = t[u] - t[12 + u];
		int o[4] = {a + b, c + d, a - b, d - c};
		for (int k = 0; k < 4; k++) out[4 * k + u] = (int16_t)(o[k] >= 0 ? (o[k] + 1) >> 1 : -((-o[k] + 1) >> 1));
	}
}

void vp8_iwht(const int16_t in[16], int16_t out[16]) {
	int t[16];
	for (int i = 0; i < 4; i++) { // vertical
		int a = in[i] + in[12 + i], b = in[4 + i] + in[8 + i], c = in[4 + i] - in[8 + i], d = in[i] - in[12 + i];
		t[i] = a + b;
		t[4 + i] = c + d;
		t[8 + i] = a - b;
		t[12 + i] = d - c;
	}
	for (int r = 0; r < 4; r++) { // horizontal, (x + 3) >> 3
		const int *x = t + 4 * r;
		int a = x[0] + x[3], b = x[1] + x[2], c = x[1] - x[2], d = x[0] - x[3];
		out[4 * r + 0] = (int16_t)((a + b + 3) >> 3);
		out[4 * r + 1] = (int16_t)((c + d + 3) >> 3);
		out[4 * r + 2] = (int16_t)((a - b + 3) >> 3);
		out[4 * r + 3] = (int16_t)((d - c + 3) >> 3);
	}
}
